// Every scenario of the Python SDK's reference traces, re-recorded by our
// SDK from the same scripted responses through the real openai client and
// the fake server, must read back as the same episodes. Each recording is
// also pinned byte for byte in tests/golden/openai/ (update with
// `ASSAY_UPDATE_GOLDEN=1 deno test -A tests/openai/python_parity_test.ts`).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  EpisodeRecorder,
  FrozenClock,
  makeRedactor,
  recordChatCompletions,
  recordChatCompletionsStream,
  recordChatCompletionsWithTools,
  type RecordResult,
  TraceWriter,
} from "../../mod.ts";
import type { Episode } from "../../mod.ts";
import { type FakeOpenAI, type FakeResponse, startFakeOpenAI } from "../../testing.ts";
import { assertGolden, PY_FIXTURES, tempDir } from "../_helpers.ts";
import { clientFor, episodesOf, EXECUTORS } from "./_support.ts";

interface Scripted {
  kind: "response" | "stream" | "raise";
  body?: unknown;
  chunks?: unknown[];
  message?: string;
}

interface Scenario {
  file: string;
  scenario: string;
  sdk_function: string;
  inputs: Record<string, unknown> & {
    model?: string;
    messages?: unknown[];
    tools?: unknown[] | null;
    episode_id?: string;
    test_id?: string;
    meta?: Record<string, unknown>;
    max_tool_rounds?: number | string;
    scripted_responses?: Scripted[];
    scripted_responses_per_run?: Scripted[];
    episodes?: {
      messages: unknown[];
      episode_id: string;
      test_id: string;
      scripted_responses: Scripted[];
    }[];
    runs?: number;
    executors?: Record<string, string> | null;
  };
  observed_client_requests: unknown[] | null;
  sdk_return_value: Record<string, unknown> | null;
}

const manifest: Scenario[] = JSON.parse(
  await readFile(join(PY_FIXTURES, "manifest.json"), "utf8"),
);

function fake(s: Scripted): FakeResponse {
  if (s.kind === "response") return { kind: "json", body: s.body };
  if (s.kind === "stream") return { kind: "stream", chunks: s.chunks ?? [] };
  // The Python fake raised "Error code: 429 - rate limit exceeded": the HTTP form of it.
  return { kind: "error", status: 429, message: "rate limit exceeded" };
}

const CLOCK_START = 1_700_000_000_000;

/** The scenario's registered executors (the manifest marks missing ones "NOT registered"). */
function executorsOf(sc: Scenario): Partial<typeof EXECUTORS> {
  const out: Partial<typeof EXECUTORS> = {};
  for (const [name, how] of Object.entries(sc.inputs.executors ?? {})) {
    if (how.startsWith("NOT registered")) continue;
    const exec = EXECUTORS[name as keyof typeof EXECUTORS];
    if (!exec) throw new Error(`test has no executor for ${name}`);
    (out as Record<string, unknown>)[name] = exec;
  }
  return out;
}

