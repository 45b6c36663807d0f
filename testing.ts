/**
 * Test helpers of Assay: a fake OpenAI-compatible server that plays
 * scripted responses (JSON and server-sent events, errors, pauses, cut
 * streams) on a loopback port, so the real `openai` client and the
 * recording functions can be tested offline. Uses `node:http`, which Deno,
 * Bun and Node all provide; kept out of the main entry point for that reason.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { recordChatCompletions, TraceWriter } from "@assay-it/sdk";
 * import { chatCompletion, startFakeOpenAI } from "@assay-it/sdk/testing";
 *
 * await using server = await startFakeOpenAI({
 *   responses: [{ kind: "json", body: chatCompletion({ content: "It is 22C in Tokyo." }) }],
 * });
 * const writer = new TraceWriter("traces/offline.jsonl", { mode: "truncate" });
 * const result = await recordChatCompletions({
 *   writer,
 *   client: new OpenAI({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 }),
 *   model: "gpt-4o",
 *   messages: [{ role: "user", content: "Weather in Tokyo?" }],
 *   episodeId: "weather_demo",
 * });
 * console.log(result.content);
 * await writer.close();
 * ```
 *
 * @module
 */
export {
  chatCompletion,
  chatCompletionChunks,
  startFakeOpenAI,
} from "./src/testing/fake_openai.ts";
export type {
  ChatCompletionBodyOptions,
  ChatCompletionChunksOptions,
  FakeErrorResponse,
  FakeJsonResponse,
  FakeOpenAI,
  FakeOpenAIOptions,
  FakeRequest,
  FakeResponse,
  FakeStreamResponse,
} from "./src/testing/fake_openai.ts";
