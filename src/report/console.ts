/**
 * The human output of `assay ci` on stderr: one line per test, details of
 * failures on indented lines below it, and a closing summary.
 *
 * @module
 */
import type { GateRun, TestResult, TestStatus } from "../gate/types.ts";
import { excerpt, failureDetails, formatMs } from "./_text.ts";

/** Options of the console formatters. */
export interface ConsoleFormatOptions {
  /** Use ANSI colours. The CLI sets it for a TTY without `NO_COLOR`. */
  color: boolean;
}

const LABEL: Record<TestStatus, string> = { pass: "PASS ", fail: "FAIL ", error: "ERROR" };
const COLOR: Record<TestStatus, string> = { pass: "\x1b[32m", fail: "\x1b[31m", error: "\x1b[35m" };
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

/**
 * One test as console text: `PASS  id (3 ms)`; for a failure or error,
 * indented lines follow with the failing checks (expected vs actual
 * excerpts), the error code in brackets and the fix hint. Control
 * characters from the trace are shown escaped, never sent to the terminal.
 *
 * @example
 * ```ts
 * import { formatTestLine } from "./console.ts";
 * const line = formatTestLine(
 *   { testId: "weather", status: "pass", durationMs: 3, checks: [], scores: {}, warnings: [] },
 *   { color: false },
 * );
 * console.log(line); // "PASS  weather (3 ms)"
 * ```
 */
export function formatTestLine(result: TestResult, options: ConsoleFormatOptions): string {
  const paint = (code: string, text: string): string =>
    options.color ? `${code}${text}${RESET}` : text;
  const head = `${paint(COLOR[result.status], LABEL[result.status])} ${
    excerpt(result.testId, 200)
  } ${paint(DIM, `(${formatMs(result.durationMs)})`)}`;
  if (result.status === "pass") return head;
  const details = failureDetails(result).map((line) => `      ${excerpt(line, 240)}`);
  for (const warning of result.warnings) {
    details.push(paint(DIM, `      warning: ${excerpt(warning, 240)}`));
  }
  return [head, ...details].join("\n");
}

/**
 * The closing line: `Summary: 1 passed, 2 failed, 1 error (4 tests) in 42.5 ms`.
 *
 * @example
 * ```ts
 * import { formatSummary } from "./console.ts";
 * declare const run: import("../gate/types.ts").GateRun;
 * console.error(formatSummary(run, { color: false }));
 * ```
 */
export function formatSummary(run: GateRun, options: ConsoleFormatOptions): string {
  const { passed, failed, errored, total } = run.counts;
  const part = (n: number, text: string, status: TestStatus): string =>
    options.color && n > 0 ? `${COLOR[status]}${n} ${text}${RESET}` : `${n} ${text}`;
  const verdict = run.verdict === "pass" ? "PASS" : "FAIL";
  const shownVerdict = options.color ? `${COLOR[run.verdict]}${verdict}${RESET}` : verdict;
  return `Summary: ${part(passed, "passed", "pass")}, ${part(failed, "failed", "fail")}, ${
    part(errored, errored === 1 ? "error" : "errors", "error")
  } (${total} ${total === 1 ? "test" : "tests"}) in ${formatMs(run.durationMs)}: ${shownVerdict}`;
}
