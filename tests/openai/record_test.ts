// recordChatCompletions and the tool loop, driven through the real openai
// client against the fake server, with real trace files.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import {
  AssayError,
  FrozenClock,
  makeRedactor,
  recordChatCompletions,
  recordChatCompletionsWithTools,
  TraceWriter,
} from "../../mod.ts";
import { chatCompletion } from "../../testing.ts";
import { episodesOf, eventsOf, setup, ValueError, WEATHER_TOOL } from "./_support.ts";

const USER = [{ role: "user" as const, content: "Weather in Tokyo?" }];
const call = (id: string | null, name: string, args: string) => ({ id, name, arguments: args });
const json = (body: unknown) => ({ kind: "json" as const, body });

describe("recordChatCompletions", () => {
  test("records one model step with its meta and returns the common result shape", async () => {
    const t = await setup([json(chatCompletion({ content: "It is 22C in Tokyo." }))]);
    try {
      const writer = new TraceWriter(t.trace);
      const result = await recordChatCompletions({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "ep1",
        clock: new FrozenClock(),
      });
      await writer.close();
      assert.deepEqual(result, {
        episodeId: "ep1",
        testId: "ep1",
        content: "It is 22C in Tokyo.",
        toolCalls: [],
        messages: [...USER, { role: "assistant", content: "It is 22C in Tokyo." }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        rounds: 1,
        truncated: false,
      });
      const events = await eventsOf(t.trace);
      assert.deepEqual(events.map((e) => e.type), ["episode_start", "step", "episode_end"]);
      const meta = events[1].meta as Record<string, unknown>;
      assert.equal(meta["gen_ai.request.model"], "gpt-4o");
      assert.equal(meta["gen_ai.response.model"], "gpt-4o");
      assert.equal(meta["gen_ai.finish_reason"], "stop");
      assert.equal(meta.round, undefined, "only tool loops record a round");
      assert.equal(meta["gen_ai.stream"], undefined);
    } finally {
      await t.done();
    }
  });

  test("records requested tool calls without running them", async () => {
    const t = await setup([
      json(chatCompletion({ toolCalls: [call("call_1", "GetWeather", '{"location":"Tokyo"}')] })),
    ]);
    try {
      const writer = new TraceWriter(t.trace);
      const result = await recordChatCompletions({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        tools: [WEATHER_TOOL],
        episodeId: "ep1",
      });
      await writer.close();
      assert.deepEqual(result.toolCalls, [
        {
          id: "call_1",
          name: "GetWeather",
          args: { location: "Tokyo" },
          result: null,
          error: null,
        },
      ]);
      assert.equal(t.server.requests.length, 1);
      const [ep] = await episodesOf(t.trace);
      assert.equal(ep.toolCalls.length, 1);
      assert.deepEqual(ep.toolCalls[0].meta, { tool_call_id: "call_1" });
    } finally {
      await t.done();
    }
  });

  test("leaves temperature out of the request when undefined and sends it when given", async () => {
    const t = await setup([
      json(chatCompletion({ content: "a" })),
      json(chatCompletion({ content: "b" })),
    ]);
    try {
      const writer = new TraceWriter(t.trace);
      const base = { writer, client: t.client, model: "gpt-4o", messages: USER };
      await recordChatCompletions({ ...base, episodeId: "e1" });
      await recordChatCompletions({
        ...base,
        episodeId: "e2",
        temperature: 0,
        params: { seed: 7 },
      });
      await writer.close();
      const [a, b] = t.server.requests.map((r) => r.body as Record<string, unknown>);
      assert.equal("temperature" in a, false);
      assert.equal(b.temperature, 0);
      assert.equal(b.seed, 7);
    } finally {
      await t.done();
    }
  });

  test("records the prompt option, else the last user message's text parts joined, else an empty string", async () => {
    const t = await setup([
      json(chatCompletion({ content: "a" })),
      json(chatCompletion({ content: "b" })),
      json(chatCompletion({ content: "c" })),
    ]);
    try {
      const writer = new TraceWriter(t.trace);
      const base = { writer, client: t.client, model: "gpt-4o" };
      await recordChatCompletions({ ...base, messages: USER, prompt: "explicit", episodeId: "e1" });
      await recordChatCompletions({
        ...base,
        messages: [
          { role: "user", content: "first" },
          { role: "assistant", content: "ok" },
          {
            role: "user",
            content: [
              { type: "text", text: "Wetter in " },
              { type: "image_url", image_url: { url: "https://example.invalid/x.png" } },
              { type: "text", text: "München?" },
            ],
          },
        ],
        episodeId: "e2",
      });
      await recordChatCompletions({
        ...base,
        messages: [{ role: "system", content: "be brief" }],
        episodeId: "e3",
      });
      await writer.close();
      const eps = await episodesOf(t.trace);
      assert.deepEqual(eps.map((e) => e.prompt), ["explicit", "Wetter in München?", ""]);
    } finally {
      await t.done();
    }
  });

  test("does not mutate the caller's messages", async () => {
    const t = await setup([
      json(chatCompletion({ toolCalls: [call("c1", "GetWeather", "{}")] })),
      json(chatCompletion({ content: "done" })),
    ]);
    try {
      const messages = [{ role: "user" as const, content: "hi" }];
      const writer = new TraceWriter(t.trace);
      const result = await recordChatCompletionsWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages,
        toolExecutors: { GetWeather: () => ({ temp: 22 }) },
        episodeId: "e1",
      });
      await writer.close();
      assert.deepEqual(messages, [{ role: "user", content: "hi" }]);
      assert.equal(result.messages.length, 4);
    } finally {
      await t.done();
    }
  });

  test("keeps an API key in messages and meta out of the trace file with makeRedactor", async () => {
    const key = "sk-abcdefghijklmnopqrstuvwxyz123456";
    const t = await setup([json(chatCompletion({ content: `I will not store ${key}.` }))]);
    try {
      const writer = new TraceWriter(t.trace, {
        redact: makeRedactor({ patterns: [/sk-[a-zA-Z0-9]{20,}/] }),
      });
      const messages = [{ role: "user" as const, content: `my key is ${key}` }];
      const result = await recordChatCompletions({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages,
        meta: { authorization: `Bearer ${key}`, note: `key=${key}`, safe: "keep" },
        episodeId: "redaction_demo",
      });
      await writer.close();
      const text = await readFile(t.trace, "utf8");
      assert.equal(text.includes(key), false, "the key reached the trace file");
      assert.equal(text.includes("sk-abc"), false);
      const [ep] = await episodesOf(t.trace);
      assert.equal(ep.prompt, "my key is [REDACTED]");
      assert.equal(ep.meta.authorization, "[REDACTED]");
      assert.equal(ep.meta.note, "key=[REDACTED]");
      assert.equal(ep.meta.safe, "keep");
      // Redaction is a writer concern: the caller's values are untouched.
      assert.equal(messages[0].content, `my key is ${key}`);
      assert.equal(result.content, `I will not store ${key}.`);
    } finally {
      await t.done();
    }
  });

  test("stores the request for replay: params, new messages, count and a SHA-256 fingerprint", async () => {
    const t = await setup([
      json(chatCompletion({ toolCalls: [call("c1", "GetWeather", '{"location":"Tokyo"}')] })),
      json(chatCompletion({ content: "22C" })),
    ]);
    try {
      const writer = new TraceWriter(t.trace);
      await recordChatCompletionsWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        tools: [WEATHER_TOOL],
        toolChoice: "auto",
        toolExecutors: { GetWeather: () => ({ temp: 22 }) },
        episodeId: "e1",
      });
      await writer.close();
      const [ep] = await episodesOf(t.trace);
      const [s0, s1] = ep.steps.map((s) => s.meta);
      assert.deepEqual(s0["assay.request"], {
        model: "gpt-4o",
        tools: [WEATHER_TOOL],
        tool_choice: "auto",
      });
      assert.deepEqual(s0["assay.request.messages"], USER);
      assert.equal(s0["assay.request.message_count"], 1);
      const sent = t.server.requests.map((r) => r.body as { messages: unknown[] });
      assert.equal(s1["assay.request"], undefined, "parameters are stored once, on the first step");
      assert.deepEqual(s1["assay.request.messages"], sent[1].messages.slice(1));
      assert.equal(s1["assay.request.message_count"], 3);
      for (const m of [s0, s1]) assert.match(String(m["assay.request.sha256"]), /^[0-9a-f]{64}$/);
      assert.notEqual(s0["assay.request.sha256"], s1["assay.request.sha256"]);
    } finally {
      await t.done();
    }
  });

  test("records n > 1 choices: choice 0 is the answer, the others go to assay.choices", async () => {
    const body = chatCompletion({ content: "first" });
    body.choices.push({
      index: 1,
      message: { role: "assistant", content: "second" },
      finish_reason: "length",
    } as never);
    const t = await setup([json(body)]);
    try {
      const writer = new TraceWriter(t.trace);
      const result = await recordChatCompletions({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        params: { n: 2 },
        episodeId: "e1",
      });
      await writer.close();
      assert.equal(result.content, "first");
      const [ep] = await episodesOf(t.trace);
      assert.deepEqual(ep.steps[0].meta["assay.choices"], [
        { index: 1, content: "second", finish_reason: "length", tool_calls: [] },
      ]);
    } finally {
      await t.done();
    }
  });

  test("reports caller mistakes as TypeErrors naming the option, before any request", async () => {
    const t = await setup();
    try {
      const writer = new TraceWriter(t.trace);
      const ok = { writer, client: t.client, model: "gpt-4o", messages: USER, episodeId: "e1" };
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ client: {} }, /client must have chat\.completions\.create/],
        [{ model: "" }, /model must be a non-empty string, got ""/],
        [{ messages: "hi" }, /messages must be an array, got "hi"/],
        [{ episodeId: undefined }, /episodeId must be a non-empty string, got undefined/],
        [{ temperature: Number.NaN }, /temperature must be a finite number/],
        [{ params: { model: "x" } }, /params\.model is set by its own option/],
        [{ maxToolRounds: -1 }, /maxToolRounds must be an integer >= 0, got -1/],
        [{ toolExecutors: { GetWeather: "nope" } }, /toolExecutors\.GetWeather must be a function/],
      ];
      await assert.rejects(
        recordChatCompletions({ ...ok, meta: { user: { id: undefined } } }),
        (err: Error & { code?: string }) =>
          err.code === "E_SERIALIZE" && /meta\.user\.id|user\.id/.test(err.message),
      );
      for (const [bad, message] of cases) {
        await assert.rejects(
          // deno-lint-ignore no-explicit-any -- deliberately wrong options
          recordChatCompletionsWithTools({ ...ok, ...bad } as any),
          (err: Error) => err instanceof TypeError && message.test(err.message),
          `expected ${message} for ${JSON.stringify(bad)}`,
        );
      }
      await writer.close();
      assert.equal(t.server.requests.length, 0);
    } finally {
      await t.done();
    }
  });
});

