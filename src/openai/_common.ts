// Internal helpers of the OpenAI recording functions: option checks, the
// request body, prompts, usage sums, tool execution and error naming.
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import { quote } from "../errors.ts";
import { shallowCopy } from "../trace/_copy.ts";
import { canonicalJson, compareCodePoints } from "../trace/canonical.ts";
import type { Clock } from "../trace/clock.ts";
import type { JsonObject } from "../trace/events.ts";
import type { TraceWriter } from "../trace/writer.ts";
import { Sha256 } from "../runtime/sha256.ts";
import { resolveWriter } from "./context.ts";
import type { ReplayConfig } from "./_replay.ts";
import { replayConfig } from "./_replay_options.ts";
import type { ChatCompletionsClient, RecordWithToolsOptions, ToolExecutors } from "./types.ts";
import { errorMessage, errorType } from "../trace/recorder.ts";

/** Request fields the dedicated options own; `params` may not set them. */
const OWNED_FIELDS = new Set([
  "model",
  "messages",
  "tools",
  "tool_choice",
  "temperature",
  "stream",
  "stream_options",
]);

/** Everything a recording run needs, checked once at call time. */
export interface RunConfig {
  fn: string;
  writer: TraceWriter;
  client: ChatCompletionsClient;
  model: string;
  messages: ChatCompletionMessageParam[];
  base: Record<string, unknown>;
  requestOptions: Record<string, unknown> | undefined;
  episodeId: string;
  testId: string | undefined;
  prompt: string;
  meta: JsonObject | undefined;
  clock: Clock | undefined;
  stream: boolean;
  includeUsage: boolean;
  /** Run tools between rounds (the loops) or only record them. */
  execute: boolean;
  executors: ToolExecutors;
  maxToolRounds: number;
  /** How to replay (answers from a trace), or `null` to record. */
  replay: ReplayConfig | null;
}

function fail(fn: string, what: string, value: unknown, fix: string): never {
  throw new TypeError(
    `${fn}: ${what}, got ${value === undefined ? "undefined" : quote(value)}; ${fix}`,
  );
}

/**
 * Checks the options and resolves the writer, so every caller mistake (and
 * a missing writer) surfaces before any request is sent.
 */
