/**
 * `runGate`: stream a trace, resolve each config test to its episode and
 * evaluate expectations, assertions and baseline checks. Returns data; the
 * CLI prints it and picks the exit code.
 *
 * @module
 */
import { AssayError, quote } from "../errors.ts";
import type { Episode } from "../trace/model.ts";
import { readTrace, type TraceSource } from "../trace/reader.ts";
import type { Baseline } from "./baseline.ts";
import type { GateConfig, TestSpec } from "./config_types.ts";
import { evaluateAssertion } from "./assertions.ts";
import { checkExpectation, type ExpectationContext } from "./expectations.ts";
import { RegexGuard } from "./regex_guard.ts";
import { EpisodeIndex } from "./resolver.ts";
import type { Scorer } from "./semantic.ts";
import type { CheckResult, GateRun, TestResult } from "./types.ts";

/** Options of {@linkcode runGate}. */
export interface RunGateOptions {
  /** `--replay-strict`: no network, unknown events fatal, ambiguity an error. */
  strict?: boolean;
  /** Label of the trace in results and messages. Default `"<trace>"`. */
  traceFile?: string;
  /** SHA-256 (hex) of the config file's bytes, recorded in the run. */
  configHash?: string;
  /** Compare against this baseline. */
  baseline?: Baseline;
  /** Live embedder/judge for runs without `strict`. */
  scorer?: Scorer;
  /** Regex evaluation with a time budget; default one built from `settings.regex_timeout_ms`. */
  regexGuard?: RegexGuard;
  /** Called as each test finishes (progress display). */
  onResult?: (result: TestResult, done: number, total: number) => void;
  /**
   * Give each result the signature of its episode (tool calls with
   * canonical args and results, the output), which `buildBaseline` needs.
   * Default `true`; always on with `baseline`. `assay ci` turns it off
   * unless it compares with or exports a baseline.
   */
  signatures?: boolean;
}

/** What {@linkcode runGate} returns: the run and the episodes its tests used. */
export interface GateOutcome {
  run: GateRun;
  /** The episodes the tests resolved to (each once, file order), for the store. */
  episodes: Episode[];
}

/**
 * Run every test of `config` against the episodes of `trace`.
 *
 * Throws `TraceSyntaxError` (`E_TRACE_INVALID`) when the trace cannot be
 * read; per-test problems (missing or ambiguous episodes, missing scores)
 * are `error` results, not exceptions.
 *
 * @example
 * ```ts
 * import { parseConfig, runGate } from "@assay-it/sdk/gate";
 * const config = await parseConfig(
 *   'tests:\n  - id: e1\n    expected: { type: regex_match, pattern: "hel+o" }\n',
 * );
 * const { run } = await runGate(config, '{"prompt":"hi","response":"hello","episode_id":"e1"}\n', {
 *   strict: true,
 * });
 * console.log(run.verdict, run.counts.passed); // "pass" 1
 * ```
 */
export async function runGate(
  config: GateConfig,
  trace: TraceSource,
  options: RunGateOptions = {},
): Promise<GateOutcome> {
  const strict = options.strict ?? false;
  const traceFile = options.traceFile ?? "<trace>";
  const started = Date.now();
  const startedClock = performance.now();
  const warnings: string[] = [];
  if (config.model !== "trace") {
    warnings.push(
      `model ${quote(config.model)} is only a label: answers always come from the trace`,
    );
  }
  const index = new EpisodeIndex(config.tests);
  for await (
    const ep of readTrace(trace, {
      file: traceFile,
      strict,
      onWarning: (w) => warnings.push(`${w.file}:${w.line}: ${w.message}`),
      // Build only the episodes some test can use; count the others.
      select: (h) => {
        if (index.wants(h.testId, h.prompt)) return true;
        index.addUnused(h.testId, h.prompt);
        return false;
      },
    })
  ) index.add(ep);

  const signatures = options.signatures !== false || options.baseline !== undefined;
  // Signatures and baseline diffs load only for the runs that use them (a
  // passing `assay ci` without a baseline does not parse them).
  const baselineCode = signatures ? await import("./baseline.ts") : undefined;
  const guard = options.regexGuard ?? new RegexGuard({ timeoutMs: config.settings.regexTimeoutMs });
  const results: TestResult[] = new Array(config.tests.length);
  let done = 0;
  // One context for the whole run (a per-test copy of the options was 1-2 us a test).
  const ctx: TestContext = {
    strict,
    guard,
    maxDrop: config.settings.maxDrop,
    baseline: options.baseline,
    scorer: options.scorer,
    baselineCode,
  };
  try {
    const settle = (i: number, result: TestResult): void => {
      results[i] = result;
      done++;
      options.onResult?.(result, done, config.tests.length);
    };
    await pool(config.tests.length, config.settings.parallel, (i) => {
      const test = config.tests[i];
      const evaluation = evaluateTest(test, index, ctx);
      if (!(evaluation instanceof Promise)) return settle(i, evaluation);
      // Only a live embedder/judge can keep a test waiting (runaway regexes
      // have their own budget), so only then does a test need a timer.
      return (options.scorer
        ? withTimeout(evaluation, test, config.settings.timeoutSeconds)
        : evaluation).then((result) => settle(i, result));
    });
  } finally {
    if (!options.regexGuard) await guard.close();
  }

  if (options.baseline) {
    const ids = new Set(config.tests.map((t) => t.id));
    const gone = Object.keys(options.baseline.tests).filter((id) => !ids.has(id));
    if (gone.length) warnings.push(`baseline tests no longer in the config: ${gone.join(", ")}`);
  }
  const episodes = index.kept();
  const unused = index.unmatched;
  if (unused > 0) {
    warnings.push(
      `${unused} of ${index.total} episode${
        index.total === 1 ? "" : "s"
      } in the trace matched no test`,
    );
  }
  const counts = {
    total: results.length,
    passed: results.filter((r) => r.status === "pass").length,
    failed: results.filter((r) => r.status === "fail").length,
    errored: results.filter((r) => r.status === "error").length,
  };
  return {
    run: {
      runId: crypto.randomUUID(),
      suite: config.suite,
      configPath: config.file,
      configHash: options.configHash ?? "",
      traceFile,
      strict,
      startedAt: new Date(started).toISOString(),
      durationMs: Math.round(performance.now() - startedClock),
      results,
      counts,
      verdict: counts.passed === counts.total ? "pass" : "fail",
      warnings,
    },
    episodes,
  };
}

