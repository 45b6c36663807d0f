/**
 * SARIF 2.1.0 for code-scanning views: one result per failing check (or
 * per failing/erroring test without a failing check), located at the
 * check's or the test's line in the config file.
 *
 * @module
 */
import type { ConfigLocation, GateRun, TestResult } from "../gate/types.ts";
import { SDK_VERSION } from "../version.ts";
import { elementPerLineJson } from "./_json.ts";
import { failedChecks, mainMessage } from "./_text.ts";

/** Short descriptions of the rules a result can name (check kinds and error codes). */
const RULES: Record<string, string> = {
  must_contain: "The output must contain every listed string.",
  must_not_contain: "The output must contain none of the listed strings.",
  regex_match: "The output must match the pattern.",
  regex_not_match: "The output must not match the pattern.",
  json_schema: "The output must be JSON valid against the schema.",
  args_valid: "Each call of a listed tool must have valid arguments.",
  sequence_valid: "The tool calls must follow the sequence rules.",
  tool_blocklist: "No tool call may use a blocked tool.",
  semantic_similarity_to: "The output must be semantically similar to the reference text.",
  faithfulness: "The judge's faithfulness score must reach the minimum.",
  relevance: "The judge's relevance score must reach the minimum.",
  trace_must_call_tool: "The episode must call the tool at least the minimum number of times.",
  trace_must_not_call_tool: "The episode must not call the tool.",
  trace_tool_sequence: "The episode's tool calls must follow the sequence.",
  trace_max_steps: "The episode must not take more steps than the maximum.",
  E_TRACE_EPISODE_MISSING: "No episode of the trace matches the test.",
  E_TRACE_EPISODE_AMBIGUOUS: "Several episodes match the test under strict replay.",
  E_TRACE_ASSERT_FAIL: "A trace assertion failed.",
  E_REPLAY_STRICT_MISSING: "Strict replay lacks data the test needs.",
  E_BASE_MISMATCH: "The episode differs from the baseline.",
  test_failed: "The test failed.",
  test_error: "The test could not be evaluated.",
};

const encodeSegments = (path: string): string => path.split("/").map(encodeURIComponent).join("/");

/** A config path as a SARIF artifact location: relative paths get `uriBaseId: "%SRCROOT%"`. */
function uriOf(file: string): { uri: string; uriBaseId?: string } {
  const slashed = file.replace(/\\/g, "/");
  if (slashed.startsWith("/")) return { uri: `file://${encodeSegments(slashed)}` };
  if (/^[A-Za-z]:\//.test(slashed)) {
    return { uri: `file:///${slashed.slice(0, 2)}${encodeSegments(slashed.slice(2))}` };
  }
  return { uri: encodeSegments(slashed.replace(/^\.\//, "")), uriBaseId: "%SRCROOT%" };
}

interface SarifResultDraft {
  ruleId: string;
  text: string;
  location: ConfigLocation;
  test: TestResult;
}

function drafts(run: GateRun): SarifResultDraft[] {
  const out: SarifResultDraft[] = [];
  const fallback: ConfigLocation = { file: run.configPath, line: 1, column: 1 };
  for (const test of run.results) {
    if (test.status === "pass") continue;
    const where = test.location ?? fallback;
    const failed = failedChecks(test);
    for (const check of failed) {
      let message = `Test "${test.testId}": ${check.message}`;
      if (check.expected !== undefined) message += `\nExpected: ${check.expected}`;
      if (check.actual !== undefined) message += `\nActual: ${check.actual}`;
      out.push({ ruleId: check.kind, text: message, location: check.location ?? where, test });
    }
    if (failed.length === 0) {
      out.push({
        ruleId: test.errorCode ?? (test.status === "error" ? "test_error" : "test_failed"),
        text: `Test "${test.testId}": ${mainMessage(test)}`,
        location: where,
        test,
      });
    }
  }
  return out;
}

/**
 * Render a run as a SARIF 2.1.0 log. The tool driver is `assay` with its
 * version and the rules the results use; each result has level `error`,
 * a relative config URI with `uriBaseId: "%SRCROOT%"`, the line and column,
 * and a stable partial fingerprint (suite, test, rule).
 *
 * @example
 * ```ts
 * import { renderSarif } from "./sarif.ts";
 * declare const run: import("../gate/types.ts").GateRun;
 * const sarif = JSON.parse(renderSarif(run));
 * console.log(sarif.version); // "2.1.0"
 * ```
 */
export function renderSarif(run: GateRun): string {
  const found = drafts(run);
  const ruleIds = [...new Set(found.map((d) => d.ruleId))].sort();
  const rules = ruleIds.map((id) => ({
    id,
    shortDescription: { text: RULES[id] ?? `Assay check ${id}.` },
    defaultConfiguration: { level: "error" },
  }));
  const result = (d: SarifResultDraft) => {
    const fix = d.test.hint ? `\nFix: ${d.test.hint}` : "";
    return {
      ruleId: d.ruleId,
      ruleIndex: ruleIds.indexOf(d.ruleId),
      level: "error",
      message: { text: `${d.text}${fix}` },
      locations: [{
        physicalLocation: {
          artifactLocation: uriOf(d.location.file),
          region: {
            startLine: Math.max(1, d.location.line),
            startColumn: Math.max(1, d.location.column),
          },
        },
      }],
      partialFingerprints: { "assayTest/v1": `${run.suite}/${d.test.testId}/${d.ruleId}` },
      properties: {
        testId: d.test.testId,
        status: d.test.status,
        ...(d.test.errorCode ? { errorCode: d.test.errorCode } : {}),
      },
    };
  };
  const log = (results: unknown[]) => ({
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: "assay",
          version: SDK_VERSION,
          semanticVersion: SDK_VERSION,
          informationUri: "https://www.npmjs.com/package/@assay-it/sdk",
          rules,
        },
      },
      automationDetails: { id: `assay/${run.suite}/` },
      invocations: [{ executionSuccessful: true, startTimeUtc: run.startedAt }],
      results,
      properties: {
        runId: run.runId,
        suite: run.suite,
        verdict: run.verdict,
        configHash: run.configHash,
        traceFile: run.traceFile,
        counts: run.counts,
      },
    }],
  });
  return `${elementPerLineJson(found, (f) => JSON.stringify(result(f)), log)}\n`;
}
