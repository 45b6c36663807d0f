/**
 * The `expected` checks: on the episode's output text and its tool calls.
 *
 * @module
 */
import { AssayError, quote } from "../errors.ts";
import type { Episode } from "../trace/model.ts";
import type { Expectation, TestSpec } from "./config_types.ts";
import type { RegexGuard, RegexOutcome } from "./regex_guard.ts";
import { isSubsequence, toolList } from "./assertions.ts";
import {
  cosineSimilarity,
  judgeContext,
  type JudgeKind,
  type Scorer,
  traceEmbedding,
  traceJudgement,
} from "./semantic.ts";
import type { CheckResult } from "./types.ts";

/** What an expectation needs besides the episode. */
export interface ExpectationContext {
  /** The test being evaluated (for messages and `input.context`). */
  test: Pick<TestSpec, "id" | "context">;
  guard: RegexGuard;
  /** `--replay-strict`: scores only from the trace. */
  strict: boolean;
  /** Live embedder/judge (not strict); `undefined` when none is configured. */
  scorer?: Scorer;
}

const EXCERPT = 120;

/**
 * Evaluate one expectation. A failing check returns `passed: false`; data
 * the check needs but cannot get (strict replay without recorded scores)
 * throws an `AssayError` (`E_REPLAY_STRICT_MISSING`), which makes the
 * test an error rather than a failure.
 *
 * @example
 * ```ts
 * import { readTraceAll } from "@assay-it/sdk";
 * import { evaluateExpectation, parseConfig, RegexGuard } from "@assay-it/sdk/gate";
 * const config = await parseConfig(
 *   "tests:\n  - id: e1\n    expected: { type: must_contain, must_contain: [hello] }\n",
 * );
 * const { episodes } = await readTraceAll('{"prompt":"hi","response":"hello","episode_id":"e1"}\n');
 * const guard = new RegexGuard();
 * const check = await evaluateExpectation(config.tests[0].expected[0], episodes[0], {
 *   test: config.tests[0],
 *   guard,
 *   strict: true,
 * });
 * await guard.close();
 * console.log(check.passed); // true
 * ```
 */
export async function evaluateExpectation(
  exp: Expectation,
  episode: Episode,
  ctx: ExpectationContext,
): Promise<CheckResult> {
  return await checkExpectation(exp, episode, ctx);
}

/**
 * {@linkcode evaluateExpectation} without a promise when none is needed:
 * only a live embedder or judge, and a risky regex on a long output (which
 * runs in the guard's worker), answer later. A run of thousands of tests
 * then pays no promise and no await per check. May throw instead of
 * rejecting.
 */
