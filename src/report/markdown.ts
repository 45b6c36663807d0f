/**
 * A short Markdown summary for GitHub step summaries (and PR comments).
 *
 * @module
 */
import type { GateRun, TestResult, TestStatus } from "../gate/types.ts";
import { excerpt, failedChecks, formatMs, mainMessage } from "./_text.ts";

/** Suites up to this size list every test; larger ones list only the tests that did not pass. */
const LIST_ALL_UP_TO = 50;

const ICON: Record<TestStatus, string> = { pass: "✅ pass", fail: "❌ fail", error: "⚠️ error" };

/** Make text safe in a table cell: one line, no HTML, pipes and Markdown punctuation escaped. */
function cell(text: string, max = 200): string {
  return excerpt(text, max)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|#~])/g, "\\$1");
}

function details(result: TestResult): string {
  if (result.status === "pass") return "";
  const failed = failedChecks(result)[0];
  const code = result.errorCode ? `[${result.errorCode}] ` : "";
  let text = failed && !result.errorCode
    ? `${failed.kind}: ${failed.message}`
    : `${code}${mainMessage(result)}`;
  if (failed?.expected !== undefined && failed.actual !== undefined) {
    text += ` (expected ${excerpt(failed.expected, 60)}, got ${excerpt(failed.actual, 60)})`;
  }
  return cell(text, 300);
}

/**
 * Render a run as Markdown: a heading with the verdict, the counts, and a
 * table of tests (status, id, time, what failed). Cell text is escaped
 * (pipes, HTML, Markdown punctuation), so a test id cannot break the table.
 *
 * @example
 * ```ts
 * import { renderMarkdown } from "./markdown.ts";
 * declare const run: import("../gate/types.ts").GateRun;
 * const md = renderMarkdown(run); // append to $GITHUB_STEP_SUMMARY
 * ```
 */
export function renderMarkdown(run: GateRun): string {
  const { total, passed, failed, errored } = run.counts;
  const verdict = run.verdict === "pass" ? "✅ pass" : "❌ fail";
  const lines = [
    `### Assay: ${cell(run.suite)}: ${verdict}`,
    "",
    `**${passed} passed, ${failed} failed, ${errored} ${
      errored === 1 ? "error" : "errors"
    }** of ${total} ${total === 1 ? "test" : "tests"} in ${formatMs(run.durationMs)}; trace ${
      cell(run.traceFile)
    }${run.strict ? " (strict replay)" : ""}.`,
    "",
  ];
  const listAll = run.results.length <= LIST_ALL_UP_TO;
  const shown = listAll ? run.results : run.results.filter((r) => r.status !== "pass");
  if (shown.length > 0) {
    lines.push("| Status | Test | Time | Details |", "| --- | --- | ---: | --- |");
    for (const r of shown) {
      lines.push(
        `| ${ICON[r.status]} | ${cell(r.testId)} | ${formatMs(r.durationMs)} | ${details(r)} |`,
      );
    }
    lines.push("");
  }
  if (!listAll) {
    lines.push(`${passed} passing ${passed === 1 ? "test is" : "tests are"} not listed.`, "");
  }
  for (const warning of run.warnings) lines.push(`> warning: ${cell(warning, 300)}`);
  if (run.warnings.length > 0) lines.push("");
  return lines.join("\n");
}
