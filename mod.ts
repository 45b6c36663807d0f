/**
 * Assay for TypeScript: zero-flake regression testing for AI agents.
 *
 * Record what an agent did (model answers, tool calls, tool results) into a
 * deterministic JSONL trace, then gate every pull request on it offline with
 * `assay ci`.
 *
 * @example
 * ```ts
 * import { EpisodeRecorder, FrozenClock, makeRedactor, readTraceFile, TraceWriter } from "@assay-it/sdk";
 *
 * const writer = new TraceWriter("traces/demo.jsonl", { mode: "truncate", redact: makeRedactor() });
 * await EpisodeRecorder.run(
 *   { writer, episodeId: "demo", testId: "demo_check", clock: new FrozenClock() },
 *   async (rec) => {
 *     await rec.start({ prompt: "Weather in Tokyo?" });
 *     const step = await rec.modelStep({ content: "It is 22C in Tokyo." });
 *     await rec.toolCall({ stepId: step, toolName: "GetWeather", args: { location: "Tokyo" }, result: { temp: 22 } });
 *   },
 * );
 * await writer.close();
 *
 * for await (const episode of readTraceFile("traces/demo.jsonl")) {
 *   console.log(episode.testId, episode.output, episode.toolCalls.length);
 * }
 * ```
 *
 * @module
 */
export { AssayError, TraceSyntaxError } from "./src/errors.ts";
export type {
  AssayErrorCode,
  AssayErrorOptions,
  SourceLocation,
  TraceSyntaxErrorOptions,
} from "./src/errors.ts";
export { canonicalJson, compareCodePoints } from "./src/trace/canonical.ts";
export { FrozenClock, SystemClock } from "./src/trace/clock.ts";
export type { Clock } from "./src/trace/clock.ts";
export type {
  EpisodeEndEvent,
  EpisodeStartEvent,
  JsonObject,
  StepEvent,
  ToolCallEvent,
  TraceEvent,
} from "./src/trace/events.ts";
export { TraceWriter } from "./src/trace/writer.ts";
export type { ByteSink, RedactFn, TraceWriterOptions } from "./src/trace/writer.ts";
export { EpisodeRecorder } from "./src/trace/recorder.ts";
export type {
  EndOptions,
  EpisodeRecorderOptions,
  StartOptions,
  StepOptions,
  ToolCallOptions,
} from "./src/trace/recorder.ts";
export { DEFAULT_KEY_DENYLIST, makeRedactor } from "./src/redact/redactor.ts";
export type { RedactorOptions } from "./src/redact/redactor.ts";
export { readTrace, readTraceAll, TraceParser } from "./src/trace/reader.ts";
export type { EpisodeHeader, ReadTraceOptions, TraceSource } from "./src/trace/reader.ts";
export { readTraceFile } from "./src/runtime/file_source.ts";
export type { Episode, EpisodeFormat, Step, ToolCall, TraceWarning } from "./src/trace/model.ts";
export { SDK_NAME, SDK_VERSION, TRACE_VERSION } from "./src/version.ts";

// Recording (OpenAI)
export { recordChatCompletions, recordChatCompletionsWithTools } from "./src/openai/record.ts";
export {
  recordChatCompletionsStream,
  recordChatCompletionsStreamWithTools,
} from "./src/openai/stream.ts";
export type { RecordingStream } from "./src/openai/stream.ts";
export { StreamAccumulator } from "./src/openai/stream_accumulator.ts";
export type { AccumulatedChoice, AccumulatedToolCall } from "./src/openai/stream_accumulator.ts";
export { currentTraceWriter, withTraceWriter } from "./src/openai/context.ts";
export type {
  ChatCompletionsClient,
  RecordChatCompletionsOptions,
  RecordedToolCall,
  RecordResult,
  RecordStreamOptions,
  RecordStreamWithToolsOptions,
  RecordWithToolsOptions,
  ToolCallContext,
  ToolExecutor,
  ToolExecutors,
} from "./src/openai/types.ts";
// Gate: the npm-free parts of the regression gate (config parsing, which
// needs `yaml` and `zod`, and live scorers are in `@assay-it/sdk/gate`).
export { runGate } from "./src/gate/run.ts";
export type { GateOutcome, RunGateOptions } from "./src/gate/run.ts";
export { verifyTrace } from "./src/gate/verify.ts";
export type { TraceVerification, VerifyTraceOptions } from "./src/gate/verify.ts";
export { EpisodeIndex } from "./src/gate/resolver.ts";
export type { EpisodeIndexOptions, Resolution, ResolvableTest } from "./src/gate/resolver.ts";
export { evaluateExpectation } from "./src/gate/expectations.ts";
export type { ExpectationContext } from "./src/gate/expectations.ts";
export { evaluateAssertion } from "./src/gate/assertions.ts";
export { isRiskyPattern, RegexGuard } from "./src/gate/regex_guard.ts";
export type { RegexGuardOptions, RegexOutcome, RegexSandbox } from "./src/gate/regex_guard.ts";
export {
  buildBaseline,
  compareWithBaseline,
  diffValues,
  episodeSignature,
  formatDiff,
  parseBaseline,
} from "./src/gate/baseline.ts";
export type { Baseline, BaselineEntry, ValueDiff } from "./src/gate/baseline.ts";
export { cosineSimilarity } from "./src/gate/semantic.ts";
export type { JudgeInput, JudgeKind, Judgement, Scorer } from "./src/gate/semantic.ts";
export type {
  CheckResult,
  ConfigLocation,
  EpisodeSignature,
  GateCounts,
  GateRun,
  TestResult,
  TestStatus,
  ToolCallSignature,
} from "./src/gate/types.ts";
// Replay: re-run the agent with model answers served from a recorded trace.
export { compareTraces, replayFetch } from "./src/openai/replay.ts";
export type { ReplayComparison, ReplayFetchOptions } from "./src/openai/replay.ts";
export type {
  ReplayDifference,
  ReplayMode,
  ReplayOptions,
  ReplayTraceInput,
  ToolMode,
} from "./src/openai/types.ts";
