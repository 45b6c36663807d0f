// recordChatCompletionsStream and the streaming tool loop through the real
// openai client and the fake server's SSE streams. "Before the stream
// ends" is proven by order: the server holds the rest of the stream until
// the test has seen the first chunk, so no test depends on timing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  FrozenClock,
  recordChatCompletionsStream,
  recordChatCompletionsStreamWithTools,
  TraceWriter,
} from "../../mod.ts";
import { chatCompletionChunks } from "../../testing.ts";
import { episodesOf, eventsOf, setup, signal, WEATHER_TOOL } from "./_support.ts";

const USER = [{ role: "user" as const, content: "Weather in Tokyo?" }];
const text = (chunk: { choices: { delta?: { content?: string | null } }[] }) =>
  chunk.choices[0]?.delta?.content ?? "";

describe("recordChatCompletionsStream", () => {
  test("passes every chunk through unchanged, the first one before the stream has ended", async () => {
    const firstSeen = signal();
    const chunks = chatCompletionChunks({ content: ["Hel", "lo ", "world"] });
    const t = await setup([{
      kind: "stream",
      chunks,
      // Chunk 1 is only sent once the test has received chunk 0.
      before: (i) => (i === 1 ? firstSeen.promise : undefined),
    }]);
    try {
      const writer = new TraceWriter(t.trace);
      const got: unknown[] = [];
      const stream = recordChatCompletionsStream({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
        clock: new FrozenClock(),
      });
      for await (const chunk of stream) {
        got.push(chunk);
        if (got.length === 1) {
          // The step is written only when the stream ends: after a flush the
          // file holds episode_start alone.
          await writer.flush();
          assert.deepEqual((await eventsOf(t.trace)).map((e) => e.type), ["episode_start"]);
          firstSeen.resolve();
        }
      }
      const result = await stream.finalResult();
      await writer.close();
      assert.deepEqual(got, chunks);
      assert.equal(result.content, "Hello world");
      assert.equal(result.usage, null);
      const request = t.server.requests[0].body as Record<string, unknown>;
      assert.equal(request.stream, true);
      assert.equal("stream_options" in request, false);
      const [ep] = await episodesOf(t.trace);
      assert.equal(ep.outcome, "pass");
      assert.equal(ep.steps[0].content, "Hello world");
      assert.equal(ep.steps[0].meta["gen_ai.stream"], true);
      assert.equal(ep.steps[0].meta["gen_ai.finish_reason"], "stop");
    } finally {
      await t.done();
    }
  });

  test("takes usage from the final usage-only chunk when includeUsage is set", async () => {
    const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 };
    const t = await setup([{
      kind: "stream",
      chunks: chatCompletionChunks({ content: ["hi"], usage }),
    }]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStream({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
        includeUsage: true,
      });
      for await (const _ of stream) { /* consume */ }
      const result = await stream.finalResult();
      await writer.close();
      assert.deepEqual((t.server.requests[0].body as Record<string, unknown>).stream_options, {
        include_usage: true,
      });
      assert.deepEqual(result.usage, usage);
      const [ep] = await episodesOf(t.trace);
      assert.deepEqual(ep.steps[0].meta["gen_ai.usage"], usage);
    } finally {
      await t.done();
    }
  });

  test("finalises an episode left early with outcome aborted, the step before episode_end", async () => {
    const t = await setup([{
      kind: "stream",
      chunks: chatCompletionChunks({ content: ["one ", "two ", "three"] }),
      pauseMs: 1,
    }]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStream({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
      });
      for await (const chunk of stream) {
        if (text(chunk) === "two ") break;
      }
      const result = await stream.finalResult();
      await writer.close();
      assert.equal(result.content, "one two ");
      const events = await eventsOf(t.trace);
      assert.deepEqual(events.map((e) => e.type), ["episode_start", "step", "episode_end"]);
      assert.equal(events[1].content, "one two ");
      assert.equal((events[1].meta as Record<string, unknown>)["assay.partial"], true);
      assert.equal(events[2].outcome, "aborted");
    } finally {
      await t.done();
    }
  });

  test("records outcome error with the partial step when the stream breaks midway, and rethrows", async () => {
    const gotTwo = signal();
    const t = await setup([{
      kind: "stream",
      chunks: chatCompletionChunks({ content: ["a", "b", "c", "d"] }),
      cutAfter: 2,
      // Cut only once the test holds both chunks: what it saw must be recorded.
      before: (i) => (i === 2 ? gotTwo.promise : undefined),
    }]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStream({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
      });
      let seen = "";
      await assert.rejects(async () => {
        for await (const chunk of stream) {
          seen += text(chunk);
          if (seen === "ab") gotTwo.resolve();
        }
      });
      await assert.rejects(stream.finalResult());
      await writer.close();
      assert.equal(seen, "ab");
      const events = await eventsOf(t.trace);
      assert.deepEqual(events.map((e) => e.type), ["episode_start", "step", "episode_end"]);
      assert.equal(events[1].content, "ab");
      const end = events[2] as { outcome: string; meta: Record<string, unknown> };
      assert.equal(end.outcome, "error");
      assert.equal(typeof end.meta["error.type"], "string");
    } finally {
      await t.done();
    }
  });

  test("records an HTTP error before any chunk as outcome error without a step", async () => {
    const t = await setup([{ kind: "error", status: 429, message: "slow down" }]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStream({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
      });
      await assert.rejects(async () => {
        for await (const _ of stream) { /* never */ }
      }, (err: Error) => err.constructor.name === "RateLimitError");
      await writer.close();
      const events = await eventsOf(t.trace);
      assert.deepEqual(events.map((e) => [e.type, e.outcome]), [
        ["episode_start", undefined],
        ["episode_end", "error"],
      ]);
    } finally {
      await t.done();
    }
  });

  test("records tool calls from fragments with call_<index> for a missing id, without running them", async () => {
    const t = await setup([{
      kind: "stream",
      chunks: chatCompletionChunks({
        toolCalls: [
          { id: null, name: "GetWeather", fragments: ['{"loc', 'ation":', '"Tokyo"}'] },
          { id: "call_b", name: "GetTime", fragments: ["{}"] },
        ],
      }),
    }]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStream({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        tools: [WEATHER_TOOL],
        episodeId: "e1",
      });
      const result = await stream.finalResult();
      await writer.close();
      assert.deepEqual(result.toolCalls, [
        {
          id: "call_0",
          name: "GetWeather",
          args: { location: "Tokyo" },
          result: null,
          error: null,
        },
        { id: "call_b", name: "GetTime", args: {}, result: null, error: null },
      ]);
      const [ep] = await episodesOf(t.trace);
      assert.deepEqual(ep.toolCalls.map((c) => [c.callIndex, c.toolCallId]), [[0, "call_0"], [
        1,
        "call_b",
      ]]);
    } finally {
      await t.done();
    }
  });

  test("records choice 0 of an n > 1 stream and keeps the other choices in assay.choices", async () => {
    const chunk = (
      index: number,
      delta: Record<string, unknown>,
      finish: string | null = null,
    ) => ({
      id: "chatcmpl-n",
      object: "chat.completion.chunk",
      created: 1700000000,
      model: "gpt-4o",
      choices: [{ index, delta, finish_reason: finish }],
    });
    const t = await setup([{
      kind: "stream",
      chunks: [
        chunk(0, { content: "A" }),
        chunk(1, { content: "B" }),
        chunk(1, {}, "stop"),
        chunk(0, {}, "stop"),
      ],
    }]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStream({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        params: { n: 2 },
        episodeId: "e1",
      });
      const result = await stream.finalResult();
      await writer.close();
      assert.equal(result.content, "A");
      const [ep] = await episodesOf(t.trace);
      assert.equal(ep.steps[0].content, "A");
      assert.deepEqual(ep.steps[0].meta["assay.choices"], [
        { index: 1, content: "B", finish_reason: "stop", tool_calls: [] },
      ]);
    } finally {
      await t.done();
    }
  });

  test("sends nothing before iteration and can be iterated only once", async () => {
    const t = await setup([{ kind: "stream", chunks: chatCompletionChunks({ content: ["x"] }) }]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStream({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
      });
      assert.equal(t.server.requests.length, 0);
      for await (const _ of stream) { /* consume */ }
      assert.throws(() => stream[Symbol.asyncIterator](), /already consumed/);
      await writer.close();
      assert.equal(t.server.requests.length, 1);
    } finally {
      await t.done();
    }
  });
});

