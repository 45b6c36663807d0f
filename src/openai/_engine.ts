// The one recording loop behind all four record* functions: plain or
// streamed model calls, tools recorded only or executed between rounds.
// It is an async generator so streamed chunks reach the caller as they
// arrive and a consumer that stops early (`return()`) still gets its
// episode finalised.
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { quote } from "../errors.ts";
import { shallowCopy } from "../trace/_copy.ts";
import { EpisodeRecorder, errorMeta } from "../trace/recorder.ts";
import type { JsonObject } from "../trace/events.ts";
import {
  addUsage,
  parseArgs,
  RequestFingerprint,
  type RunConfig,
  runTool,
  wireCopy,
} from "./_common.ts";
import { ReplaySession } from "./_replay.ts";
import { type AccumulatedToolCall, StreamAccumulator } from "./stream_accumulator.ts";
import type { RecordedToolCall, RecordResult } from "./types.ts";

/** One model answer, from a response or from accumulated chunks. */
interface Turn {
  /** `""` when the model gave no text. */
  content: string;
  /** The content to echo in the assistant message (`null` when none). */
  rawContent: string | null;
  calls: AccumulatedToolCall[];
  finishReason: string | null;
  usage: unknown;
  responseModel: string | null;
  refusal: string | null;
  /** Choices other than 0 (`n > 1`), summarised for the step meta. */
  extraChoices: JsonObject[];
}

/** How the run ended, for whoever waits on the result. */
export type Settle = (outcome: { result: RecordResult } | { error: unknown }) => void;

interface LooseMessage {
  content?: unknown;
  refusal?: unknown;
  tool_calls?: unknown;
}

function callsOfMessage(message: LooseMessage | null | undefined): AccumulatedToolCall[] {
  const raw = message?.tool_calls;
  if (!Array.isArray(raw)) return [];
  const calls: AccumulatedToolCall[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as {
      id?: unknown;
      type?: unknown;
      function?: { name?: unknown; arguments?: unknown } | null;
      custom?: { name?: unknown; input?: unknown } | null;
    } | null;
    if (c === null || typeof c !== "object") continue;
    const custom = c.type === "custom" && c.custom != null;
    const name = custom ? c.custom?.name : c.function?.name;
    const args = custom ? c.custom?.input : c.function?.arguments;
    calls.push({
      index: i,
      id: typeof c.id === "string" && c.id !== "" ? c.id : null,
      type: custom ? "custom" : "function",
      name: typeof name === "string" ? name : "",
      arguments: typeof args === "string" ? args : "",
    });
  }
  return calls;
}

function choiceSummary(
  index: number,
  content: string | null,
  finishReason: string | null,
  calls: AccumulatedToolCall[],
): JsonObject {
  return {
    index,
    content: content ?? "",
    finish_reason: finishReason,
    tool_calls: calls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
  };
}

function turnOfResponse(fn: string, response: unknown): Turn {
  const r = response as { choices?: unknown; usage?: unknown; model?: unknown } | null;
  if (r === null || typeof r !== "object" || !Array.isArray(r.choices)) {
    throw new TypeError(
      `${fn}: client.chat.completions.create returned ${
        quote(response)
      }, not a chat completion with a choices array; ` +
        "pass a client whose create() resolves to the API's response",
    );
  }
  const choices = r.choices as {
    index?: unknown;
    message?: LooseMessage;
    finish_reason?: unknown;
  }[];
  const first = choices.find((c) => c?.index === 0 || c?.index === undefined) ?? choices[0];
  const message = first?.message;
  const rawContent = typeof message?.content === "string" ? message.content : null;
  const extraChoices: JsonObject[] = [];
  for (const c of choices) {
    if (c === first || c === null || typeof c !== "object") continue;
    extraChoices.push(
      choiceSummary(
        typeof c.index === "number" ? c.index : extraChoices.length + 1,
        typeof c.message?.content === "string" ? c.message.content : null,
        typeof c.finish_reason === "string" ? c.finish_reason : null,
        callsOfMessage(c.message),
      ),
    );
  }
  return {
    content: rawContent ?? "",
    rawContent,
    calls: callsOfMessage(message),
    finishReason: typeof first?.finish_reason === "string" ? first.finish_reason : null,
    usage: r.usage ?? null,
    responseModel: typeof r.model === "string" && r.model !== "" ? r.model : null,
    refusal: typeof message?.refusal === "string" ? message.refusal : null,
    extraChoices,
  };
}

