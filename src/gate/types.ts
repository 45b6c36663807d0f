/**
 * The data the gate produces: one `TestResult` per config test, gathered in
 * a `GateRun`. The gate returns this data; only `src/cli/` and
 * `src/report/` print it or turn it into exit codes.
 *
 * @module
 */
import type { AssayErrorCode } from "../errors.ts";

/** Outcome of one test. `error` means it could not be evaluated (missing episode, bad data...). */
export type TestStatus = "pass" | "fail" | "error";

/** A position in the config file (1-based). */
export interface ConfigLocation {
  file: string;
  line: number;
  column: number;
}

/** The result of one expectation or assertion of a test. */
export interface CheckResult {
  /** The expectation or assertion type, e.g. `regex_match`, `trace_must_call_tool`. */
  kind: string;
  /** Where in the config it is written (for SARIF). */
  location?: ConfigLocation;
  passed: boolean;
  /** One line: what was expected and what the trace had. */
  message: string;
  /** Excerpts for humans ("expected vs actual"), optional. */
  expected?: string;
  actual?: string;
  /** A score in [0, 1] for scored checks (semantic similarity, judges). */
  score?: number;
}

/** One tool call as a baseline sees it: canonical JSON of args and result. */
export interface ToolCallSignature {
  name: string;
  /** `canonicalJson(args)`. */
  args: string;
  /** `canonicalJson(result)` or `null` when the call had no result. */
  result: string | null;
  error: string | null;
}

/** What a baseline remembers of the episode a test used. */
export interface EpisodeSignature {
  episodeId: string;
  prompt: string;
  output: string;
  toolCalls: ToolCallSignature[];
}

/** The result of one config test. */
export interface TestResult {
  testId: string;
  status: TestStatus;
  durationMs: number;
  /** Where the test is defined in the config. */
  location?: ConfigLocation;
  /** Every expectation and assertion evaluated, in config order. */
  checks: CheckResult[];
  /** For `error` (and for `fail` caused by a coded condition such as `E_BASE_MISMATCH`). */
  errorCode?: AssayErrorCode;
  /** The main failure or error message (first failing check, or the error). */
  message?: string;
  /** How to fix an error. */
  hint?: string;
  /** The episode the test was evaluated against, when one was resolved. */
  episode?: { episodeId: string; file: string; line: number };
  /** Named scores (check kind -> score) kept for baselines. */
  scores: Record<string, number>;
  /** The episode signature, for `--export-baseline` and `--baseline`. */
  signature?: EpisodeSignature;
  /** Non-fatal notes (e.g. "latest of 2 episodes used"). */
  warnings: string[];
}

/** Counts of a run. */
export interface GateCounts {
  total: number;
  passed: number;
  failed: number;
  errored: number;
}

/** One `assay ci` run. */
export interface GateRun {
  /** Random id (UUID) of this run. */
  runId: string;
  suite: string;
  configPath: string;
  /** SHA-256 (hex) of the config file's bytes. */
  configHash: string;
  traceFile: string;
  strict: boolean;
  /** ISO 8601 start time. */
  startedAt: string;
  durationMs: number;
  results: TestResult[];
  counts: GateCounts;
  /** `pass` only when every test passed. */
  verdict: "pass" | "fail";
  /** Run-level warnings (reader warnings, unused episodes...). */
  warnings: string[];
}
