// The StreamAccumulator against a table of the quirks real
// OpenAI-compatible servers produce.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type AccumulatedToolCall, StreamAccumulator } from "../../mod.ts";

type Chunk = Record<string, unknown>;
const ch = (delta: Chunk, extra: Chunk = {}, index = 0): Chunk => ({
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  model: "gpt-4o",
  choices: [{ index, delta, finish_reason: null, ...extra }],
});
const frag = (index: number, f: Chunk): Chunk => ch({ tool_calls: [{ index, ...f }] });
const call = (
  index: number,
  id: string | null,
  name: string,
  args: string,
): AccumulatedToolCall => ({
  index,
  id,
  type: "function",
  name,
  arguments: args,
});

interface Case {
  name: string;
  chunks: Chunk[];
  content?: string;
  toolCalls?: AccumulatedToolCall[];
  finishReason?: string | null;
  usage?: unknown;
}

const CASES: Case[] = [
  {
    name: "joins content deltas and keeps the finish reason of a chunk without delta",
    chunks: [ch({ role: "assistant", content: "Hel" }), ch({ content: "lo" }), {
      choices: [{ index: 0, finish_reason: "stop" }],
    }],
    content: "Hello",
    finishReason: "stop",
  },
  {
    name: "joins argument fragments of any size, the id only on the first fragment",
    chunks: [
      frag(0, { id: "call_1", type: "function", function: { name: "GetWeather", arguments: "" } }),
      ...['{"', "l", 'ocation":"To', "kyo", '"}'].map((a) =>
        frag(0, { function: { arguments: a } })
      ),
      ch({}, { finish_reason: "tool_calls" }),
    ],
    toolCalls: [call(0, "call_1", "GetWeather", '{"location":"Tokyo"}')],
    finishReason: "tool_calls",
  },
  {
    name: "takes an id that arrives late",
    chunks: [
      frag(0, { function: { name: "GetWeather", arguments: '{"a":' } }),
      frag(0, { id: "call_late", function: { arguments: "1}" } }),
    ],
    toolCalls: [call(0, "call_late", "GetWeather", '{"a":1}')],
  },
  {
    name: "does not double a name repeated on every fragment",
    chunks: [
      frag(0, { id: "c", function: { name: "GetWeather", arguments: "{" } }),
      frag(0, { id: "c", function: { name: "GetWeather", arguments: "}" } }),
    ],
    toolCalls: [call(0, "c", "GetWeather", "{}")],
  },
  {
    name: "joins a name sent in pieces",
    chunks: [
      frag(0, { id: "c", function: { name: "Get", arguments: "" } }),
      frag(0, { function: { name: "Weather", arguments: "{}" } }),
    ],
    toolCalls: [call(0, "c", "GetWeather", "{}")],
  },
  {
    name: "ignores arguments: null and function: null",
    chunks: [
      frag(0, { id: "c", function: { name: "T", arguments: null } }),
      frag(0, { function: null }),
      frag(0, { function: { arguments: "{}" } }),
    ],
    toolCalls: [call(0, "c", "T", "{}")],
  },
  {
    name: "separates tool calls interleaved by index and orders them by index",
    chunks: [
      frag(1, { id: "call_b", function: { name: "GetTime", arguments: "" } }),
      frag(0, { id: "call_a", function: { name: "GetWeather", arguments: "" } }),
      frag(0, { function: { arguments: '{"x":' } }),
      frag(1, { function: { arguments: '{"y":' } }),
      frag(1, { function: { arguments: "2}" } }),
      frag(0, { function: { arguments: "1}" } }),
    ],
    toolCalls: [
      call(0, "call_a", "GetWeather", '{"x":1}'),
      call(1, "call_b", "GetTime", '{"y":2}'),
    ],
  },
  {
    name: "accepts chunks with empty choices and takes usage from them",
    chunks: [
      ch({ content: "hi" }, { finish_reason: "stop" }),
      {
        id: "chatcmpl-1",
        choices: [],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      },
    ],
    content: "hi",
    finishReason: "stop",
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  },
  {
    name: "ignores unknown fields at every level",
    chunks: [
      {
        ...ch({ content: "a", reasoning: "x", audio: { id: 1 } }, {
          logprobs: { content: [] },
          extra: true,
        }),
        system_fingerprint: "fp",
        service_tier: "default",
        obfuscation: "zz",
      },
      frag(0, { id: "c", weird: 1, function: { name: "T", arguments: "{}", strict: true } }),
    ],
    content: "a",
    toolCalls: [call(0, "c", "T", "{}")],
  },
  {
    name: "does not let a later explicit null erase the finish reason",
    chunks: [ch({ content: "a" }, { finish_reason: "length" }), ch({}, { finish_reason: null })],
    content: "a",
    finishReason: "length",
  },
  {
    name: "starts a new call for a fragment without index that brings a new id",
    chunks: [
      ch({ tool_calls: [{ id: "c1", function: { name: "A", arguments: "{" } }] }),
      ch({ tool_calls: [{ function: { arguments: "}" } }] }),
      ch({ tool_calls: [{ id: "c2", function: { name: "B", arguments: "{}" } }] }),
    ],
    toolCalls: [call(0, "c1", "A", "{}"), call(1, "c2", "B", "{}")],
  },
  {
    name: "reads custom tool calls from their input fragments",
    chunks: [
      frag(0, { id: "c", type: "custom", custom: { name: "Sql", input: "SELECT " } }),
      frag(0, { custom: { input: "1" } }),
    ],
    toolCalls: [{ index: 0, id: "c", type: "custom", name: "Sql", arguments: "SELECT 1" }],
  },
];