interface TestContext {
  strict: boolean;
  guard: RegexGuard;
  /** The run's default; a test's own `max_drop` wins. */
  maxDrop: number;
  baseline: Baseline | undefined;
  scorer: RunGateOptions["scorer"];
  /** Set when results carry signatures (always with a baseline). */
  baselineCode: typeof import("./baseline.ts") | undefined;
}

/**
 * One test's result. Synchronous unless a check has to wait (a live
 * embedder or judge, a risky regex in the guard's worker): a 10,000-test run
 * then pays no promise per test and per check.
 */
function evaluateTest(
  test: TestSpec,
  index: EpisodeIndex,
  ctx: TestContext,
): TestResult | Promise<TestResult> {
  const t0 = performance.now();
  const resolution = index.resolve(test, { strict: ctx.strict });
  if (!resolution.ok) {
    return {
      testId: test.id,
      location: test.location,
      checks: [],
      scores: {},
      warnings: [],
      status: "error",
      durationMs: msSince(t0),
      errorCode: resolution.code,
      message: resolution.message,
      hint: resolution.hint,
    };
  }
  const ep = resolution.episode;
  const episode = { episodeId: ep.episodeId, file: ep.file, line: ep.line };
  if (ep.outcome === null) {
    const what = `episode ${
      quote(ep.episodeId)
    } (${ep.file}:${ep.line}) has no episode_end: the recording was interrupted`;
    if (ctx.strict) {
      return {
        testId: test.id,
        location: test.location,
        checks: [],
        scores: {},
        warnings: resolution.warnings,
        status: "error",
        durationMs: msSince(t0),
        episode,
        errorCode: "E_REPLAY_STRICT_MISSING",
        message: `test ${quote(test.id)} resolves to an incomplete ${what}`,
        hint: "re-record the episode, or run without --replay-strict to gate what was recorded",
      };
    }
    resolution.warnings.push(`${what}; gating what was recorded`);
  }
  const checks: CheckResult[] = [];
  if (test.prompt !== undefined && ep.prompt !== test.prompt) {
    checks.push({
      kind: "input.prompt",
      location: test.location,
      passed: false,
      message: `the episode's recorded prompt differs from input.prompt: ${
        promptDiff(test.prompt, ep.prompt)
      }`,
      expected: quote(test.prompt, 120),
      actual: quote(ep.prompt, 120),
    });
  }
  const state: Evaluation = { test, ep, episode, checks, warnings: resolution.warnings, t0 };
  const ectx: ExpectationContext = {
    test,
    guard: ctx.guard,
    strict: ctx.strict,
    scorer: ctx.scorer,
  };
  const expected = test.expected;
  for (let k = 0; k < expected.length; k++) {
    let check: CheckResult | Promise<CheckResult>;
    try {
      check = checkExpectation(expected[k], ep, ectx);
    } catch (err) {
      return notEvaluated(state, err);
    }
    if (check instanceof Promise) return evaluateLater(state, ectx, check, k, ctx);
    checks.push(check);
  }
  return finishTest(state, ctx);
}

