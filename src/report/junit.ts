/**
 * JUnit XML for CI test tabs: one `<testsuite>` per run, one `<testcase>`
 * per test, `<failure>`/`<error>` with message and details.
 *
 * @module
 */
import type { GateRun, TestResult } from "../gate/types.ts";
import { escapeUnprintable, failureDetails, mainMessage, seconds } from "./_text.ts";

// Whether a value may need escaping: one class scan, so that the common plain
// value skips the replace passes (C0 and C1 controls, DEL, surrogates, U+FFFE/F).
// deno-lint-ignore no-control-regex
const TEXT_SPECIAL = /[&<>\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/;
// deno-lint-ignore no-control-regex
const ATTR_SPECIAL = /[&<>"'\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffe\uffff]/;

/** Escape text content: `&`, `<`, `>`, and characters XML 1.0 forbids. */
function text(value: string): string {
  if (!TEXT_SPECIAL.test(value)) return value;
  return escapeUnprintable(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  );
}

/** Escape an attribute value; line breaks and tabs become references so parsers keep them. */
function attr(value: string | number): string {
  const plain = String(value);
  if (!ATTR_SPECIAL.test(plain)) return plain;
  return text(plain).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}

/** Append the lines of one `<testcase>` to `lines`; `classname` is already escaped. */
function testcase(lines: string[], result: TestResult, classname: string): void {
  let open = `    <testcase name="${attr(result.testId)}" classname="${classname}" time="${
    seconds(result.durationMs)
  }"`;
  if (result.location) {
    open += ` file="${attr(result.location.file)}" line="${result.location.line}"`;
  }
  if (result.status === "pass" && result.warnings.length === 0) {
    lines.push(`${open}/>`);
    return;
  }
  lines.push(`${open}>`);
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
  const classname = attr(run.suite);
  for (const result of run.results) testcase(lines, result, classname);
  if (run.warnings.length > 0) {
    lines.push(
      `    <system-out>${text(run.warnings.map((w) => `warning: ${w}`).join("\n"))}</system-out>`,
    );
  }
  lines.push("  </testsuite>", "</testsuites>", "");
  return lines.join("\n");
}
