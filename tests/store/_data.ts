// Builders of realistic runs and episodes for the store tests and benchmark.
import type { GateRun, TestResult } from "../../src/gate/types.ts";
import type { Episode, Step, ToolCall } from "../../src/trace/model.ts";

/** An episode with `steps` steps of which each calls one tool. */
export function makeEpisode(
  id: string,
  options: { file?: string; line?: number; steps?: number } = {},
): Episode {
  const file = options.file ?? "traces/t.jsonl";
  const line = options.line ?? 1;
  const steps: Step[] = [];
  const calls: ToolCall[] = [];
  for (let i = 0; i < (options.steps ?? 2); i++) {
    const call: ToolCall = {
      stepId: `step_${i}`,
      callIndex: 0,
      toolCallId: `call_${id}_${i}`,
      toolName: i % 2 ? "GetTime" : "GetWeather",
      args: { city: "Tokyo", day: i },
      result: { temp_c: 20 + i },
      error: null,
      errorType: null,
      meta: {},
      line: line + 2 + i * 2,
    };
    steps.push({
      stepId: `step_${i}`,
      idx: i,
      kind: "model",
      name: "gpt",
      content: `step ${i} of ${id}`,
      meta: { "gen_ai.usage": { input_tokens: 10 } },
      timestamp: 1_700_000_000 + i,
      toolCalls: [call],
      line: line + 1 + i * 2,
    });
    calls.push(call);
  }
  return {
    episodeId: id,
    testId: id,
    hasTestId: true,
    prompt: `prompt of ${id}`,
    steps,
    toolCalls: calls,
    output: `output of ${id}`,
    outcome: "pass",
    meta: { test_id: id },
    endMeta: {},
    startTime: 1_700_000_000,
    endTime: 1_700_000_010,
    format: "v2",
    file,
    line,
    endLine: line + 1 + steps.length * 2,
  };
}

/** A run of `tests` results, test `t<i>` using episode `t<i>`. */
export function makeRun(
  runId: string,
  tests: number,
  options: { startedAt?: string; file?: string } = {},
): GateRun {
  const results: TestResult[] = [];
  for (let i = 0; i < tests; i++) {
    const passed = i % 5 !== 4;
    results.push({
      testId: `t${i}`,
      status: passed ? "pass" : "fail",
      durationMs: 1 + i / 10,
      location: { file: "assay.yaml", line: 5 + i * 3, column: 5 },
      checks: [{
        kind: "regex_match",
        passed,
        message: passed ? "matches" : "no match",
        actual: "x",
      }],
      message: passed ? undefined : "no match",
      episode: { episodeId: `t${i}`, file: options.file ?? "traces/t.jsonl", line: 1 + i * 10 },
      scores: {},
      warnings: [],
    });
  }
  const passedCount = results.filter((r) => r.status === "pass").length;
  return {
    runId,
    suite: "suite",
    configPath: "assay.yaml",
    configHash: "0".repeat(64),
    traceFile: options.file ?? "traces/t.jsonl",
    strict: true,
    startedAt: options.startedAt ?? new Date().toISOString(),
    durationMs: 10,
    results,
    counts: { total: tests, passed: passedCount, failed: tests - passedCount, errored: 0 },
    verdict: passedCount === tests ? "pass" : "fail",
    warnings: [],
  };
}

/** The episodes `makeRun` refers to. */
export function makeEpisodes(
  tests: number,
  options: { file?: string; steps?: number } = {},
): Episode[] {
  return Array.from(
    { length: tests },
    (_, i) => makeEpisode(`t${i}`, { file: options.file, line: 1 + i * 10, steps: options.steps }),
  );
}
