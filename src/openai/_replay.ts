// Internal machinery of replay: the recorded trace indexed by episode and
// round, the answers rebuilt from its steps (JSON responses and chunk
// lists), the requests rebuilt from `assay.request*` meta, JSON-pointer
// diffs, and the per-episode session the recording loop consults instead
// of the client.
import { AssayError, quote } from "../errors.ts";
import { readTraceFile } from "../runtime/file_source.ts";
import { canonicalJson } from "../trace/canonical.ts";
import type { JsonObject } from "../trace/events.ts";
import type { Episode, Step, ToolCall } from "../trace/model.ts";
import { runTool, type ToolOutcome } from "./_common.ts";
import type { ReplayDifference, ReplayTraceInput, ToolExecutors, ToolMode } from "./types.ts";

/** One model call of a recorded episode. */
export interface RecordedRound {
  episode: Episode;
  round: number;
  step: Step;
}

/** A recorded trace, indexed for replay. Built once per trace per process. */
export interface ReplayIndex {
  /** The file name (or `"<episodes>"`) used in messages. */
  label: string;
  /** Model steps by episode id (the latest episode wins when an id repeats). */
  episodes: Map<string, { episode: Episode; rounds: RecordedRound[] }>;
  /** Every round in file order. */
  order: RecordedRound[];
}

/** Builds the index of a list of episodes. */
export function indexEpisodes(episodes: readonly Episode[], label: string): ReplayIndex {
  const byId = new Map<string, { episode: Episode; rounds: RecordedRound[] }>();
  const sorted = [...episodes].sort((a, b) => a.line - b.line);
  for (const episode of sorted) {
    const rounds = episode.steps
      .filter((s) => s.kind === "model")
      .map((step, round) => ({ episode, round, step }));
    byId.set(episode.episodeId, { episode, rounds });
  }
  const order: RecordedRound[] = [];
  for (const { rounds } of byId.values()) order.push(...rounds);
  return { label, episodes: byId, order };
}

// Loaded once per process: every recording call of a replay run shares it.
const fileCache = new Map<string, Promise<ReplayIndex>>();
const listCache = new WeakMap<readonly Episode[], ReplayIndex>();

/** The index of `trace` (a path, a URL or episodes), loaded and cached once. */
export function loadReplayIndex(trace: ReplayTraceInput): Promise<ReplayIndex> {
  if (Array.isArray(trace)) {
    let index = listCache.get(trace);
    if (!index) {
      index = indexEpisodes(trace, "<episodes>");
      listCache.set(trace, index);
    }
    return Promise.resolve(index);
  }
  if (typeof trace !== "string" && !(trace instanceof URL)) {
    return Promise.reject(
      new TypeError(
        `replayTrace must be a trace file path, a URL or an array of episodes, got ${quote(trace)}`,
      ),
    );
  }
  const key = String(trace);
  let loading = fileCache.get(key);
  if (!loading) {
    loading = (async () => {
      const episodes: Episode[] = [];
      for await (const ep of readTraceFile(trace)) episodes.push(ep);
      return indexEpisodes(episodes, key);
    })();
    // A failed load is not cached: the next call reports it again.
    loading.catch(() => fileCache.delete(key));
    fileCache.set(key, loading);
  }
  return loading;
}

// ---------------------------------------------------------------------------
// Requests and diffs

/** A request without its volatile fields: parameters and the full message list. */
export interface ComparableRequest {
  params: JsonObject;
  messages: unknown[];
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parameters as compared: everything but `messages` and `user`. */
export function comparableParams(params: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(params)) {
    if (k !== "messages" && k !== "user" && v !== undefined) out[k] = v as JsonObject[string];
  }
  return out;
}

/**
 * The request of round `round` rebuilt from the recorded steps: the first
 * step's `assay.request` plus every step's `assay.request.messages` up to
 * this one. `null` when the trace does not hold them (older traces).
 */
export function recordedRequest(
  rounds: readonly RecordedRound[],
  round: number,
): ComparableRequest | null {
  const params = rounds[0]?.step.meta["assay.request"];
  if (!isObject(params)) return null;
  const messages: unknown[] = [];
  for (let r = 0; r <= round && r < rounds.length; r++) {
    const fresh = rounds[r].step.meta["assay.request.messages"];
    if (!Array.isArray(fresh)) return null;
    messages.push(...fresh);
  }
  return { params: comparableParams(params), messages };
}

