/**
 * `TraceWriter`: appends canonical JSON lines to a file or a `WritableStream`.
 *
 * Each event becomes exactly one whole line, and lines are written in the
 * order `write` was called. Lines are queued in memory and written together
 * in one write call ("group commit"): when an `episode_end` is written, when
 * about 64 KiB are queued, on `flush()` and `close()`, and otherwise once the
 * event loop next runs timers (a `setTimeout(0)`: about a millisecond later,
 * more under load). So concurrent episodes sharing one writer never
 * interleave bytes inside a line, and a crash of the process loses at most
 * the lines queued since the last write call (never a line of an episode
 * whose `episode_end` write has resolved) and leaves at most one partial
 * last line.
 *
 * @module
 */
import { AssayError } from "../errors.ts";
import { canonicalJson } from "./canonical.ts";
import type { JsonObject, TraceEvent } from "./events.ts";

/** Where the writer's bytes go. Runtime adapters implement it. */
export interface ByteSink {
  /**
   * Write all of `bytes`; resolves when they are handed to the OS or stream.
   * The writer never calls it again before the previous call has settled.
   */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Optional: write all of `bytes` before returning (a file's `write(2)`).
   * When present the writer uses it instead of `write`, so a flush needs no
   * asynchronous round trip.
   */
  writeSync?(bytes: Uint8Array): void;
  /** Release the underlying resource. */
  close(): Promise<void>;
}

/** A function that turns an event into the event to write (see `makeRedactor`). */
export type RedactFn = (event: JsonObject) => JsonObject;

/** Options of {@linkcode TraceWriter}. */
export interface TraceWriterOptions {
  /** Runs on every event just before serialisation; must not mutate its input. */
  redact?: RedactFn;
  /** `"append"` (default, like the Python SDK) or `"truncate"` to start an empty file. Paths only. */
  mode?: "append" | "truncate";
}

interface Batch {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function streamSink(stream: WritableStream<Uint8Array>): ByteSink {
  const writer = stream.getWriter();
  return {
    write: (bytes) => writer.write(bytes),
    close: () => writer.close(),
  };
}

const encoder = new TextEncoder();
const RESOLVED: Promise<void> = Promise.resolve();
// Queued text (UTF-16 code units) that makes `write` write at once and wait.
const HIGH_WATER = 64 * 1024;

/**
 * Writes trace events as canonical JSON lines.
 *
 * @example
 * ```ts
 * import { FrozenClock, TraceWriter, EpisodeRecorder } from "@assay-it/sdk";
 * const writer = new TraceWriter("traces/run.jsonl", { mode: "truncate" });
 * const rec = new EpisodeRecorder({ writer, episodeId: "ep1", clock: new FrozenClock() });
 * await rec.start({ prompt: "hi" });
 * await rec.end({ outcome: "pass" });
 * await writer.close();
 * ```
 */
export class TraceWriter {
  /** The file path, when the writer was given one. */
  readonly path?: string;
  readonly #redact?: RedactFn;
  readonly #sink: Promise<ByteSink>;
  /** The sink once it has opened: until then every write waits for the open. */
  #ready: ByteSink | null = null;
  #pending: string[] = [];
  #pendingChars = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #batch: Batch | null = null;
  #drain: Promise<void> = Promise.resolve();
  #draining = false;
  #failure: unknown = null;
  #closed = false;

  constructor(
    target: string | URL | WritableStream<Uint8Array>,
    options: TraceWriterOptions = {},
  ) {
    const mode = options.mode ?? "append";
    if (mode !== "append" && mode !== "truncate") {
      throw new TypeError(`TraceWriter mode must be "append" or "truncate", got ${String(mode)}`);
    }
    this.#redact = options.redact;
    if (typeof target === "string" || target instanceof URL) {
      if (target === "") throw new TypeError("TraceWriter needs a file path, got an empty string");
      this.path = String(target);
      this.#sink = import("../runtime/file_sink.ts").then((m) => m.openFileSink(target, mode));
    } else if (target && typeof (target as WritableStream).getWriter === "function") {
      this.#sink = Promise.resolve(streamSink(target));
    } else {
      throw new TypeError("TraceWriter target must be a path, a URL or a WritableStream");
    }
    // Opening errors surface on the first write/flush/close, not as an unhandled rejection.
    this.#sink.then((sink) => this.#ready = sink, () => {});
  }

