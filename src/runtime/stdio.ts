/**
 * Runtime adapter: the CLI's standard output and error. On Bun, writes go
 * through `Bun.stdout`/`Bun.stderr` file sinks: touching `process.stderr`
 * there builds Node's stream machinery, about 30 ms of a 100 ms `assay ci`.
 * On Deno, `Deno.stdout`/`Deno.stderr`: the first touch of its `process`
 * (the Node compatibility layer) costs Deno about 30 ms. Elsewhere
 * `process.stdout`/`process.stderr`.
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

interface DenoWriter {
  writeSync(bytes: Uint8Array): number;
  isTerminal(): boolean;
}

interface DenoLike {
  stdout: DenoWriter;
  stderr: DenoWriter;
  exitCode: number;
}

interface BunLike {
  enableANSIColors: boolean;
  stdout: { writer(): BunSink };
  stderr: { writer(): BunSink };
}

/** `node:fs`'s fstatSync, loaded on first use (only a colour or progress decision needs it). */
function fstatSync(): (fd: number) => { isCharacterDevice(): boolean } {
  return builtinModule<typeof import("node:fs")>("node:fs")!.fstatSync;
}

/**
 * `write` until it first fails (synchronously or through the promise it
 * returns), then nothing: a closed pipe (`assay ci | head`) drops the rest
 * of the output instead of failing the run.
 */
function untilClosed(write: (text: string) => Promise<unknown> | void): (text: string) => void {
  let open = true;
  const close = () => {
    open = false;
  };
  return (text) => {
    if (!open) return;
    try {
      write(text)?.catch(close);
    } catch {
      close();
    }
  };
}

function setExitCode(code: number): void {
  (globalThis as { process?: { exitCode?: number } }).process!.exitCode = code;
}

/**
 * Open the process's standard streams. `env` is the process's environment
 * (`NO_COLOR` and `FORCE_COLOR` decide on Bun whether stderr is worth a stat).
 */
export async function openStdio(env: Record<string, string | undefined>): Promise<Stdio> {
  const bun = (globalThis as { Bun?: BunLike }).Bun;
  if (bun) {
    const out = bun.stdout.writer();
    const err = bun.stderr.writer();
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
    const writer = (sink: BunSink) =>
      untilClosed((text) => {
        sink.write(text);
        const done = sink.flush();
        return typeof done === "number" ? undefined : done;
      });
    return {
      stdout: writer(out),
      stderr: writer(err),
      get stderrIsTTY() {
        return stderrIsTTY();
      },
      exit: (code) => {
        setExitCode(code);
        return Promise.resolve();
      },
    };
  }
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (deno) {
    const encoder = new TextEncoder();
    // Synchronous, like Deno's own console: the text has reached the
    // operating system when the call returns.
    const writer = (stream: DenoWriter) =>
      untilClosed((text) => {
        const bytes = encoder.encode(text);
        for (let done = 0; done < bytes.length;) done += stream.writeSync(bytes.subarray(done));
      });
    return {
      stdout: writer(deno.stdout),
      stderr: writer(deno.stderr),
      stderrIsTTY: deno.stderr.isTerminal(),
      exit: (code) => {
        deno.exitCode = code;
        return Promise.resolve();
      },
    };
  }
  const { default: process } = await import("node:process");
  // A closed pipe (`assay ci | head`) is an 'error' event on the stream:
  // the rest is dropped instead of crashing the run.
  const open = new Set<NodeJS.WriteStream>([process.stdout, process.stderr]);
  for (const stream of open) stream.on("error", () => open.delete(stream));
  const write = (stream: NodeJS.WriteStream) => (text: string): void => {
    if (open.has(stream)) stream.write(text);
  };
  // A write's callback runs once the text is handed to the operating system
  // (or with the error that closed the stream).
  const drained = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) =>
      open.has(stream) ? stream.write("", () => resolve()) : resolve()
    );
  return {
    stdout: write(process.stdout),
    stderr: write(process.stderr),
    stderrIsTTY: process.stderr.isTTY === true,
    exit: async (code) => {
      process.exitCode = code;
      await Promise.all([drained(process.stdout), drained(process.stderr)]);
      process.exit(code);
    },
  };
}