export function configure(
  fn: string,
  options: RecordWithToolsOptions & { includeUsage?: boolean },
  mode: { stream: boolean; execute: boolean },
): RunConfig {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `${fn} needs an options object, got ${options === null ? "null" : typeof options}`,
    );
  }
  const o = options;
  const create = (o.client as ChatCompletionsClient | undefined)?.chat?.completions?.create;
  if (typeof create !== "function") {
    fail(
      fn,
      "client must have chat.completions.create",
      typeof o.client,
      "pass an OpenAI client: new OpenAI()",
    );
  }
  if (typeof o.model !== "string" || o.model === "") {
    fail(fn, "model must be a non-empty string", o.model, 'pass e.g. model: "gpt-4o"');
  }
  if (!Array.isArray(o.messages)) {
    fail(
      fn,
      "messages must be an array",
      o.messages,
      'pass e.g. [{ role: "user", content: "..." }]',
    );
  }
  if (typeof o.episodeId !== "string" || o.episodeId === "") {
    fail(
      fn,
      "episodeId must be a non-empty string",
      o.episodeId,
      "pass a unique id per recorded run",
    );
  }
  if (o.testId !== undefined && typeof o.testId !== "string") {
    fail(fn, "testId must be a string", o.testId, "pass the id of the config test");
  }
  if (o.prompt !== undefined && typeof o.prompt !== "string") {
    fail(fn, "prompt must be a string", o.prompt, "pass the text to record as the episode's input");
  }
  if (
    o.temperature !== undefined &&
    (typeof o.temperature !== "number" || !Number.isFinite(o.temperature))
  ) {
    fail(fn, "temperature must be a finite number", o.temperature, "pass a number or leave it out");
  }
  if (o.tools !== undefined && !Array.isArray(o.tools)) {
    fail(fn, "tools must be an array", o.tools, "pass OpenAI tool definitions");
  }
  const maxToolRounds = o.maxToolRounds ?? 4;
  if (!Number.isSafeInteger(maxToolRounds) || maxToolRounds < 0) {
    fail(fn, "maxToolRounds must be an integer >= 0", o.maxToolRounds, "pass e.g. 4");
  }
  const executors = o.toolExecutors ?? {};
  if (executors === null || typeof executors !== "object") {
    fail(
      fn,
      "toolExecutors must be an object of functions",
      executors,
      "pass { ToolName: (args) => result }",
    );
  }
  for (const [name, exec] of Object.entries(executors)) {
    if (typeof exec !== "function") {
      fail(fn, `toolExecutors.${name} must be a function`, typeof exec, "pass (args) => result");
    }
  }
  if (o.meta !== undefined) {
    if (o.meta === null || typeof o.meta !== "object" || Array.isArray(o.meta)) {
      fail(fn, "meta must be an object", o.meta, 'pass e.g. { user: "u_1" }');
    }
    // Fails here (E_SERIALIZE, naming the field) rather than after a paid model call.
    canonicalJson(o.meta);
  }
  const base: Record<string, unknown> = {};
  if (o.params !== undefined) {
    if (o.params === null || typeof o.params !== "object") {
      fail(
        fn,
        "params must be an object",
        o.params,
        "pass extra request fields such as { seed: 1 }",
      );
    }
    for (const [key, value] of Object.entries(o.params)) {
      if (OWNED_FIELDS.has(key)) {
        fail(fn, `params.${key} is set by its own option`, key, `use the ${key} option instead`);
      }
      if (value !== undefined) base[key] = value;
    }
  }
  base.model = o.model;
  if (o.tools !== undefined) base.tools = o.tools;
  if (o.toolChoice !== undefined) base.tool_choice = o.toolChoice;
  if (o.temperature !== undefined) base.temperature = o.temperature;
  if (mode.stream) {
    base.stream = true;
    if (o.includeUsage) base.stream_options = { include_usage: true };
  }
  const replay = replayConfig(fn, o);
  // Resolved last on purpose: argument mistakes are reported first, and the
  // writer is fixed at call time so a stream iterated later still uses it.
  const writer = resolveWriter(o.writer);
  return {
    fn,
    writer,
    client: o.client,
    model: o.model,
    messages: o.messages,
    base,
    requestOptions: o.requestOptions,
    episodeId: o.episodeId,
    testId: o.testId,
    prompt: o.prompt ?? promptOf(o.messages),
    meta: o.meta,
    clock: o.clock,
    stream: mode.stream,
    includeUsage: o.includeUsage === true,
    execute: mode.execute,
    executors,
    maxToolRounds: mode.execute ? maxToolRounds : 0,
    replay,
  };
}

/** The last user message's text: string content as is, text parts joined, else `""`. */
export function promptOf(messages: readonly ChatCompletionMessageParam[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown } | null;
    if (m === null || typeof m !== "object" || m.role !== "user") continue;
    if (typeof m.content === "string") return m.content;
    if (Array.isArray(m.content)) {
      let text = "";
      for (const part of m.content) {
        if (part && part.type === "text" && typeof part.text === "string") text += part.text;
      }
      return text;
    }
    return "";
  }
  return "";
}

/**
 * A JSON copy of `value` as `JSON.stringify` sends it (undefined keys
 * dropped): exactly what goes over the wire, and always writable.
 */
export function wireCopy<T>(value: T): T {
  const copy = plainCopy(value, 0);
  return (copy === UNUSUAL ? JSON.parse(JSON.stringify(value)) : copy) as T;
}

const UNUSUAL: object = Object.freeze({});
const OBJECT_PROTOTYPE = Object.prototype;

// The copy JSON.parse(JSON.stringify(value)) makes, for the plain data a
// request holds (strings, finite numbers, booleans, null, plain objects and
// arrays), without the text in between. Anything else (undefined, toJSON,
// class instances, boxed primitives, holes, "__proto__", cycles) returns
// UNUSUAL and takes the round trip, so the result is always the same.
function plainCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) return UNUSUAL;
      return value === 0 ? 0 : value; // -0 becomes 0, as in JSON
    case "object":
      break;
    default:
      return UNUSUAL;
  }
  if (value === null) return null;
  if (depth > 100) return UNUSUAL;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return UNUSUAL;
    const n = value.length;
    const copy = new Array(n);
    for (let i = 0; i < n; i++) {
      const item = plainCopy(value[i], depth + 1);
      if (item === UNUSUAL) return UNUSUAL;
      copy[i] = item;
    }
    return copy;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== OBJECT_PROTOTYPE && proto !== null) return UNUSUAL;
  const obj = value as Record<string, unknown>;
  if (typeof obj.toJSON === "function") return UNUSUAL;
  const copy: Record<string, unknown> = {};
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    if (key === "__proto__") return UNUSUAL;
    const item = plainCopy(obj[key], depth + 1);
    if (item === UNUSUAL) return UNUSUAL;
    copy[key] = item;
  }
  return copy;
}