function turnOfAccumulator(acc: StreamAccumulator): Turn {
  const [first, ...rest] = acc.choices;
  const content = first?.content ?? "";
  return {
    content,
    rawContent: content === "" ? null : content,
    calls: first?.toolCalls ?? [],
    finishReason: first?.finishReason ?? null,
    usage: acc.usage,
    responseModel: acc.model,
    refusal: first?.refusal ?? null,
    extraChoices: rest.map((c) => choiceSummary(c.index, c.content, c.finishReason, c.toolCalls)),
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<ChatCompletionChunk> {
  return value !== null && typeof value === "object" &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function";
}

interface Pending {
  acc: StreamAccumulator;
  meta: JsonObject;
}

/**
 * Records one episode. Yields stream chunks unchanged (plain calls yield
 * nothing) and returns the common result; `settle` learns the result of
 * every ending, also an early `return()` by the consumer.
 */
export async function* recordEpisode(
  cfg: RunConfig,
  settle?: Settle,
): AsyncGenerator<ChatCompletionChunk, RecordResult, undefined> {
  const rec = new EpisodeRecorder({
    writer: cfg.writer,
    episodeId: cfg.episodeId,
    testId: cfg.testId,
    clock: cfg.clock,
  });
  const messages: ChatCompletionMessageParam[] = [...cfg.messages];
  const toolCalls: RecordedToolCall[] = [];
  let usage: CompletionUsage | null = null;
  let content = "";
  let rounds = 0;
  let truncated = false;
  let sent = 0;
  // A streamed step whose chunks are still arriving: written by whichever
  // ending comes first (normal, error or early return).
  let pending: Pending | null = null;
  let state: "running" | "done" | "failed" = "running";
  // The writer keeps events in call order, so the recorder's writes are
  // queued rather than awaited one by one (each await is a disk round trip).
  // They are all awaited before the episode counts as recorded, so a failed
  // write still reaches the caller.
  let queued: Promise<unknown>[] = [];
  const queue = (write: Promise<unknown>): void => {
    write.catch(() => {}); // awaited in drain(); not unhandled meanwhile
    queued.push(write);
  };
  const drain = async (): Promise<void> => {
    const writes = queued;
    queued = [];
    await Promise.all(writes);
  };
  const writeStep = (content: string, meta: JsonObject): string => {
    queue(rec.modelStep({ content, meta }));
    // step() assigns the id before its first await.
    return rec.lastStepId!;
  };
  const result = (): RecordResult => ({
    episodeId: rec.episodeId,
    testId: rec.testId,
    content,
    toolCalls,
    messages,
    usage,
    rounds,
    truncated,
  });

  const writePartial = async (p: Pending): Promise<void> => {
    const turn = turnOfAccumulator(p.acc);
    content = turn.content;
    usage = addUsage(usage, turn.usage);
    const meta = stepMeta(turn, p.meta);
    meta["assay.partial"] = true;
    const stepId = writeStep(turn.content, meta);
    for (const call of turn.calls) {
      const id = call.id ?? `call_${call.index}`;
      const args = parseArgs(call.arguments);
      toolCalls.push({ id, name: call.name, args, result: null, error: null });
      queue(rec.toolCall({
        stepId,
        callIndex: call.index,
        toolName: call.name,
        args,
        toolCallId: id,
        meta: p.meta.round === undefined ? {} : { round: p.meta.round },
      }));
    }
    await drain();
  };

  // The step meta: the round's request fields (`base`) plus the answer's.
  const stepMeta = (turn: Turn, base: JsonObject): JsonObject => {
    const meta: JsonObject = shallowCopy(base);
    meta["gen_ai.request.model"] = cfg.model;
    if (turn.responseModel !== null) meta["gen_ai.response.model"] = turn.responseModel;
    if (turn.usage !== null && typeof turn.usage === "object") {
      meta["gen_ai.usage"] = wireCopy(turn.usage);
    }
    if (turn.finishReason !== null) meta["gen_ai.finish_reason"] = turn.finishReason;
    if (turn.refusal !== null) meta["assay.refusal"] = turn.refusal;
    if (turn.extraChoices.length > 0) meta["assay.choices"] = turn.extraChoices;
    return meta;
  };

  // Queued like the rest: the writer keeps it first in the file, and the
  // one value in it that could fail to serialise (meta) was checked upfront.
  queue(rec.start({ prompt: cfg.prompt, meta: cfg.meta }));
  let wireParams: Record<string, unknown>;
  let fingerprint: RequestFingerprint;
  try {
    // In replay, model answers come from the recorded trace instead of the
    // client (in auto mode only for the episodes the trace has).
    const replay = cfg.replay === null ? null : await ReplaySession.open(cfg.replay, cfg.episodeId);
    const create = (round: number, body: Record<string, unknown>, sha: string) =>
      replay === null
        ? cfg.client.chat.completions.create(body, cfg.requestOptions)
        : replay.answer(
          round,
          { sha, params: wireParams, messages: () => wireCopy(messages) },
          { on: cfg.stream, includeUsage: cfg.includeUsage },
        );
    wireParams = wireCopy(cfg.base);
    fingerprint = new RequestFingerprint(wireParams);
    for (let round = 0;; round++) {
      const body = shallowCopy(cfg.base);
      body.messages = [...messages];
      // The request as it goes over the wire (JSON, undefined keys dropped),
      // which the writer can always serialise. Only the messages added since
      // the last round are copied; the parameters never change in a run, so
      // they are stored on the first step only.
      const fresh = wireCopy(messages.slice(sent));
      fingerprint.add(fresh);
      const base: JsonObject = {};
      if (cfg.stream) base["gen_ai.stream"] = true;
      if (cfg.execute) base.round = round;
      if (round === 0) base["assay.request"] = wireParams;
      base["assay.request.messages"] = fresh;
      base["assay.request.message_count"] = messages.length;
      const sha = fingerprint.digest();
      base["assay.request.sha256"] = sha;
      sent = messages.length;
      rounds++;
      let turn: Turn;
      if (cfg.stream) {
        const stream = await create(round, body, sha);
        if (!isAsyncIterable(stream)) {
          throw new TypeError(
            `${cfg.fn}: client.chat.completions.create returned ${
              quote(stream)
            } for stream: true, ` +
              "not an async iterable of chunks; pass an OpenAI client",
          );
        }
        const acc = new StreamAccumulator();
        pending = { acc, meta: base };
        for await (const chunk of stream) {
          acc.push(chunk);
          yield chunk;
        }
        pending = null;
        turn = turnOfAccumulator(acc);
      } else {
        const response = await create(round, body, sha);
        turn = turnOfResponse(cfg.fn, response);
      }
      usage = addUsage(usage, turn.usage);
      content = turn.content;
      const runTools = cfg.execute && turn.calls.length > 0;
      const last = runTools && round >= cfg.maxToolRounds;
      const meta = stepMeta(turn, base);
      if (last) meta["assay.truncated"] = true;
      const stepId = writeStep(turn.content, meta);

      const ids = turn.calls.map((c, i) =>
        c.id ?? (cfg.stream ? `call_${c.index}` : `${stepId}:${i}`)
      );
      const assistant: Record<string, unknown> = { role: "assistant", content: turn.rawContent };
      if (turn.calls.length > 0) {
        assistant.tool_calls = turn.calls.map((c, i) =>
          c.type === "custom"
            ? { id: ids[i], type: "custom", custom: { name: c.name, input: c.arguments } }
            : { id: ids[i], type: "function", function: { name: c.name, arguments: c.arguments } }
        );
      }
      if (turn.refusal !== null) assistant.refusal = turn.refusal;
      messages.push(assistant as unknown as ChatCompletionMessageParam);

      for (let i = 0; i < turn.calls.length; i++) {
        const call = turn.calls[i];
        const callIndex = cfg.stream ? call.index : i;
        const args = parseArgs(call.arguments);
        const callMeta: JsonObject = cfg.execute ? { round } : {};
        if (!runTools) {
          toolCalls.push({ id: ids[i], name: call.name, args, result: null, error: null });
          queue(rec.toolCall({
            stepId,
            callIndex,
            toolName: call.name,
            args,
            toolCallId: ids[i],
            meta: callMeta,
          }));
          continue;
        }
        const context = { id: ids[i], name: call.name, round };
        const out = replay === null
          ? await runTool(cfg.executors, call.name, args, context)
          : await replay.tool(round, i, cfg.executors, { ...context, args });
        if (out.errorType !== null) callMeta.error_type = out.errorType;
        toolCalls.push({ id: ids[i], name: call.name, args, result: out.result, error: out.error });
        queue(rec.toolCall({
          stepId,
          callIndex,
          toolName: call.name,
          args,
          result: out.result,
          error: out.error,
          toolCallId: ids[i],
          meta: callMeta,
        }));
        messages.push({ role: "tool", tool_call_id: ids[i], content: out.messageContent });
      }
      if (!runTools) break;
      if (last) {
        truncated = true;
        break;
      }
    }
    replay?.end(rounds);
    state = "done";
    queue(rec.end({ outcome: "pass", meta: truncated ? { "assay.truncated": true } : {} }));
    await drain();
    const value = result();
    settle?.({ result: value });
    return value;
  } catch (err) {
    if (state === "running") {
      state = "failed";
      try {
        if (pending !== null) await writePartial(pending);
        queue(rec.end({ outcome: "error", meta: errorMeta(err) }));
        await drain();
      } catch {
        // The writer itself failed; the caller needs the original error more.
      }
    }
    settle?.({ error: err });
    throw err;
  } finally {
    if (state === "running") {
      // Only an early return() by the consumer gets here.
      state = "done";
      try {
        if (pending !== null) await writePartial(pending);
        queue(rec.end({ outcome: "aborted" }));
        await drain();
        settle?.({ result: result() });
      } catch (err) {
        settle?.({ error: err });
        // deno-lint-ignore no-unsafe-finally -- a failed write must reach the caller of return()
        throw err;
      }
    }
  }
}

/** Drives a plain (non-streamed) run to its result. */
export async function runToEnd(cfg: RunConfig): Promise<RecordResult> {
  const gen = recordEpisode(cfg);
  for (;;) {
    const step = await gen.next();
    if (step.done) return step.value;
  }
}
