/**
 * Baselines: what makes `assay ci` a regression gate. `--export-baseline`
 * writes, per test, its scores and the signature of the episode it used;
 * `--baseline` fails a test whose score dropped by more than `max_drop`,
 * whose tool sequence changed, or whose tool arguments changed at all.
 *
 * @module
 */
import { AssayError, quote } from "../errors.ts";
import { canonicalJson, formatPath } from "../trace/canonical.ts";
import type { Episode } from "../trace/model.ts";
import type { CheckResult, EpisodeSignature, GateRun } from "./types.ts";

/** The baseline file (JSON). */
export interface Baseline {
  /** Format marker. */
  assay_baseline: 1;
  suite: string;
  createdAt: string;
  tests: Record<string, BaselineEntry>;
}

/** One test in a baseline. */
export interface BaselineEntry {
  scores: Record<string, number>;
  signature: EpisodeSignature;
}

/** One changed value inside tool arguments. */
export interface ValueDiff {
  /** `location`, `filters[0].min`, `(root)`. */
  path: string;
  /** JSON text of the old value; `undefined` when the key is new. */
  old?: string;
  /** JSON text of the new value; `undefined` when the key was removed. */
  new?: string;
}

/**
 * The signature of an episode: ordered tool calls with canonical args and
 * results, and the output text.
 *
 * @example
 * ```ts
 * import { episodeSignature, readTraceAll } from "@assay-it/sdk";
 * const { episodes } = await readTraceAll('{"prompt":"hi","response":"hello","episode_id":"e1"}\n');
 * console.log(episodeSignature(episodes[0]).output); // "hello"
 * ```
 */
export function episodeSignature(ep: Episode): EpisodeSignature {
  return {
    episodeId: ep.episodeId,
    prompt: ep.prompt,
    output: ep.output,
    toolCalls: ep.toolCalls.map((c) => ({
      name: c.toolName,
      args: canonicalJson(c.args),
      result: c.result === null ? null : canonicalJson(c.result),
      error: c.error,
    })),
  };
}

/**
 * Build a baseline from a run (tests that passed and have a signature).
 *
 * @example
 * ```ts
 * import { buildBaseline, type GateRun } from "@assay-it/sdk";
 * declare const run: GateRun;
 * const text = JSON.stringify(buildBaseline(run), null, 2);
 * ```
 */
export function buildBaseline(run: GateRun): Baseline {
  const tests: Record<string, BaselineEntry> = {};
  for (const r of run.results) {
    if (r.signature) tests[r.testId] = { scores: r.scores, signature: r.signature };
  }
  return { assay_baseline: 1, suite: run.suite, createdAt: run.startedAt, tests };
}

/**
 * Parse a baseline file's text. Throws `AssayError` `E_BASE_MISMATCH`
 * when it is not a baseline.
 *
 * @example
 * ```ts
 * import { parseBaseline } from "@assay-it/sdk";
 * const b = parseBaseline('{"assay_baseline":1,"suite":"s","createdAt":"","tests":{}}', "base.json");
 * console.log(Object.keys(b.tests).length); // 0
 * ```
 */
export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new AssayError(
      "E_BASE_MISMATCH",
      `baseline ${quote(file)} is not valid JSON: ${(err as Error).message}`,
      {
        hint: "write it with assay ci --export-baseline FILE",
      },
    );
  }
  const b = data as Partial<Baseline> | null;
  if (!b || b.assay_baseline !== 1 || typeof b.tests !== "object" || b.tests === null) {
    throw new AssayError(
      "E_BASE_MISMATCH",
      `${quote(file)} is not an Assay baseline (no "assay_baseline": 1)`,
      {
        hint: "write it with assay ci --export-baseline FILE",
      },
    );
  }
  return b as Baseline;
}

/**
 * Compare two JSON values; every differing leaf with its path.
 *
 * @example
 * ```ts
 * import { diffValues } from "@assay-it/sdk";
 * console.log(diffValues({ location: "Tokyo" }, { location: "Osaka" }));
 * // [{ path: "location", old: '"Tokyo"', new: '"Osaka"' }]
 * ```
 */
