// Verifies a trace file against a config and prints the result (shared by
// `assay validate` and `assay trace verify`).
import type { GateConfig } from "../gate/config_types.ts";
import type { TraceVerification } from "../gate/verify.ts";
import type { CliIo } from "./io.ts";
import { EXIT } from "./run.ts";
import { resolvePath } from "./_common.ts";

/** Check that every test of `config` resolves to one episode of `tracePath`; print it; the exit code. */
export async function verifyTraceFile(
  io: CliIo,
  config: GateConfig,
  tracePath: string,
  strict: boolean,
): Promise<number> {
  const [{ verifyTrace }, { fileChunks }] = await Promise.all([
    import("../gate/verify.ts"),
    import("../runtime/file_source.ts"),
  ]);
  const v = await verifyTrace(config, await fileChunks(resolvePath(io, tracePath)), {
    traceFile: tracePath,
    strict,
  });
  printVerification(io, v, tracePath);
  return v.ok ? EXIT.ok : EXIT.failed;
}

/** One line per test on stdout; problems as `[E_CODE] ...` on stderr. */
export function printVerification(io: CliIo, v: TraceVerification, traceFile: string): void {
  for (const w of v.warnings) io.stderr(`warning: ${w}\n`);
  for (const { testId, resolution: r } of v.tests) {
    if (r.ok) {
      io.stdout(
        `ok     ${testId} -> episode ${
          JSON.stringify(r.episode.episodeId)
        } (${traceFile}:${r.episode.line}, by ${r.by.replace("_", " ")})\n`,
      );
    } else {
      io.stdout(`error  ${testId}\n`);
      io.stderr(`[${r.code}] ${r.message}\n  fix: ${r.hint}\n`);
    }
  }
  const bad = v.tests.filter((t) => !t.resolution.ok).length;
  const n = v.tests.length;
  const episodes = `${v.episodes} episode${v.episodes === 1 ? "" : "s"}`;
  io.stdout(`${n - bad}/${n} tests resolve to exactly one episode (${episodes} in ${traceFile})\n`);
}
