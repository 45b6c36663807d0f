/**
 * Trace assertions: checks on an episode's steps and tool calls.
 *
 * @module
 */
import type { Episode } from "../trace/model.ts";
import type { Assertion } from "./config_types.ts";
import type { CheckResult } from "./types.ts";

/** The ordered tool names of an episode, rendered `[A, B]`. */
export function toolList(names: readonly string[]): string {
  return names.length === 0 ? "no tool calls" : `[${names.join(", ")}]`;
}

/**
 * Evaluate one trace assertion against an episode. The message says what
 * was expected and what the trace had.
 *
 * @example
 * ```ts
 * import { evaluateAssertion, readTraceAll } from "@assay-it/sdk";
 * const { episodes } = await readTraceAll(
 *   '{"prompt":"hi","response":"hello","episode_id":"e1"}\n',
 * );
 * const check = evaluateAssertion(
 *   { type: "trace_max_steps", max: 3, location: { file: "assay.yaml", line: 1, column: 1 } },
 *   episodes[0],
 * );
 * console.log(check.passed, check.message); // true "1 step (at most 3 allowed)"
 * ```
 */
export function evaluateAssertion(assertion: Assertion, episode: Episode): CheckResult {
  const names = episode.toolCalls.map((c) => c.toolName);
  const base = { kind: assertion.type, location: assertion.location };
  switch (assertion.type) {
    case "trace_must_call_tool": {
      const n = names.filter((x) => x === assertion.tool).length;
      const passed = n >= assertion.minCalls;
      return {
        ...base,
        passed,
        message: passed
          ? `${assertion.tool} called ${n} time${n === 1 ? "" : "s"}`
          : `expected ${assertion.tool} to be called at least ${assertion.minCalls} time${
            assertion.minCalls === 1 ? "" : "s"
          }; the trace called it ${n} time${n === 1 ? "" : "s"} (tool calls: ${toolList(names)})`,
        expected: `${assertion.tool} x >= ${assertion.minCalls}`,
        actual: toolList(names),
      };
    }
    case "trace_must_not_call_tool": {
      const calls = episode.toolCalls.filter((c) => c.toolName === assertion.tool);
      const passed = calls.length === 0;
      return {
        ...base,
        passed,
        message: passed
          ? `${assertion.tool} not called`
          : `expected no call of ${assertion.tool}; the trace called it ${calls.length} time${
            calls.length === 1 ? "" : "s"
          } (in ${calls.map((c) => c.stepId).join(", ")}; trace line ${calls[0].line})`,
        expected: `no ${assertion.tool}`,
        actual: toolList(names),
      };
    }
    case "trace_tool_sequence": {
      const want = assertion.sequence;
      const passed = assertion.allowOtherTools ? isSubsequence(want, names) : sameList(want, names);
      return {
        ...base,
        passed,
        message: passed
          ? `tool sequence ${toolList(names)}`
          : `expected tool sequence ${toolList(want)}${
            assertion.allowOtherTools
              ? " (in this order, other tools allowed in between)"
              : " (exactly, no other tools)"
          }; the trace had ${toolList(names)}`,
        expected: toolList(want),
        actual: toolList(names),
      };
    }
    case "trace_max_steps": {
      const n = episode.steps.length;
      const passed = n <= assertion.max;
      return {
        ...base,
        passed,
        message: passed
          ? `${n} step${n === 1 ? "" : "s"} (at most ${assertion.max} allowed)`
          : `expected at most ${assertion.max} step${
            assertion.max === 1 ? "" : "s"
          }; the trace had ${n} (${episode.steps.map((s) => s.stepId).join(", ")})`,
        expected: `<= ${assertion.max} steps`,
        actual: `${n} steps`,
      };
    }
  }
}

/** Whether `want` occurs in `have` in order (other items allowed in between). */
export function isSubsequence(want: readonly string[], have: readonly string[]): boolean {
  let i = 0;
  for (const h of have) if (i < want.length && h === want[i]) i++;
  return i === want.length;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
