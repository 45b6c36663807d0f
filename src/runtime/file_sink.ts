/**
 * Runtime adapter: an append/truncate file sink on `node:fs` (which Deno,
 * Bun and Node all provide). The only file the trace writer needs outside
 * web standards.
 *
 * @module
 */
import { writeSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { ByteSink } from "../trace/writer.ts";
import { replayRedirect } from "./env.ts";

/**
 * Opens `target` for appending (or truncating), creating parent folders.
 *
 * Writes are synchronous `write(2)` calls, as Python's file objects and
 * pino's sync mode do: a batch of whole lines costs a few microseconds,
 * where an async write pays a thread-pool round trip per batch (measured in
 * bench/writer_bench.ts). `O_APPEND` keeps each batch at the end of the
 * file even when other processes append to it too.
 */
export async function openFileSink(
  target: string | URL,
  mode: "append" | "truncate",
): Promise<ByteSink> {
  const requested = typeof target === "string" ? target : fileURLToPath(target);
  // Under replay the user's own `new TraceWriter("traces/x.jsonl", { mode:
  // "truncate" })` must not wipe the trace being replayed.
  const { path, mode: openMode } = replayRedirect(requested, mode);
  mode = openMode;
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, mode === "append" ? "a" : "w");
  const writeAll = (bytes: Uint8Array): void => {
    let offset = 0;
    while (offset < bytes.length) {
      offset += writeSync(handle.fd, bytes, offset, bytes.length - offset);
    }
  };
  return {
    writeSync: writeAll,
    write(bytes: Uint8Array): Promise<void> {
      writeAll(bytes);
      return Promise.resolve();
    },
    close: () => handle.close(),
  };
}
