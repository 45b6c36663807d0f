/**
 * The JSON form of a test result: each entry of the JSON report's `tests`
 * (snake_case, `null` for what is absent, keys in a fixed order), which is
 * also what the history database stores per result. Serialised once per
 * result and shared: a 10,000-test run no longer pays `JSON.stringify` twice.
 *
 * @module
 */
import type { AssayErrorCode } from "../errors.ts";
import type { CheckResult, ConfigLocation, TestResult, TestStatus } from "./types.ts";

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

const NO_SCORES = Object.freeze({});

/** `scores` with its keys in sorted order (most tests have none). */
function sortedKeys(scores: Record<string, number>): Record<string, number> {
  const keys = Object.keys(scores);
  if (keys.length === 0) return NO_SCORES;
  return Object.fromEntries(keys.sort().map((k) => [k, scores[k]]));
}

/** A result as the JSON object of the report's `tests` (its episode signature is not part of it). */
export function resultToJson(r: TestResult): Record<string, unknown> {
  return {
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
  };
}

const texts = new WeakMap<TestResult, string>();

/**
 * `JSON.stringify(resultToJson(r))`, made once per result object: the JSON
 * report and the store both ask for it. Results are not changed after a run,
 * so the text stays right. (A writer that built the text field by field was
 * measured 1.5-2x slower cold than this on Bun, Deno and Node alike, and its
 * text came out as a rope that SQLite binding flattens again.)
 */
export function resultJsonText(r: TestResult): string {
  let text = texts.get(r);
  if (text === undefined) {
    text = JSON.stringify(resultToJson(r));
    texts.set(r, text);
  }
  return text;
}

type Json = Record<string, unknown>;

const locationFrom = (v: unknown): ConfigLocation | undefined => {
  const o = v as Json | null;
  return o ? { file: String(o.file), line: Number(o.line), column: Number(o.column) } : undefined;
};

/**
 * A result back from its JSON form ({@linkcode resultToJson}); `null`s
 * become absent fields. Also reads the older stored form, which was the
 * result object itself.
 */
export function resultFromJson(value: unknown): TestResult {
  const o = value as Json;
  if (typeof o.testId === "string") return o as unknown as TestResult;
  const r: TestResult = {
    testId: String(o.id),
    status: o.status as TestStatus,
    durationMs: Number(o.duration_ms),
    checks: ((o.checks ?? []) as Json[]).map((c) => {
      const out: CheckResult = {
        kind: String(c.kind),
        passed: c.passed === true,
        message: String(c.message),
      };
      const loc = locationFrom(c.location);
      if (loc) out.location = loc;
      if (typeof c.expected === "string") out.expected = c.expected;
      if (typeof c.actual === "string") out.actual = c.actual;
      if (typeof c.score === "number") out.score = c.score;
      return out;
    }),
    scores: { ...(o.scores as Record<string, number> | undefined) },
    warnings: [...((o.warnings ?? []) as string[])],
  };
  const loc = locationFrom(o.location);
  if (loc) r.location = loc;
  if (typeof o.message === "string") r.message = o.message;
  if (typeof o.error_code === "string") r.errorCode = o.error_code as AssayErrorCode;
  if (typeof o.hint === "string") r.hint = o.hint;
  const ep = o.episode as Json | null;
  if (ep) {
    r.episode = { episodeId: String(ep.episode_id), file: String(ep.file), line: Number(ep.line) };
  }
  return r;
}
