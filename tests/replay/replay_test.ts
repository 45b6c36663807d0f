// Replay in the library: the recording functions answer model calls from a
// recorded trace, check requests and tool results, and never call the client.
import OpenAI from "openai";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  AssayError,
  compareTraces,
  type Episode,
  FrozenClock,
  readTraceAll,
  recordChatCompletions,
  recordChatCompletionsStreamWithTools,
  recordChatCompletionsWithTools,
  type RecordWithToolsOptions,
  type ReplayDifference,
  TraceWriter,
} from "../../mod.ts";
import { replayConfig } from "../../src/openai/_replay_options.ts";
import { replayRedirect } from "../../src/runtime/env.ts";
import { startFakeWeatherModel } from "../../examples/_fake_model.ts";
import { chatCompletion, type FakeOpenAI, startFakeOpenAI } from "../../testing.ts";
import { tempDir } from "../_helpers.ts";

const TOOL = {
  type: "function" as const,
  function: {
    name: "GetWeather",
    parameters: { type: "object", properties: { location: { type: "string" } } },
  },
};
const SYSTEM = { role: "system" as const, content: "You are a weather assistant." };
const USER = { role: "user" as const, content: "Weather in Tokyo?" };
const getWeather = (args: { location?: string }) => ({ temp: 22, location: args.location });

/** A client whose every request throws: any network use in replay fails the test. */
function offlineClient(): { client: OpenAI; calls: () => number } {
  let calls = 0;
  const client = new OpenAI({
    apiKey: "x",
    baseURL: "http://replay.invalid/v1",
    maxRetries: 0,
    fetch: () => {
      calls++;
      throw new Error("replay used the network");
    },
  });
  return { client, calls: () => calls };
}

async function episodes(path: string): Promise<Episode[]> {
  return (await readTraceAll(await readFile(path, "utf8"), { strict: true })).episodes;
}

