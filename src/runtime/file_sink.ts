/**
 * Runtime adapter: an append/truncate file sink on `node:fs` (which Deno,
 * Bun and Node all provide). The only file the trace writer needs outside
 * web standards.
 *
 * @module
 */
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { ByteSink } from "../trace/writer.ts";

/** Opens `target` for appending (or truncating), creating parent folders. */
export async function openFileSink(
  target: string | URL,
  mode: "append" | "truncate",
): Promise<ByteSink> {
  const path = typeof target === "string" ? target : fileURLToPath(target);
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, mode === "append" ? "a" : "w");
  return {
    async write(bytes: Uint8Array): Promise<void> {
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
    },
    close: () => handle.close(),
  };
}