describe("StreamAccumulator", () => {
  for (const c of CASES) {
    test(c.name, () => {
      const acc = new StreamAccumulator();
      for (const chunk of c.chunks) acc.push(chunk);
      assert.equal(acc.content, c.content ?? "");
      assert.deepEqual(acc.toolCalls, c.toolCalls ?? []);
      assert.equal(acc.finishReason, c.finishReason ?? null);
      assert.deepEqual(acc.usage, c.usage ?? null);
      assert.equal(acc.chunkCount, c.chunks.length);
    });
  }

  test("keeps n > 1 choices apart, with choice 0 as the answer", () => {
    const acc = new StreamAccumulator();
    acc.push({
      model: "gpt-4o",
      choices: [
        { index: 1, delta: { content: "B1" }, finish_reason: null },
        { index: 0, delta: { content: "A1" }, finish_reason: null },
      ],
    });
    acc.push({ choices: [{ index: 1, delta: { content: "B2" }, finish_reason: "stop" }] });
    acc.push({ choices: [{ index: 0, delta: { content: "A2" }, finish_reason: "length" }] });
    assert.equal(acc.content, "A1A2");
    assert.equal(acc.finishReason, "length");
    assert.deepEqual(acc.choices.map((c) => [c.index, c.content, c.finishReason]), [
      [0, "A1A2", "length"],
      [1, "B1B2", "stop"],
    ]);
  });

  test("reports the first model and id, and joins refusal deltas", () => {
    const acc = new StreamAccumulator();
    acc.push({ id: "", model: "", choices: [] });
    acc.push({
      id: "chatcmpl-9",
      model: "gpt-4o-2024",
      choices: [{ index: 0, delta: { refusal: "I can" } }],
    });
    acc.push({ id: "other", model: "other", choices: [{ index: 0, delta: { refusal: "not." } }] });
    assert.equal(acc.id, "chatcmpl-9");
    assert.equal(acc.model, "gpt-4o-2024");
    assert.equal(acc.refusal, "I cannot.");
    assert.equal(acc.content, "");
  });

  test("returns copies, so callers cannot change its state", () => {
    const acc = new StreamAccumulator();
    acc.push(frag(0, { id: "c", function: { name: "T", arguments: "{" } }));
    acc.toolCalls[0].arguments = "changed";
    acc.push(frag(0, { function: { arguments: "}" } }));
    assert.equal(acc.toolCalls[0].arguments, "{}");
  });

  test("rejects a chunk that is not an object with a TypeError naming what it got", () => {
    const acc = new StreamAccumulator();
    assert.throws(
      () => acc.push("data: {}" as never),
      /expects a chat\.completion\.chunk object, got string/,
    );
    assert.throws(() => acc.push(null as never), /got null/);
  });
});