  /**
   * Serialise (after redaction) and queue one event.
   *
   * Resolves once the line is queued; queued lines are written together
   * when the event loop next runs timers. An `episode_end` event writes
   * everything queued and resolves when it has been written (handed to the
   * OS, so it survives a crash of the process; there is no fsync): an
   * episode is complete in the file once its `episode_end` write resolves.
   * The first write while the file is still opening, and a write that finds
   * about 64 KiB queued (which bounds the memory a fast writer holds), also
   * resolve only once written. Rejects with `E_SERIALIZE` when the event
   * holds a value JSON cannot represent (nothing is written then), and with
   * `E_WRITER` when the writer is closed or an earlier write failed
   * (including a queued write nobody awaited).
   */
  write(event: TraceEvent | JsonObject): Promise<void> {
    if (this.#closed) {
      return Promise.reject(
        new AssayError("E_WRITER", "cannot write: the TraceWriter is closed", {
          hint: 'create a new TraceWriter (mode: "append") to add more events',
        }),
      );
    }
    if (this.#failure) return Promise.reject(this.#failure);
    let line: string;
    try {
      const out = this.#redact ? this.#redact(event as JsonObject) : event;
      line = canonicalJson(out) + "\n";
    } catch (err) {
      return Promise.reject(err);
    }
    this.#pending.push(line);
    this.#pendingChars += line.length;
    if (
      this.#ready === null || this.#pendingChars >= HIGH_WATER ||
      (event as { type?: unknown }).type === "episode_end"
    ) {
      return this.#commit();
    }
    if (this.#timer === undefined && !this.#draining) {
      this.#timer = setTimeout(this.#onTimer, 0);
    }
    return RESOLVED;
  }

  /** Writes what is queued (after what is in flight); resolves when it is written. */
  #commit(): Promise<void> {
    this.#cancelTimer();
    const sink = this.#ready;
    if (sink?.writeSync && !this.#draining) {
      // A synchronous sink (the file): no async hop, no promise to settle.
      try {
        sink.writeSync(this.#take());
      } catch (err) {
        return Promise.reject(this.#fail(err, "write to"));
      }
      return RESOLVED;
    }
    const batch = this.#batch ??= newBatch();
    if (!this.#draining) this.#drain = this.#run();
    return batch.promise;
  }

  /** The queued lines as one chunk of bytes; empties the queue. */
  #take(): Uint8Array {
    const lines = this.#pending;
    this.#pending = [];
    this.#pendingChars = 0;
    return encoder.encode(lines.length === 1 ? lines[0] : lines.join(""));
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  // The deferred write of lines nobody waits for. A failure is kept and
  // reported by the next write, flush or close.
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#pending.length > 0 && !this.#draining) this.#commit().catch(() => {});
  };

  async #run(): Promise<void> {
    this.#draining = true;
    try {
      let sink: ByteSink;
      try {
        sink = await this.#sink;
      } catch (err) {
        this.#fail(err, "open");
        return;
      }
      while (this.#pending.length > 0) {
        const batch = this.#batch;
        this.#batch = null;
        try {
          const bytes = this.#take();
          if (sink.writeSync) sink.writeSync(bytes);
          else await sink.write(bytes);
          batch?.resolve();
        } catch (err) {
          batch?.reject(this.#fail(err, "write to"));
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #fail(err: unknown, verb: string): unknown {
    const where = this.path ?? "the output stream";
    const message = (err as Error)?.message ?? String(err);
    this.#failure ??= new AssayError("E_WRITER", `cannot ${verb} ${where}: ${message}`, {
      cause: err,
      hint: "check that the folder is writable and the disk is not full",
    });
    if (this.#batch) {
      this.#batch.reject(this.#failure);
      this.#batch.promise.catch(() => {});
      this.#batch = null;
    }
    this.#pending = [];
    this.#pendingChars = 0;
    this.#cancelTimer();
    return this.#failure;
  }

  /**
   * Writes every queued line. Resolves when every event written so far has
   * been written to the file (handed to the OS) or the stream; rejects with
   * the first write failure, also that of a queued write nobody awaited.
   */
  async flush(): Promise<void> {
    try {
      await this.#sink;
    } catch (err) {
      throw this.#failure ?? this.#fail(err, "open");
    }
    if (this.#pending.length > 0) this.#commit().catch(() => {}); // reported below
    await this.#drain;
    if (this.#failure) throw this.#failure;
  }

  /** Flushes, then closes the file or stream. Later writes are rejected. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelTimer();
    let sink: ByteSink;
    try {
      sink = await this.#sink;
    } catch (err) {
      throw this.#failure ?? this.#fail(err, "open");
    }
    if (this.#pending.length > 0) this.#commit().catch(() => {}); // reported below
    await this.#drain;
    try {
      await sink.close();
    } catch (err) {
      // A stream that failed a write is errored and fails to close too:
      // the first failure is the one worth reporting.
      throw this.#failure ?? err;
    }
    if (this.#failure) throw this.#failure;
  }

  /** `await using writer = new TraceWriter(...)` closes it at scope end. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
