/**
 * Runtime adapter: read a trace file as a byte stream with `node:fs`
 * (1 MiB chunks, the fastest portable way measured in toolchain.md).
 *
 * @module
 */
import { AssayError } from "../errors.ts";
import type { Episode } from "../trace/model.ts";
import { readTrace, type ReadTraceOptions } from "../trace/reader.ts";

/** Open a file as an async iterable of byte chunks; `E_PATH_NOT_FOUND` when it is missing. */
export async function fileChunks(path: string | URL): Promise<AsyncIterable<Uint8Array>> {
  const p = typeof path === "string" ? path : (await import("node:url")).fileURLToPath(path);
  // On Bun, its own file API: Node's stream machinery costs it 30 ms to load.
  const bun = (globalThis as { Bun?: BunFiles }).Bun;
  const file = bun?.file(p);
  try {
    const s = file ? await file.stat() : await (await import("node:fs/promises")).stat(p);
    if (s.isDirectory()) {
      throw new AssayError("E_PATH_NOT_FOUND", `trace file ${JSON.stringify(p)} is a directory`, {
        hint: "pass the path of a .jsonl file",
      });
    }
  } catch (err) {
    if (err instanceof AssayError) throw err;
    if ((err as { code?: string }).code === "ENOENT") {
      throw new AssayError("E_PATH_NOT_FOUND", `trace file not found: ${JSON.stringify(p)}`, {
        cause: err,
        hint: "check the path, or record a trace first",
      });
    }
    throw new AssayError(
      "E_PATH_NOT_FOUND",
      `cannot read trace file ${JSON.stringify(p)}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  if (file) return file.stream();
  const { createReadStream } = await import("node:fs");
  return createReadStream(p, { highWaterMark: 1 << 20 });
}

interface BunFiles {
  file(path: string): {
    stat(): Promise<{ isDirectory(): boolean }>;
    stream(): ReadableStream<Uint8Array> & AsyncIterable<Uint8Array>;
  };
}

/**
 * Read a trace file into episodes, streaming (see `readTrace`).
 *
 * @example
 * ```ts
 * import { readTraceFile } from "@assay-it/sdk";
 * for await (const ep of readTraceFile("traces/quickstart.jsonl")) console.log(ep.testId, ep.output);
 * ```
 */
export async function* readTraceFile(
  path: string | URL,
  options: ReadTraceOptions = {},
): AsyncGenerator<Episode, void, undefined> {
  const source = await fileChunks(path);
  yield* readTrace(source, { file: String(path), ...options });
}