describe("recordChatCompletionsStreamWithTools", () => {
  test("streams two rounds with tools and the final answer, running tools between rounds", async () => {
    const log: string[] = [];
    const t = await setup([
      {
        kind: "stream",
        chunks: chatCompletionChunks({
          content: ["Let me check. "],
          toolCalls: [{
            id: "call_w",
            name: "GetWeather",
            fragments: ['{"location":', '"Tokyo"}'],
          }],
        }),
      },
      {
        kind: "stream",
        chunks: chatCompletionChunks({
          toolCalls: [
            { id: "call_2", name: "GetTime", fragments: ['{"location":"Tokyo"}'] },
            { id: null, name: "GetWeather", fragments: ['{"location":"Osaka"}'] },
          ],
        }),
      },
      { kind: "stream", chunks: chatCompletionChunks({ content: ["22C ", "at 14:00."] }) },
    ]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStreamWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        tools: [WEATHER_TOOL],
        episodeId: "e1",
        clock: new FrozenClock(),
        toolExecutors: {
          GetWeather: (args: { location: string }, ctx) => {
            log.push(`tool ${ctx.name} ${ctx.id} round ${ctx.round}`);
            return { temp: 22, location: args.location };
          },
          GetTime: async (_args, ctx) => {
            await Promise.resolve();
            log.push(`tool ${ctx.name} ${ctx.id} round ${ctx.round}`);
            return { time: "14:00" };
          },
        },
      });
      for await (const chunk of stream) {
        log.push(`chunk ${chunk.choices[0]?.finish_reason ?? text(chunk)}`);
      }
      const result = await stream.finalResult();
      await writer.close();
      assert.deepEqual(log, [
        "chunk Let me check. ",
        "chunk ",
        "chunk ",
        "chunk tool_calls",
        "tool GetWeather call_w round 0",
        "chunk ",
        "chunk ",
        "chunk tool_calls",
        "tool GetTime call_2 round 1",
        "tool GetWeather call_1 round 1",
        "chunk 22C ",
        "chunk at 14:00.",
        "chunk stop",
      ]);
      assert.equal(result.content, "22C at 14:00.");
      assert.equal(result.rounds, 3);
      assert.equal(result.truncated, false);
      // Every round sends the tools again, with the previous rounds' messages.
      const bodies = t.server.requests.map((r) =>
        r.body as { tools: unknown[]; messages: unknown[] }
      );
      assert.deepEqual(bodies.map((b) => b.tools.length), [1, 1, 1]);
      assert.deepEqual(bodies.map((b) => b.messages.length), [1, 3, 6]);
      assert.deepEqual(bodies[1].messages[1], {
        role: "assistant",
        content: "Let me check. ",
        tool_calls: [{
          id: "call_w",
          type: "function",
          function: { name: "GetWeather", arguments: '{"location":"Tokyo"}' },
        }],
      });
      const [ep] = await episodesOf(t.trace);
      assert.deepEqual(ep.steps.map((s) => [s.content, s.meta.round, s.meta["gen_ai.stream"]]), [
        ["Let me check. ", 0, true],
        ["", 1, true],
        ["22C at 14:00.", 2, true],
      ]);
      assert.deepEqual(ep.toolCalls.map((c) => [c.stepId, c.callIndex, c.toolCallId, c.result]), [
        ["step_001", 0, "call_w", { temp: 22, location: "Tokyo" }],
        ["step_002", 0, "call_2", { time: "14:00" }],
        ["step_002", 1, "call_1", { temp: 22, location: "Osaka" }],
      ]);
      assert.equal(ep.outcome, "pass");
    } finally {
      await t.done();
    }
  });

  test("records outcome aborted when the consumer leaves during the second round", async () => {
    const t = await setup([
      {
        kind: "stream",
        chunks: chatCompletionChunks({
          toolCalls: [{ id: "c1", name: "GetWeather", fragments: ["{}"] }],
        }),
      },
      { kind: "stream", chunks: chatCompletionChunks({ content: ["It is ", "22C"] }) },
    ]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStreamWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
        toolExecutors: { GetWeather: () => ({ temp: 22 }) },
      });
      for await (const chunk of stream) {
        if (text(chunk) === "It is ") break;
      }
      const result = await stream.finalResult();
      await writer.close();
      assert.equal(result.rounds, 2);
      assert.equal(result.content, "It is ");
      const events = await eventsOf(t.trace);
      assert.deepEqual(events.map((e) => e.type), [
        "episode_start",
        "step",
        "tool_call",
        "step",
        "episode_end",
      ]);
      assert.equal(events[3].content, "It is ");
      assert.equal(events[4].outcome, "aborted");
    } finally {
      await t.done();
    }
  });

  test("records outcome error when a later round's request fails, keeping the earlier rounds", async () => {
    const t = await setup([
      {
        kind: "stream",
        chunks: chatCompletionChunks({
          toolCalls: [{ id: "c1", name: "GetWeather", fragments: ["{}"] }],
        }),
      },
      { kind: "error", status: 500, message: "upstream broke" },
    ]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStreamWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
        toolExecutors: { GetWeather: () => ({ temp: 22 }) },
      });
      await assert.rejects(async () => {
        for await (const _ of stream) { /* consume */ }
      }, (err: Error) => err.constructor.name === "InternalServerError");
      await writer.close();
      const events = await eventsOf(t.trace);
      assert.deepEqual(events.map((e) => e.type), [
        "episode_start",
        "step",
        "tool_call",
        "episode_end",
      ]);
      assert.equal(events[3].outcome, "error");
      assert.equal(
        (events[3].meta as Record<string, unknown>)["error.type"],
        "InternalServerError",
      );
    } finally {
      await t.done();
    }
  });

  test("stops streaming rounds when maxToolRounds runs out and reports truncated", async () => {
    const toolRound = (id: string) => ({
      kind: "stream" as const,
      chunks: chatCompletionChunks({ toolCalls: [{ id, name: "GetWeather", fragments: ["{}"] }] }),
    });
    const t = await setup([toolRound("c1"), toolRound("c2")]);
    try {
      const writer = new TraceWriter(t.trace);
      const stream = recordChatCompletionsStreamWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
        maxToolRounds: 1,
        toolExecutors: { GetWeather: () => ({ temp: 22 }) },
      });
      const result = await stream.finalResult();
      await writer.close();
      assert.equal(result.truncated, true);
      assert.equal(result.rounds, 2);
      assert.equal(t.server.requests.length, 2);
      const [ep] = await episodesOf(t.trace);
      assert.equal(ep.steps[1].meta["assay.truncated"], true);
      assert.equal(ep.toolCalls.length, 2);
    } finally {
      await t.done();
    }
  });
});
