/**
 * The one episode resolver, used for expectations AND assertions:
 * test id (`meta.test_id`, else `episode_id`) first, then the exact prompt.
 *
 * The index is fed episode by episode while the trace streams and keeps
 * only episodes some test can resolve to (the latest per key), plus a
 * bounded sample of the other ids and prompts for "did you mean" hints, so
 * memory does not grow with the trace.
 *
 * @module
 */
import type { AssayErrorCode } from "../errors.ts";
import { quote } from "../errors.ts";
import type { Episode } from "../trace/model.ts";
import { closest } from "./_suggest.ts";

/** What the resolver needs of a test. */
export interface ResolvableTest {
  id: string;
  prompt?: string;
}

/** The outcome of resolving one test. */
export type Resolution =
  | { ok: true; episode: Episode; by: "test_id" | "prompt"; warnings: string[] }
  | { ok: false; code: AssayErrorCode; message: string; hint: string };

interface Bucket {
  count: number;
  latest: Episode;
  /** File lines of the first few candidates, for messages. */
  lines: number[];
}

/** Options of {@linkcode EpisodeIndex}. */
export interface EpisodeIndexOptions {
  /** How many other ids/prompts (the first ones seen, repeats included) to remember for suggestions. Default 10,000. */
  sampleLimit?: number;
}

/**
 * Collects the episodes a set of tests can resolve to.
 *
 * @example
 * ```ts
 * import { EpisodeIndex, readTrace } from "@assay-it/sdk";
 * const index = new EpisodeIndex([{ id: "weather_check", prompt: "Weather in Tokyo?" }]);
 * for await (const ep of readTrace("")) index.add(ep);
 * const r = index.resolve({ id: "weather_check" }, { strict: true });
 * console.log(r.ok ? r.episode.episodeId : r.code); // "E_TRACE_EPISODE_MISSING"
 * ```
 */
export class EpisodeIndex {
  readonly #ids: Set<string>;
  readonly #prompts: Set<string>;
  readonly #byId = new Map<string, Bucket>();
  readonly #byPrompt = new Map<string, Bucket>();
  // Samples for suggestions, only read when a test finds no episode: kept as
  // lists (cheaper than sets for the 99,000 unused episodes of a big trace)
  // and de-duplicated when read.
  readonly #otherIds: string[] = [];
  readonly #otherPrompts: string[] = [];
  #samples: { ids: Set<string>; prompts: Set<string> } | undefined;
  readonly #sampleLimit: number;
  #total = 0;
  #unmatched = 0;

  constructor(tests: readonly ResolvableTest[], options: EpisodeIndexOptions = {}) {
    this.#ids = new Set(tests.map((t) => t.id));
    this.#prompts = new Set(tests.flatMap((t) => (t.prompt === undefined ? [] : [t.prompt])));
    this.#sampleLimit = options.sampleLimit ?? 10_000;
  }

  /** Number of episodes seen. */
  get total(): number {
    return this.#total;
  }

  /** Number of episodes no test can resolve to. */
  get unmatched(): number {
    return this.#unmatched;
  }

  /** Could a test resolve to an episode with this test id or prompt? */
  wants(testId: string, prompt: string): boolean {
    return this.#ids.has(testId) || this.#prompts.has(prompt);
  }

  /** Count an episode no test can use (skipped by the reader), for messages and suggestions. */
  addUnused(testId: string, prompt: string): void {
    this.#samples = undefined;
    this.#total++;
    this.#unmatched++;
    if (this.#otherIds.length < this.#sampleLimit) this.#otherIds.push(testId);
    if (this.#otherPrompts.length < this.#sampleLimit) this.#otherPrompts.push(prompt);
  }

  /** Offer one episode; it is kept only when a test can resolve to it. */
  add(ep: Episode): void {
    this.#samples = undefined;
    this.#total++;
    const byId = this.#ids.has(ep.testId);
    const byPrompt = this.#prompts.has(ep.prompt);
    if (byId) put(this.#byId, ep.testId, ep);
    else if (this.#otherIds.length < this.#sampleLimit) this.#otherIds.push(ep.testId);
    if (byPrompt) put(this.#byPrompt, ep.prompt, ep);
    else if (this.#otherPrompts.length < this.#sampleLimit) this.#otherPrompts.push(ep.prompt);
    if (!byId && !byPrompt) this.#unmatched++;
  }

  /** The episodes kept (each once), in file order. */
  kept(): Episode[] {
    const set = new Set<Episode>();
    for (const b of this.#byId.values()) set.add(b.latest);
    for (const b of this.#byPrompt.values()) set.add(b.latest);
    return [...set].sort((a, b) => a.line - b.line);
  }

  /** Resolve a test to exactly one episode, or say why not. */
  resolve(test: ResolvableTest, options: { strict: boolean }): Resolution {
    let by: "test_id" | "prompt" = "test_id";
    let bucket = this.#byId.get(test.id);
    if (!bucket && test.prompt !== undefined) {
      bucket = this.#byPrompt.get(test.prompt);
      by = "prompt";
    }
    if (!bucket) return this.#missing(test);
    const warnings: string[] = [];
    if (bucket.count > 1) {
      const what = by === "test_id" ? `test id ${quote(test.id)}` : `prompt ${quote(test.prompt)}`;
      const where = `lines ${bucket.lines.join(", ")}${
        bucket.count > bucket.lines.length ? ", ..." : ""
      }`;
      if (options.strict) {
        return {
          ok: false,
          code: "E_TRACE_EPISODE_AMBIGUOUS",
          message:
            `Duplicate prompt in strict replay: ${bucket.count} episodes in the trace match ${what} (${where}); strict replay does not know which one to use`,
          hint:
            `the trace was probably recorded twice without truncating it: truncate the file before recording (TraceWriter mode: "truncate"), or give every run a unique episode id and test id`,
        };
      }
      warnings.push(
        `${bucket.count} episodes match ${what} (${where}): using the latest (line ${bucket.latest.line}); with --replay-strict this is an error`,
      );
    }
    return { ok: true, episode: bucket.latest, by, warnings };
  }

  #missing(test: ResolvableTest): Resolution {
    // Built once per batch of resolutions (adding episodes starts a new one).
    const samples = this.#samples ??= {
      ids: new Set([...this.#otherIds, ...this.#byId.keys()]),
      prompts: new Set(this.#otherPrompts),
    };
    const ids = closest(test.id, samples.ids, 3);
    const prompts = test.prompt === undefined ? [] : closest(test.prompt, samples.prompts, 2);
    let message = `no episode in the trace for test ${quote(test.id)}`;
    message += test.prompt === undefined
      ? " (no test id matches)"
      : ` (no test id and no prompt ${quote(test.prompt)} match)`;
    if (this.#total === 0) message += "; the trace has no episodes";
    if (ids.length) {
      message += `; closest test ids in the trace: ${ids.map((s) => quote(s)).join(", ")}`;
    }
    if (prompts.length) message += `; closest prompts: ${prompts.map((s) => quote(s)).join(", ")}`;
    return {
      ok: false,
      code: "E_TRACE_EPISODE_MISSING",
      message,
      hint: `record the episode with test_id ${
        quote(test.id)
      } (the testId passed when recording must equal the config's test id), or fix the id in the config`,
    };
  }
}

function put(map: Map<string, Bucket>, key: string, ep: Episode): void {
  const b = map.get(key);
  if (!b) {
    map.set(key, { count: 1, latest: ep, lines: [ep.line] });
    return;
  }
  b.count++;
  if (b.lines.length < 5) b.lines.push(ep.line);
  if (ep.line > b.latest.line) b.latest = ep;
}
