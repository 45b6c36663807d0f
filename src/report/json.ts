/**
 * The JSON run summary: an explicit `verdict`, counts, and each test's
 * status, message, checks and duration, in a fixed key order so the file
 * diffs cleanly between runs.
 *
 * @module
 */
import { resultJsonText } from "../gate/result_json.ts";
import type { GateRun } from "../gate/types.ts";
import { SDK_VERSION } from "../version.ts";
import { emitElementPerLineJson } from "./_json.ts";

/** Version of the JSON summary's shape; bumped on any incompatible change. */
export const JSON_REPORT_SCHEMA_VERSION = 1;

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
  let out = "";
  emitJson(run, (piece) => out += piece);
  return out;
}

/**
 * {@linkcode renderJson}, handed to `emit` piece by piece (see
 * `emitElementPerLineJson`): what the report file writer uses.
 */
export function emitJson(run: GateRun, emit: (piece: string) => void): void {
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
  emitElementPerLineJson(run.results, resultJsonText, summary, emit);
  emit("\n");
}
