// `loadConfig` for the commands that read a config (ci, validate, trace
// verify): they import the config parser statically, the other commands
// never load it.
import { dirname, isAbsolute, resolve } from "node:path";
import { type GateConfig, parseConfig } from "../gate/config.ts";
import { readFileBytes } from "../runtime/files.ts";
import type { CliIo } from "./io.ts";
import { readBytes, resolvePath, UTF8 } from "./_common.ts";

/** Read and validate a config file (schema files relative to it); `bytes` are the file as on disk. */
export async function loadConfig(
  io: CliIo,
  path: string,
): Promise<{ config: GateConfig; bytes: Uint8Array }> {
  const bytes = await readBytes(io, path, "config file");
  const dir = dirname(resolvePath(io, path));
  const config = await parseConfig(UTF8.decode(bytes), {
    file: path,
    readSchemaFile: async (p) =>
      UTF8.decode(await readFileBytes(isAbsolute(p) ? p : resolve(dir, p))),
  });
  return { config, bytes };
}
