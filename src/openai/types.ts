/**
 * Public types of the OpenAI recording functions: the client they accept,
 * their options and the result shape they all share.
 *
 * @module
 */
import type {
  ChatCompletionMessageParam,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
} from "openai/resources/chat/completions";
import type { CompletionUsage } from "openai/resources/completions";
import type { Clock } from "../trace/clock.ts";
import type { JsonObject } from "../trace/events.ts";
import type { Episode } from "../trace/model.ts";
import type { TraceWriter } from "../trace/writer.ts";

/**
 * Anything with `chat.completions.create`: an `openai` client (`new OpenAI()`),
 * an Azure client, or a hand-written stand-in. The recorder calls
 * `create(body, requestOptions)` and never imports the `openai` package itself.
 */
export interface ChatCompletionsClient {
  /** The chat namespace of the client. */
  chat: {
    /** The completions resource. */
    completions: {
      /** Sends one chat completion request (streaming when `body.stream` is true). */
      // deno-lint-ignore no-explicit-any -- the openai client's overloads only unify with `any`
      create(body: any, options?: any): PromiseLike<unknown>;
    };
  };
}

/** What a tool executor learns about the call it runs. */
export interface ToolCallContext {
  /** The tool call id (the provider's, or the fallback id the trace uses). */
  id: string;
  /** The tool name the model asked for. */
  name: string;
  /** The 0-based round of the tool loop. */
  round: number;
}

/**
 * Runs one tool. Receives the parsed JSON arguments (`{"_raw": text}` when the
 * model sent arguments that are not JSON) and returns the result, or a
 * Promise of it. A thrown error is recorded as the call's `error`.
 */
// deno-lint-ignore no-explicit-any -- arguments are model-provided JSON; `any` lets executors destructure them
export type ToolExecutor = (args: any, context: ToolCallContext) => unknown;

/** Tool executors by tool name. */
export type ToolExecutors = Record<string, ToolExecutor>;

/**
 * `"record"`: call the client and write the trace. `"replay"`: never call
 * the client; answer every model call from the recorded trace. `"auto"`:
 * replay the episodes the trace has, record the others.
 */
export type ReplayMode = "record" | "replay" | "auto";

/** In replay, run the tool executors for real (`"live"`) or serve the recorded results (`"replay"`). */
export type ToolMode = "live" | "replay";

/** A recorded trace for replay: a JSONL file path or URL, or episodes already read. */
export type ReplayTraceInput = string | URL | readonly Episode[];

/**
 * One way a replayed run differs from its recording: which episode and
 * round, a JSON pointer to the field, and the JSON text of both sides.
 */
export interface ReplayDifference {
  /**
   * `request`: what the agent sent; `tool`: a tool's result or error;
   * `rounds`: an extra or missing model round; `content`: a model step's
   * text or tool calls; `episode`: a missing or extra episode, or a
   * different prompt or outcome.
   */
  kind: "request" | "tool" | "rounds" | "content" | "episode";
  /** The episode id. */
  episodeId: string;
  /** The 0-based model round, or `null` for episode-level differences. */
  round: number | null;
  /** A JSON pointer inside the episode, e.g. `/rounds/0/request/tools/0/function/parameters`. */
  path: string;
  /** JSON text of the recorded value; absent when the recording had none. */
  recorded?: string;
  /** JSON text of the value now; absent when the new run has none. */
  now?: string;
  /** One line naming episode, round, path, recorded and now. */
  message: string;
}

/** Replay options, shared by every `record*` function. */
export interface ReplayOptions {
  /** `"record"`, `"replay"` or `"auto"`; default `$ASSAY_MODE`, else `"record"`. */
  mode?: ReplayMode;
  /**
   * The recorded trace replay answers from; default `$ASSAY_REPLAY_TRACE`
   * (set by `assay replay`). Loaded once per process and cached.
   */
  replayTrace?: ReplayTraceInput;
  /**
   * Any difference (request, tool result, extra or missing round) throws
   * `AssayError` `E_REPLAY_DIFF`; default `$ASSAY_REPLAY_STRICT` (`1`/`true`), else false.
   */
  strict?: boolean;
  /** Run the tools for real (default, `$ASSAY_REPLAY_TOOLS`) or serve the recorded results. */
  toolMode?: ToolMode;
  /**
   * Receives each difference when not strict; default: a warning on the
   * console (`$ASSAY_REPLAY_WARNINGS=off` silences it).
   */
  onReplayDifference?: (difference: ReplayDifference) => void;
}