/** Replays one scenario with our SDK; returns what the record calls returned. */
async function record(
  sc: Scenario,
  server: FakeOpenAI,
  path: string,
): Promise<{ results: RecordResult[]; errors: unknown[] }> {
  const inp = sc.inputs;
  const client = clientFor(server);
  const results: RecordResult[] = [];
  const errors: unknown[] = [];
  const common = () => ({
    client,
    model: inp.model ?? "gpt-4o",
    // deno-lint-ignore no-explicit-any -- manifest JSON
    messages: inp.messages as any[],
    episodeId: inp.episode_id!,
    ...(inp.test_id !== undefined && !inp.test_id.startsWith("NOT PASSED")
      ? { testId: inp.test_id }
      : {}),
    // deno-lint-ignore no-explicit-any -- manifest JSON
    ...(Array.isArray(inp.tools) ? { tools: inp.tools as any[] } : {}),
    ...(inp.meta ? { meta: inp.meta } : {}),
  });
  const fn = sc.sdk_function;

  if (sc.scenario === "duplicate_rerun") {
    for (let run = 0; run < (inp.runs ?? 2); run++) {
      server.push(...inp.scripted_responses_per_run!.map(fake));
      const writer = new TraceWriter(path, { mode: "append" });
      results.push(
        await recordChatCompletionsWithTools({
          ...common(),
          writer,
          toolExecutors: executorsOf(sc),
          clock: new FrozenClock(CLOCK_START, 1),
        }),
      );
      await writer.close();
    }
    return { results, errors };
  }

  const redact = sc.scenario === "redaction"
    ? makeRedactor({ keyDenylist: ["authorization", "api_key"], patterns: ["sk-[a-zA-Z0-9]{20,}"] })
    : undefined;
  const writer = new TraceWriter(path, { mode: "truncate", ...(redact ? { redact } : {}) });
  const clock = new FrozenClock(CLOCK_START, 1);
  try {
    if (sc.scenario === "manual_recorder") {
      await EpisodeRecorder.run(
        { writer, episodeId: "mcp_demo", testId: "mcp_demo", clock },
        async (rec) => {
          await rec.start({ prompt: "demo_user_prompt" });
          const sid = await rec.step({ kind: "model", name: "agent", content: "ok" });
          await rec.toolCall({
            toolName: "ApplyDiscount",
            args: { percent: 50 },
            result: { value: "denied" },
            stepId: sid,
          });
          await rec.end({ outcome: "pass" });
        },
      );
    } else if (sc.scenario === "two_episodes") {
      for (const ep of inp.episodes!) {
        server.push(...ep.scripted_responses.map(fake));
        results.push(
          await recordChatCompletions({
            client,
            writer,
            clock,
            model: inp.model ?? "gpt-4o",
            // deno-lint-ignore no-explicit-any -- manifest JSON
            messages: ep.messages as any[],
            episodeId: ep.episode_id,
            testId: ep.test_id,
          }),
        );
      }
    } else {
      server.push(...inp.scripted_responses!.map(fake));
      try {
        if (fn.startsWith("assay.record_chat_completions_with_tools")) {
          results.push(
            await recordChatCompletionsWithTools({
              ...common(),
              writer,
              clock,
              toolExecutors: executorsOf(sc),
              ...(typeof inp.max_tool_rounds === "number"
                ? { maxToolRounds: inp.max_tool_rounds }
                : {}),
            }),
          );
        } else if (fn.startsWith("assay.record_chat_completions_stream")) {
          const stream = recordChatCompletionsStream({ ...common(), writer, clock });
          for await (const _chunk of stream) { /* consumed fully, like the Python scenario */ }
          results.push(await stream.finalResult());
        } else {
          results.push(await recordChatCompletions({ ...common(), writer, clock }));
        }
      } catch (err) {
        errors.push(err);
      }
    }
  } finally {
    await writer.close();
  }
  return { results, errors };
}

/** What must match between the Python trace and ours, per episode. */
function logical(ep: Episode): unknown {
  const startMeta = Object.fromEntries(
    Object.entries(ep.meta).filter(([k]) => !k.startsWith("assay.")),
  );
  return {
    episodeId: ep.episodeId,
    testId: ep.testId,
    hasTestId: ep.hasTestId,
    prompt: ep.prompt,
    startMeta,
    startTime: ep.startTime,
    outcome: ep.outcome,
    output: ep.output,
    steps: ep.steps.map((s) => ({
      stepId: s.stepId,
      idx: s.idx,
      kind: s.kind,
      name: s.name,
      content: s.content,
    })),
    toolCalls: ep.toolCalls.map((c) => ({
      stepId: c.stepId,
      callIndex: c.callIndex,
      toolCallId: c.toolCallId,
      toolName: c.toolName,
      args: c.args,
      result: c.result,
      error: c.error,
      errorType: c.errorType,
    })),
  };
}

