/**
 * `TraceWriter`: appends canonical JSON lines to a file or a `WritableStream`.
 *
 * Each event becomes exactly one whole line. Lines are written in the order
 * `write` was called; lines queued while a write is in flight go out
 * together in the next single write call ("group commit"), so concurrent
 * episodes sharing one writer never interleave bytes inside a line and a
 * crash leaves at most one partial last line.
 *
 * @module
 */
import { AssayError } from "../errors.ts";
import { canonicalJson } from "./canonical.ts";
import type { JsonObject, TraceEvent } from "./events.ts";

/** Where the writer's bytes go. Runtime adapters implement it. */
export interface ByteSink {
  /** Write all of `bytes`; resolves when they are handed to the OS or stream. */
  write(bytes: Uint8Array): Promise<void>;
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
  #pending: string[] = [];
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
    this.#sink.catch(() => {});
  }

  /**
   * Serialise (after redaction) and queue one event. Resolves when its line
   * has been written. Rejects with `E_SERIALIZE` when the event holds a
   * value JSON cannot represent (nothing is written then).
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
    const batch = this.#batch ??= newBatch();
    if (!this.#draining) this.#drain = this.#run();
    return batch.promise;
  }

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
        const lines = this.#pending;
        const batch = this.#batch!;
        this.#pending = [];
        this.#batch = null;
        try {
          await sink.write(encoder.encode(lines.length === 1 ? lines[0] : lines.join("")));
          batch.resolve();
        } catch (err) {
          batch.reject(this.#fail(err, "write to"));
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
      this.#pending = [];
    }
    return this.#failure;
  }

  /** Resolves when every event written so far is on disk (or in the stream). */
  async flush(): Promise<void> {
    try {
      await this.#sink;
    } catch (err) {
      throw this.#failure ?? this.#fail(err, "open");
    }
    await this.#drain;
    if (this.#failure) throw this.#failure;
  }

  /** Flushes, then closes the file or stream. Later writes are rejected. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#drain;
    let sink: ByteSink;
    try {
      sink = await this.#sink;
    } catch (err) {
      throw this.#failure ?? this.#fail(err, "open");
    }
    await sink.close();
    if (this.#failure) throw this.#failure;
  }

  /** `await using writer = new TraceWriter(...)` closes it at scope end. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
