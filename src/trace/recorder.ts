/**
 * `EpisodeRecorder`: writes one episode (start, steps, tool calls, end) by hand.
 * The OpenAI recording functions use it too.
 *
 * @module
 */
import { AssayError } from "../errors.ts";
import { SDK_NAME, SDK_VERSION, TRACE_VERSION } from "../version.ts";
import { type Clock, SystemClock } from "./clock.ts";
import { shallowCopy } from "./_copy.ts";
import { type JsonObject, stepId as formatStepId } from "./events.ts";
import type { TraceWriter } from "./writer.ts";

/** Options of {@linkcode EpisodeRecorder}. */
export interface EpisodeRecorderOptions {
  /** Where events go. */
  writer: TraceWriter;
  /** The episode id (unique per run; see "Duplicate prompt" in the README). */
  episodeId: string;
  /** The config test this episode belongs to; written as `meta.test_id`. */
  testId?: string;
  /** Timestamps; default `SystemClock`. */
  clock?: Clock;
}

/** Arguments of {@linkcode EpisodeRecorder.start}. */
export interface StartOptions {
  /** The episode's input prompt. Default `""`. */
  prompt?: string;
  /** Caller meta, written into `episode_start.meta`. */
  meta?: JsonObject;
}

/** Arguments of {@linkcode EpisodeRecorder.step}. */
export interface StepOptions {
  /** Default `"model"`. */
  kind?: string;
  /** Default `"agent"`. */
  name?: string;
  /** The step's text. Default `""`. */
  content?: string | null;
  meta?: JsonObject;
}

/** Arguments of {@linkcode EpisodeRecorder.toolCall}. */
export interface ToolCallOptions {
  toolName: string;
  /** Parsed arguments. */
  args?: unknown;
  result?: unknown;
  error?: string | null;
  /** The step that requested the call; default the last step. */
  stepId?: string;
  /** Position in that step's calls; default the next free index. */
  callIndex?: number;
  /** Provider call id, written as `meta.tool_call_id` when given. */
  toolCallId?: string;
  meta?: JsonObject;
}

/** Arguments of {@linkcode EpisodeRecorder.end}. */
export interface EndOptions {
  /** Default `"pass"`. */
  outcome?: string;
  meta?: JsonObject;
}

/**
 * Records one episode event by event. `end` writes `episode_end` once; later
 * calls are ignored.
 *
 * @example
 * ```ts
 * import { EpisodeRecorder, FrozenClock, TraceWriter } from "@assay-it/sdk";
 * const writer = new TraceWriter("traces/manual.jsonl", { mode: "truncate" });
 * await EpisodeRecorder.run(
 *   { writer, episodeId: "mcp_demo", testId: "mcp_demo", clock: new FrozenClock() },
 *   async (rec) => {
 *     await rec.start({ prompt: "demo_user_prompt" });
 *     await rec.step({ content: "ok" });
 *     await rec.toolCall({ toolName: "ApplyDiscount", args: { percent: 50 }, result: { value: "denied" } });
 *   },
 * );
 * await writer.close();
 * ```
 */
export class EpisodeRecorder {
  /** The episode id. */
  readonly episodeId: string;
  /** `testId ?? episodeId`. */
  readonly testId: string;
  readonly #explicitTestId?: string;
  readonly #writer: TraceWriter;
  readonly #clock: Clock;
  #steps = 0;
  #lastStep: string | null = null;
  #callCounts = new Map<string, number>();
  #state: "new" | "open" | "ended" = "new";

  constructor(options: EpisodeRecorderOptions) {
    if (!options || typeof options.episodeId !== "string" || options.episodeId === "") {
      throw new TypeError("EpisodeRecorder needs a non-empty string episodeId");
    }
    if (!options.writer || typeof options.writer.write !== "function") {
      throw new AssayError("E_NO_WRITER", "No writer provided and no active context found.", {
        hint: "pass { writer } or wrap the call in withTraceWriter(writer, fn)",
      });
    }
    this.episodeId = options.episodeId;
    this.#explicitTestId = options.testId;
    this.testId = options.testId ?? options.episodeId;
    this.#writer = options.writer;
    this.#clock = options.clock ?? new SystemClock();
  }

  /** True once `end` has been called. */
  get ended(): boolean {
    return this.#state === "ended";
  }

  /** The id of the last step written, or `null`. */
  get lastStepId(): string | null {
    return this.#lastStep;
  }