/**
 * Python's step meta must be contained in ours, value for value. The one
 * allowed difference: Python writes `gen_ai.usage: {}` when a response has
 * no usage; we leave the key out rather than record a usage that never was.
 */
function assertStepMetaContained(py: Episode, ours: Episode): void {
  py.steps.forEach((pyStep, i) => {
    const ourMeta = ours.steps[i].meta;
    for (const [key, value] of Object.entries(pyStep.meta)) {
      if (key === "gen_ai.usage" && JSON.stringify(value) === "{}") {
        assert.equal(ourMeta[key], undefined, `${ours.episodeId} ${pyStep.stepId}: ${key}`);
        continue;
      }
      assert.deepEqual(ourMeta[key], value, `${ours.episodeId} ${pyStep.stepId}: meta ${key}`);
    }
  });
}

/** A request as both SDKs send it, minus what legitimately differs. */
function normaliseRequest(raw: unknown): unknown {
  const req = { ...(raw as Record<string, unknown>) };
  // Python sent its default temperature 0.0 and `tools: null`; we leave
  // unset options out of the request.
  delete req.temperature;
  for (const [k, v] of Object.entries(req)) if (v === null) delete req[k];
  req.messages = (req.messages as Record<string, unknown>[]).map((m) => {
    const out = { ...m };
    // Python echoed a missing assistant content as ""; we send null (both valid).
    if (out.role === "assistant" && (out.content === null || out.content === "")) {
      out.content = null;
    }
    // Python's json.dumps spacing vs our canonical JSON: compare the values.
    if (out.role === "tool" && typeof out.content === "string") {
      try {
        out.content = JSON.parse(out.content);
      } catch { /* error text stays text */ }
    }
    return out;
  });
  return req;
}

describe("re-recording the Python SDK's reference scenarios", () => {
  let server: FakeOpenAI;
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    server = await startFakeOpenAI();
    dir = await tempDir("assay-parity-");
  });
  after(async () => {
    await server.close();
    await dir.cleanup();
  });

  test("the manifest lists the 18 scenarios", () => {
    assert.equal(manifest.length, 18);
  });

  for (const sc of manifest) {
    test(`${sc.file} reads back as the same episodes as the Python trace`, async () => {
      const path = join(dir.path, sc.file);
      const requestsBefore = server.requests.length;
      const { results, errors } = await record(sc, server, path);
      const py = await episodesOf(join(PY_FIXTURES, sc.file));
      const ours = await episodesOf(path);

      assert.deepEqual(ours.map(logical), py.map(logical));
      ours.forEach((ep, i) => assertStepMetaContained(py[i], ep));

      // The requests the model saw are the ones Python's fake saw.
      const seen = server.requests.slice(requestsBefore).map((r) => normaliseRequest(r.body));
      const observed = (sc.observed_client_requests ?? []).flat().map(normaliseRequest);
      assert.deepEqual(seen, observed);

      // What the call returned agrees with what Python returned.
      const ret = sc.sdk_return_value ?? {};
      if (typeof ret.content === "string") assert.equal(results.at(-1)?.content, ret.content);
      if (sc.scenario === "api_error") {
        assert.equal(errors.length, 1);
        assert.equal((errors[0] as Error).constructor.name, "RateLimitError");
        assert.equal(ours[0].endMeta["error.type"], "RateLimitError");
        assert.equal(ours[0].endMeta["error.message"], "429 rate limit exceeded");
      } else {
        assert.deepEqual(errors, []);
      }

      await assertGolden(`openai/${sc.file}`, await readFile(path, "utf8"));
    });
  }

  test("a scenario recorded twice with a frozen clock is byte-identical", async () => {
    const sc = manifest.find((s) => s.scenario === "loop_parallel")!;
    const a = join(dir.path, "det_a.jsonl");
    const b = join(dir.path, "det_b.jsonl");
    await record(sc, server, a);
    await record(sc, server, b);
    assert.equal(await readFile(a, "utf8"), await readFile(b, "utf8"));
  });
});
