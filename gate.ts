/**
 * The regression gate as a library: parse an `assay.yaml`, run it against a
 * trace, compare with a baseline. This entry point loads `yaml` and `zod`
 * (config parsing) and, for live scores only, `openai`; the npm-free parts
 * (`runGate`, `verifyTrace`, baselines, ...) are also exported by the main
 * entry point.
 *
 * @example
 * ```ts
 * import { parseConfig, runGate } from "@assay-it/sdk/gate";
 * import { readFile } from "node:fs/promises";
 *
 * const config = await parseConfig(await readFile("assay.yaml", "utf8"), { file: "assay.yaml" });
 * const { run } = await runGate(config, await readFile("traces/quickstart.jsonl"), { strict: true });
 * console.log(run.verdict, run.counts);
 * ```
 *
 * @module
 */
export {
  ASSERTION_TYPES,
  ConfigError,
  EXPECTATION_TYPES,
  formatConfigPath,
  parseConfig,
  suiteFromFile,
} from "./src/gate/config.ts";
export type {
  Assertion,
  ConfigErrorOptions,
  ConfigIssue,
  EndpointSettings,
  Expectation,
  GateConfig,
  GateSettings,
  ParseConfigOptions,
  RegexFlag,
  SequenceRule,
  TestSpec,
} from "./src/gate/config.ts";
export { createLiveScorer, parseJudgement } from "./src/gate/live.ts";
export type { LiveScorerOptions } from "./src/gate/live.ts";
export {
  buildBaseline,
  compareWithBaseline,
  cosineSimilarity,
  diffValues,
  EpisodeIndex,
  episodeSignature,
  evaluateAssertion,
  evaluateExpectation,
  formatDiff,
  isRiskyPattern,
  parseBaseline,
  RegexGuard,
  runGate,
  verifyTrace,
} from "./mod.ts";
export type {
  Baseline,
  BaselineEntry,
  CheckResult,
  ConfigLocation,
  EpisodeIndexOptions,
  EpisodeSignature,
  ExpectationContext,
  GateCounts,
  GateOutcome,
  GateRun,
  JudgeInput,
  JudgeKind,
  Judgement,
  RegexGuardOptions,
  RegexOutcome,
  RegexSandbox,
  Resolution,
  ResolvableTest,
  RunGateOptions,
  Scorer,
  TestResult,
  TestStatus,
  ToolCallSignature,
  TraceVerification,
  ValueDiff,
  VerifyTraceOptions,
} from "./mod.ts";