describe("recordChatCompletionsWithTools", () => {
  test("runs parallel tool calls in order and sends every result back in one round", async () => {
    const t = await setup([
      json(
        chatCompletion({
          toolCalls: [
            call("call_a", "GetWeather", '{"location":"Tokyo"}'),
            call("call_b", "GetTime", '{"location":"Tokyo"}'),
          ],
        }),
      ),
      json(chatCompletion({ content: "22C and 14:00" })),
    ]);
    try {
      const order: string[] = [];
      const writer = new TraceWriter(t.trace);
      const result = await recordChatCompletionsWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
        toolExecutors: {
          GetWeather: (
            args,
            ctx,
          ) => (order.push(`${ctx.name}:${ctx.id}:${ctx.round}`), { temp: 22, ...args }),
          GetTime: (
            args,
            ctx,
          ) => (order.push(`${ctx.name}:${ctx.id}:${ctx.round}`), { time: "14:00", ...args }),
        },
      });
      await writer.close();
      assert.deepEqual(order, ["GetWeather:call_a:0", "GetTime:call_b:0"]);
      assert.equal(result.rounds, 2);
      assert.deepEqual(result.usage, {
        prompt_tokens: 20,
        completion_tokens: 10,
        total_tokens: 30,
      });
      const second = t.server.requests[1].body as { messages: Record<string, unknown>[] };
      assert.deepEqual(second.messages.slice(2), [
        { role: "tool", tool_call_id: "call_a", content: '{"location":"Tokyo","temp":22}' },
        { role: "tool", tool_call_id: "call_b", content: '{"location":"Tokyo","time":"14:00"}' },
      ]);
      const [ep] = await episodesOf(t.trace);
      assert.deepEqual(ep.toolCalls.map((c) => [c.callIndex, c.toolCallId, c.meta.round]), [
        [0, "call_a", 0],
        [1, "call_b", 0],
      ]);
    } finally {
      await t.done();
    }
  });

  test("records tool failures as data: missing executor, throwing executor, non-JSON result and bad arguments", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const t = await setup([
      json(
        chatCompletion({
          toolCalls: [
            call("c1", "DeleteAccount", '{"user_id":"u_1"}'),
            call("c2", "Explode", "{}"),
            call("c3", "Weird", "{}"),
            call("c4", "GetWeather", "{bad"),
            call("c5", "ThrowsString", "{}"),
          ],
        }),
      ),
      json(chatCompletion({ content: "sorry" })),
    ]);
    try {
      let received: unknown;
      const writer = new TraceWriter(t.trace);
      const result = await recordChatCompletionsWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
        toolExecutors: {
          Explode: () => {
            throw new ValueError("Action Forbidden");
          },
          Weird: () => cyclic,
          GetWeather: (args) => ((received = args), { temp: 22 }),
          ThrowsString: () => {
            throw "plain string";
          },
        },
      });
      await writer.close();
      assert.deepEqual(received, { _raw: "{bad" }, "bad arguments still reach the executor");
      assert.deepEqual(result.toolCalls.map((c) => [c.result, c.error]), [
        [null, "NO_EXECUTOR"],
        [null, "Action Forbidden"],
        [{ _raw: "[object Object]" }, null],
        [{ temp: 22 }, null],
        [null, "plain string"],
      ]);
      const [ep] = await episodesOf(t.trace);
      assert.deepEqual(ep.toolCalls.map((c) => c.errorType), [
        "ConfigurationError",
        "ValueError",
        null,
        null,
        "string",
      ]);
      assert.deepEqual(ep.toolCalls[3].args, { _raw: "{bad" });
      assert.equal(ep.outcome, "pass");
      const tools = (t.server.requests[1].body as { messages: Record<string, unknown>[] }).messages
        .slice(2);
      assert.deepEqual(tools.map((m) => m.content), [
        "NO_EXECUTOR",
        "Action Forbidden",
        '{"_raw":"[object Object]"}',
        '{"temp":22}',
        "plain string",
      ]);
    } finally {
      await t.done();
    }
  });

  test("gives a call without an id the fallback id <step_id>:<i> everywhere", async () => {
    const t = await setup([
      json(
        chatCompletion({
          toolCalls: [call(null, "GetWeather", "{}"), call(null, "GetWeather", "{}")],
        }),
      ),
      json(chatCompletion({ content: "ok" })),
    ]);
    try {
      const writer = new TraceWriter(t.trace);
      const result = await recordChatCompletionsWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
        toolExecutors: { GetWeather: () => 1 },
      });
      await writer.close();
      assert.deepEqual(result.toolCalls.map((c) => c.id), ["step_001:0", "step_001:1"]);
      const msgs = (t.server.requests[1].body as { messages: Record<string, unknown>[] }).messages;
      const assistant = msgs[1] as { tool_calls: { id: string }[] };
      assert.deepEqual(assistant.tool_calls.map((c) => c.id), ["step_001:0", "step_001:1"]);
      assert.deepEqual(msgs.slice(2).map((m) => m.tool_call_id), ["step_001:0", "step_001:1"]);
      const [ep] = await episodesOf(t.trace);
      assert.deepEqual(ep.toolCalls.map((c) => c.toolCallId), ["step_001:0", "step_001:1"]);
    } finally {
      await t.done();
    }
  });

  test("awaits async executors and keeps their order", async () => {
    const t = await setup([
      json(chatCompletion({ toolCalls: [call("a", "Slow", "{}"), call("b", "Fast", "{}")] })),
      json(chatCompletion({ content: "ok" })),
    ]);
    try {
      const writer = new TraceWriter(t.trace);
      const result = await recordChatCompletionsWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
        toolExecutors: {
          Slow: async () => {
            await new Promise((r) => setTimeout(r, 5));
            return { slow: true };
          },
          Fast: () => Promise.resolve({ fast: true }),
        },
      });
      await writer.close();
      assert.deepEqual(result.toolCalls.map((c) => c.result), [{ slow: true }, { fast: true }]);
    } finally {
      await t.done();
    }
  });

  test("stops after maxToolRounds with truncated: true recorded in the last step and the end", async () => {
    const again = (id: string) =>
      json(chatCompletion({ toolCalls: [call(id, "GetWeather", "{}")] }));
    const t = await setup([again("c1"), again("c2"), again("c3")]);
    try {
      const writer = new TraceWriter(t.trace);
      const result = await recordChatCompletionsWithTools({
        writer,
        client: t.client,
        model: "gpt-4o",
        messages: USER,
        episodeId: "e1",
        maxToolRounds: 2,
        toolExecutors: { GetWeather: () => ({ temp: 22 }) },
      });
      await writer.close();
      assert.equal(result.truncated, true);
      assert.equal(result.rounds, 3);
      assert.equal(result.content, "");
      assert.equal(t.server.requests.length, 3);
      const [ep] = await episodesOf(t.trace);
      assert.deepEqual(ep.steps.map((s) => s.meta["assay.truncated"]), [
        undefined,
        undefined,
        true,
      ]);
      assert.equal(ep.endMeta["assay.truncated"], true);
      assert.equal(ep.toolCalls.length, 3);
    } finally {
      await t.done();
    }
  });

  test("writes episode_end with outcome error after a client error, then rethrows it", async () => {
    const t = await setup([
      json(chatCompletion({ toolCalls: [call("c1", "GetWeather", "{}")] })),
      { kind: "error", status: 500, message: "upstream broke" },
    ]);
    try {
      const writer = new TraceWriter(t.trace);
      await assert.rejects(
        recordChatCompletionsWithTools({
          writer,
          client: t.client,
          model: "gpt-4o",
          messages: USER,
          episodeId: "e1",
          toolExecutors: { GetWeather: () => ({ temp: 22 }) },
        }),
        (err: Error) =>
          err.constructor.name === "InternalServerError" && /upstream broke/.test(err.message),
      );
      await writer.close();
      const events = await eventsOf(t.trace);
      assert.deepEqual(events.map((e) => e.type), [
        "episode_start",
        "step",
        "tool_call",
        "episode_end",
      ]);
      const end = events[3] as { outcome: string; meta: Record<string, unknown> };
      assert.equal(end.outcome, "error");
      assert.deepEqual(end.meta, {
        "error.type": "InternalServerError",
        "error.message": "500 upstream broke",
      });
    } finally {
      await t.done();
    }
  });

  test("fails with E_NO_WRITER before any request when there is no writer", async () => {
    const t = await setup([json(chatCompletion({ content: "x" }))]);
    try {
      await assert.rejects(
        recordChatCompletionsWithTools({
          client: t.client,
          model: "gpt-4o",
          messages: USER,
          episodeId: "e1",
        }),
        (err: Error) =>
          err instanceof AssayError && err.code === "E_NO_WRITER" &&
          err.message === "No writer provided and no active context found.",
      );
      assert.equal(t.server.requests.length, 0);
    } finally {
      await t.done();
    }
  });
});
