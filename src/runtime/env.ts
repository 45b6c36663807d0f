/**
 * Runtime adapter: environment variables through `node:process`, which
 * Deno, Bun and Node all provide. Replay reads its mode and trace paths
 * from the environment (set by `assay replay`), and this is the one file
 * where that access happens.
 *
 * @module
 */
import { resolve } from "node:path";
import process from "node:process";

/** Reads one environment variable; `undefined` when unset or not readable. */
export type EnvReader = (name: string) => string | undefined;

interface DenoPermissionsHost {
  permissions?: {
    querySync?(descriptor: { name: "env"; variable: string }): { state: string };
  };
}

/**
 * Deno asks on the terminal before the first environment read without
 * `--allow-env`. Every recording call checks whether replay is on, and that
 * must never stop a script with a prompt, so on Deno access that is not
 * granted counts as unset. (Feature-detected: no other runtime has it.)
 */
function envNotGranted(name: string): boolean {
  const permissions = (globalThis as { Deno?: DenoPermissionsHost }).Deno?.permissions;
  if (typeof permissions?.querySync !== "function") return false;
  try {
    return permissions.querySync({ name: "env", variable: name }).state !== "granted";
  } catch {
    return false;
  }
}

/**
 * The process environment. A variable that cannot be read (Deno without
 * `--allow-env`) counts as unset, so code that never asked for replay runs
 * as before.
 */
export const readEnv: EnvReader = (name) => {
  if (envNotGranted(name)) return undefined;
  try {
    const value = process.env[name];
    return value === undefined || value === "" ? undefined : value;
  } catch {
    return undefined;
  }
};

/**
 * Where a file-path `TraceWriter` really writes. Under env-driven replay
 * (`ASSAY_MODE=replay` or `auto`, as `assay replay` sets it), every path
 * writer appends to `$ASSAY_REPLAY_OUT`, the new trace `assay replay`
 * compares, so user code that truncates its usual trace file leaves the
 * recorded one intact. Without `$ASSAY_REPLAY_OUT`, a writer aimed at the
 * recorded trace itself is refused (replay would overwrite or duplicate
 * it); auto mode may still append to it (VCR-style cassettes).
 */
export function replayRedirect(
  path: string,
  mode: "append" | "truncate",
  env: EnvReader = readEnv,
): { path: string; mode: "append" | "truncate" } {
  const replayMode = env("ASSAY_MODE");
  if (replayMode !== "replay" && replayMode !== "auto") return { path, mode };
  const out = env("ASSAY_REPLAY_OUT");
  if (out !== undefined) return { path: out, mode: "append" };
  const trace = env("ASSAY_REPLAY_TRACE");
  if (
    trace !== undefined && resolve(trace) === resolve(path) &&
    (replayMode === "replay" || mode === "truncate")
  ) {
    throw new Error(
      `ASSAY_MODE=${replayMode} would ${
        mode === "truncate" ? "overwrite" : "append to"
      } the recorded trace ${JSON.stringify(path)}; set ASSAY_REPLAY_OUT to the file ` +
        "the replayed run should write (assay replay does this)",
    );
  }
  return { path, mode };
}
