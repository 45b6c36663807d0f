/**
 * Text helpers shared by the report renderers.
 *
 * @module
 */
import type { CheckResult, ConfigLocation, TestResult } from "../gate/types.ts";

/** Milliseconds as a short human string: `3 ms`, `0.25 ms`, `1.5 ms`. */
export function formatMs(ms: number): string {
  const rounded = ms >= 100 ? Math.round(ms) : Math.round(ms * 100) / 100;
  return `${rounded} ms`;
}

/** Seconds with three decimals, as JUnit wants them. */
export function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

// C0 and C1 controls, DEL, lone surrogates and the two XML non-characters: matching them is the point.
const UNPRINTABLE =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Whether `text` may hold a character {@linkcode UNPRINTABLE} matches: one
 * plain class scan, much faster than the lookarounds, true for any surrogate.
 */
const MAYBE_UNPRINTABLE =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/;

/** Replace characters that are invisible or forbidden in XML 1.0 by a visible `\uXXXX`. */
export function escapeUnprintable(text: string): string {
  if (!MAYBE_UNPRINTABLE.test(text)) return text;
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** One line, at most `max` characters: newlines and tabs shown as `\n`, `\t`. */
export function excerpt(text: string, max = 160): string {
  const flat = /[\r\n\t]/.test(text)
    ? text.replace(/\r\n|\r|\n/g, "\\n").replace(/\t/g, "\\t")
    : text;
  const line = escapeUnprintable(flat);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The checks of a test that did not pass, in config order. */
export function failedChecks(result: TestResult): CheckResult[] {
  return result.checks.filter((c) => !c.passed);
}

/** `file:line:column`. */
export function formatLocation(loc: ConfigLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** The main message of a test that did not pass (its own, else its first failing check's). */
export function mainMessage(result: TestResult): string {
  return result.message ?? failedChecks(result)[0]?.message ??
    (result.status === "error" ? "the test could not be evaluated" : "the test failed");
}

/**
 * Plain-text details of a failing or erroring test, one fact per line: the
 * failing checks with expected/actual excerpts (the error code in brackets
 * before the first), the test's own message when no check says it, the hint.
 */
export function failureDetails(result: TestResult): string[] {
  const lines: string[] = [];
  const failed = failedChecks(result);
  let code = result.errorCode ? `[${result.errorCode}] ` : "";
  if (
    failed.length === 0 ||
    (result.message !== undefined && !failed.some((c) => c.message === result.message))
  ) {
    lines.push(`${code}${mainMessage(result)}`);
    code = "";
  }
  for (const check of failed) {
    lines.push(`${code}${check.kind}: ${check.message}`);
    code = "";
    if (check.expected !== undefined) lines.push(`  expected: ${excerpt(check.expected, 1000)}`);
    if (check.actual !== undefined) lines.push(`  actual:   ${excerpt(check.actual, 1000)}`);
    if (check.location) lines.push(`  at ${formatLocation(check.location)}`);
  }
  if (result.hint) lines.push(`fix: ${result.hint}`);
  return lines;
}
