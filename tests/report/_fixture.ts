// A fixed GateRun for the report golden files: a pass, a failure with
// expected/actual excerpts, an error with a code and hint, and text that
// needs escaping in every format (pipes, <&>, quotes, control characters).
import type { GateRun } from "../../src/gate/types.ts";

/** The run every report golden file is rendered from. */
export function fixedRun(): GateRun {
  return {
    runId: "2f1c9a0e-7b6d-4c1e-9d3a-5e8f0a1b2c3d",
    suite: "quickstart",
    configPath: "assay.yaml",
    configHash: "9c56cc51b374c3ba189210d5b6d4bf57790d351c96c47c02190ecf1e430635ab",
    traceFile: "traces/quickstart.jsonl",
    strict: true,
    startedAt: "2026-11-25T03:00:00.000Z",
    durationMs: 42.5,
    counts: { total: 4, passed: 1, failed: 2, errored: 1 },
    verdict: "fail",
    warnings: ['episode "unused_ep" (traces/quickstart.jsonl:40) is not used by any test'],
    results: [
      {
        testId: "weather_check",
        status: "pass",
        durationMs: 3.25,
        location: { file: "assay.yaml", line: 6, column: 5 },
        checks: [
          {
            kind: "regex_match",
            location: { file: "assay.yaml", line: 8, column: 15 },
            passed: true,
            message: "output matches /Tokyo/",
          },
          {
            kind: "trace_must_call_tool",
            location: { file: "assay.yaml", line: 10, column: 9 },
            passed: true,
            message: "GetWeather was called 1 time (min 1)",
          },
        ],
        episode: { episodeId: "weather_check", file: "traces/quickstart.jsonl", line: 1 },
        scores: {},
        warnings: [],
      },
      {
        testId: 'pipes|and<xml>&"quotes"',
        status: "fail",
        durationMs: 12,
        location: { file: "assay.yaml", line: 12, column: 5 },
        checks: [
          {
            kind: "must_contain",
            location: { file: "assay.yaml", line: 14, column: 15 },
            passed: false,
            message: 'output lacks "22°C | sunny"',
            expected: "22°C | sunny",
            actual: "It is 18°C & <cloudy> in Tokyo]]>\u0007 today\nsecond line",
          },
          {
            kind: "trace_max_steps",
            location: { file: "assay.yaml", line: 16, column: 9 },
            passed: true,
            message: "3 steps (max 5)",
          },
        ],
        message: 'output lacks "22°C | sunny"',
        episode: { episodeId: "ep_pipes", file: "traces/quickstart.jsonl", line: 12 },
        scores: {},
        warnings: [],
      },
      {
        testId: "args_changed",
        status: "fail",
        durationMs: 1.5,
        location: { file: "assay.yaml", line: 18, column: 5 },
        checks: [
          {
            kind: "baseline",
            passed: false,
            message: "tool call 1 (GetWeather) args changed at $.city",
            expected: '"Tokyo"',
            actual: '"tokyo"',
          },
          {
            kind: "semantic_similarity_to",
            location: { file: "assay.yaml", line: 20, column: 15 },
            passed: true,
            message: "similarity 0.91 >= 0.80",
            score: 0.91,
          },
        ],
        errorCode: "E_BASE_MISMATCH",
        message: "tool call 1 (GetWeather) args changed at $.city",
        hint: "re-export the baseline with --export-baseline if the change is intended",
        episode: { episodeId: "args_changed", file: "traces/quickstart.jsonl", line: 20 },
        scores: { semantic_similarity_to: 0.91 },
        warnings: ["latest of 2 episodes used"],
      },
      {
        testId: "missing_episode",
        status: "error",
        durationMs: 0.25,
        location: { file: "assay.yaml", line: 22, column: 5 },
        checks: [],
        errorCode: "E_TRACE_EPISODE_MISSING",
        message: 'no episode for test "missing_episode" in traces/quickstart.jsonl',
        hint:
          'record it with test_id "missing_episode"; closest ids in the trace: "missing_epsiode"',
        scores: {},
        warnings: [],
      },
    ],
  };
}
