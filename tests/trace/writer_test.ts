import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { EpisodeRecorder, FrozenClock, readTraceAll, TraceWriter } from "../../mod.ts";
import { ROOT, runProcess, scriptCommand, withTempDir } from "../_helpers.ts";

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("TraceWriter", () => {
  test("appends by default and creates parent folders", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir.path, "a", "b", "trace.jsonl");
      for (const n of [1, 2]) {
        const w = new TraceWriter(path);
        await w.write({ type: "x", n });
        await w.close();
      }
      assert.equal(await readFile(path, "utf8"), '{"n":1,"type":"x"}\n{"n":2,"type":"x"}\n');
    });
  });

  test("truncate mode starts an empty file even before the first write", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir.path, "t.jsonl");
      await writeFile(path, "old\n");
      const w = new TraceWriter(path, { mode: "truncate" });
      await w.flush();
      assert.equal(await readFile(path, "utf8"), "");
      await w.write({ a: 1 });
      await w.close();
      assert.equal(await readFile(path, "utf8"), '{"a":1}\n');
    });
  });

  test("writes to a WritableStream, one whole line per event", async () => {
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    const stream = new WritableStream<Uint8Array>({
      write: (c) => void chunks.push(decoder.decode(c)),
    });
    const w = new TraceWriter(stream);
    await w.write({ b: 2, a: 1 });
    await w.close();
    assert.deepEqual(chunks, ['{"a":1,"b":2}\n']);
  });

  test("rejects a NaN value naming the path and writes nothing for that event", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir.path, "t.jsonl");
      const w = new TraceWriter(path);
      await assert.rejects(w.write({ type: "step", meta: { score: NaN } }), /meta\.score/);
      await w.write({ ok: true });
      await w.close();
      assert.equal(await readFile(path, "utf8"), '{"ok":true}\n');
    });
  });

  test("rejects writes after close with E_WRITER", async () => {
    const chunks: Uint8Array[] = [];
    const w = new TraceWriter(new WritableStream({ write: (c) => void chunks.push(c) }));
    await w.close();
    await assert.rejects(
      w.write({ a: 1 }),
      (err: Error & { code?: string }) => err.code === "E_WRITER",
    );
  });

  test("reports an unwritable path as E_WRITER with the path, not a crash", async () => {
    await withTempDir(async (dir) => {
      const blocker = join(dir.path, "file");
      await writeFile(blocker, "");
      const w = new TraceWriter(join(blocker, "sub", "t.jsonl"));
      await assert.rejects(w.write({ a: 1 }), (err: Error & { code?: string }) => {
        assert.equal(err.code, "E_WRITER");
        assert.match(err.message, /cannot open .*sub/);
        return true;
      });
      await assert.rejects(w.close(), /cannot open/);
    });
  });

  test("applies redaction to a copy just before serialisation", async () => {
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    const w = new TraceWriter(
      new WritableStream<Uint8Array>({ write: (c) => void chunks.push(decoder.decode(c)) }),
      {
        redact: (e) => ({ ...e, secret: "[REDACTED]" }),
      },
    );
    const event = { secret: "hunter2" };
    await w.write(event);
    await w.close();
    assert.equal(chunks.join(""), '{"secret":"[REDACTED]"}\n');
    assert.equal(event.secret, "hunter2");
  });

  test("50 concurrent episodes sharing one writer give 50 well-formed episodes with no interleaved lines", async () => {
    await withTempDir(async (dir) => {
      await mkdir(dir.path, { recursive: true });
      const path = join(dir.path, "concurrent.jsonl");
      const writer = new TraceWriter(path, { mode: "truncate" });
      const clock = new FrozenClock(0, 1);
      const long = "x".repeat(20_000); // long lines make any interleaving visible
      await Promise.all(
        Array.from(
          { length: 50 },
          (_, i) =>
            EpisodeRecorder.run(
              { writer, episodeId: `ep_${i}`, testId: `t_${i}`, clock },
              async (rec) => {
                await rec.start({ prompt: `prompt ${i}` });
                for (let s = 0; s < 5; s++) {
                  const step = await rec.modelStep({ content: `${i}:${s}:${long}` });
                  await rec.toolCall({
                    stepId: step,
                    toolName: "Tool",
                    args: { i, s },
                    result: { ok: i },
                  });
                  await new Promise((r) => setTimeout(r, (i * 7 + s) % 3));
                }
              },
            ),
        ),
      );
      await writer.close();
      const text = await readFile(path, "utf8");
      const lines = text.split("\n");
      assert.equal(lines.pop(), "");
      assert.equal(lines.length, 50 * 12);
      for (const line of lines) JSON.parse(line);
      const { episodes, warnings } = await readTraceAll(text, { file: path });
      assert.deepEqual(warnings, []);
      assert.equal(episodes.length, 50);
      for (const ep of episodes) {
        const i = Number(ep.episodeId.slice(3));
        assert.equal(ep.testId, `t_${i}`);
        assert.equal(ep.outcome, "pass");
        assert.equal(ep.steps.length, 5);
        assert.equal(ep.toolCalls.length, 5);
        ep.steps.forEach((s, n) => assert.equal(s.content, `${i}:${n}:${long}`));
      }
    });
  });

  describe("group commit", () => {
    test("a write resolves once queued; episode_end writes the queue and resolves once written", async () => {
      await withTempDir(async (dir) => {
        const path = join(dir.path, "t.jsonl");
        const w = new TraceWriter(path, { mode: "truncate" });
        await w.flush(); // opened: later writes are queued
        await w.write({ type: "episode_start", episode_id: "a" });
        await w.write({ type: "step", episode_id: "a" });
        assert.equal(readFileSync(path, "utf8"), "", "queued lines wait for the end of the task");
        await w.write({ type: "episode_end", episode_id: "a" });
        assert.equal(
          readFileSync(path, "utf8"),
          '{"episode_id":"a","type":"episode_start"}\n{"episode_id":"a","type":"step"}\n' +
            '{"episode_id":"a","type":"episode_end"}\n',
        );
        await w.close();
      });
    });

    test("queued lines are written on their own once the event loop runs timers", async () => {
      await withTempDir(async (dir) => {
        const path = join(dir.path, "t.jsonl");
        const w = new TraceWriter(path, { mode: "truncate" });
        await w.flush();
        await w.write({ n: 1 });
        await tick(20);
        assert.equal(readFileSync(path, "utf8"), '{"n":1}\n');
        await w.close();
      });
    });

    test("flush and close write the queued lines", async () => {
      await withTempDir(async (dir) => {
        const path = join(dir.path, "t.jsonl");
        const w = new TraceWriter(path, { mode: "truncate" });
        await w.flush();
        await w.write({ n: 1 });
        await w.flush();
        assert.equal(readFileSync(path, "utf8"), '{"n":1}\n');
        await w.write({ n: 2 });
        await w.close();
        assert.equal(readFileSync(path, "utf8"), '{"n":1}\n{"n":2}\n');
      });
    });

    test("lines keep the order of the write calls across queued, committed and stream writes", async () => {
      const chunks: string[] = [];
      const decoder = new TextDecoder();
      const w = new TraceWriter(
        new WritableStream<Uint8Array>({
          async write(c) {
            await tick(1); // a slow stream: lines queue up behind each write
            chunks.push(decoder.decode(c));
          },
        }),
      );
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 30; i++) {
        writes.push(w.write({ type: i % 10 === 9 ? "episode_end" : "step", i }));
        if (i % 7 === 0) await tick(2);
      }
      await Promise.all(writes);
      await w.close();
      const order = chunks.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l).i);
      assert.deepEqual(order, Array.from({ length: 30 }, (_, i) => i));
    });

    test("a burst of unawaited writes is written in bounded batches, not held until the end", async () => {
      await withTempDir(async (dir) => {
        const path = join(dir.path, "t.jsonl");
        const w = new TraceWriter(path, { mode: "truncate" });
        await w.flush();
        const content = "x".repeat(1000);
        const writes: Promise<void>[] = [];
        for (let i = 0; i < 500; i++) writes.push(w.write({ type: "step", i, content }));
        // No await yet: every ~64 KiB has already been written.
        const written = readFileSync(path, "utf8").split("\n").length - 1;
        assert.ok(written >= 400, `only ${written} of 500 lines written`);
        await Promise.all(writes);
        await w.close();
        assert.equal(readFileSync(path, "utf8").split("\n").length - 1, 500);
      });
    });

    test("a failed queued write is reported by the next write, flush and close", async () => {
      let calls = 0;
      const w = new TraceWriter(
        new WritableStream<Uint8Array>({
          write() {
            if (++calls > 1) throw new Error("disk on fire");
          },
        }),
      );
      await w.write({ n: 1 }); // the first write waits for the open and is written
      await w.write({ n: 2 }); // queued; its write fails later
      await tick(20);
      const isFailure = (err: Error & { code?: string }) =>
        err.code === "E_WRITER" && /disk on fire/.test(err.message);
      await assert.rejects(w.write({ n: 3 }), isFailure);
      await assert.rejects(w.flush(), isFailure);
      await assert.rejects(w.close(), isFailure);
    });

    test("the episode_end write rejects when the write carrying the queued lines fails", async () => {
      const w = new TraceWriter(
        new WritableStream<Uint8Array>({
          write() {
            throw new Error("disk on fire");
          },
        }),
      );
      await w.flush();
      await w.write({ type: "episode_start" });
      await w.write({ type: "step" });
      await assert.rejects(w.write({ type: "episode_end" }), /disk on fire/);
      await assert.rejects(w.close(), /disk on fire/);
    });

    test("a file write error (disk full) is reported, not lost", {
      skip: !existsSync("/dev/full"),
    }, async () => {
      const w = new TraceWriter("/dev/full");
      await assert.rejects(w.write({ type: "episode_end" }), /cannot write to \/dev\/full/);
      await assert.rejects(w.close(), /cannot write to/);
      const v = new TraceWriter("/dev/full");
      await v.flush();
      await v.write({ n: 1 }); // queued
      await tick(20);
      await assert.rejects(v.close(), (err: Error & { code?: string }) => err.code === "E_WRITER");
    });

    test("a process that dies mid-episode keeps every episode whose episode_end resolved", async () => {
      await withTempDir(async (dir) => {
        const path = join(dir.path, "t.jsonl");
        const script = join(dir.path, "crash.mts");
        const mod = JSON.stringify(join(ROOT, "mod.ts"));
        await writeFile(
          script,
          `import process from "node:process";
import { EpisodeRecorder, FrozenClock, TraceWriter } from ${mod};
const writer = new TraceWriter(${JSON.stringify(path)}, { mode: "truncate" });
const clock = new FrozenClock();
await EpisodeRecorder.run({ writer, episodeId: "done", clock }, async (rec) => {
  await rec.start({ prompt: "p" });
  await rec.step({ content: "ok" });
});
const rec = new EpisodeRecorder({ writer, episodeId: "cut", clock });
await rec.start({ prompt: "p" });
await rec.step({ content: "half" });
process.exit(3);
`,
        );
        const { cmd, args } = scriptCommand(script);
        const res = await runProcess(cmd, [...args], { cwd: dir.path });
        assert.equal(res.code, 3, res.stderr);
        const text = await readFile(path, "utf8");
        assert.ok(text.endsWith("\n"), "no partial line");
        const { episodes } = await readTraceAll(text.replace(/^.*"cut".*\n/gm, ""));
        assert.deepEqual(episodes.map((e) => [e.episodeId, e.outcome]), [["done", "pass"]]);
        const lines = text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
        assert.deepEqual(
          lines.filter((l) => l.episode_id === "done").map((l) => l.type),
          ["episode_start", "step", "episode_end"],
        );
      });
    });
  });
});
