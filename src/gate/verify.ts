/**
 * `verifyTrace`: does every config test resolve to exactly one episode?
 * The data behind `assay trace verify` and `assay validate`.
 *
 * @module
 */
import { readTrace, type TraceSource } from "../trace/reader.ts";
import type { GateConfig } from "./config_types.ts";
import { EpisodeIndex, type Resolution } from "./resolver.ts";

/** Options of {@linkcode verifyTrace}. */
export interface VerifyTraceOptions {
  /** Label of the trace in messages. */
  traceFile?: string;
  /** Unknown event types are fatal (as under `--replay-strict`). */
  strict?: boolean;
}

/** What {@linkcode verifyTrace} found. */
export interface TraceVerification {
  /** One entry per config test, in config order. Ambiguity is always an error here. */
  tests: { testId: string; resolution: Resolution }[];
  /** Episodes in the trace. */
  episodes: number;
  /** Reader warnings, `file:line: message`. */
  warnings: string[];
  /** True when every test resolved to exactly one episode. */
  ok: boolean;
}

/**
 * Read a trace and resolve every test of `config` against it, without
 * evaluating anything.
 *
 * @example
 * ```ts
 * import { parseConfig, verifyTrace } from "@assay-it/sdk/gate";
 * const config = await parseConfig("tests:\n  - id: e1\n    expected: { type: regex_match, pattern: x }\n");
 * const v = await verifyTrace(config, '{"prompt":"hi","response":"x","episode_id":"e1"}\n');
 * console.log(v.ok); // true
 * ```
 */
export async function verifyTrace(
  config: GateConfig,
  trace: TraceSource,
  options: VerifyTraceOptions = {},
): Promise<TraceVerification> {
  const warnings: string[] = [];
  const index = new EpisodeIndex(config.tests);
  for await (
    const ep of readTrace(trace, {
      file: options.traceFile ?? "<trace>",
      strict: options.strict ?? false,
      onWarning: (w) => warnings.push(`${w.file}:${w.line}: ${w.message}`),
    })
  ) index.add(ep);
  const tests = config.tests.map((t) => ({
    testId: t.id,
    resolution: index.resolve(t, { strict: true }),
  }));
  return { tests, episodes: index.total, warnings, ok: tests.every((t) => t.resolution.ok) };
}
