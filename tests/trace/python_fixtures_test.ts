// Every trace the original Python SDK wrote is read without error and yields
// what its manifest.json describes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type Episode, readTraceFile, type TraceWarning } from "../../mod.ts";
import { PY_FIXTURES } from "../_helpers.ts";

interface ExpectedCall {
  step_id: string;
  call_index: number;
  tool_call_id: string | null;
  tool_name: string;
  args: unknown;
  result: unknown;
  error: string | null;
  error_type: string | null;
}
interface ExpectedEpisode {
  episode_id: string;
  test_id: string | null;
  prompt: string;
  model_steps: number;
  final_content: string | null;
  tool_calls: ExpectedCall[];
  outcome: string;
}
interface ManifestEntry {
  file: string;
  expected_notes: { episodes: ExpectedEpisode[]; line_count: number };
}

const manifest: ManifestEntry[] = JSON.parse(
  readFileSync(join(PY_FIXTURES, "manifest.json"), "utf8"),
);

describe("reader on the Python SDK's reference traces", () => {
  test("the manifest lists all 18 scenarios", () => {
    assert.equal(manifest.length, 18);
  });

  for (const entry of manifest) {
    test(`${entry.file} yields the episodes its manifest describes`, async () => {
      const warnings: TraceWarning[] = [];
      const episodes: Episode[] = [];
      for await (
        const ep of readTraceFile(join(PY_FIXTURES, entry.file), {
          strict: true,
          onWarning: (w) => warnings.push(w),
        })
      ) {
        episodes.push(ep);
      }
      assert.deepEqual(warnings, []);
      const expected = entry.expected_notes.episodes;
      assert.equal(episodes.length, expected.length);
      episodes.forEach((ep, i) => {
        const want = expected[i];
        assert.equal(ep.episodeId, want.episode_id);
        assert.equal(ep.testId, want.test_id ?? want.episode_id);
        assert.equal(ep.hasTestId, want.test_id !== null);
        assert.equal(ep.prompt, want.prompt);
        assert.equal(ep.outcome, want.outcome);
        assert.equal(ep.steps.filter((s) => s.kind === "model").length, want.model_steps);
        assert.equal(ep.steps.at(-1)?.content ?? null, want.final_content);
        assert.deepEqual(
          ep.toolCalls.map((c) => ({
            step_id: c.stepId,
            call_index: c.callIndex,
            tool_call_id: c.toolCallId,
            tool_name: c.toolName,
            args: c.args,
            result: c.result,
            error: c.error,
            error_type: c.errorType,
          })),
          want.tool_calls.map((
            { step_id, call_index, tool_call_id, tool_name, args, result, error, error_type },
          ) => ({
            step_id,
            call_index,
            tool_call_id,
            tool_name,
            args,
            result,
            error,
            error_type,
          })),
        );
        for (const step of ep.steps) {
          for (const call of step.toolCalls) assert.equal(call.stepId, step.stepId);
        }
      });
    });
  }

  test("the output rule picks the last model step with text", async () => {
    const outputs: string[] = [];
    for await (const ep of readTraceFile(join(PY_FIXTURES, "03_loop.jsonl"))) {
      outputs.push(ep.output);
    }
    assert.deepEqual(outputs, ["It is 22C in Tokyo."]);
  });

  test("the re-run file yields two separate episodes with the same id (the duplicate-prompt case)", async () => {
    const eps: Episode[] = [];
    for await (const ep of readTraceFile(join(PY_FIXTURES, "16_duplicate_rerun.jsonl"))) {
      eps.push(ep);
    }
    assert.deepEqual(eps.map((e) => [e.episodeId, e.line]), [["weather_demo", 1], [
      "weather_demo",
      7,
    ]]);
  });
});
