/**
 * The normalised episode model the reader returns: one shape for V2
 * events, V1 records and legacy lines, shared by the gate and replay.
 *
 * @module
 */
import type { JsonObject } from "./events.ts";

/** One tool call, with its result or error (announcement/result pairs already merged). */
export interface ToolCall {
  /** The step that requested the call. */
  stepId: string;
  /** Position in that step's tool calls. */
  callIndex: number;
  /** The provider's call id (`meta.tool_call_id`), or `null`. */
  toolCallId: string | null;
  toolName: string;
  /** Parsed arguments (`{"_raw": text}` when they did not parse). */
  args: unknown;
  result: unknown;
  error: string | null;
  /** `meta.error_type`, or `null`. */
  errorType: string | null;
  meta: JsonObject;
  /** 1-based line of the (last) event that carried this call. */
  line: number;
}

/** One step of an episode. */
export interface Step {
  stepId: string;
  idx: number;
  kind: string;
  name: string;
  content: string;
  meta: JsonObject;
  timestamp: number | null;
  /** The tool calls this step requested, in call order. */
  toolCalls: ToolCall[];
  /** 1-based line of the step event. */
  line: number;
}

/** Where a record came from. */
export type EpisodeFormat = "v2" | "v1" | "legacy";

/** One recorded agent run. */
export interface Episode {
  episodeId: string;
  /** `meta.test_id` when recorded, else the episode id. */
  testId: string;
  /** Whether `testId` came from an explicit `test_id`. */
  hasTestId: boolean;
  prompt: string;
  steps: Step[];
  /** Every tool call of the episode in order (also reachable per step). */
  toolCalls: ToolCall[];
  /** The output rule of the trace format: `final_output`, else the last model step with text, ... */
  output: string;
  /** `episode_end.outcome`, or `null` when the episode never ended. */
  outcome: string | null;
  /** `episode_start.meta` (or the V1/legacy record's meta). */
  meta: JsonObject;
  /** `episode_end.meta`. */
  endMeta: JsonObject;
  startTime: number | null;
  endTime: number | null;
  format: EpisodeFormat;
  /** Source file label and 1-based line of the episode's first event. */
  file: string;
  line: number;
  /** 1-based line of its last event. */
  endLine: number;
}

/** A non-fatal finding of the reader. */
export interface TraceWarning {
  code: "W_UNKNOWN_TYPE" | "W_INCOMPLETE_EPISODE" | "W_RESTARTED_EPISODE" | "W_ORPHAN_TOOL_CALL";
  message: string;
  file: string;
  line: number;
}
