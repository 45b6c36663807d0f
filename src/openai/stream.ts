/**
 * Recording of streamed OpenAI chat completions: chunks go to the caller
 * unchanged and as they arrive, while the recorder folds them into a step.
 *
 * @module
 */
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { configure, type RunConfig } from "./_common.ts";
import { recordEpisode, type Settle } from "./_engine.ts";
import type { RecordResult, RecordStreamOptions, RecordStreamWithToolsOptions } from "./types.ts";

/**
 * The chunks of a recorded stream (every round's, for the tool loop) and,
 * once it has ended, the common result. It can be iterated once. The
 * episode is finalised when iteration ends (`pass`), throws (`error`) or
 * is left early with `break` (`aborted`).
 */
export interface RecordingStream extends AsyncIterable<ChatCompletionChunk> {
  /**
   * The result once the stream has ended. Called before iteration started,
   * it consumes the stream itself (the chunks are then only recorded).
   * Rejects with the stream's error. After an early `break` it resolves
   * with what had arrived by then.
   */
  finalResult(): Promise<RecordResult>;
}

function recordingStream(cfg: RunConfig): RecordingStream {
  let settle!: Settle;
  const done = new Promise<RecordResult>((resolve, reject) => {
    settle = (outcome) => ("error" in outcome ? reject(outcome.error) : resolve(outcome.result));
  });
  // The caller may iterate and never ask for the result: a failed stream
  // already reached them through the iteration.
  done.catch(() => {});
  const gen = recordEpisode(cfg, settle);
  let started = false;
  const claim = (): void => {
    if (started) {
      throw new TypeError(
        `${cfg.fn}: this stream was already consumed; a RecordingStream can be iterated once`,
      );
    }
    started = true;
  };
  return {
    [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
      claim();
      return gen;
    },
    finalResult(): Promise<RecordResult> {
      if (!started) {
        started = true;
        (async () => {
          for await (const _ of gen) { /* recorded by the generator */ }
        })().catch(() => {});
      }
      return done;
    },
  };
}

/**
 * Streams one chat completion to the caller while recording it: chunks
 * are passed through unchanged as they arrive; when the stream ends, one
 * model step (joined content, tool calls from their fragments, finish
 * reason, usage from the usage chunk) and its tool calls are written, then
 * `episode_end`. Tools are not run. Nothing is sent before iteration starts.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { recordChatCompletionsStream, TraceWriter } from "@assay-it/sdk";
 *
 * const writer = new TraceWriter("traces/stream.jsonl");
 * const stream = recordChatCompletionsStream({
 *   writer,
 *   client: new OpenAI(),
 *   model: "gpt-4o",
 *   messages: [{ role: "user", content: "Say hello" }],
 *   episodeId: "stream_demo",
 *   includeUsage: true,
 * });
 * for await (const chunk of stream) {
 *   console.log(chunk.choices[0]?.delta?.content ?? "");
 * }
 * console.log((await stream.finalResult()).usage);
 * await writer.close();
 * ```
 */
export function recordChatCompletionsStream(options: RecordStreamOptions): RecordingStream {
  return recordingStream(
    configure("recordChatCompletionsStream", options, { stream: true, execute: false }),
  );
}

/**
 * The streaming tool loop: every round is streamed to the caller chunk by
 * chunk; between rounds the requested tools run (same rules as
 * `recordChatCompletionsWithTools`) and their results go back to the
 * model, until it answers without tools or `maxToolRounds` runs out.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { recordChatCompletionsStreamWithTools, TraceWriter } from "@assay-it/sdk";
 *
 * const writer = new TraceWriter("traces/stream_tools.jsonl");
 * const stream = recordChatCompletionsStreamWithTools({
 *   writer,
 *   client: new OpenAI(),
 *   model: "gpt-4o",
 *   messages: [{ role: "user", content: "Weather in Tokyo?" }],
 *   tools: [{ type: "function", function: { name: "GetWeather", parameters: { type: "object" } } }],
 *   toolExecutors: { GetWeather: () => ({ temp: 22 }) },
 *   episodeId: "weather_stream",
 * });
 * for await (const chunk of stream) {
 *   const text = chunk.choices[0]?.delta?.content;
 *   if (text) console.log(text);
 * }
 * const { content, rounds } = await stream.finalResult();
 * console.log(content, rounds);
 * await writer.close();
 * ```
 */
export function recordChatCompletionsStreamWithTools(
  options: RecordStreamWithToolsOptions,
): RecordingStream {
  return recordingStream(
    configure("recordChatCompletionsStreamWithTools", options, { stream: true, execute: true }),
  );
}
