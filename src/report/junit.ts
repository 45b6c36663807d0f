/**
 * JUnit XML for CI test tabs: one `<testsuite>` per run, one `<testcase>`
 * per test, `<failure>`/`<error>` with message and details.
 *
 * @module
 */
import type { GateRun, TestResult } from "../gate/types.ts";
import { escapeUnprintable, failureDetails, mainMessage, seconds } from "./_text.ts";

/** Escape text content: `&`, `<`, `>`, and characters XML 1.0 forbids. */
function text(value: string): string {
  return escapeUnprintable(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  );
}

/** Escape an attribute value; line breaks and tabs become references so parsers keep them. */
function attr(value: string | number): string {
  return text(String(value)).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}

function testcase(result: TestResult, suite: string): string[] {
  const attrs = [
    `name="${attr(result.testId)}"`,
    `classname="${attr(suite)}"`,
    `time="${seconds(result.durationMs)}"`,
  ];
  if (result.location) {
    attrs.push(`file="${attr(result.location.file)}"`, `line="${result.location.line}"`);
  }
  const open = `    <testcase ${attrs.join(" ")}`;
  if (result.status === "pass" && result.warnings.length === 0) return [`${open}/>`];
  const lines = [`${open}>`];
  if (result.status !== "pass") {
    const element = result.status === "error" ? "error" : "failure";
    const type = result.errorCode ?? result.checks.find((c) => !c.passed)?.kind ?? result.status;
    lines.push(
      `      <${element} message="${attr(mainMessage(result))}" type="${attr(type)}">${
        text(failureDetails(result).join("\n"))
      }</${element}>`,
    );
  }
  if (result.warnings.length > 0) {
    lines.push(
      `      <system-out>${
        text(result.warnings.map((w) => `warning: ${w}`).join("\n"))
      }</system-out>`,
    );
  }
  lines.push("    </testcase>");
  return lines;
}

/**
 * Render a run as JUnit XML (the widely read Jenkins/Ant dialect):
 * `tests`, `failures`, `errors` and `time` (seconds) on both the
 * `<testsuites>` and `<testsuite>` elements; `classname` is the suite.
 *
 * @example
 * ```ts
 * import { renderJunit } from "./junit.ts";
 * declare const run: import("../gate/types.ts").GateRun;
 * const xml = renderJunit(run); // write it where the CI reads JUnit files
 * ```
 */
export function renderJunit(run: GateRun): string {
  const { total, failed, errored } = run.counts;
  const counts = `tests="${total}" failures="${failed}" errors="${errored}" skipped="0" time="${
    seconds(run.durationMs)
  }"`;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="assay" ${counts}>`,
    `  <testsuite name="${attr(run.suite)}" ${counts} timestamp="${attr(run.startedAt)}" file="${
      attr(run.configPath)
    }">`,
    "    <properties>",
    `      <property name="assay.run_id" value="${attr(run.runId)}"/>`,
    `      <property name="assay.config_hash" value="${attr(run.configHash)}"/>`,
    `      <property name="assay.trace_file" value="${attr(run.traceFile)}"/>`,
    `      <property name="assay.replay_strict" value="${run.strict}"/>`,
    `      <property name="assay.verdict" value="${run.verdict}"/>`,
    "    </properties>",
  ];
  for (const result of run.results) lines.push(...testcase(result, run.suite));
  if (run.warnings.length > 0) {
    lines.push(
      `    <system-out>${text(run.warnings.map((w) => `warning: ${w}`).join("\n"))}</system-out>`,
    );
  }
  lines.push("  </testsuite>", "</testsuites>", "");
  return lines.join("\n");
}
