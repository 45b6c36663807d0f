/**
 * The JSON run summary: an explicit `verdict`, counts, and each test's
 * status, message, checks and duration, in a fixed key order so the file
 * diffs cleanly between runs.
 *
 * @module
 */
import type { CheckResult, ConfigLocation, GateRun, TestResult } from "../gate/types.ts";
import { SDK_VERSION } from "../version.ts";
import { elementPerLineJson } from "./_json.ts";

/** Version of the JSON summary's shape; bumped on any incompatible change. */
export const JSON_REPORT_SCHEMA_VERSION = 1;

const location = (loc: ConfigLocation | undefined): Record<string, unknown> | null =>
  loc ? { file: loc.file, line: loc.line, column: loc.column } : null;

const check = (c: CheckResult): Record<string, unknown> => ({
  kind: c.kind,
  passed: c.passed,
  message: c.message,
  expected: c.expected ?? null,
  actual: c.actual ?? null,
  score: c.score ?? null,
  location: location(c.location),
});

const test = (r: TestResult): Record<string, unknown> => ({
  id: r.testId,
  status: r.status,
  duration_ms: r.durationMs,
  message: r.message ?? null,
  error_code: r.errorCode ?? null,
  hint: r.hint ?? null,
  location: location(r.location),
  episode: r.episode
    ? { episode_id: r.episode.episodeId, file: r.episode.file, line: r.episode.line }
    : null,
  checks: r.checks.map(check),
  scores: sortedKeys(r.scores),
  // Serialised at once, never kept: no copy needed.
  warnings: r.warnings,
});

const NO_SCORES = Object.freeze({});

/** `scores` with its keys in sorted order (most tests have none). */
function sortedKeys(scores: Record<string, number>): Record<string, number> {
  const keys = Object.keys(scores);
  if (keys.length === 0) return NO_SCORES;
  return Object.fromEntries(keys.sort().map((k) => [k, scores[k]]));
}

/**
 * Render a run as the JSON summary: indented by two spaces, each test compact
 * on its own line, with a trailing newline.
 * Absent optional values are `null`, never missing keys.
 *
 * @example
 * ```ts
 * import { renderJson } from "./json.ts";
 * declare const run: import("../gate/types.ts").GateRun;
 * const summary = JSON.parse(renderJson(run));
 * if (summary.verdict !== "pass") console.log(summary.counts);
 * ```
 */
export function renderJson(run: GateRun): string {
  const summary = (tests: unknown[]) => ({
    schema_version: JSON_REPORT_SCHEMA_VERSION,
    tool: { name: "assay", version: SDK_VERSION },
    verdict: run.verdict,
    run_id: run.runId,
    suite: run.suite,
    config_path: run.configPath,
    config_hash: run.configHash,
    trace_file: run.traceFile,
    replay_strict: run.strict,
    started_at: run.startedAt,
    duration_ms: run.durationMs,
    counts: {
      total: run.counts.total,
      passed: run.counts.passed,
      failed: run.counts.failed,
      errored: run.counts.errored,
    },
    tests,
    warnings: run.warnings,
  });
  return `${elementPerLineJson(run.results, test, summary)}\n`;
}