describe("replay through the recording functions", () => {
  let fake: FakeOpenAI;
  let dir: { path: string; cleanup: () => Promise<void> };
  let recorded: string;
  let n = 0;
  const out = () => join(dir.path, `replay_${++n}.jsonl`);

  /** Runs the weather agent; `overrides` change the agent as a code change would. */
  async function agent(
    path: string,
    overrides: Partial<RecordWithToolsOptions> = {},
  ) {
    const writer = new TraceWriter(path, { mode: "truncate" });
    try {
      return await recordChatCompletionsWithTools({
        writer,
        client: new OpenAI({ apiKey: "x", baseURL: fake.baseURL, maxRetries: 0 }),
        model: "gpt-4o",
        messages: [SYSTEM, USER],
        tools: [TOOL],
        toolExecutors: { GetWeather: getWeather },
        episodeId: "weather_demo",
        testId: "weather_check",
        clock: new FrozenClock(),
        ...overrides,
      });
    } finally {
      await writer.close();
    }
  }

  /** The same agent replayed strictly against the recording, offline. */
  function replayed(overrides: Partial<RecordWithToolsOptions> = {}) {
    const { client, calls } = offlineClient();
    const path = out();
    const run = agent(path, {
      client,
      mode: "replay",
      replayTrace: recorded,
      strict: true,
      ...overrides,
    });
    return { run, calls, path };
  }

  async function strictFailure(overrides: Partial<RecordWithToolsOptions>): Promise<AssayError> {
    const { run, calls } = replayed(overrides);
    const err = await run.then(
      () => assert.fail("strict replay should have failed"),
      (e: unknown) => e,
    );
    assert.equal(calls(), 0);
    assert.ok(err instanceof AssayError, String(err));
    return err;
  }

  before(async () => {
    fake = await startFakeWeatherModel();
    dir = await tempDir("assay-replay-");
    recorded = join(dir.path, "recorded.jsonl");
    await agent(recorded);
  });
  after(async () => {
    await fake.close();
    await dir.cleanup();
  });

  test("strict replay of an unchanged agent passes offline and writes a byte-identical trace", async () => {
    const { run, calls, path } = replayed();
    const result = await run;
    assert.equal(calls(), 0);
    assert.equal(result.content, "It is 22C in Tokyo.");
    assert.equal(result.rounds, 2);
    assert.deepEqual(result.usage, { prompt_tokens: 24, completion_tokens: 12, total_tokens: 36 });
    assert.equal(await readFile(path, "utf8"), await readFile(recorded, "utf8"));
  });

  test("a changed system prompt fails with episode, round, path and both values", async () => {
    const err = await strictFailure({
      messages: [{ role: "system", content: "You are terse." }, USER],
    });
    assert.equal(err.code, "E_REPLAY_DIFF");
    assert.match(
      err.message,
      /episode "weather_demo" round 0: request differs at \/rounds\/0\/request\/messages\/0\/content: recorded "You are a weather assistant\.", now "You are terse\."/,
    );
  });

  test("a changed tool schema fails naming the schema path", async () => {
    const tool = structuredClone(TOOL);
    (tool.function.parameters.properties as Record<string, unknown>).unit = { type: "string" };
    const err = await strictFailure({ tools: [tool] });
    assert.equal(err.code, "E_REPLAY_DIFF");
    assert.match(
      err.message,
      /round 0: request differs at \/rounds\/0\/request\/tools\/0\/function\/parameters\/properties\/unit: recorded \(absent\), now \{"type":"string"\}/,
    );
  });

  test("changed argument handling in the executor fails on the tool's live result", async () => {
    const err = await strictFailure({
      toolExecutors: {
        GetWeather: (args: { location: string }) =>
          getWeather({ location: args.location.toUpperCase() }),
      },
    });
    assert.match(
      err.message,
      /episode "weather_demo" round 0: tool "GetWeather" result differs at \/rounds\/0\/tool_calls\/0\/result\/location: recorded "Tokyo", now "TOKYO"/,
    );
  });

  test("a tool that now throws fails on its error", async () => {
    const err = await strictFailure({
      toolExecutors: {
        GetWeather: () => {
          throw new Error("service down");
        },
      },
    });
    assert.match(
      err.message,
      /\/rounds\/0\/tool_calls\/0\/error: recorded null, now "service down"/,
    );
  });

  test("an extra model round the trace does not have fails with E_REPLAY_STRICT_MISSING", async () => {
    const short = join(dir.path, "one_round.jsonl");
    await agent(short, { maxToolRounds: 0 }); // truncated after the first round
    const { client, calls } = offlineClient();
    await assert.rejects(
      agent(out(), { client, mode: "replay", replayTrace: short, strict: true }),
      (err: unknown) =>
        err instanceof AssayError && err.code === "E_REPLAY_STRICT_MISSING" &&
        /episode "weather_demo" round 1: the agent asks for model call 2, but the trace .* recorded only 1/
          .test(err.message),
    );
    assert.equal(calls(), 0);
  });

  test("an agent that stops early fails naming the missing round", async () => {
    const err = await strictFailure({ maxToolRounds: 0 });
    assert.equal(err.code, "E_REPLAY_DIFF");
    assert.match(
      err.message,
      /episode "weather_demo" round 1: the agent stopped early .* \/rounds\/1: recorded \{"content":"It is 22C in Tokyo\.","tool_calls":\[\]\}, now \(absent\)/,
    );
  });

  test("without strict, differences are reported and the replay goes on", async () => {
    const seen: ReplayDifference[] = [];
    const { run } = replayed({
      strict: false,
      messages: [{ role: "system", content: "You are terse." }, USER],
      onReplayDifference: (d) => seen.push(d),
    });
    const result = await run;
    assert.equal(result.content, "It is 22C in Tokyo.");
    assert.deepEqual(seen.map((d) => [d.kind, d.round, d.path, d.recorded, d.now]), [
      [
        "request",
        0,
        "/rounds/0/request/messages/0/content",
        '"You are a weather assistant."',
        '"You are terse."',
      ],
    ]);
  });

  test('toolMode "replay" serves the recorded results without running the executor', async () => {
    let ran = 0;
    const { run } = replayed({
      toolMode: "replay",
      toolExecutors: {
        GetWeather: () => {
          ran++;
          return { temp: -5 };
        },
      },
    });
    const result = await run;
    assert.equal(ran, 0);
    assert.deepEqual(result.toolCalls[0].result, { temp: 22, location: "Tokyo" });
  });

  test("a streamed tool loop replays chunk by chunk into the same trace", async () => {
    const streamed = join(dir.path, "stream.jsonl");
    const record = async (path: string, extra: Partial<RecordWithToolsOptions>) => {
      const writer = new TraceWriter(path, { mode: "truncate" });
      const stream = recordChatCompletionsStreamWithTools({
        writer,
        client: new OpenAI({ apiKey: "x", baseURL: fake.baseURL, maxRetries: 0 }),
        model: "gpt-4o",
        messages: [USER],
        tools: [TOOL],
        toolExecutors: { GetWeather: getWeather },
        episodeId: "weather_stream",
        includeUsage: true,
        clock: new FrozenClock(),
        ...extra,
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      await writer.close();
      return text;
    };
    assert.equal(await record(streamed, {}), "It is 22C in Tokyo.");
    const { client, calls } = offlineClient();
    const again = out();
    const text = await record(again, {
      client,
      mode: "replay",
      replayTrace: streamed,
      strict: true,
    });
    assert.equal(text, "It is 22C in Tokyo.");
    assert.equal(calls(), 0);
    assert.deepEqual(
      compareTraces(await episodes(streamed), await episodes(again)).differences,
      [],
    );
  });

  test("auto mode replays the episode the trace has and records the one it lacks", async () => {
    let sent = 0;
    const path = out();
    const writer = new TraceWriter(path);
    const client = new OpenAI({
      apiKey: "x",
      baseURL: fake.baseURL,
      maxRetries: 0,
      fetch: (input, init) => {
        sent++;
        return fetch(input, init);
      },
    });
    const common = {
      writer,
      client,
      model: "gpt-4o",
      tools: [TOOL],
      toolExecutors: { GetWeather: getWeather },
      mode: "auto" as const,
      replayTrace: recorded,
      strict: true,
      clock: new FrozenClock(),
    };
    const known = await recordChatCompletionsWithTools({
      ...common,
      messages: [SYSTEM, USER],
      episodeId: "weather_demo",
    });
    assert.equal(sent, 0, "the recorded episode must not reach the server");
    const fresh = await recordChatCompletionsWithTools({
      ...common,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      episodeId: "weather_paris",
    });
    await writer.close();
    assert.equal(known.content, "It is 22C in Tokyo.");
    assert.equal(fresh.content, "It is 22C in Paris.");
    assert.equal(sent, 2);
    assert.deepEqual((await episodes(path)).map((e) => e.episodeId), [
      "weather_demo",
      "weather_paris",
    ]);
  });

  test("replay of an episode the trace does not have fails and is recorded as an error", async () => {
    const { client, calls } = offlineClient();
    const path = out();
    await assert.rejects(
      agent(path, { client, mode: "replay", replayTrace: recorded, episodeId: "other" }),
      (err: unknown) =>
        err instanceof AssayError && err.code === "E_REPLAY_STRICT_MISSING" &&
        /episode "other" is not in the recorded trace .* "weather_demo"/.test(err.message),
    );
    assert.equal(calls(), 0);
    assert.equal((await episodes(path))[0].outcome, "error");
  });

  test("episodes already read can be the replay trace; a single call reports the rounds it left out", async () => {
    const { client } = offlineClient();
    const seen: ReplayDifference[] = [];
    const writer = new TraceWriter(out());
    const result = await recordChatCompletions({
      writer,
      client,
      model: "gpt-4o",
      messages: [SYSTEM, USER],
      tools: [TOOL],
      episodeId: "weather_demo",
      mode: "replay",
      replayTrace: await episodes(recorded),
      onReplayDifference: (d) => seen.push(d),
    });
    await writer.close();
    assert.deepEqual(seen.map((d) => [d.kind, d.round, d.path, d.now]), [
      ["rounds", 1, "/rounds/1", undefined],
    ]);
    assert.deepEqual(result.toolCalls.map((c) => [c.name, c.args]), [
      ["GetWeather", { location: "Tokyo" }],
    ]);
  });

  test("a recorded API error is replayed as the same error, so the traces still match", async () => {
    const server = await startFakeOpenAI({
      responses: [
        {
          kind: "json",
          body: chatCompletion({
            toolCalls: [{ id: "c1", name: "GetWeather", arguments: '{"location":"Tokyo"}' }],
          }),
        },
        { kind: "error", status: 400, message: "context length exceeded" },
      ],
    });
    const failing = join(dir.path, "api_error.jsonl");
    const run = (path: string, extra: Partial<RecordWithToolsOptions>) =>
      agent(path, {
        client: new OpenAI({ apiKey: "x", baseURL: server.baseURL, maxRetries: 0 }),
        ...extra,
      });
    try {
      await assert.rejects(run(failing, {}), /context length exceeded/);
    } finally {
      await server.close();
    }
    const { client, calls } = offlineClient();
    const again = out();
    await assert.rejects(
      run(again, { client, mode: "replay", replayTrace: failing, strict: true }),
      (err: Error) => err.name === "BadRequestError" && /context length exceeded/.test(err.message),
    );
    assert.equal(calls(), 0);
    assert.equal(await readFile(again, "utf8"), await readFile(failing, "utf8"));
  });

  test("compareTraces finds nothing between a trace and itself and names every change", async () => {
    const eps = await episodes(recorded);
    assert.deepEqual(compareTraces(eps, eps).differences, []);
    const changed = join(dir.path, "changed.jsonl");
    await agent(changed, {
      toolExecutors: { GetWeather: () => ({ temp: 30, location: "Tokyo" }) },
    });
    const diffs = compareTraces(eps, await episodes(changed)).differences;
    assert.deepEqual(diffs.map((d) => [d.kind, d.round, d.path, d.recorded, d.now]), [
      ["tool", 0, "/rounds/0/tool_calls/0/result/temp", "22", "30"],
      [
        "request",
        1,
        "/rounds/1/request/messages/3/content",
        '"{\\"location\\":\\"Tokyo\\",\\"temp\\":22}"',
        '"{\\"location\\":\\"Tokyo\\",\\"temp\\":30}"',
      ],
      ["content", 1, "/rounds/1/content", '"It is 22C in Tokyo."', '"It is 30C in Tokyo."'],
    ]);
    const short = join(dir.path, "short.jsonl");
    await agent(short, { maxToolRounds: 0 });
    const extra = compareTraces(await episodes(short), eps).differences;
    assert.deepEqual(extra.map((d) => [d.kind, d.round, d.path, d.recorded, d.now]), [
      [
        "rounds",
        1,
        "/rounds/1",
        undefined,
        '{"content":"It is 22C in Tokyo.","tool_calls":[]}',
      ],
    ]);
    assert.match(
      extra[0].message,
      /episode "weather_demo" round 1: the agent made an extra model round/,
    );
  });
});

describe("replay options", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];

  test("the mode comes from the option, else ASSAY_MODE, else record", () => {
    assert.equal(replayConfig("f", {}, env({})), null);
    assert.equal(replayConfig("f", { mode: "record" }, env({ ASSAY_MODE: "replay" })), null);
    const cfg = replayConfig(
      "f",
      {},
      env({ ASSAY_MODE: "replay", ASSAY_REPLAY_TRACE: "t.jsonl", ASSAY_REPLAY_STRICT: "1" }),
    );
    assert.equal(cfg?.mode, "replay");
    assert.equal(cfg?.trace, "t.jsonl");
    assert.equal(cfg?.strict, true);
    assert.equal(cfg?.toolMode, "live");
  });

  test("bad modes and a missing trace are TypeErrors that say how to fix them", () => {
    assert.throws(
      () => replayConfig("recordChatCompletions", {}, env({ ASSAY_MODE: "replya" })),
      /recordChatCompletions: ASSAY_MODE must be "record", "replay" or "auto", got "replya"/,
    );
    assert.throws(
      () => replayConfig("f", { mode: "replay" }, env({})),
      /mode "replay" needs a recorded trace; pass replayTrace/,
    );
    assert.throws(
      () =>
        replayConfig("f", { mode: "auto", replayTrace: "t", toolMode: "fake" as "live" }, env({})),
      /toolMode must be "live" or "replay", got "fake"/,
    );
  });

  test("under env-driven replay a path writer goes to ASSAY_REPLAY_OUT and never clobbers the trace", () => {
    const vars = { ASSAY_MODE: "replay", ASSAY_REPLAY_TRACE: "traces/q.jsonl" };
    assert.deepEqual(
      replayRedirect("traces/q.jsonl", "truncate", env({ ...vars, ASSAY_REPLAY_OUT: "out.jsonl" })),
      { path: "out.jsonl", mode: "append" },
    );
    assert.throws(
      () => replayRedirect("traces/q.jsonl", "truncate", env(vars)),
      /would overwrite the recorded trace "traces\/q\.jsonl"; set ASSAY_REPLAY_OUT/,
    );
    assert.deepEqual(replayRedirect("traces/q.jsonl", "truncate", env({})), {
      path: "traces/q.jsonl",
      mode: "truncate",
    });
  });
});
