/**
 * The writer from context: `withTraceWriter(writer, fn)` lets every
 * recording call inside `fn` (and everything it awaits) find its writer
 * without passing it around. Concurrent calls stay isolated because the
 * slot follows async continuations, not a global variable.
 *
 * @module
 */
import { AssayError } from "../errors.ts";
import { createContextSlot } from "../runtime/context.ts";
import type { TraceWriter } from "../trace/writer.ts";

const slot = createContextSlot<TraceWriter>();

/**
 * Runs `fn` with `writer` as the default writer of every `record*` call
 * made inside it that gets no `writer` option. Returns what `fn` returns
 * (a Promise stays a Promise). Nested calls use the innermost writer.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { recordChatCompletions, TraceWriter, withTraceWriter } from "@assay-it/sdk";
 *
 * const client = new OpenAI();
 * const writer = new TraceWriter("traces/run.jsonl");
 * await withTraceWriter(writer, async () => {
 *   await recordChatCompletions({
 *     client,
 *     model: "gpt-4o",
 *     messages: [{ role: "user", content: "Weather in Tokyo?" }],
 *     episodeId: "weather_demo",
 *   });
 * });
 * await writer.close();
 * ```
 */
export function withTraceWriter<R>(writer: TraceWriter, fn: () => R): R {
  if (!writer || typeof (writer as { write?: unknown }).write !== "function") {
    throw new TypeError(
      `withTraceWriter needs a TraceWriter as its first argument, got ${
        writer === null ? "null" : typeof writer
      }`,
    );
  }
  if (typeof fn !== "function") {
    throw new TypeError(
      `withTraceWriter needs a function as its second argument, got ${typeof fn}`,
    );
  }
  return slot.run(writer, fn);
}

/**
 * The writer of the innermost enclosing {@linkcode withTraceWriter}, or
 * `undefined` outside of one.
 *
 * @example
 * ```ts
 * import { currentTraceWriter, TraceWriter, withTraceWriter } from "@assay-it/sdk";
 * const writer = new TraceWriter("traces/run.jsonl");
 * withTraceWriter(writer, () => console.log(currentTraceWriter() === writer)); // true
 * console.log(currentTraceWriter()); // undefined
 * ```
 */
export function currentTraceWriter(): TraceWriter | undefined {
  return slot.get();
}

/** The explicit writer, else the context's; throws `E_NO_WRITER` when there is neither. */
export function resolveWriter(explicit: TraceWriter | undefined): TraceWriter {
  const writer = explicit ?? slot.get();
  if (writer === undefined) {
    throw new AssayError("E_NO_WRITER", "No writer provided and no active context found.", {
      hint: "pass { writer } or wrap the call in withTraceWriter(writer, fn)",
    });
  }
  return writer;
}
