/**
 * The trace reader: streams V2 events, V1 records and legacy lines into
 * normalised {@linkcode Episode}s.
 *
 * Memory is bounded by the episodes open at one time (usually one), not by
 * the file size: an episode is yielded as soon as its `episode_end` is read.
 * Episodes come out in the order they end; `Episode.line` gives file order.
 *
 * @module
 */
import { TraceSyntaxError } from "../errors.ts";
import type { JsonObject } from "./events.ts";
import type { Episode, Step, ToolCall, TraceWarning } from "./model.ts";
import { excerpt, findJsonError, findValueOffset } from "./_json_locate.ts";

/** Options of {@linkcode readTrace}. */
export interface ReadTraceOptions {
  /** The file name used in errors and warnings. Default `"<trace>"`. */
  file?: string;
  /** Make unknown event types an error instead of a warning (`--replay-strict`). */
  strict?: boolean;
  /** Receives warnings; default: none are reported. */
  onWarning?: (warning: TraceWarning) => void;
  /**
   * Called at each `episode_start`: return `false` to skip the episode. Its
   * lines are still parsed and checked (errors and warnings are the same),
   * but no episode is built or returned. A gate that needs 1,000 of 100,000
   * episodes uses this to avoid building the other 99,000.
   */
  select?: (header: EpisodeHeader) => boolean;
}

/** What {@linkcode ReadTraceOptions.select} sees of an episode at its start. */
export interface EpisodeHeader {
  episodeId: string;
  /** `meta.test_id`, or the episode id when there is none. */
  testId: string;
  /** The recorded `input.prompt` (`""` when none). */
  prompt: string;
  /** 1-based line of the `episode_start`. */
  line: number;
}

/** Anything the reader can read from. */
export type TraceSource =
  | string
  | Uint8Array
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | ReadableStream<Uint8Array | string>;

const KNOWN_TYPES = new Set(["episode_start", "step", "tool_call", "episode_end"]);
const V1_TYPES = new Set(["assay.trace", "verdict.trace"]);

interface OpenEpisode {
  ep: Episode;
  finalOutput: string | null;
  /** Not selected: its lines are checked but nothing is built or returned. */
  skip: boolean;
}

type Kind = "string" | "integer" | "number" | "object" | "string|null" | "array";

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/**
 * A line without the "\r" of a CRLF line end. Lines are parsed with it (JSON
 * reads it as white space); messages and error positions use the line without.
 */
