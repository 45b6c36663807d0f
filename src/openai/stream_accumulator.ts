/**
 * `StreamAccumulator`: folds chat-completion chunks into the answer they
 * spell out (content, tool calls, finish reason, usage), tolerating the
 * quirks of OpenAI-compatible servers.
 *
 * @module
 */
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";

/** One tool call put back together from its stream fragments. */
export interface AccumulatedToolCall {
  /** The `index` the fragments carried (their position among the choice's calls). */
  index: number;
  /** The provider's call id, or `null` when no fragment carried one. */
  id: string | null;
  /** `"function"` (or `"custom"` for custom tools). */
  type: string;
  /** The tool name. */
  name: string;
  /** The raw argument text, all fragments joined. */
  arguments: string;
}

/** One choice (`n > 1` gives several) put back together. */
export interface AccumulatedChoice {
  /** The choice index. */
  index: number;
  /** The joined content deltas (`""` when there were none). */
  content: string;
  /** The joined refusal deltas, or `null`. */
  refusal: string | null;
  /** The tool calls, by `index`. */
  toolCalls: AccumulatedToolCall[];
  /** The last non-null `finish_reason` seen, or `null`. */
  finishReason: string | null;
}

interface ChoiceState {
  index: number;
  content: string;
  refusal: string | null;
  finishReason: string | null;
  calls: Map<number, AccumulatedToolCall> | null;
  lastCall: AccumulatedToolCall | null;
}

// The loose shape chunks really have: every field may be missing or null.
interface LooseFragment {
  index?: unknown;
  id?: unknown;
  type?: unknown;
  function?: { name?: unknown; arguments?: unknown } | null;
  custom?: { name?: unknown; input?: unknown } | null;
}

interface LooseChoice {
  index?: unknown;
  delta?: {
    content?: unknown;
    refusal?: unknown;
    tool_calls?: unknown;
  } | null;
  finish_reason?: unknown;
}

function newChoice(index: number): ChoiceState {
  return { index, content: "", refusal: null, finishReason: null, calls: null, lastCall: null };
}

function addFragment(state: ChoiceState, raw: unknown): void {
  if (raw === null || typeof raw !== "object") return;
  const frag = raw as LooseFragment;
  const id = typeof frag.id === "string" && frag.id !== "" ? frag.id : null;
  const calls = state.calls ??= new Map();
  let call: AccumulatedToolCall | undefined;
  if (typeof frag.index === "number") {
    call = calls.get(frag.index);
    if (call === undefined) {
      call = { index: frag.index, id: null, type: "function", name: "", arguments: "" };
      calls.set(frag.index, call);
    }
  } else {
    // Some compatible servers omit `index` and send whole calls one after
    // another: a fragment continues the last call unless it brings a new id.
    const last = state.lastCall;
    if (last !== null && (id === null || last.id === null || last.id === id)) {
      call = last;
    } else {
      let next = 0;
      for (const k of calls.keys()) if (k >= next) next = k + 1;
      call = { index: next, id: null, type: "function", name: "", arguments: "" };
      calls.set(next, call);
    }
  }
  state.lastCall = call;
  if (id !== null && call.id === null) call.id = id;
  if (typeof frag.type === "string" && frag.type !== "") call.type = frag.type;
  const fn = frag.function ?? frag.custom;
  if (fn !== null && typeof fn === "object") {
    const name = fn.name;
    // Servers that repeat the full name on every fragment must not double it;
    // servers that split the name into pieces must get it joined.
    if (typeof name === "string" && name !== "" && name !== call.name) call.name += name;
    const text = "arguments" in fn ? fn.arguments : (fn as { input?: unknown }).input;
    if (typeof text === "string") call.arguments += text;
  }
}

function sortedCalls(state: ChoiceState): AccumulatedToolCall[] {
  if (state.calls === null) return [];
  return [...state.calls.values()].sort((a, b) => a.index - b.index).map((c) => ({ ...c }));
}

