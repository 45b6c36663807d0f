/**
 * The trace events of format version 2 (see the README's "Trace format").
 *
 * @module
 */

/** A JSON object with string keys. */
export type JsonObject = { [key: string]: unknown };

/** Fields every event has. */
export interface EventBase {
  /** The episode this event belongs to. */
  episode_id: string;
  /** Integer milliseconds from the recorder's clock. */
  timestamp: number;
}

/** First event of an episode. */
export interface EpisodeStartEvent extends EventBase {
  type: "episode_start";
  input: { prompt: string };
  meta: JsonObject;
}

/** One step of the agent: a model answer (`kind: "model"`) or another step. */
export interface StepEvent extends EventBase {
  type: "step";
  /** `step_001`, `step_002`, ... per episode. */
  step_id: string;
  /** 0-based step number. */
  idx: number;
  kind: string;
  name: string;
  content: string;
  meta: JsonObject;
}

/** One tool call requested by a step, with its result or error. */
export interface ToolCallEvent extends EventBase {
  type: "tool_call";
  step_id: string;
  call_index: number;
  tool_name: string;
  args: unknown;
  result: unknown;
  error: string | null;
  meta: JsonObject;
}

/** Last event of an episode. */
export interface EpisodeEndEvent extends EventBase {
  type: "episode_end";
  outcome: string;
  meta: JsonObject;
  /** Optional explicit output of the episode. */
  final_output?: string;
}

/** Any version-2 trace event. */
export type TraceEvent = EpisodeStartEvent | StepEvent | ToolCallEvent | EpisodeEndEvent;

/** Format a step id: 1 -> `step_001`. */
export function stepId(n: number): string {
  return `step_${String(n).padStart(3, "0")}`;
}