/** Options common to every `record*` function. */
export interface RecordChatCompletionsOptions extends ReplayOptions {
  /** Where events go; default: the writer of the enclosing `withTraceWriter`. */
  writer?: TraceWriter;
  /** An `openai` client, or anything with `chat.completions.create`. */
  client: ChatCompletionsClient;
  /** The model name sent with every request. */
  model: string;
  /** The conversation so far. Not mutated; `result.messages` is the extended copy. */
  messages: ChatCompletionMessageParam[];
  /** Tool definitions sent with every request. */
  tools?: ChatCompletionTool[];
  /** `tool_choice` sent with every request. */
  toolChoice?: ChatCompletionToolChoiceOption;
  /** `temperature`; left out of the request when undefined. */
  temperature?: number;
  /**
   * Further request fields (`max_completion_tokens`, `seed`,
   * `response_format`, ...), sent as given. The fields the options above
   * control (`model`, `messages`, `tools`, ...) cannot be overridden here.
   */
  params?: Record<string, unknown>;
  /** Passed to `create` as its second argument (`signal`, `timeout`, `headers`, ...). */
  requestOptions?: Record<string, unknown>;
  /** The episode id; unique per recorded run. */
  episodeId: string;
  /** The config test this episode belongs to; default the episode id. */
  testId?: string;
  /** The prompt recorded in `episode_start`; default the last user message's text. */
  prompt?: string;
  /** Extra `episode_start` meta (redacted by the writer like everything else). */
  meta?: JsonObject;
  /** Timestamps; default the system clock. Use `FrozenClock` for byte-identical traces. */
  clock?: Clock;
}

/** Options of the tool loops (`recordChatCompletionsWithTools` and its streaming form). */
export interface RecordWithToolsOptions extends RecordChatCompletionsOptions {
  /** Executors by tool name. A call to a tool without one records `NO_EXECUTOR`. */
  toolExecutors?: ToolExecutors;
  /** Rounds of tool execution before the loop gives up; default 4 (so at most 5 model calls). */
  maxToolRounds?: number;
}

/** Options of the streaming functions. */
export interface RecordStreamOptions extends RecordChatCompletionsOptions {
  /**
   * Ask for a final usage chunk (`stream_options: {include_usage: true}`).
   * Off by default because that chunk has an empty `choices` array, which
   * code reading `chunk.choices[0]` without a guard does not expect.
   */
  includeUsage?: boolean;
}

/** Options of `recordChatCompletionsStreamWithTools`. */
export interface RecordStreamWithToolsOptions extends RecordWithToolsOptions {
  /** See {@linkcode RecordStreamOptions.includeUsage}. */
  includeUsage?: boolean;
}

/** One tool call the model asked for, with what running it gave. */
export interface RecordedToolCall {
  /** The provider's call id, or the fallback id used in the trace and the messages. */
  id: string;
  /** The tool name. */
  name: string;
  /** Parsed arguments (`{"_raw": text}` when they were not JSON). */
  args: unknown;
  /** The executor's result (`null` when not run or failed). */
  result: unknown;
  /** The error text (`"NO_EXECUTOR"`, or the thrown error's message), else `null`. */
  error: string | null;
}

/** What every `record*` function gives back. */
export interface RecordResult {
  /** The episode id. */
  episodeId: string;
  /** `testId ?? episodeId`. */
  testId: string;
  /** The text of the last model answer (`""` when it had none). */
  content: string;
  /** Every tool call of every round, in order. */
  toolCalls: RecordedToolCall[];
  /** The input messages plus the assistant and tool messages of every round. */
  messages: ChatCompletionMessageParam[];
  /** Token usage summed over all rounds, or `null` when no response reported any. */
  usage: CompletionUsage | null;
  /** How many model calls were made. */
  rounds: number;
  /** True when the tool rounds ran out while the model still asked for tools. */
  truncated: boolean;
}
