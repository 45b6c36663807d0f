/**
 * Runtime adapter: a `node:worker_threads` worker (Deno, Bun and Node all
 * provide it) that evaluates regexes, terminated when one exceeds its time
 * budget. The worker's code is an inline `data:` module so nothing extra
 * has to be shipped or resolved.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { RegexOutcome, RegexSandbox } from "../gate/regex_guard.ts";

const WORKER_CODE = `import { parentPort } from "node:worker_threads";
parentPort.on("message", (m) => {
  let matched = false, error = null;
  try { matched = new RegExp(m.source, m.flags).test(m.input); } catch (e) { error = String(e && e.message || e); }
  parentPort.postMessage({ id: m.id, matched, error });
});
parentPort.postMessage({ ready: true });`;

interface Pending {
  resolve: (o: RegexOutcome) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
  timeoutMs: number;
}

/** A sandbox that runs each test in a worker and replaces the worker after a timeout. */
export function createRegexWorker(): RegexSandbox {
  let worker: Worker | null = null;
  let online: Promise<void> = Promise.resolve();
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const start = (): Worker => {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER_CODE)}`));
    // The budget is for the regex, not for starting a thread on a busy machine.
    // ("online" fires before the worker's module has loaded, so wait for its own signal.)
    online = new Promise<void>((resolve) => {
      w.once("message", () => resolve());
      w.once("error", () => resolve());
    });
    w.on("message", (m: { id?: number; matched: boolean; error: string | null }) => {
      if (m.id === undefined) return;
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error !== null) p.reject(new SyntaxError(m.error));
      else p.resolve({ status: "ok", matched: m.matched });
      if (pending.size === 0) w.unref();
    });
    w.on("error", (err) => {
      for (const [id, p] of pending) {
        pending.delete(id);
        clearTimeout(p.timer);
        p.reject(err);
      }
      if (worker === w) worker = null;
    });
    return w;
  };

  return {
    async test(regex, input, timeoutMs) {
      worker ??= start();
      const w = worker;
      w.ref();
      await online;
      const id = nextId++;
      return await new Promise<RegexOutcome>((resolve, reject) => {
        const timer = setTimeout(() => {
          // The worker is stuck in the regex engine: the only way out is to kill it.
          pending.delete(id);
          if (worker === w) worker = null;
          for (const [other, p] of pending) {
            pending.delete(other);
            clearTimeout(p.timer);
            p.reject(new Error("regex worker restarted after a timeout"));
          }
          void w.terminate();
          resolve({ status: "timeout", timeoutMs });
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer, timeoutMs });
        w.postMessage({ id, source: regex.source, flags: regex.flags.replace(/[gy]/g, ""), input });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