export function checkExpectation(
  exp: Expectation,
  episode: Episode,
  ctx: ExpectationContext,
): CheckResult | Promise<CheckResult> {
  const output = episode.output;
  const shown = quote(output, EXCERPT);
  switch (exp.type) {
    case "must_contain": {
      const missing = exp.values.filter((v) => !output.includes(v));
      return {
        kind: exp.type,
        location: exp.location,
        passed: missing.length === 0,
        message: missing.length === 0
          ? `output contains ${exp.values.map((v) => quote(v, 40)).join(", ")}`
          : `expected the output to contain ${
            missing.map((v) => quote(v, 40)).join(", ")
          }; the output was ${shown}`,
        expected: `contains ${exp.values.map((v) => quote(v, 40)).join(", ")}`,
        actual: shown,
      };
    }
    case "must_not_contain": {
      const found = exp.values.filter((v) => output.includes(v));
      return {
        kind: exp.type,
        location: exp.location,
        passed: found.length === 0,
        message: found.length === 0
          ? `output contains none of ${exp.values.map((v) => quote(v, 40)).join(", ")}`
          : `expected the output not to contain ${
            found.map((v) => quote(v, 40)).join(", ")
          }; it does at index ${output.indexOf(found[0])}: ${
            quote(around(output, output.indexOf(found[0]), found[0].length), EXCERPT)
          }`,
        expected: `none of ${exp.values.map((v) => quote(v, 40)).join(", ")}`,
        actual: shown,
      };
    }
    case "regex_match":
    case "regex_not_match": {
      const outcome = exp.literal
        ? { status: "ok" as const, matched: exp.literal(output) }
        : ctx.guard.testNow(exp.regex, output);
      return outcome
        ? regexCheck(exp, output, shown, outcome)
        : ctx.guard.test(exp.regex, output).then((o) => regexCheck(exp, output, shown, o));
    }
    case "json_schema": {
      let value: unknown;
      try {
        value = JSON.parse(output);
      } catch (err) {
        return {
          kind: exp.type,
          location: exp.location,
          passed: false,
          message: `expected the output to be JSON matching the schema; it is not JSON (${
            (err as Error).message
          }): ${shown}`,
          expected: "JSON matching the schema",
          actual: shown,
        };
      }
      const r = exp.validator.safeParse(value);
      return {
        kind: exp.type,
        location: exp.location,
        passed: r.success,
        message: r.success
          ? "output is JSON matching the schema"
          : `expected the output to match the JSON Schema; ${
            schemaProblems(r.error)
          }; the output was ${shown}`,
        expected: quote(exp.schema, EXCERPT),
        actual: shown,
      };
    }
    case "args_valid": {
      const problems: string[] = [];
      let checked = 0;
      episode.toolCalls.forEach((call, i) => {
        const s = exp.schemas[call.toolName];
        if (!s) return;
        checked++;
        const r = s.validator.safeParse(call.args);
        if (!r.success) {
          problems.push(
            `${call.toolName} call #${i + 1} (${call.stepId}) args ${quote(call.args, 80)}: ${
              schemaProblems(r.error)
            }`,
          );
        }
      });
      const tools = Object.keys(exp.schemas).join(", ");
      return {
        kind: exp.type,
        location: exp.location,
        passed: problems.length === 0,
        message: problems.length === 0
          ? checked === 0
            ? `no calls of ${tools} to check`
            : `${checked} call${checked === 1 ? "" : "s"} with valid args`
          : `expected the args of ${tools} to match their schemas; ${problems.join("; ")}`,
        expected: `valid args for ${tools}`,
        actual: problems.length ? problems[0] : `${checked} valid`,
      };
    }
    case "sequence_valid": {
      const names = episode.toolCalls.map((c) => c.toolName);
      const problems: string[] = [];
      if (
        exp.sequence &&
        !(exp.sequence.length === names.length && exp.sequence.every((n, i) => n === names[i]))
      ) {
        problems.push(
          `expected the tool sequence ${toolList(exp.sequence)}; the trace had ${toolList(names)}`,
        );
      }
      for (const rule of exp.rules) {
        if (rule.type === "require" && !names.includes(rule.tool)) {
          problems.push(
            `rule require: expected a call of ${rule.tool}; the trace had ${toolList(names)}`,
          );
        } else if (rule.type === "before") {
          const then = names.indexOf(rule.then);
          if (then >= 0 && !isSubsequence([rule.first], names.slice(0, then))) {
            problems.push(
              `rule before: expected ${rule.first} before the first ${rule.then}; the trace had ${
                toolList(names)
              }`,
            );
          }
        } else if (rule.type === "blocklist") {
          const hit = names.find((n) => {
            rule.regex.lastIndex = 0;
            return rule.regex.test(n);
          });
          if (hit !== undefined) {
            problems.push(
              `rule blocklist: tool ${hit} matches the blocked pattern /${rule.pattern}/`,
            );
          }
        }
      }
      return {
        kind: exp.type,
        location: exp.location,
        passed: problems.length === 0,
        message: problems.length === 0
          ? `tool sequence ${toolList(names)} is valid`
          : problems.join("; "),
        expected: exp.sequence ? toolList(exp.sequence) : `${exp.rules.length} rule(s)`,
        actual: toolList(names),
      };
    }
    case "tool_blocklist": {
      const hits = episode.toolCalls.filter((c) => exp.blocked.includes(c.toolName));
      return {
        kind: exp.type,
        location: exp.location,
        passed: hits.length === 0,
        message: hits.length === 0
          ? `no blocked tool called`
          : `expected no call of ${exp.blocked.join(", ")}; the trace called ${
            hits.map((c) => `${c.toolName} (${c.stepId}, line ${c.line})`).join(", ")
          }`,
        expected: `none of ${exp.blocked.join(", ")}`,
        actual: toolList(episode.toolCalls.map((c) => c.toolName)),
      };
    }
    case "semantic_similarity_to":
      return similarityCheck(exp, episode, ctx, output, shown);
    case "faithfulness":
    case "relevance":
      return judgeCheck(exp, episode, ctx, output);
  }
}

type RegexExpectation = Extract<Expectation, { type: "regex_match" | "regex_not_match" }>;