/** What a test has gathered while its checks run. */
interface Evaluation {
  test: TestSpec;
  ep: Episode;
  episode: NonNullable<TestResult["episode"]>;
  checks: CheckResult[];
  warnings: string[];
  t0: number;
}

const msSince = (t0: number): number => Math.round((performance.now() - t0) * 100) / 100;

/** The rest of a test's expectations, from the first one that has to wait (number `k`). */
async function evaluateLater(
  state: Evaluation,
  ectx: ExpectationContext,
  pending: Promise<CheckResult>,
  k: number,
  ctx: TestContext,
): Promise<TestResult> {
  const expected = state.test.expected;
  try {
    state.checks.push(await pending);
    for (k++; k < expected.length; k++) {
      state.checks.push(await checkExpectation(expected[k], state.ep, ectx));
    }
  } catch (err) {
    return notEvaluated(state, err);
  }
  return finishTest(state, ctx);
}

/**
 * Missing recorded scores, or a live embedder/judge that failed: the test
 * could not be evaluated, which is an error result, not a crash of the run.
 */
function notEvaluated(state: Evaluation, err: unknown): TestResult {
  const { test } = state;
  const coded = err instanceof AssayError ? err : null;
  const result: TestResult = {
    testId: test.id,
    location: test.location,
    checks: state.checks,
    scores: {},
    warnings: state.warnings,
    episode: state.episode,
    status: "error",
    durationMs: msSince(state.t0),
    message: coded
      ? coded.message
      : `could not evaluate test ${quote(test.id)}: ${(err as Error)?.message ?? err}`,
  };
  if (coded) result.errorCode = coded.code;
  if (coded?.hint) result.hint = coded.hint;
  return result;
}

/** Assertions, scores and the baseline comparison, once every expectation has its check. */
function finishTest(state: Evaluation, ctx: TestContext): TestResult {
  const { test, ep, checks } = state;
  for (const a of test.assertions) checks.push(evaluateAssertion(a, ep));

  const scores: Record<string, number> = {};
  for (const c of checks) {
    if (c.score === undefined) continue;
    let key = c.kind;
    for (let n = 2; key in scores; n++) key = `${c.kind}#${n}`;
    scores[key] = c.score;
  }
  const code = ctx.baselineCode;
  const signature = code?.episodeSignature(ep);
  const warnings = [...state.warnings];
  if (ctx.baseline) {
    const entry = ctx.baseline.tests[test.id];
    if (entry) {
      checks.push(
        ...code!.compareWithBaseline(
          entry,
          { signature: signature!, scores },
          test.maxDrop ?? ctx.maxDrop,
        ),
      );
    } else warnings.push(`test ${quote(test.id)} is not in the baseline: nothing to compare`);
  }
  const failed = checks.find((c) => !c.passed);
  // Written out (not spread): the same keys, in the same order.
  const result: TestResult = {
    testId: test.id,
    location: test.location,
    checks,
    scores,
    warnings,
    status: failed ? "fail" : "pass",
    durationMs: msSince(state.t0),
    episode: state.episode,
  };
  if (signature) result.signature = signature;
  if (failed) {
    result.message = failed.message;
    if (failed.kind === "baseline") {
      result.errorCode = "E_BASE_MISMATCH";
      result.hint = "if the change is intended, re-export the baseline with --export-baseline";
    } else if (failed.kind.startsWith("trace_")) {
      result.errorCode = "E_TRACE_ASSERT_FAIL";
    }
  }
  return result;
}

/** `"Weather in Tokyo?"` vs `"Weather in Osaka?"`: where they first differ. */
function promptDiff(expected: string, actual: string): string {
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const from = Math.max(0, i - 20);
  const cut = (s: string) => (from > 0 ? "…" : "") + s.slice(from, i + 40);
  return `expected ${quote(expected, 100)}, the trace has ${
    quote(actual, 100)
  }; first difference at character ${i + 1}: ${quote(cut(expected), 70)} vs ${
    quote(cut(actual), 70)
  }`;
}

/**
 * Runs `fn(0)` .. `fn(n - 1)`, at most `width` of them waiting at a time; a
 * call that returns nothing has finished, so tests that need no waiting run
 * one after the other without a promise each.
 */
async function pool(
  n: number,
  width: number,
  fn: (i: number) => Promise<void> | void,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const pending = fn(next++);
      if (pending) await pending;
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}

async function withTimeout(
  p: Promise<TestResult>,
  test: TestSpec,
  seconds: number,
): Promise<TestResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<TestResult>((resolve) => {
    timer = setTimeout(() =>
      resolve({
        testId: test.id,
        status: "error",
        durationMs: seconds * 1000,
        location: test.location,
        checks: [],
        scores: {},
        warnings: [],
        message: `test ${quote(test.id)} did not finish within ${seconds} s`,
        hint: "raise settings.timeout_seconds, or check the live embedder/judge endpoint",
      }), seconds * 1000);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
