// Resolves the replay options of a recording call: explicit options first,
// then the environment `assay replay` sets (ASSAY_MODE, ASSAY_REPLAY_*).
import { quote } from "../errors.ts";
import { type EnvReader, readEnv } from "../runtime/env.ts";
import type { ReplayConfig } from "./_replay.ts";
import type { ReplayDifference, ReplayOptions, ReplayTraceInput, ToolMode } from "./types.ts";

const MODES = new Set(["record", "replay", "auto"]);
const TOOL_MODES = new Set(["live", "replay"]);

function envFlag(env: EnvReader, name: string): boolean | undefined {
  const v = env(name)?.toLowerCase();
  if (v === undefined) return undefined;
  return v === "1" || v === "true" || v === "yes" || v === "on";
}

function warn(d: ReplayDifference): void {
  console.warn(`[assay replay] warning: ${d.message}`);
}

/**
 * The replay configuration of a call, or `null` when it records. Throws a
 * `TypeError` naming the option (or variable) for a bad value.
 */
export function replayConfig(
  fn: string,
  o: ReplayOptions,
  env: EnvReader = readEnv,
): ReplayConfig | null {
  const fromEnv = o.mode === undefined;
  const mode = o.mode ?? env("ASSAY_MODE") ?? "record";
  if (!MODES.has(mode)) {
    throw new TypeError(
      `${fn}: ${fromEnv ? "ASSAY_MODE" : "mode"} must be "record", "replay" or "auto", got ${
        quote(mode)
      }`,
    );
  }
  if (mode === "record") return null;
  const trace: ReplayTraceInput | undefined = o.replayTrace ?? env("ASSAY_REPLAY_TRACE");
  if (trace === undefined) {
    throw new TypeError(
      `${fn}: mode ${quote(mode)} needs a recorded trace; pass replayTrace: ` +
        '"traces/x.jsonl" (or an array of episodes), set ASSAY_REPLAY_TRACE, or run ' +
        "under assay replay --trace FILE -- <command>",
    );
  }
  if (o.strict !== undefined && typeof o.strict !== "boolean") {
    throw new TypeError(`${fn}: strict must be a boolean, got ${quote(o.strict)}`);
  }
  const toolMode = o.toolMode ?? env("ASSAY_REPLAY_TOOLS") ?? "live";
  if (!TOOL_MODES.has(toolMode)) {
    throw new TypeError(
      `${fn}: ${o.toolMode === undefined ? "ASSAY_REPLAY_TOOLS" : "toolMode"} must be ` +
        `"live" or "replay", got ${quote(toolMode)}`,
    );
  }
  if (o.onReplayDifference !== undefined && typeof o.onReplayDifference !== "function") {
    throw new TypeError(
      `${fn}: onReplayDifference must be a function, got ${quote(o.onReplayDifference)}`,
    );
  }
  const silent = env("ASSAY_REPLAY_WARNINGS")?.toLowerCase() === "off";
  return {
    mode: mode as "replay" | "auto",
    trace,
    strict: o.strict ?? envFlag(env, "ASSAY_REPLAY_STRICT") ?? false,
    toolMode: toolMode as ToolMode,
    onDifference: o.onReplayDifference ?? (silent ? () => {} : warn),
  };
}