/** The check of a regex expectation, once the regex has answered. */
function regexCheck(
  exp: RegexExpectation,
  output: string,
  shown: string,
  outcome: RegexOutcome,
): CheckResult {
  const shownRe = `/${exp.pattern}/${exp.flags.join("")}`;
  if (outcome.status === "timeout") {
    return {
      kind: exp.type,
      location: exp.location,
      passed: false,
      message:
        `regex ${shownRe} did not finish within ${outcome.timeoutMs} ms on the ${output.length}-character output ` +
        `(catastrophic backtracking: rewrite it without nested quantifiers such as (a+)+)`,
      expected: shownRe,
      actual: shown,
    };
  }
  const want = exp.type === "regex_match";
  const passed = outcome.matched === want;
  let message: string;
  if (want) {
    message = passed
      ? `output matches ${shownRe}`
      : `expected the output to match ${shownRe}; the output was ${shown}`;
  } else if (passed) {
    message = `output does not match ${shownRe}`;
  } else {
    exp.regex.lastIndex = 0;
    const m = exp.regex.exec(output);
    message = `expected the output not to match ${shownRe}; it matched ${
      quote(m?.[0] ?? "", 60)
    } at index ${m?.index ?? 0} of ${shown}`;
  }
  return {
    kind: exp.type,
    location: exp.location,
    passed,
    message,
    expected: shownRe,
    actual: shown,
  };
}

type SimilarityExpectation = Extract<Expectation, { type: "semantic_similarity_to" }>;
type JudgeExpectation = Extract<Expectation, { type: "faithfulness" | "relevance" }>;

/** `semantic_similarity_to`: embeddings from the trace, else from the live embedder. */
async function similarityCheck(
  exp: SimilarityExpectation,
  episode: Episode,
  ctx: ExpectationContext,
  output: string,
  shown: string,
): Promise<CheckResult> {
  let a = traceEmbedding(episode, output);
  let b = traceEmbedding(episode, exp.reference);
  let source = "trace";
  if (!a || !b) {
    const missing = !a ? "the output" : `the reference ${quote(exp.reference, 60)}`;
    const scorer = needLive(
      ctx,
      `an embedding of ${missing}`,
      'meta["assay.embeddings"].vectors',
    );
    [a, b] = await scorer.embed([output, exp.reference]);
    source = "live embedder";
  }
  const score = cosineSimilarity(a, b);
  const passed = score >= exp.minScore;
  return {
    kind: exp.type,
    location: exp.location,
    passed,
    score,
    message: passed
      ? `similarity ${score.toFixed(3)} >= ${exp.minScore} (${source})`
      : `expected semantic similarity >= ${exp.minScore} to ${quote(exp.reference, 60)}; it was ${
        score.toFixed(3)
      } (${source}) for the output ${shown}`,
    expected: `>= ${exp.minScore}`,
    actual: score.toFixed(3),
  };
}

/** `faithfulness` and `relevance`: the verdict from the trace, else from the live judge. */
async function judgeCheck(
  exp: JudgeExpectation,
  episode: Episode,
  ctx: ExpectationContext,
  output: string,
): Promise<CheckResult> {
  const kind: JudgeKind = exp.type;
  let verdict = traceJudgement(episode, kind);
  let source = "trace";
  if (!verdict) {
    const scorer = needLive(ctx, `a ${kind} verdict`, `meta["assay.judge"].${kind}`);
    verdict = await scorer.judge(kind, {
      prompt: episode.prompt,
      output,
      context: judgeContext(episode, ctx.test.context ?? []),
    });
    source = "live judge";
  }
  const passed = verdict.score >= exp.minScore;
  const why = verdict.rationale ? `: ${quote(verdict.rationale, 100)}` : "";
  return {
    kind: exp.type,
    location: exp.location,
    passed,
    score: verdict.score,
    message: passed
      ? `${kind} ${verdict.score.toFixed(2)} >= ${exp.minScore} (${source})`
      : `expected ${kind} >= ${exp.minScore}; the ${source} gave ${verdict.score.toFixed(2)}${why}`,
    expected: `>= ${exp.minScore}`,
    actual: verdict.score.toFixed(2),
  };
}

function needLive(ctx: ExpectationContext, what: string, where: string): Scorer {
  if (ctx.strict) {
    throw new AssayError(
      "E_REPLAY_STRICT_MISSING",
      `test ${
        quote(ctx.test.id)
      } needs ${what}, which the trace does not have (strict replay makes no network calls)`,
      {
        hint:
          `record it into the trace (${where}), or run without --replay-strict with settings.embedder / settings.judge configured`,
      },
    );
  }
  if (!ctx.scorer) {
    throw new AssayError(
      "E_REPLAY_STRICT_MISSING",
      `test ${
        quote(ctx.test.id)
      } needs ${what}: the trace does not have it and no live model is configured`,
      {
        hint:
          `record it into the trace (${where}), or configure settings.embedder / settings.judge in the config`,
      },
    );
  }
  return ctx.scorer;
}

function schemaProblems(
  err: { issues: readonly { path: readonly PropertyKey[]; message: string }[] },
): string {
  const parts = err.issues.slice(0, 3).map((i) =>
    `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`
  );
  if (err.issues.length > 3) parts.push(`and ${err.issues.length - 3} more`);
  return parts.join(", ");
}

function around(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 30);
  return (start > 0 ? "…" : "") + text.slice(start, index + length + 30);
}