/** One differing value: a JSON pointer and the JSON text of each side (absent: undefined). */
export interface PointerDiff {
  path: string;
  recorded?: string;
  now?: string;
}

function escapePointer(part: string | number): string {
  return String(part).replace(/~/g, "~0").replace(/\//g, "~1");
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return safeJson(a) === safeJson(b);
}

/** Canonical JSON text, or the value's string form when it is not JSON. */
export function safeJson(value: unknown): string {
  try {
    return canonicalJson(value);
  } catch {
    return String(value);
  }
}

/** Every differing leaf of two JSON values, as JSON pointers under `prefix`. */
export function pointerDiff(recorded: unknown, now: unknown, prefix = ""): PointerDiff[] {
  if (sameJson(recorded, now)) return [];
  if (isObject(recorded) && isObject(now)) {
    const out: PointerDiff[] = [];
    const keys = [...new Set([...Object.keys(recorded), ...Object.keys(now)])].sort();
    for (const k of keys) {
      const path = `${prefix}/${escapePointer(k)}`;
      if (!(k in now)) out.push({ path, recorded: safeJson(recorded[k]) });
      else if (!(k in recorded)) out.push({ path, now: safeJson(now[k]) });
      else out.push(...pointerDiff(recorded[k], now[k], path));
    }
    return out;
  }
  if (Array.isArray(recorded) && Array.isArray(now)) {
    const out: PointerDiff[] = [];
    const n = Math.max(recorded.length, now.length);
    for (let i = 0; i < n; i++) {
      const path = `${prefix}/${i}`;
      if (i >= now.length) out.push({ path, recorded: safeJson(recorded[i]) });
      else if (i >= recorded.length) out.push({ path, now: safeJson(now[i]) });
      else out.push(...pointerDiff(recorded[i], now[i], path));
    }
    return out;
  }
  return [{ path: prefix === "" ? "/" : prefix, recorded: safeJson(recorded), now: safeJson(now) }];
}

/**
 * The differences of one round's request, under `/request`. Paths already
 * reported for an earlier round of the episode (in `seen`) are left out, so
 * a changed system prompt is reported once, not once per round.
 */
export function requestDiffs(
  recorded: ComparableRequest,
  now: ComparableRequest,
  seen: Set<string>,
): PointerDiff[] {
  const all = [
    ...pointerDiff(recorded.params, now.params, "/request"),
    ...pointerDiff(recorded.messages, now.messages, "/request/messages"),
  ];
  const out: PointerDiff[] = [];
  for (const d of all) {
    const key = `${d.path}\u0000${d.recorded}\u0000${d.now}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

/** Renders a value for a one-line message: `(absent)` for a missing side. */
export function shown(json: string | undefined, max = 160): string {
  if (json === undefined) return "(absent)";
  return json.length > max ? `${json.slice(0, max - 1)}…` : json;
}

/** The difference record of one pointer diff. */
export function difference(
  kind: ReplayDifference["kind"],
  episodeId: string,
  round: number | null,
  d: PointerDiff,
  what: string,
): ReplayDifference {
  const where = round === null
    ? `episode ${quote(episodeId)}`
    : `episode ${quote(episodeId)} round ${round}`;
  const path = round === null ? d.path : `/rounds/${round}${d.path}`;
  return {
    kind,
    episodeId,
    round,
    path,
    ...(d.recorded === undefined ? {} : { recorded: d.recorded }),
    ...(d.now === undefined ? {} : { now: d.now }),
    message: `${where}: ${what}${path === "" ? "" : ` at ${path}`}: recorded ${
      shown(d.recorded)
    }, now ${shown(d.now)}`,
  };
}

// ---------------------------------------------------------------------------
// Answers

/** One tool call of a recorded answer, as the provider sent it. */
export interface AnswerCall {
  index: number;
  id: string;
  type: string;
  name: string;
  arguments: string;
}

/** A recorded model answer, ready to be served again. */
export interface RecordedAnswer {
  content: string;
  rawContent: string | null;
  refusal: string | null;
  calls: AnswerCall[];
  finishReason: string | null;
  usage: unknown;
  model: string;
  extraChoices: unknown[];
}

interface LooseAssistant {
  role?: unknown;
  content?: unknown;
  tool_calls?: {
    id?: unknown;
    type?: unknown;
    function?: { arguments?: unknown };
    custom?: { input?: unknown };
  }[];
}

function rawArguments(call: ToolCall, echoed: LooseAssistant | null, i: number): string {
  const echo = echoed?.tool_calls?.[i];
  const raw = echo?.type === "custom" ? echo.custom?.input : echo?.function?.arguments;
  if (typeof raw === "string") return raw;
  // The answer was the last of its episode: the raw text was never echoed
  // back, so it is rebuilt from the parsed arguments.
  const args = call.args as { _raw?: unknown } | null;
  if (isObject(args) && Object.keys(args).length === 1 && typeof args._raw === "string") {
    return args._raw;
  }
  return safeJson(call.args);
}

/**
 * The answer of recorded round `round`. The next round's request echoes
 * the assistant message exactly as the provider sent it (raw argument
 * strings, `null` content), so it is preferred over the parsed step.
 */
export function recordedAnswer(rounds: readonly RecordedRound[], round: number): RecordedAnswer {
  const { step } = rounds[round];
  const next = rounds[round + 1]?.step.meta["assay.request.messages"];
  const echoed = Array.isArray(next)
    ? (next.find((m) => isObject(m) && m.role === "assistant") as LooseAssistant | undefined) ??
      null
    : null;
  const meta = step.meta;
  const rawContent = echoed && (typeof echoed.content === "string" || echoed.content === null)
    ? echoed.content as string | null
    : step.content === ""
    ? null
    : step.content;
  const calls = step.toolCalls.map((c, i): AnswerCall => ({
    index: c.callIndex,
    id: c.toolCallId ?? `call_${c.callIndex}`,
    type: echoed?.tool_calls?.[i]?.type === "custom" ? "custom" : "function",
    name: c.toolName,
    arguments: rawArguments(c, echoed, i),
  }));
  const model = meta["gen_ai.response.model"] ?? meta["gen_ai.request.model"];
  return {
    content: step.content,
    rawContent,
    refusal: typeof meta["assay.refusal"] === "string" ? meta["assay.refusal"] : null,
    calls,
    finishReason: typeof meta["gen_ai.finish_reason"] === "string"
      ? meta["gen_ai.finish_reason"]
      : null,
    usage: meta["gen_ai.usage"] ?? null,
    model: typeof model === "string" ? model : "",
    extraChoices: Array.isArray(meta["assay.choices"]) ? meta["assay.choices"] : [],
  };
}

function messageCalls(calls: readonly AnswerCall[]): unknown[] {
  return calls.map((c) =>
    c.type === "custom"
      ? { id: c.id, type: "custom", custom: { name: c.name, input: c.arguments } }
      : { id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }
  );
}

interface ExtraChoice {
  index?: unknown;
  content?: unknown;
  finish_reason?: unknown;
  tool_calls?: { id?: unknown; name?: unknown; arguments?: unknown }[];
}

function extraCalls(choice: ExtraChoice): AnswerCall[] {
  return (choice.tool_calls ?? []).map((c, i) => ({
    index: i,
    id: typeof c.id === "string" ? c.id : `call_${i}`,
    type: "function",
    name: typeof c.name === "string" ? c.name : "",
    arguments: typeof c.arguments === "string" ? c.arguments : "",
  }));
}

/** A `chat.completion` response body that says what the recorded step says. */
export function answerResponse(answer: RecordedAnswer, id: string): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: "assistant",
    content: answer.rawContent,
    refusal: answer.refusal,
  };
  if (answer.calls.length > 0) message.tool_calls = messageCalls(answer.calls);
  const choices: unknown[] = [{
    index: 0,
    message,
    finish_reason: answer.finishReason,
    logprobs: null,
  }];
  for (const extra of answer.extraChoices as ExtraChoice[]) {
    const calls = extraCalls(extra);
    const m: Record<string, unknown> = {
      role: "assistant",
      content: typeof extra.content === "string" && extra.content !== "" ? extra.content : null,
      refusal: null,
    };
    if (calls.length > 0) m.tool_calls = messageCalls(calls);
    choices.push({ index: extra.index, message: m, finish_reason: extra.finish_reason ?? null });
  }
  const body: Record<string, unknown> = {
    id,
    object: "chat.completion",
    created: 0,
    model: answer.model,
    choices,
  };
  if (answer.usage !== null) body.usage = answer.usage;
  return body;
}

/**
 * The chunks of a recorded streamed answer, re-chunked: one content chunk,
 * one chunk per tool call, the finish chunk, and the usage chunk when the
 * request asked for one and the step recorded usage.
 */
export function answerChunks(
  answer: RecordedAnswer,
  id: string,
  includeUsage: boolean,
): Record<string, unknown>[] {
  const head = { id, object: "chat.completion.chunk", created: 0, model: answer.model };
  const out: Record<string, unknown>[] = [];
  const choice = (index: number, delta: Record<string, unknown>, finish: unknown = null) => ({
    ...head,
    choices: [{ index, delta, finish_reason: finish }],
  });
  const oneChoice = (
    index: number,
    content: string,
    refusal: string | null,
    calls: AnswerCall[],
    finish: unknown,
  ) => {
    const first: Record<string, unknown> = { role: "assistant" };
    if (content !== "") first.content = content;
    if (refusal !== null) first.refusal = refusal;
    out.push(choice(index, first));
    for (const c of calls) {
      const fragment = c.type === "custom"
        ? { index: c.index, id: c.id, type: "custom", custom: { name: c.name, input: c.arguments } }
        : {
          index: c.index,
          id: c.id,
          type: "function",
          function: { name: c.name, arguments: c.arguments },
        };
      out.push(choice(index, { tool_calls: [fragment] }));
    }
    out.push(choice(index, {}, finish));
  };
  oneChoice(0, answer.content, answer.refusal, answer.calls, answer.finishReason);
  for (const extra of answer.extraChoices as ExtraChoice[]) {
    oneChoice(
      typeof extra.index === "number" ? extra.index : 1,
      typeof extra.content === "string" ? extra.content : "",
      null,
      extraCalls(extra),
      extra.finish_reason ?? null,
    );
  }
  if (includeUsage && answer.usage !== null) {
    out.push({ ...head, choices: [], usage: answer.usage });
  }
  return out;
}

// ---------------------------------------------------------------------------
// The per-episode session used by the recording loop

/** What a replaying recording run was configured with. */
export interface ReplayConfig {
  mode: "replay" | "auto";
  trace: ReplayTraceInput;
  strict: boolean;
  toolMode: ToolMode;
  onDifference: (difference: ReplayDifference) => void;
}

/** Replays one episode: answers its model calls and checks its tools. */
export class ReplaySession {
  readonly #cfg: ReplayConfig;
  readonly #index: ReplayIndex;
  readonly #episodeId: string;
  readonly #episode: Episode;
  readonly #rounds: RecordedRound[];
  readonly #seen = new Set<string>();

  constructor(
    cfg: ReplayConfig,
    index: ReplayIndex,
    entry: { episode: Episode; rounds: RecordedRound[] },
  ) {
    this.#cfg = cfg;
    this.#index = index;
    this.#episode = entry.episode;
    this.#episodeId = entry.episode.episodeId;
    this.#rounds = entry.rounds;
  }

  /**
   * The session of `episodeId`, or `null` in auto mode when the trace does
   * not have it (the episode is then recorded for real).
   */
  static async open(cfg: ReplayConfig, episodeId: string): Promise<ReplaySession | null> {
    const index = await loadReplayIndex(cfg.trace);
    const entry = index.episodes.get(episodeId);
    if (entry === undefined) {
      if (cfg.mode === "auto") return null;
      const known = [...index.episodes.keys()].slice(0, 5).map((k) => quote(k)).join(", ");
      throw new AssayError(
        "E_REPLAY_STRICT_MISSING",
        `replay: episode ${quote(episodeId)} is not in the recorded trace ${
          quote(index.label)
        } (it has ${index.episodes.size} episode(s)${known ? `: ${known}` : ""})`,
        {
          hint: 'record it first (ASSAY_MODE=record), use mode "auto" to record missing ' +
            "episodes, or pass the episodeId the trace was recorded with",
        },
      );
    }
    return new ReplaySession(cfg, index, entry);
  }

  #report(diffs: ReplayDifference[]): void {
    if (diffs.length === 0) return;
    if (this.#cfg.strict) {
      const lines = diffs.slice(0, 20).map((d) => `  ${d.message}`);
      if (diffs.length > 20) lines.push(`  ... and ${diffs.length - 20} more`);
      throw new AssayError(
        "E_REPLAY_DIFF",
        `strict replay of ${quote(this.#index.label)} failed:\n${lines.join("\n")}`,
        {
          hint: "if the change is intended, record the trace again (ASSAY_MODE=record); " +
            "without strict the differences are warnings",
        },
      );
    }
    for (const d of diffs) this.#cfg.onDifference(d);
  }

  /**
   * The recorded answer to round `round`, after checking the request the
   * agent sends now against the recorded one.
   */
  answer(
    round: number,
    request: { sha: string; params: Record<string, unknown>; messages: () => unknown[] },
    stream: { on: boolean; includeUsage: boolean },
  ): unknown {
    if (round >= this.#rounds.length) {
      const recorded = this.#episode;
      if (round === this.#rounds.length && recorded.outcome === "error") {
        // The recording ended with the client failing on this call (an API
        // error, a timeout): the replay fails the same way, with the same
        // name and message (the class itself is not in the trace).
        const err = new Error(String(recorded.endMeta["error.message"] ?? "recorded error"));
        err.name = String(recorded.endMeta["error.type"] ?? "Error");
        throw err;
      }
      throw new AssayError(
        "E_REPLAY_STRICT_MISSING",
        `replay: episode ${quote(this.#episodeId)} round ${round}: the agent asks for model call ${
          round + 1
        }, but the trace ${quote(this.#index.label)} recorded only ${this.#rounds.length}`,
        {
          hint: "the agent now makes an extra model round (a tool result or the loop changed); " +
            "record the trace again if that is intended",
        },
      );
    }
    const step = this.#rounds[round].step;
    if (request.sha !== step.meta["assay.request.sha256"]) {
      const recorded = recordedRequest(this.#rounds, round);
      const now = { params: comparableParams(request.params), messages: request.messages() };
      const diffs = recorded === null
        ? [{ path: "/request", recorded: "(not recorded)", now: safeJson(now) }]
        : requestDiffs(recorded, now, this.#seen);
      this.#report(
        diffs.map((d) => difference("request", this.#episodeId, round, d, "request differs")),
      );
    }
    const answer = recordedAnswer(this.#rounds, round);
    const id = `chatcmpl-replay-${this.#episodeId}-${round}`;
    if (!stream.on) return answerResponse(answer, id);
    const chunks = answerChunks(answer, id, stream.includeUsage);
    return (async function* () {
      yield* chunks;
    })();
  }

  /**
   * Runs (or, with `toolMode: "replay"`, serves) tool call `i` of round
   * `round` and checks its result or error against the recorded one.
   */
  async tool(
    round: number,
    i: number,
    executors: ToolExecutors,
    call: { id: string; name: string; args: unknown },
  ): Promise<ToolOutcome> {
    const recorded = this.#rounds[round]?.step.toolCalls[i];
    if (this.#cfg.toolMode === "replay" && recorded !== undefined) return recordedOutcome(recorded);
    const out = await runTool(executors, call.name, call.args, { ...call, round });
    if (recorded === undefined) return out;
    const diffs: ReplayDifference[] = [];
    const base = `/tool_calls/${i}`;
    if ((recorded.error ?? null) !== out.error) {
      diffs.push(difference(
        "tool",
        this.#episodeId,
        round,
        {
          path: `${base}/error`,
          recorded: safeJson(recorded.error ?? null),
          now: safeJson(out.error),
        },
        `tool ${quote(call.name)} error differs`,
      ));
    }
    if (out.error === null && recorded.error === null) {
      for (const d of pointerDiff(recorded.result, out.result, `${base}/result`)) {
        diffs.push(
          difference(
            "tool",
            this.#episodeId,
            round,
            d,
            `tool ${quote(call.name)} result differs`,
          ),
        );
      }
    }
    this.#report(diffs);
    return out;
  }

  /** Checks the agent did not stop before the recorded episode did. */
  end(rounds: number): void {
    if (rounds >= this.#rounds.length) return;
    this.#report([missingRound(this.#episodeId, this.#rounds[rounds], rounds)]);
  }
}

/** A short summary of a recorded model round, for "missing round" messages. */
export function roundSummary(step: Step): string {
  return safeJson({
    content: step.content,
    tool_calls: step.toolCalls.map((c) => ({ name: c.toolName, args: c.args })),
  });
}

/** The difference "the agent stopped before round `round`". */
export function missingRound(
  episodeId: string,
  recorded: RecordedRound,
  round: number,
): ReplayDifference {
  return difference(
    "rounds",
    episodeId,
    round,
    { path: "", recorded: roundSummary(recorded.step) },
    "the agent stopped early (a recorded model round was never requested)",
  );
}

/** The outcome the recorded call had, as `runTool` would have returned it. */
function recordedOutcome(call: ToolCall): ToolOutcome {
  if (call.error !== null) {
    return {
      result: null,
      error: call.error,
      errorType: call.errorType,
      messageContent: call.error,
    };
  }
  return {
    result: call.result,
    error: null,
    errorType: null,
    messageContent: safeJson(call.result),
  };
}