/**
 * The SHA-256 fingerprint of a run's requests: hex SHA-256 of the canonical
 * JSON of the request body as sent, without `user` (volatile per end user,
 * see replay.md). Replay computes the same over the request it is about to
 * send. Each message is serialised and hashed once, when it joins the
 * conversation: the hasher keeps the state after the text up to the last
 * message, and each round only finishes a copy of that state with the fields
 * after `messages`.
 */
export class RequestFingerprint {
  /** Hashed: `{`, the fields before `messages`, `"messages":[` and every message so far. */
  readonly #head = new Sha256();
  /** The text after the last message: `]`, the fields after `messages`, `}`. */
  readonly #tail: string;
  #count = 0;

  /** `params`: the request body without `messages`, as sent (JSON values only). */
  constructor(params: Record<string, unknown>) {
    const keys = Object.keys(params).filter((k) => k !== "user" && k !== "messages");
    keys.push("messages");
    keys.sort(compareCodePoints);
    const at = keys.indexOf("messages");
    const field = (key: string) => JSON.stringify(key) + ":" + canonicalJson(params[key]);
    let head = "{";
    for (let i = 0; i < at; i++) head += field(keys[i]) + ",";
    this.#head.update(head + '"messages":[');
    let tail = "]";
    for (let i = at + 1; i < keys.length; i++) tail += "," + field(keys[i]);
    this.#tail = tail + "}";
  }

  /** Adds the messages sent for the first time in this round (JSON values only). */
  add(messages: readonly unknown[]): void {
    for (const m of messages) {
      this.#head.update((this.#count++ === 0 ? "" : ",") + canonicalJson(m));
    }
  }

  /** The fingerprint of the request with every message added so far. */
  digest(): string {
    return this.#head.hexWith(this.#tail);
  }
}

/** Adds every numeric field of `b` to `a` at any depth (usage details included). */
export function addUsage(a: CompletionUsage | null, b: unknown): CompletionUsage | null {
  if (b === null || typeof b !== "object") return a;
  return sumInto(a === null ? {} : a, b as Record<string, unknown>) as unknown as CompletionUsage;
}

function sumInto(a: object, b: Record<string, unknown>): Record<string, unknown> {
  const out = shallowCopy(a);
  for (const [key, value] of Object.entries(b)) {
    const prev = out[key];
    if (typeof value === "number") {
      out[key] = typeof prev === "number" ? prev + value : value;
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      out[key] = sumInto(
        prev !== null && typeof prev === "object" ? prev : {},
        value as Record<string, unknown>,
      );
    } else if (!(key in out) && value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}

/** Parsed tool arguments; `{"_raw": text}` when the text is not JSON. */
export function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { _raw: text };
  }
}

/** What running one tool call gave. */
export interface ToolOutcome {
  /** The JSON-safe result (`null` on error). */
  result: unknown;
  error: string | null;
  errorType: string | null;
  /** The tool message content sent back to the model. */
  messageContent: string;
}

/**
 * Runs one tool. Never throws: a missing executor, a throwing executor and a
 * result JSON cannot hold all become data in the outcome.
 */
export async function runTool(
  executors: ToolExecutors,
  name: string,
  args: unknown,
  context: { id: string; name: string; round: number },
): Promise<ToolOutcome> {
  if (!Object.hasOwn(executors, name)) {
    return {
      result: null,
      error: "NO_EXECUTOR",
      errorType: "ConfigurationError",
      messageContent: "NO_EXECUTOR",
    };
  }
  let value: unknown;
  try {
    value = await executors[name](args, context);
  } catch (err) {
    const message = errorMessage(err);
    return { result: null, error: message, errorType: errorType(err), messageContent: message };
  }
  // A void executor means "no result", which JSON spells null.
  if (value === undefined) {
    return { result: null, error: null, errorType: null, messageContent: "null" };
  }
  let messageContent: string;
  try {
    messageContent = canonicalJson(value);
  } catch {
    const result = { _raw: safeString(value) };
    return { result, error: null, errorType: null, messageContent: canonicalJson(result) };
  }
  return { result: value, error: null, errorType: null, messageContent };
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    // Objects without a prototype have no toString.
    return Object.prototype.toString.call(value);
  }
}
