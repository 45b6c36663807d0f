/**
 * A guard against runaway regexes. JavaScript's backtracking engine can
 * take exponential time on patterns such as `(a+)+$`; one such pattern
 * must fail its test, not hang the gate.
 *
 * Two layers: a static check flags patterns that can backtrack
 * catastrophically (a repeated group that itself contains a repetition or
 * an alternation, or a backreference). Safe patterns, and risky ones on
 * short inputs, run inline. Risky patterns on longer inputs run in a worker
 * thread with a time budget; when the budget runs out the worker is
 * terminated and the check fails with a clear message.
 *
 * @module
 */
import { type LiteralTest, literalTester } from "../_regex.ts";

/** How one guarded evaluation ended. */
export type RegexOutcome =
  | { status: "ok"; matched: boolean }
  | { status: "timeout"; timeoutMs: number };

/** Runs one regex test off the main thread with a time budget (see `src/runtime/regex_worker.ts`). */
export interface RegexSandbox {
  test(regex: RegExp, input: string, timeoutMs: number): Promise<RegexOutcome>;
  /** Stops the worker, if one is running. */
  close(): Promise<void>;
}

// Below this length even an exponential pattern finishes in well under a millisecond.
const INLINE_LIMIT = 16;

/**
 * Whether `source` (a JS regex source) can backtrack catastrophically:
 * a quantified group containing a quantifier or an alternation (`(a+)+`,
 * `(a|aa)*`), or a backreference.
 *
 * @example
 * ```ts
 * import { isRiskyPattern } from "@assay-it/sdk";
 * console.log(isRiskyPattern("(a+)+$"), isRiskyPattern("^\\d+C$")); // true false
 * ```
 */
export function isRiskyPattern(source: string): boolean {
  // One frame per open group: did it contain a quantifier or an alternation?
  const stack: { risky: boolean }[] = [{ risky: false }];
  let lastGroupRisky = false;
  let prevWasGroupEnd = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    const quantStart = c === "*" || c === "+" || c === "?" || c === "{";
    if (quantStart) {
      let repeats = c !== "?";
      if (c === "{") {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(source.slice(i));
        if (!m) {
          prevWasGroupEnd = false;
          continue;
        }
        repeats = m[2] === "," ? m[3] === "" || Number(m[3]) > 1 : Number(m[1]) > 1;
        i += m[0].length - 1;
      }
      if (repeats) {
        if (prevWasGroupEnd && lastGroupRisky) return true;
        stack[stack.length - 1].risky = true;
      }
      prevWasGroupEnd = false;
      continue;
    }
    prevWasGroupEnd = false;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      if (/[1-9]/.test(next) || (next === "k" && source[i + 2] === "<")) return true;
      i++;
    } else if (c === "[") {
      for (i++; i < source.length && source[i] !== "]"; i++) if (source[i] === "\\") i++;
    } else if (c === "(") {
      stack.push({ risky: false });
    } else if (c === ")") {
      const frame = stack.length > 1 ? stack.pop()! : { risky: false };
      lastGroupRisky = frame.risky;
      if (frame.risky) stack[stack.length - 1].risky = true;
      prevWasGroupEnd = true;
    } else if (c === "|") {
      stack[stack.length - 1].risky = true;
    }
  }
  return false;
}

/** Options of {@linkcode RegexGuard}. */
export interface RegexGuardOptions {
  /** Time budget of one risky evaluation. Default 1000 ms. */
  timeoutMs?: number;
  /** Where risky evaluations run; default: a worker thread (loaded on first need). */
  sandbox?: RegexSandbox;
}

/**
 * Evaluates regexes, sending risky ones to a worker with a time budget.
 * Call `close()` when done so the worker does not keep the process alive.
 *
 * @example
 * ```ts
 * import { RegexGuard } from "@assay-it/sdk";
 * const guard = new RegexGuard({ timeoutMs: 500 });
 * const outcome = await guard.test(/(a+)+$/u, "a".repeat(40) + "!");
 * console.log(outcome.status); // "timeout"
 * await guard.close();
 * ```
 */
export class RegexGuard {
  readonly #timeoutMs: number;
  #sandbox: RegexSandbox | Promise<RegexSandbox> | undefined;
  readonly #risky = new Map<string, boolean>();
  // Per regex (its source and flags never change): the string test of a literal pattern, or null.
  readonly #literal = new WeakMap<RegExp, LiteralTest | null>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: RegexGuardOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#sandbox = options.sandbox;
  }

  /** Test `regex` against `input` (the regex's `lastIndex` is ignored). */
  async test(
    regex: RegExp,
    input: string,
    timeoutMs: number = this.#timeoutMs,
  ): Promise<RegexOutcome> {
    return this.testNow(regex, input) ?? await this.#sandboxed(regex, input, timeoutMs);
  }

  /**
   * The outcome of {@linkcode test} when it needs no worker: a literal
   * pattern, a pattern that cannot backtrack catastrophically, or a short
   * input. `undefined` when only `test` can answer (a risky pattern on a
   * long input). Lets a caller with thousands of tests stay synchronous.
   */
  testNow(regex: RegExp, input: string): RegexOutcome | undefined {
    // A literal pattern (most are) is a string comparison: no regex to compile or run.
    let literal = this.#literal.get(regex);
    if (literal === undefined) {
      literal = literalTester(regex) ?? null;
      this.#literal.set(regex, literal);
    }
    if (literal !== null) return { status: "ok", matched: literal(input) };
    let risky = this.#risky.get(regex.source);
    if (risky === undefined) {
      risky = isRiskyPattern(regex.source);
      this.#risky.set(regex.source, risky);
    }
    if (!risky || input.length <= INLINE_LIMIT) {
      regex.lastIndex = 0;
      return { status: "ok", matched: regex.test(input) };
    }
    return undefined;
  }

  #sandboxed(regex: RegExp, input: string, timeoutMs: number): Promise<RegexOutcome> {
    // One risky evaluation at a time, so each gets its whole budget and a
    // timeout (which kills the worker) never takes another test down with it.
    const run = this.#queue.then(async () => {
      this.#sandbox ??= import("../runtime/regex_worker.ts").then((m) => m.createRegexWorker());
      const sandbox = await this.#sandbox;
      this.#sandbox = sandbox;
      return await sandbox.test(regex, input, timeoutMs);
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Stop the worker, if one was started. */
  async close(): Promise<void> {
    const s = this.#sandbox;
    this.#sandbox = undefined;
    if (s) await (await s).close();
  }
}