/**
 * Folds streamed chat-completion chunks into one answer. Handles argument
 * fragments of any size, tool calls interleaved by `index`, ids that arrive
 * only on the first fragment or late, names repeated on every fragment,
 * `arguments: null`, chunks with empty `choices` (the usage chunk), unknown
 * fields, and `n > 1` (choice 0 is the answer; {@linkcode choices} has all).
 *
 * @example
 * ```ts
 * import { StreamAccumulator } from "@assay-it/sdk";
 * const acc = new StreamAccumulator();
 * acc.push({ choices: [{ index: 0, delta: { content: "Hel" } }] });
 * acc.push({ choices: [{ index: 0, delta: { content: "lo" }, finish_reason: "stop" }] });
 * acc.push({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
 * console.log(acc.content, acc.finishReason, acc.usage?.total_tokens); // "Hello" "stop" 5
 * ```
 */
export class StreamAccumulator {
  #first: ChoiceState | null = null;
  #others: Map<number, ChoiceState> | null = null;
  #usage: CompletionUsage | null = null;
  #model: string | null = null;
  #id: string | null = null;
  #count = 0;

  /** Adds one chunk. Chunks that are not objects are a caller mistake (`TypeError`). */
  push(chunk: ChatCompletionChunk | Record<string, unknown>): void {
    if (chunk === null || typeof chunk !== "object") {
      throw new TypeError(
        `StreamAccumulator.push expects a chat.completion.chunk object, got ${
          chunk === null ? "null" : typeof chunk
        }`,
      );
    }
    this.#count++;
    const c = chunk as { id?: unknown; model?: unknown; usage?: unknown; choices?: unknown };
    if (this.#model === null && typeof c.model === "string" && c.model !== "") {
      this.#model = c.model;
    }
    if (this.#id === null && typeof c.id === "string" && c.id !== "") this.#id = c.id;
    if (c.usage !== null && typeof c.usage === "object") this.#usage = c.usage as CompletionUsage;
    const choices = c.choices;
    if (!Array.isArray(choices)) return;
    for (let i = 0; i < choices.length; i++) {
      const choice = choices[i] as LooseChoice | null;
      if (choice === null || typeof choice !== "object") continue;
      const index = typeof choice.index === "number" ? choice.index : 0;
      const state = index === 0 ? (this.#first ??= newChoice(0)) : this.#other(index);
      const delta = choice.delta;
      if (delta !== null && typeof delta === "object") {
        if (typeof delta.content === "string") state.content += delta.content;
        if (typeof delta.refusal === "string") {
          state.refusal = (state.refusal ?? "") + delta.refusal;
        }
        const calls = delta.tool_calls;
        if (Array.isArray(calls)) {
          for (let j = 0; j < calls.length; j++) addFragment(state, calls[j]);
        }
      }
      // A later explicit `null` must not erase a finish reason already seen.
      if (typeof choice.finish_reason === "string") state.finishReason = choice.finish_reason;
    }
  }

  #other(index: number): ChoiceState {
    const others = this.#others ??= new Map();
    let state = others.get(index);
    if (state === undefined) {
      state = newChoice(index);
      others.set(index, state);
    }
    return state;
  }

  /** Number of chunks pushed. */
  get chunkCount(): number {
    return this.#count;
  }

  /** The completion id of the first chunk that had one, or `null`. */
  get id(): string | null {
    return this.#id;
  }

  /** The model named by the first chunk that had one, or `null`. */
  get model(): string | null {
    return this.#model;
  }

  /** Choice 0's content (`""` when none). */
  get content(): string {
    return this.#first?.content ?? "";
  }

  /** Choice 0's refusal text, or `null`. */
  get refusal(): string | null {
    return this.#first?.refusal ?? null;
  }

  /** Choice 0's tool calls, ordered by `index`. */
  get toolCalls(): AccumulatedToolCall[] {
    return this.#first === null ? [] : sortedCalls(this.#first);
  }

  /** Choice 0's last non-null finish reason, or `null`. */
  get finishReason(): string | null {
    return this.#first?.finishReason ?? null;
  }

  /** The usage of the last chunk that carried one (the final usage chunk), or `null`. */
  get usage(): CompletionUsage | null {
    return this.#usage;
  }

  /** Every choice seen, ordered by index (choice 0 first). */
  get choices(): AccumulatedChoice[] {
    const states: ChoiceState[] = [];
    if (this.#first !== null) states.push(this.#first);
    if (this.#others !== null) {
      states.push(...[...this.#others.values()].sort((a, b) => a.index - b.index));
    }
    return states.map((s) => ({
      index: s.index,
      content: s.content,
      refusal: s.refusal,
      toolCalls: sortedCalls(s),
      finishReason: s.finishReason,
    }));
  }
}