  /** Writes `episode_start`. */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.#state !== "new") {
      throw new TypeError(`episode ${JSON.stringify(this.episodeId)} was already started`);
    }
    this.#state = "open";
    const meta: JsonObject = shallowCopy(options.meta);
    if (this.#explicitTestId !== undefined) meta.test_id = this.#explicitTestId;
    meta["assay.trace_version"] = TRACE_VERSION;
    meta["assay.sdk"] = `${SDK_NAME}@${SDK_VERSION}`;
    await this.#writer.write({
      type: "episode_start",
      episode_id: this.episodeId,
      timestamp: this.#clock.now(),
      input: { prompt: options.prompt ?? "" },
      meta,
    });
  }

  #requireOpen(what: string): void {
    if (this.#state === "new") {
      throw new TypeError(
        `call start() before ${what} (episode ${JSON.stringify(this.episodeId)})`,
      );
    }
    if (this.#state === "ended") {
      throw new TypeError(
        `episode ${JSON.stringify(this.episodeId)} has ended; cannot add ${what}`,
      );
    }
  }

  /** Writes a `step` and returns its id (`step_001`, ...). */
  async step(options: StepOptions = {}): Promise<string> {
    this.#requireOpen("a step");
    const idx = this.#steps++;
    const id = formatStepId(idx + 1);
    this.#lastStep = id;
    await this.#writer.write({
      type: "step",
      episode_id: this.episodeId,
      timestamp: this.#clock.now(),
      step_id: id,
      idx,
      kind: options.kind ?? "model",
      name: options.name ?? "agent",
      content: options.content ?? "",
      meta: options.meta ?? {},
    });
    return id;
  }

  /** A model step: `kind: "model"`, `name: "openai"`. */
  modelStep(options: Omit<StepOptions, "kind"> = {}): Promise<string> {
    return this.step({
      kind: "model",
      name: options.name ?? "openai",
      content: options.content,
      meta: options.meta,
    });
  }

  /** Writes one `tool_call` event with its result or error. */
  async toolCall(options: ToolCallOptions): Promise<void> {
    this.#requireOpen("a tool call");
    if (!options || typeof options.toolName !== "string") {
      throw new TypeError("toolCall needs a string toolName");
    }
    const step = options.stepId ?? this.#lastStep;
    if (step === null) {
      throw new TypeError("toolCall needs a step: call step() first or pass stepId");
    }
    const next = this.#callCounts.get(step) ?? 0;
    const callIndex = options.callIndex ?? next;
    this.#callCounts.set(step, Math.max(next, callIndex + 1));
    const meta: JsonObject = shallowCopy(options.meta);
    if (options.toolCallId !== undefined) meta.tool_call_id = options.toolCallId;
    await this.#writer.write({
      type: "tool_call",
      episode_id: this.episodeId,
      timestamp: this.#clock.now(),
      step_id: step,
      call_index: callIndex,
      tool_name: options.toolName,
      args: options.args === undefined ? null : options.args,
      result: options.result === undefined ? null : options.result,
      error: options.error ?? null,
      meta,
    });
  }

  /** Writes `episode_end` once; later calls do nothing. */
  async end(options: EndOptions = {}): Promise<void> {
    if (this.#state === "ended") return;
    if (this.#state === "new") await this.start();
    this.#state = "ended";
    await this.#writer.write({
      type: "episode_end",
      episode_id: this.episodeId,
      timestamp: this.#clock.now(),
      outcome: options.outcome ?? "pass",
      meta: options.meta ?? {},
    });
  }

  /**
   * Runs `fn` with a new recorder and ends the episode: `pass` when `fn`
   * returns (unless it ended the episode itself), `error` with the error's
   * type and message when it throws; the error is then rethrown.
   */
  static async run<T>(
    options: EpisodeRecorderOptions,
    fn: (recorder: EpisodeRecorder) => T | Promise<T>,
  ): Promise<T> {
    const rec = new EpisodeRecorder(options);
    let value: T;
    try {
      value = await fn(rec);
    } catch (err) {
      await rec.end({ outcome: "error", meta: errorMeta(err) });
      throw err;
    }
    await rec.end({ outcome: "pass" });
    return value;
  }
}

/**
 * The name an error is recorded under: its `name`, or its class name when a
 * library leaves `name` as the generic "Error" (the openai client's
 * RateLimitError, ...), or `typeof` for thrown non-objects.
 */
export function errorType(err: unknown): string {
  if (err === null || typeof err !== "object") return typeof err;
  const name = (err as { name?: unknown }).name;
  const ctor = (err as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof name === "string" && name !== "" && name !== "Error") return name;
  if (typeof ctor === "string" && ctor !== "" && ctor !== "Object") return ctor;
  return typeof name === "string" && name !== "" ? name : "Error";
}

/** The error's message, or its string form for thrown non-errors. */
export function errorMessage(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(err);
}

/** `error.type` / `error.message` meta for an episode that failed with `err`. */
export function errorMeta(err: unknown): JsonObject {
  return { "error.type": errorType(err), "error.message": errorMessage(err) };
}
