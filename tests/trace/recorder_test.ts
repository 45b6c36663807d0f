import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  EpisodeRecorder,
  FrozenClock,
  readTraceAll,
  SDK_NAME,
  SDK_VERSION,
  TraceWriter,
} from "../../mod.ts";
import { assertGolden, PY_FIXTURES, tempDir } from "../_helpers.ts";

/** A recorder session that touches every event type, sorting corner cases and raw unicode. */
async function recordSession(path: string): Promise<string> {
  const writer = new TraceWriter(path, { mode: "truncate" });
  const clock = new FrozenClock(1_700_000_000_000, 1);
  await EpisodeRecorder.run(
    { writer, episodeId: "golden_1", testId: "golden_check", clock },
    async (rec) => {
      await rec.start({
        prompt: "Wetter in München? ☀️ 𝄞",
        meta: { "10": "ten", "9": "nine", "b": { "z": 1, "a": [3, { "y": 0, "x": null }] } },
      });
      const s1 = await rec.modelStep({
        content: "",
        meta: {
          "gen_ai.request.model": "gpt-4o",
          "gen_ai.usage": { total_tokens: 17, prompt_tokens: 10 },
          round: 0,
        },
      });
      await rec.toolCall({
        stepId: s1,
        toolName: "GetWeather",
        args: { location: "München" },
        result: { temp: 22, "unit": "°C" },
        toolCallId: "call_1",
      });
      await rec.toolCall({
        stepId: s1,
        toolName: "Missing",
        args: { "_raw": "{bad" },
        error: "NO_EXECUTOR",
        meta: { error_type: "ConfigurationError" },
      });
      await rec.step({ kind: "tool", name: "agent", content: 'thinking\nline two\t"quoted"' });
      await rec.modelStep({ content: "Sonnig, 22°C 🌞", meta: { "gen_ai.finish_reason": "stop" } });
    },
  );
  await assert.rejects(
    EpisodeRecorder.run({ writer, episodeId: "golden_2", clock }, async (rec) => {
      await rec.start({ prompt: "fails" });
      throw new RangeError("boom");
    }),
    /boom/,
  );
  await writer.close();
  return await readFile(path, "utf8");
}

describe("EpisodeRecorder", () => {
  test("a session under FrozenClock matches the byte-exact golden trace, twice in a row", async () => {
    const dir = await tempDir();
    try {
      const first = await recordSession(join(dir.path, "a.jsonl"));
      const second = await recordSession(join(dir.path, "b.jsonl"));
      assert.equal(first, second);
      assert.ok(first.includes('{"10":"ten","9":"nine"'), "integer-like keys sort as strings");
      assert.ok(first.includes("München? ☀️ 𝄞"), "non-ASCII is written raw");
      await assertGolden("trace/recorder_session.jsonl", first);
    } finally {
      await dir.cleanup();
    }
  });

  test("ends a throwing scope with outcome error and the error's type and message", async () => {
    const dir = await tempDir();
    try {
      const text = await recordSession(join(dir.path, "t.jsonl"));
      const { episodes } = await readTraceAll(text);
      const failed = episodes.find((e) => e.episodeId === "golden_2")!;
      assert.equal(failed.outcome, "error");
      assert.deepEqual(failed.endMeta, { "error.message": "boom", "error.type": "RangeError" });
      assert.equal(failed.testId, "golden_2");
      assert.equal(failed.hasTestId, false);
    } finally {
      await dir.cleanup();
    }
  });

  test("stamps the trace version and SDK on episode_start", async () => {
    const dir = await tempDir();
    try {
      const { episodes } = await readTraceAll(await recordSession(join(dir.path, "t.jsonl")));
      assert.equal(episodes[0].meta["assay.trace_version"], 2);
      assert.equal(episodes[0].meta["assay.sdk"], `${SDK_NAME}@${SDK_VERSION}`);
    } finally {
      await dir.cleanup();
    }
  });

  test("re-creates the Python SDK's manual-recorder trace (13) up to our added meta", async () => {
    const dir = await tempDir();
    try {
      const path = join(dir.path, "13.jsonl");
      const writer = new TraceWriter(path, { mode: "truncate" });
      await EpisodeRecorder.run(
        {
          writer,
          episodeId: "mcp_demo",
          testId: "mcp_demo",
          clock: new FrozenClock(1_700_000_000_000, 1),
        },
        async (rec) => {
          await rec.start({ prompt: "demo_user_prompt" });
          await rec.step({ content: "ok" });
          await rec.toolCall({
            toolName: "ApplyDiscount",
            args: { percent: 50 },
            result: { value: "denied" },
          });
        },
      );
      await writer.close();
      const ours = (await readFile(path, "utf8")).split("\n");
      const python = (await readFile(join(PY_FIXTURES, "13_manual_recorder.jsonl"), "utf8")).split(
        "\n",
      );
      assert.equal(ours.length, python.length);
      const strip = (line: string) => {
        if (!line) return line;
        const e = JSON.parse(line);
        if (e.type === "episode_start") {
          delete e.meta["assay.trace_version"];
          delete e.meta["assay.sdk"];
        }
        return JSON.stringify(e);
      };
      assert.deepEqual(ours.map(strip), python.map((l) => (l ? JSON.stringify(JSON.parse(l)) : l)));
    } finally {
      await dir.cleanup();
    }
  });

  test("ignores a second end and refuses steps after it", async () => {
    const chunks: Uint8Array[] = [];
    const writer = new TraceWriter(new WritableStream({ write: (c) => void chunks.push(c) }));
    const rec = new EpisodeRecorder({ writer, episodeId: "e", clock: new FrozenClock(0, 1) });
    await rec.start();
    await rec.end({ outcome: "pass" });
    await rec.end({ outcome: "error" });
    await assert.rejects(rec.step({ content: "late" }), /has ended/);
    await writer.close();
    const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
    assert.equal(text.split("\n").filter(Boolean).length, 2);
  });

  test("refuses a recorder without a writer with the documented message", () => {
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => new EpisodeRecorder({ episodeId: "e" } as any),
      /No writer provided and no active context found\./,
    );
  });
});

describe("errorMeta", () => {
  test("names the error by its class when a library leaves name as Error", async () => {
    const { errorMeta } = await import("../../src/trace/recorder.ts");
    class RateLimitError extends Error {}
    assert.deepEqual(errorMeta(new RateLimitError("slow down")), {
      "error.type": "RateLimitError",
      "error.message": "slow down",
    });
    assert.deepEqual(errorMeta(new TypeError("bad")), {
      "error.type": "TypeError",
      "error.message": "bad",
    });
    assert.deepEqual(errorMeta("plain"), { "error.type": "string", "error.message": "plain" });
  });
});