function withoutCR(line: string): string {
  return line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A push parser: feed it text with `push`, then `end`. Each call returns the
 * episodes completed by that input. `readTrace` wraps it for streams.
 */
export class TraceParser {
  readonly #file: string;
  readonly #strict: boolean;
  readonly #warn: (w: TraceWarning) => void;
  readonly #select: ((header: EpisodeHeader) => boolean) | undefined;
  #rest = "";
  #line = 0;
  #open = new Map<string, OpenEpisode>();
  #out: Episode[] = [];
  #first = true;

  constructor(options: ReadTraceOptions = {}) {
    this.#file = options.file ?? "<trace>";
    this.#strict = options.strict ?? false;
    this.#warn = options.onWarning ?? (() => {});
    this.#select = options.select;
  }

  /** Feed the next piece of text (any split). Returns episodes completed so far. */
  push(text: string): Episode[] {
    if (this.#first && text.length > 0) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let nl = text.indexOf("\n");
    if (nl < 0) {
      this.#rest += text;
      return this.#take();
    }
    this.#lineText(this.#rest + text.slice(0, nl), true);
    this.#rest = "";
    let start = nl + 1;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      this.#lineText(text.slice(start, nl), true);
      start = nl + 1;
    }
    this.#rest = text.slice(start);
    return this.#take();
  }

  /** Signal the end of input. Returns the remaining episodes (incomplete ones included). */
  end(): Episode[] {
    if (this.#rest.length > 0) {
      const last = this.#rest;
      this.#rest = "";
      this.#lineText(last, false);
    }
    for (const [id, open] of this.#open) {
      this.#warn({
        code: "W_INCOMPLETE_EPISODE",
        message: `episode ${JSON.stringify(id)} has no episode_end (recording interrupted?)`,
        file: this.#file,
        line: open.ep.line,
      });
      this.#finish(open);
    }
    this.#open.clear();
    return this.#take();
  }

  #take(): Episode[] {
    if (this.#out.length === 0) return EMPTY;
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #error(reason: string, text: string, offset: number, hint?: string): never {
    throw new TraceSyntaxError(reason, {
      file: this.#file,
      line: this.#line,
      column: offset + 1,
      excerpt: excerpt(withoutCR(text), offset),
      hint: hint ?? "fix or remove this line, or re-record the trace",
    });
  }

  // The hot path of every line: parse, then the event's checks. Kept small:
  // everything about a line that does not parse is in #badLine.
  #lineText(text: string, terminated: boolean): void {
    this.#line++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.#badLine(text, terminated);
    }
    if (!isObject(value)) this.#error(`expected a JSON object, got ${kindOf(value)}`, text, 0);
    this.#record(value, text);
  }

  /** A line that is not JSON: skipped when blank, else the error that locates the problem. */
  #badLine(raw: string, terminated: boolean): void {
    const text = withoutCR(raw);
    if (text.trim() === "") return;
    const found = findJsonError(text);
    const offset = found?.offset ?? 0;
    if (!terminated) {
      this.#error(
        `truncated last line: it has no newline and is not valid JSON (recording interrupted?)`,
        text,
        offset,
        "delete the partial last line (the episode it belongs to is incomplete) or re-record",
      );
    }
    this.#error(`invalid JSON: ${found?.reason ?? "cannot parse"}`, text, offset);
  }

  #check(obj: JsonObject, key: string, kind: Kind, required: boolean, text: string): void {
    const v = obj[key];
    if (v === undefined) {
      if (required) {
        this.#error(
          `missing field "${key}" (${kind}) in a ${String(obj.type ?? "record")} event`,
          text,
          0,
        );
      }
      return;
    }
    let ok: boolean;
    switch (kind) {
      case "string":
        ok = typeof v === "string";
        break;
      case "string|null":
        ok = v === null || typeof v === "string";
        break;
      case "integer":
        ok = Number.isInteger(v);
        break;
      case "number":
        ok = typeof v === "number";
        break;
      case "object":
        ok = isObject(v);
        break;
      case "array":
        ok = Array.isArray(v);
        break;
    }
    if (!ok) {
      this.#error(
        `field "${key}" must be ${kind === "integer" ? "an" : "a"} ${kind}, got ${kindOf(v)} ${
          JSON.stringify(v)?.slice(0, 40)
        }`,
        text,
        findValueOffset(text, [key]),
      );
    }
  }

  #record(obj: JsonObject, text: string): void {
    const type = obj.type;
    if (type === undefined) {
      if ("prompt" in obj) return this.#legacy(obj, text);
      this.#error(
        `unrecognised record: no "type" field and no "prompt" (not a trace event)`,
        text,
        0,
        'each line must be an Assay event ({"type": ...}) or a {"prompt", "response"} record',
      );
    }
    if (typeof type !== "string") {
      this.#error(
        `field "type" must be a string, got ${kindOf(type)}`,
        text,
        findValueOffset(text, ["type"]),
      );
    }
    if (!KNOWN_TYPES.has(type)) {
      if (V1_TYPES.has(type) || obj.schema_version === 1) return this.#v1(obj, text);
      const message = `unknown event type ${JSON.stringify(type)}`;
      if (this.#strict) {
        this.#error(
          message,
          text,
          findValueOffset(text, ["type"]),
          "strict mode refuses unknown events: upgrade Assay or remove the line",
        );
      }
      this.#warn({
        code: "W_UNKNOWN_TYPE",
        message: `${message}: line skipped`,
        file: this.#file,
        line: this.#line,
      });
      return;
    }
    // Fast path: direct property reads (JSON.parse gives same-shaped objects);
    // the detailed checks run only to explain a failure.
    const id = obj.episode_id as string;
    const ts = obj.timestamp;
    const meta = obj.meta;
    if (
      typeof id !== "string" || (ts !== undefined && typeof ts !== "number") ||
      (meta !== undefined && !isObject(meta))
    ) {
      this.#check(obj, "episode_id", "string", true, text);
      this.#check(obj, "timestamp", "number", false, text);
      this.#check(obj, "meta", "object", false, text);
    }
    if (type === "episode_start") return this.#start(obj, id, text);
    const open = this.#open.get(id);
    if (!open) {
      this.#error(
        `${type} event for episode ${
          JSON.stringify(id)
        }, which never started (no episode_start before it)`,
        text,
        findValueOffset(text, ["episode_id"]),
        "every episode must begin with an episode_start line; was the file cut or concatenated?",
      );
    }
    open.ep.endLine = this.#line;
    if (open.skip) {
      if (type === "step") this.#checkStep(obj, text);
      else if (type === "tool_call") this.#checkToolCall(obj, text);
      else {
        this.#checkEnd(obj, text);
        this.#open.delete(id);
      }
    } else if (type === "step") this.#step(open, obj, text);
    else if (type === "tool_call") this.#toolCall(open, obj, text);
    else this.#end(open, id, obj, text);
  }

  #start(obj: JsonObject, id: string, text: string): void {
    this.#check(obj, "input", "object", false, text);
    const input = (obj.input ?? {}) as JsonObject;
    if (input.prompt !== undefined && typeof input.prompt !== "string") {
      this.#error(
        `field "input.prompt" must be a string, got ${kindOf(input.prompt)}`,
        text,
        findValueOffset(text, ["input", "prompt"]),
      );
    }
    const previous = this.#open.get(id);
    if (previous) {
      this.#warn({
        code: "W_RESTARTED_EPISODE",
        message: `episode ${
          JSON.stringify(id)
        } started again before its episode_end (line ${previous.ep.line}); the first one is incomplete`,
        file: this.#file,
        line: this.#line,
      });
      this.#finish(previous);
    }
    const meta = (obj.meta ?? {}) as JsonObject;
    const testId = typeof meta.test_id === "string" && meta.test_id !== "" ? meta.test_id : null;
    const prompt = (input.prompt as string | undefined) ?? "";
    const skip = this.#select !== undefined &&
      !this.#select({ episodeId: id, testId: testId ?? id, prompt, line: this.#line });
    if (skip) {
      // Only what the checks and warnings of later lines read; nothing is returned.
      const ep = { episodeId: id, line: this.#line, endLine: this.#line } as Episode;
      this.#open.set(id, { skip, ep, finalOutput: null });
      return;
    }
    this.#open.set(id, {
      skip,
      ep: {
        episodeId: id,
        testId: testId ?? id,
        hasTestId: testId !== null,
        prompt,
        steps: [],
        toolCalls: [],
        output: "",
        outcome: null,
        meta,
        endMeta: {},
        startTime: (obj.timestamp as number | undefined) ?? null,
        endTime: null,
        format: "v2",
        file: this.#file,
        line: this.#line,
        endLine: this.#line,
      },
      finalOutput: null,
    });
  }

  #step(open: OpenEpisode, obj: JsonObject, text: string): void {
    this.#checkStep(obj, text);
    const { step_id, idx, kind, name, content } = obj;
    const step: Step = {
      stepId: step_id as string,
      idx: (idx as number | undefined) ?? open.ep.steps.length,
      kind: (kind as string | undefined) ?? "model",
      name: (name as string | undefined) ?? "",
      content: (content as string | null | undefined) ?? "",
      meta: (obj.meta ?? {}) as JsonObject,
      timestamp: (obj.timestamp as number | undefined) ?? null,
      toolCalls: [],
      line: this.#line,
    };
    open.ep.steps.push(step);
  }

  #checkStep(obj: JsonObject, text: string): void {
    const { step_id, idx, kind, name, content } = obj;
    if (
      typeof step_id !== "string" || (idx !== undefined && !Number.isInteger(idx)) ||
      (kind !== undefined && typeof kind !== "string") ||
      (name !== undefined && typeof name !== "string") ||
      (content != null && typeof content !== "string")
    ) {
      this.#check(obj, "step_id", "string", true, text);
      this.#check(obj, "idx", "integer", false, text);
      this.#check(obj, "kind", "string", false, text);
      this.#check(obj, "name", "string", false, text);
      this.#check(obj, "content", "string|null", false, text);
    }
  }

  #checkToolCall(obj: JsonObject, text: string): void {
    const { tool_name, step_id, call_index } = obj;
    const error = obj.error ?? null;
    if (
      typeof tool_name !== "string" || (step_id !== undefined && typeof step_id !== "string") ||
      (call_index !== undefined && !Number.isInteger(call_index)) ||
      (error !== null && typeof error !== "string")
    ) {
      this.#check(obj, "tool_name", "string", true, text);
      this.#check(obj, "step_id", "string", false, text);
      this.#check(obj, "call_index", "integer", false, text);
      this.#check(obj, "error", "string|null", false, text);
    }
  }

  #toolCall(open: OpenEpisode, obj: JsonObject, text: string): void {
    this.#checkToolCall(obj, text);
    const { step_id, call_index } = obj;
    const error = (obj.error ?? null) as string | null;
    const meta = (obj.meta ?? {}) as JsonObject;
    const steps = open.ep.steps;
    const stepId = (step_id as string | undefined) ?? steps.at(-1)?.stepId ?? "";
    const toolCallId = typeof meta.tool_call_id === "string" ? meta.tool_call_id : null;
    // Episodes have few steps and calls: a backwards scan beats building Maps per episode.
    let step: Step | undefined;
    for (let i = steps.length - 1; i >= 0; i--) {
      if (steps[i].stepId === stepId) {
        step = steps[i];
        break;
      }
    }
    const callIndex = (call_index as number | undefined) ??
      (step ? step.toolCalls.length : open.ep.toolCalls.length);
    const result = obj.result === undefined ? null : obj.result;
    const args = obj.args === undefined ? null : obj.args;
    const calls = open.ep.toolCalls;
    let existing: ToolCall | undefined;
    for (let i = calls.length - 1; i >= 0; i--) {
      const c = calls[i];
      if (c.callIndex === callIndex && c.stepId === stepId && c.toolCallId === toolCallId) {
        existing = c;
        break;
      }
    }
    if (existing) {
      // The Python tool loop announces each call (result null) and then writes it again with the outcome.
      if (args !== null) existing.args = args;
      if (result !== null) existing.result = result;
      if (error !== null) existing.error = error;
      existing.meta = { ...existing.meta, ...meta };
      if (typeof existing.meta.error_type === "string") {
        existing.errorType = existing.meta.error_type;
      }
      existing.toolName = obj.tool_name as string;
      existing.line = this.#line;
      return;
    }
    const call: ToolCall = {
      stepId,
      callIndex,
      toolCallId,
      toolName: obj.tool_name as string,
      args,
      result,
      error,
      errorType: typeof meta.error_type === "string" ? meta.error_type : null,
      meta,
      line: this.#line,
    };
    open.ep.toolCalls.push(call);
    if (step) step.toolCalls.push(call);
    else {
      this.#warn({
        code: "W_ORPHAN_TOOL_CALL",
        message: `tool_call ${JSON.stringify(call.toolName)} refers to step ${
          JSON.stringify(stepId)
        }, which episode ${JSON.stringify(open.ep.episodeId)} does not have`,
        file: this.#file,
        line: this.#line,
      });
    }
  }

  #checkEnd(obj: JsonObject, text: string): void {
    if (
      (obj.outcome !== undefined && typeof obj.outcome !== "string") ||
      (obj.final_output != null && typeof obj.final_output !== "string")
    ) {
      this.#check(obj, "outcome", "string", false, text);
      this.#check(obj, "final_output", "string|null", false, text);
    }
  }

  #end(open: OpenEpisode, id: string, obj: JsonObject, text: string): void {
    this.#checkEnd(obj, text);
    open.ep.outcome = (obj.outcome as string | undefined) ?? "pass";
    open.ep.endMeta = (obj.meta ?? {}) as JsonObject;
    open.ep.endTime = (obj.timestamp as number | undefined) ?? null;
    open.finalOutput = (obj.final_output as string | null | undefined) ?? null;
    this.#open.delete(id);
    this.#finish(open);
  }

  #finish(open: OpenEpisode): void {
    if (open.skip) return;
    const ep = open.ep;
    ep.output = open.finalOutput ?? outputOf(ep);
    this.#out.push(ep);
  }

  #v1(obj: JsonObject, text: string): void {
    this.#check(obj, "request_id", "string", true, text);
    this.#check(obj, "prompt", "string", true, text);
    this.#check(obj, "response", "string", true, text);
    this.#check(obj, "model", "string", false, text);
    this.#check(obj, "meta", "object", false, text);
    this.#single(obj, obj.request_id as string, obj.response as string, "v1");
  }

  #legacy(obj: JsonObject, text: string): void {
    this.#check(obj, "prompt", "string", true, text);
    const out = obj.response !== undefined ? "response" : "text";
    this.#check(obj, out, "string", false, text);
    this.#check(obj, "meta", "object", false, text);
    for (const k of ["request_id", "id", "episode_id", "test_id"]) {
      this.#check(obj, k, "string", false, text);
    }
    const id =
      (obj.episode_id ?? obj.request_id ?? obj.id ?? obj.test_id ?? `line_${this.#line}`) as string;
    this.#single(obj, id, (obj[out] as string | undefined) ?? "", "legacy");
  }

  #single(obj: JsonObject, id: string, output: string, format: "v1" | "legacy"): void {
    const meta = (obj.meta ?? {}) as JsonObject;
    const explicit = typeof obj.test_id === "string"
      ? obj.test_id
      : typeof meta.test_id === "string"
      ? meta.test_id
      : null;
    const stepMeta: JsonObject = {};
    if (typeof obj.model === "string") stepMeta["gen_ai.request.model"] = obj.model;
    const step: Step = {
      stepId: "step_001",
      idx: 0,
      kind: "model",
      name: format === "v1" ? "openai" : "agent",
      content: output,
      meta: stepMeta,
      timestamp: null,
      toolCalls: [],
      line: this.#line,
    };
    this.#out.push({
      episodeId: id,
      testId: explicit ?? id,
      hasTestId: explicit !== null,
      prompt: obj.prompt as string,
      steps: [step],
      toolCalls: [],
      output,
      outcome: "pass",
      meta,
      endMeta: {},
      startTime: null,
      endTime: null,
      format,
      file: this.#file,
      line: this.#line,
      endLine: this.#line,
    });
  }
}

