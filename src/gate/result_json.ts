/**
 * The JSON form of a test result: each entry of the JSON report's `tests`
 * (snake_case, `null` for what is absent, keys in a fixed order), which is
 * also what the history database stores per result. Serialised once per
 * result and shared: a 10,000-test run no longer pays `JSON.stringify` twice.
 *
 * @module
 */
import { type AssayErrorCode, jsonString } from "../errors.ts";
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
 * so the text stays right. Written out field by field rather than building
 * the object and walking it (2-3x faster cold, which is what a 10,000-test
 * run pays); a property test checks it is byte for byte the same.
 */
export function resultJsonText(r: TestResult): string {
  let text = texts.get(r);
  if (text === undefined) {
    text = wellTyped(r) ? writeResult(r) : JSON.stringify(resultToJson(r));
    texts.set(r, text);
  }
  return text;
}

const str = jsonString;
const strOrNull = (s: string | undefined): string => (s === undefined ? "null" : str(s));
// JSON.stringify's numbers: NaN and the infinities are null, -0 is 0.
const num = (n: number): string => (Number.isFinite(n) ? String(n) : "null");

function locationText(loc: ConfigLocation | undefined): string {
  return loc
    ? `{"file":${str(loc.file)},"line":${num(loc.line)},"column":${num(loc.column)}}`
    : "null";
}

/** The field types `writeResult` relies on (what the types promise; a result built by hand may not keep it). */
function wellTyped(r: TestResult): boolean {
  if (
    typeof r.testId !== "string" || typeof r.status !== "string" ||
    typeof r.durationMs !== "number" || !Array.isArray(r.checks)
  ) return false;
  for (const c of r.checks) {
    if (
      typeof c.kind !== "string" || typeof c.message !== "string" || typeof c.passed !== "boolean"
    ) {
      return false;
    }
  }
  if (typeof r.scores !== "object" || r.scores === null || !Array.isArray(r.warnings)) return false;
  for (const k in r.scores) if (typeof r.scores[k] !== "number") return false;
  for (const w of r.warnings) if (typeof w !== "string") return false;
  return true;
}

// Built as parts and joined: the text comes out flat. Grown with `+=`, it is
// a rope of ~30 pieces that every later reader flattens again (binding it to
// SQLite cost Bun 4 µs a result more than a flat string).
function writeResult(r: TestResult): string {
  const out = [
    `{"id":${str(r.testId)},"status":${str(r.status)},"duration_ms":${
      num(r.durationMs)
    },"message":${strOrNull(r.message)},"error_code":${strOrNull(r.errorCode)},"hint":${
      strOrNull(r.hint)
    },"location":${locationText(r.location)},"episode":${
      r.episode
        ? `{"episode_id":${str(r.episode.episodeId)},"file":${str(r.episode.file)},"line":${
          num(r.episode.line)
        }}`
        : "null"
    },"checks":[`,
  ];
  for (let i = 0; i < r.checks.length; i++) {
    const c = r.checks[i];
    out.push(
      `${i > 0 ? "," : ""}{"kind":${str(c.kind)},"passed":${
        c.passed ? "true" : "false"
      },"message":${str(c.message)},"expected":${strOrNull(c.expected)},"actual":${
        strOrNull(c.actual)
      },"score":${c.score === undefined ? "null" : num(c.score)},"location":${
        locationText(c.location)
      }}`,
    );
  }
  out.push('],"scores":{');
  // In the order JSON.stringify gives the sorted object (index-like keys first).
  const scores = sortedKeys(r.scores);
  let first = true;
  for (const k in scores) {
    out.push(`${first ? "" : ","}${str(k)}:${num(scores[k])}`);
    first = false;
  }
  out.push('},"warnings":[');
  for (let i = 0; i < r.warnings.length; i++) out.push((i > 0 ? "," : "") + str(r.warnings[i]));
  out.push("]}");
  return out.join("");
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
