/**
 * Runtime adapter: the CLI's standard output and error. On Bun, writes go
 * through `Bun.stdout`/`Bun.stderr` file sinks: touching `process.stderr`
 * there builds Node's stream machinery, about 30 ms of a 100 ms `assay ci`.
 * Elsewhere `process.stdout`/`process.stderr`.
 *
 * @module
 */
import { builtinModule } from "./builtin.ts";

/** Where the CLI writes, and whether stderr is a terminal. */
export interface Stdio {
  stdout(text: string): void;
  stderr(text: string): void;
  stderrIsTTY: boolean;
  /**
   * End the process with `code` once everything written has reached the
   * operating system. On Node that is an explicit `process.exit`: left to
   * exit on its own, Node tears its whole heap down first, about 0.1 s after
   * a 10,000-test run. Deno and Bun exit faster on their own (an explicit
   * exit is slower on Deno), so there it only sets the exit code.
   */
  exit(code: number): Promise<void>;
}

interface BunSink {
  write(text: string): number;
  flush(): number | Promise<number>;
}

interface BunLike {
  enableANSIColors: boolean;
  stdout: { writer(): BunSink };
  stderr: { writer(): BunSink };
}

/** `node:fs`'s fstatSync, loaded on first use (the store and reports load the module anyway). */
function fstatSync(): (fd: number) => { isCharacterDevice(): boolean } {
  return builtinModule<typeof import("node:fs")>("node:fs")!.fstatSync;
}

function setExitCode(code: number): void {
  (globalThis as { process?: { exitCode?: number } }).process!.exitCode = code;
}

/** Open the process's standard streams. */
export async function openStdio(): Promise<Stdio> {
  const bun = (globalThis as { Bun?: BunLike }).Bun;
  if (bun) {
    const out = bun.stdout.writer();
    const err = bun.stderr.writer();
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env ?? {};
    // Asked for only when it matters (colour without NO_COLOR, a progress
    // counter for many tests): most runs never need the check.
    let tty: boolean | undefined;
    const stderrIsTTY = (): boolean => {
      if (tty !== undefined) return tty;
      tty = false;
      // Bun.enableANSIColors is false unless stdout or stderr is a terminal (or
      // NO_COLOR / FORCE_COLOR say otherwise): only then is stderr worth a stat.
      if (bun.enableANSIColors || env.NO_COLOR !== undefined || env.FORCE_COLOR !== undefined) {
        try {
          // A terminal is a character device (so is /dev/null: colour there is harmless).
          tty = fstatSync()(2).isCharacterDevice();
        } catch {
          tty = false;
        }
      }
      return tty;
    };
    // flush() writes at once when the fd can take it; otherwise the rest goes
    // out asynchronously and the process stays alive until it has.
    return {
      stdout: (text) => {
        out.write(text);
        void out.flush();
      },
      stderr: (text) => {
        err.write(text);
        void err.flush();
      },
      get stderrIsTTY() {
        return stderrIsTTY();
      },
      exit: (code) => {
        setExitCode(code);
        return Promise.resolve();
      },
    };
  }
  const { default: process } = await import("node:process");
  const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  // A write's callback runs once the text is handed to the operating system.
  const drained = (stream: { write(text: string, done: () => void): unknown }) =>
    new Promise<void>((resolve) => stream.write("", () => resolve()));
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    exit: async (code) => {
      process.exitCode = code;
      if (isDeno) return;
      await Promise.all([drained(process.stdout), drained(process.stderr)]);
      process.exit(code);
    },
  };
}