const EMPTY: Episode[] = [];

/**
 * The output rule: the last `kind:"model"` step with non-empty content, else
 * the last step's content, else `meta["gen_ai.completion"]`.
 */
function outputOf(ep: Episode): string {
  for (let i = ep.steps.length - 1; i >= 0; i--) {
    const s = ep.steps[i];
    if (s.kind === "model" && s.content !== "") return s.content;
  }
  const last = ep.steps.at(-1);
  if (last && last.content !== "") return last.content;
  const completion = ep.endMeta["gen_ai.completion"] ?? ep.meta["gen_ai.completion"];
  return typeof completion === "string" ? completion : last?.content ?? "";
}

function isUnIterableStream(s: unknown): s is ReadableStream<Uint8Array | string> {
  return typeof (s as ReadableStream).getReader === "function" &&
    !(Symbol.asyncIterator in (s as object));
}

async function* chunks(source: TraceSource): AsyncIterable<Uint8Array | string> {
  if (typeof source === "string" || source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (isUnIterableStream(source)) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  yield* source as AsyncIterable<Uint8Array | string>;
}

/**
 * Read a trace as a stream of normalised episodes.
 *
 * Throws `TraceSyntaxError` (code `E_TRACE_INVALID`, with file, line,
 * column and an excerpt) on invalid JSON, wrong field types, events before
 * their `episode_start` and a truncated last line.
 *
 * @example
 * ```ts
 * import { readTrace } from "@assay-it/sdk";
 * const text = '{"episode_id":"e1","input":{"prompt":"hi"},"meta":{},"timestamp":0,"type":"episode_start"}\n' +
 *   '{"episode_id":"e1","meta":{},"outcome":"pass","timestamp":1,"type":"episode_end"}\n';
 * for await (const episode of readTrace(text)) console.log(episode.episodeId, episode.outcome);
 * ```
 */
export async function* readTrace(
  source: TraceSource,
  options: ReadTraceOptions = {},
): AsyncGenerator<Episode, void, undefined> {
  const parser = new TraceParser(options);
  const decoder = new TextDecoder();
  for await (const chunk of chunks(source)) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    if (text.length === 0) continue;
    for (const ep of parser.push(text)) yield ep;
  }
  const tail = decoder.decode();
  if (tail.length > 0) { for (const ep of parser.push(tail)) yield ep; }
  for (const ep of parser.end()) yield ep;
}

/**
 * Read a whole trace into memory: every episode in the order it ended, and
 * the warnings.
 *
 * @example
 * ```ts
 * import { readTraceAll } from "@assay-it/sdk";
 * const { episodes, warnings } = await readTraceAll("");
 * console.log(episodes.length, warnings.length); // 0 0
 * ```
 */
export async function readTraceAll(
  source: TraceSource,
  options: Omit<ReadTraceOptions, "onWarning"> = {},
): Promise<{ episodes: Episode[]; warnings: TraceWarning[] }> {
  const warnings: TraceWarning[] = [];
  const episodes: Episode[] = [];
  for await (const ep of readTrace(source, { ...options, onWarning: (w) => warnings.push(w) })) {
    episodes.push(ep);
  }
  return { episodes, warnings };
}
