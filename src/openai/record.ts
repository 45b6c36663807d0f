/**
 * Recording of plain (non-streamed) OpenAI chat completions: one call, or
 * the tool loop that runs tools between model calls.
 *
 * @module
 */
import { configure } from "./_common.ts";
import { runToEnd } from "./_engine.ts";
import type {
  RecordChatCompletionsOptions,
  RecordResult,
  RecordWithToolsOptions,
} from "./types.ts";

/**
 * Makes one chat completion call and records it as an episode:
 * `episode_start`, one model step, one `tool_call` (result `null`) per tool
 * call the model asked for, and `episode_end`. Tools are not run. A client
 * error is recorded as outcome `error`, then rethrown.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { recordChatCompletions, TraceWriter } from "@assay-it/sdk";
 *
 * const writer = new TraceWriter("traces/simple.jsonl");
 * const result = await recordChatCompletions({
 *   writer,
 *   client: new OpenAI(),
 *   model: "gpt-4o",
 *   messages: [{ role: "user", content: "Weather in Tokyo?" }],
 *   episodeId: "weather_demo",
 *   testId: "weather_check",
 * });
 * console.log(result.content);
 * await writer.close();
 * ```
 */
export function recordChatCompletions(
  options: RecordChatCompletionsOptions,
): Promise<RecordResult> {
  try {
    return runToEnd(configure("recordChatCompletions", options, { stream: false, execute: false }));
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * The tool loop: calls the model, runs the tools it asks for with
 * `toolExecutors`, sends the results back, and repeats until the model
 * answers without tools or `maxToolRounds` (default 4) rounds of tools have
 * run (then `truncated` is true). Tool failures (no executor, a throwing
 * executor, arguments or results that are not JSON) are recorded as data
 * and never escape the loop; client errors are recorded, then rethrown.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { recordChatCompletionsWithTools, TraceWriter } from "@assay-it/sdk";
 *
 * const writer = new TraceWriter("traces/quickstart.jsonl");
 * const result = await recordChatCompletionsWithTools({
 *   writer,
 *   client: new OpenAI(),
 *   model: "gpt-4o",
 *   messages: [{ role: "user", content: "Weather in Tokyo?" }],
 *   tools: [{
 *     type: "function",
 *     function: {
 *       name: "GetWeather",
 *       parameters: { type: "object", properties: { location: { type: "string" } } },
 *     },
 *   }],
 *   toolExecutors: { GetWeather: (args) => ({ temp: 22, location: args.location }) },
 *   episodeId: "weather_demo",
 *   testId: "weather_check",
 * });
 * console.log(result.content, result.toolCalls.length, result.rounds);
 * await writer.close();
 * ```
 */
export function recordChatCompletionsWithTools(
  options: RecordWithToolsOptions,
): Promise<RecordResult> {
  try {
    return runToEnd(
      configure("recordChatCompletionsWithTools", options, { stream: false, execute: true }),
    );
  } catch (err) {
    return Promise.reject(err);
  }
}
