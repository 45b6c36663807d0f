// replayFetch: the real openai client served recorded answers at the HTTP level.
import OpenAI from "openai";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  FrozenClock,
  readTraceAll,
  recordChatCompletionsStream,
  recordChatCompletionsWithTools,
  replayFetch,
  TraceWriter,
} from "../../mod.ts";
import { startFakeWeatherModel } from "../../examples/_fake_model.ts";
import { tempDir } from "../_helpers.ts";

const TOOLS = [{
  type: "function" as const,
  function: {
    name: "GetWeather",
    parameters: { type: "object", properties: { location: { type: "string" } } },
  },
}];
const USER = { role: "user" as const, content: "Weather in Tokyo?" };

describe("replayFetch", () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let trace: string;

  before(async () => {
    dir = await tempDir("assay-replay-fetch-");
    trace = join(dir.path, "recorded.jsonl");
    const fake = await startFakeWeatherModel();
    const client = new OpenAI({ apiKey: "x", baseURL: fake.baseURL, maxRetries: 0 });
    const writer = new TraceWriter(trace, { mode: "truncate" });
    const clock = new FrozenClock();
    await recordChatCompletionsWithTools({
      writer,
      client,
      model: "gpt-4o",
      messages: [USER],
      tools: TOOLS,
      toolExecutors: {
        GetWeather: (a: { location: string }) => ({ temp: 22, location: a.location }),
      },
      episodeId: "weather_demo",
      clock,
    });
    const stream = recordChatCompletionsStream({
      writer,
      client,
      model: "gpt-4o",
      messages: [{ role: "user", content: "Say hello" }],
      episodeId: "hello_stream",
      includeUsage: true,
      clock,
    });
    for await (const _ of stream) { /* recorded */ }
    await writer.close();
    await fake.close();
  });
  after(() => dir.cleanup());

  const client = (options = {}) =>
    new OpenAI({
      apiKey: "x",
      baseURL: "http://replay.invalid/v1",
      maxRetries: 0,
      fetch: replayFetch(trace, options),
    });

  test("serves a recorded tool loop as JSON responses to the unmodified client", async () => {
    const openai = client();
    const first = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [USER],
      tools: TOOLS,
    });
    const message = first.choices[0].message;
    assert.equal(first.choices[0].finish_reason, "tool_calls");
    assert.deepEqual(message.tool_calls, [{
      id: "call_1",
      type: "function",
      function: { name: "GetWeather", arguments: '{"location":"Tokyo"}' },
    }]);
    const second = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [
        USER,
        message,
        { role: "tool", tool_call_id: "call_1", content: '{"location":"Tokyo","temp":22}' },
      ],
      tools: TOOLS,
    });
    assert.equal(second.choices[0].message.content, "It is 22C in Tokyo.");
    assert.deepEqual(second.usage, { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 });
  });

  test("serves a recorded stream as server-sent events", async () => {
    const stream = await client().chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Say hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: unknown = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, "Hello! You asked: Say hello");
    assert.deepEqual(usage, { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 });
  });

  test("a request the trace does not have fails naming the episode, round and path", async () => {
    await assert.rejects(
      client().chat.completions.create({
        model: "gpt-4o",
        messages: [{ role: "user", content: "Weather in Paris?" }],
        tools: TOOLS,
      }),
      (err: Error) =>
        (err as { status?: number }).status === 400 &&
        /episode "weather_demo" round 0: request differs at \/rounds\/0\/request\/messages\/0\/content: recorded "Weather in Tokyo\?", now "Weather in Paris\?"/
          .test(err.message),
    );
  });

  test("ordered: a request out of recorded order fails naming the round expected next", async () => {
    const openai = client({ ordered: true });
    await assert.rejects(
      openai.chat.completions.create({
        model: "gpt-4o",
        messages: [{ role: "user", content: "Say hello" }],
        stream: true,
        stream_options: { include_usage: true },
      }),
      /the next recorded one is episode "weather_demo" round 0/,
    );
    const first = await openai.chat.completions.create({
      model: "gpt-4o",
      messages: [USER],
      tools: TOOLS,
    });
    assert.equal(first.choices[0].finish_reason, "tool_calls");
  });

  test("episodes already read work too, and the trace file is left as it was", async () => {
    const text = await readFile(trace, "utf8");
    const { episodes } = await readTraceAll(text);
    const answer = await new OpenAI({
      apiKey: "x",
      baseURL: "http://replay.invalid/v1",
      maxRetries: 0,
      fetch: replayFetch(episodes),
    }).chat.completions.create({ model: "gpt-4o", messages: [USER], tools: TOOLS });
    assert.equal(answer.choices[0].message.tool_calls?.[0].id, "call_1");
    assert.equal(await readFile(trace, "utf8"), text);
  });
});