export function diffValues(
  oldValue: unknown,
  newValue: unknown,
  path: (string | number)[] = [],
): ValueDiff[] {
  if (sameJson(oldValue, newValue)) return [];
  const bothObjects = isPlainObject(oldValue) && isPlainObject(newValue);
  const bothArrays = Array.isArray(oldValue) && Array.isArray(newValue);
  if (bothObjects) {
    const out: ValueDiff[] = [];
    const keys = new Set([...Object.keys(oldValue), ...Object.keys(newValue)]);
    for (const k of [...keys].sort()) {
      if (!(k in newValue)) {
        out.push({ path: formatPath([...path, k]), old: canonicalJson(oldValue[k]) });
      } else if (!(k in oldValue)) {
        out.push({ path: formatPath([...path, k]), new: canonicalJson(newValue[k]) });
      } else out.push(...diffValues(oldValue[k], newValue[k], [...path, k]));
    }
    return out;
  }
  if (bothArrays && oldValue.length === newValue.length) {
    return oldValue.flatMap((v, i) => diffValues(v, newValue[i], [...path, i]));
  }
  return [{ path: formatPath(path), old: canonicalJson(oldValue), new: canonicalJson(newValue) }];
}

/**
 * Render one difference.
 *
 * @example
 * ```ts
 * import { formatDiff } from "@assay-it/sdk";
 * console.log(formatDiff({ path: "location", old: '"Tokyo"', new: '"Osaka"' })); // location: "Tokyo" -> "Osaka"
 * ```
 */
export function formatDiff(d: ValueDiff): string {
  if (d.old === undefined) return `${d.path}: added ${d.new}`;
  if (d.new === undefined) return `${d.path}: removed (was ${d.old})`;
  return `${d.path}: ${d.old} -> ${d.new}`;
}

/**
 * The baseline checks of one test: tool sequence, tool arguments, scores.
 * Returns one failing `CheckResult` per kind of change (kind `baseline`).
 *
 * @example
 * ```ts
 * import { compareWithBaseline, type BaselineEntry, type EpisodeSignature } from "@assay-it/sdk";
 * declare const entry: BaselineEntry;
 * declare const signature: EpisodeSignature;
 * for (const check of compareWithBaseline(entry, { signature, scores: {} }, 0.05)) console.log(check.message);
 * ```
 */
export function compareWithBaseline(
  entry: BaselineEntry,
  current: { signature: EpisodeSignature; scores: Record<string, number> },
  maxDrop: number,
): CheckResult[] {
  const out: CheckResult[] = [];
  const oldNames = entry.signature.toolCalls.map((c) => c.name);
  const newNames = current.signature.toolCalls.map((c) => c.name);
  if (oldNames.join("\u0000") !== newNames.join("\u0000")) {
    out.push({
      kind: "baseline",
      passed: false,
      message: `tool sequence changed against the baseline: was [${oldNames.join(", ")}], now [${
        newNames.join(", ")
      }]`,
      expected: `[${oldNames.join(", ")}]`,
      actual: `[${newNames.join(", ")}]`,
    });
  } else {
    const diffs: string[] = [];
    entry.signature.toolCalls.forEach((old, i) => {
      const now = current.signature.toolCalls[i];
      if (old.args === now.args) return;
      for (const d of diffValues(JSON.parse(old.args), JSON.parse(now.args))) {
        const path = d.path === "(root)"
          ? "args"
          : d.path.startsWith("[")
          ? `args${d.path}`
          : `args.${d.path}`;
        diffs.push(`${old.name} call #${i + 1} ${formatDiff({ ...d, path })}`);
      }
    });
    if (diffs.length > 0) {
      out.push({
        kind: "baseline",
        passed: false,
        message: `tool arguments changed against the baseline: ${diffs.join("; ")}`,
        expected: "the baseline's tool arguments",
        actual: diffs[0],
      });
    }
  }
  for (const [name, was] of Object.entries(entry.scores)) {
    const now = current.scores[name];
    if (now === undefined) continue;
    if (was - now > maxDrop + 1e-12) {
      out.push({
        kind: "baseline",
        passed: false,
        score: now,
        message: `score ${name} dropped from ${was.toFixed(3)} to ${
          now.toFixed(3)
        } (more than max_drop ${maxDrop})`,
        expected: `>= ${(was - maxDrop).toFixed(3)}`,
        actual: now.toFixed(3),
      });
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return canonicalJson(a) === canonicalJson(b);
}
