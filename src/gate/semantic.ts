/**
 * Scores that need a model: semantic similarity (embeddings) and judges
 * (faithfulness, relevance).
 *
 * Under `--replay-strict` they come only from the trace:
 *
 * - embeddings: `meta["assay.embeddings"]` on `episode_end` (preferred) or
 *   `episode_start`, shaped `{"model": "...", "vectors": {"<exact text>": [numbers]}}`:
 *   one vector for the episode's output and one for each reference text;
 * - judge verdicts: `meta["assay.judge"]` on `episode_end`, `episode_start` or
 *   the last step, shaped `{"faithfulness": {"score": 0.9, "rationale": "..."},
 *   "relevance": 0.8}` (a bare number is a score).
 *
 * Without strict mode, what the trace lacks is asked of a live embedder or
 * judge configured in `settings` (see `live.ts`).
 *
 * @module
 */
import type { JsonObject } from "../trace/events.ts";
import type { Episode } from "../trace/model.ts";

/** A judge kind. */
export type JudgeKind = "faithfulness" | "relevance";

/** What a judge is shown. */
export interface JudgeInput {
  prompt: string;
  output: string;
  /** Passages the output must be faithful to (tool results, `input.context`). */
  context: string[];
}

/** A judge's verdict. */
export interface Judgement {
  /** In [0, 1]. */
  score: number;
  rationale?: string;
}

/** Live scoring, used only without `--replay-strict`. */
export interface Scorer {
  /** One embedding per text, same order. */
  embed(texts: string[]): Promise<number[][]>;
  judge(kind: JudgeKind, input: JudgeInput): Promise<Judgement>;
}

function metaSources(ep: Episode, withSteps: boolean): JsonObject[] {
  const out = [ep.endMeta, ep.meta];
  if (withSteps) { for (let i = ep.steps.length - 1; i >= 0; i--) out.push(ep.steps[i].meta); }
  return out;
}

// The format's meta keys are literal dotted strings (`"assay.embeddings"`);
// a nested `{"assay": {"embeddings": ...}}` written by hand is read too.
function assayMeta(meta: JsonObject, key: "embeddings" | "judge"): unknown {
  const flat = meta[`assay.${key}`];
  if (flat !== undefined) return flat;
  const nested = meta.assay;
  return nested && typeof nested === "object" && !Array.isArray(nested)
    ? (nested as JsonObject)[key]
    : undefined;
}

function isVector(v: unknown): v is number[] {
  return Array.isArray(v) && v.length > 0 &&
    v.every((x) => typeof x === "number" && Number.isFinite(x));
}

/** The recorded embedding of `text` in the episode, if any. */
export function traceEmbedding(ep: Episode, text: string): number[] | undefined {
  for (const meta of metaSources(ep, false)) {
    const e = assayMeta(meta, "embeddings") as { vectors?: Record<string, unknown> } | undefined;
    const v = e && typeof e === "object" ? e.vectors?.[text] : undefined;
    if (isVector(v)) return v;
  }
  return undefined;
}

/** The recorded judge verdict of `kind` in the episode, if any. */
export function traceJudgement(ep: Episode, kind: JudgeKind): Judgement | undefined {
  for (const meta of metaSources(ep, true)) {
    const j = assayMeta(meta, "judge") as Record<string, unknown> | undefined;
    const v = j && typeof j === "object" ? j[kind] : undefined;
    if (typeof v === "number" && v >= 0 && v <= 1) return { score: v };
    if (v && typeof v === "object") {
      const s = (v as { score?: unknown }).score;
      const r = (v as { rationale?: unknown }).rationale;
      if (typeof s === "number" && s >= 0 && s <= 1) {
        return typeof r === "string" ? { score: s, rationale: r } : { score: s };
      }
    }
  }
  return undefined;
}

/**
 * Cosine similarity of two vectors of the same length.
 *
 * @example
 * ```ts
 * import { cosineSimilarity } from "@assay-it/sdk";
 * console.log(cosineSimilarity([1, 0], [1, 0])); // 1
 * ```
 */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) {
    throw new RangeError(
      `embedding lengths differ (${a.length} vs ${b.length}): were they made by the same model?`,
    );
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

/** The judge's context for an episode: tool results and errors, then the test's `input.context`. */
export function judgeContext(ep: Episode, extra: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const c of ep.toolCalls) {
    if (c.result !== null) out.push(`${c.toolName} returned ${JSON.stringify(c.result)}`);
    else if (c.error !== null) out.push(`${c.toolName} failed: ${c.error}`);
  }
  return [...out, ...extra];
}
