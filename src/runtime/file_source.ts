/**
 * Runtime adapter: read a trace file as a byte stream with `node:fs`
 * (1 MiB chunks, the fastest portable way measured in toolchain.md); on
 * Bun and Deno with their own file APIs, whose Node modules cost them 3-30
 * and 20-50 ms to load.
 *
 * @module
 */
import { AssayError } from "../errors.ts";
import type { Episode } from "../trace/model.ts";
import { readTrace, type ReadTraceOptions } from "../trace/reader.ts";

// Files up to this size are read whole: one native decode is faster than a
// stream through TextDecoder on Node (23 vs 54 ms for a 3.7 MB trace) and Bun
// (19 vs 30 ms). Deno decodes its stream faster than a whole read, and
// bigger files stream everywhere, so memory stays bounded.
const WHOLE_FILE_LIMIT = 64 * 1024 * 1024;

/**
 * Open a trace file for `readTrace`: its text (files up to 64 MiB, or
 * `wholeFileLimit` bytes, except on Deno) or its byte chunks, each valid
 * until the next is asked for; `E_PATH_NOT_FOUND` when it is missing.
 */
export async function fileChunks(
  path: string | URL,
  options: { wholeFileLimit?: number } = {},
): Promise<AsyncIterable<Uint8Array> | Iterable<string>> {
  const p = typeof path === "string" ? path : (await import("node:url")).fileURLToPath(path);
  // On Bun, its own file API: Node's stream machinery costs it 30 ms to load.
  const bun = (globalThis as { Bun?: BunFiles }).Bun;
  const deno = (globalThis as { Deno?: DenoFiles }).Deno;
  const file = bun?.file(p);
  const fsp = file || deno ? undefined : await import("node:fs/promises");
  let size: number;
  try {
    const s = file ? await file.stat() : deno ? denoStat(await deno.stat(p)) : await fsp!.stat(p);
    if (s.isDirectory()) {
      throw new AssayError(
        "E_PATH_NOT_FOUND",
        `trace file ${JSON.stringify(p)} is a folder, not a file`,
        {
          hint: "pass the path of a .jsonl file",
        },
      );
    }
    // Pipes and devices (`--trace-file /dev/stdin`) report no size: they stream.
    size = s.isFile() ? s.size : Infinity;
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
  if (deno) return readAhead(() => denoReader(deno, p));
  const whole = size <= (options.wholeFileLimit ?? WHOLE_FILE_LIMIT);
  if (file) return whole ? [await file.text()] : readAhead(() => nodeReader(p));
  if (whole) return [await fsp!.readFile(p, "utf8")];
  const { createReadStream } = await import("node:fs");
  return createReadStream(p, { highWaterMark: 1 << 20 });
}

/** An open file: read into `buf` (0 at the end), close. */
interface ChunkReader {
  read(buf: Uint8Array): Promise<number>;
  close(): Promise<void> | void;
}

/**
 * A big file in 1 MiB chunks: each read is requested before the previous
 * chunk is handed out, so the disk read runs off the main thread while the
 * caller parses (Bun's own file stream reads on the main thread: about 85 ms
 * of a 100 MB trace; Deno's `readable` reads 64 KiB at a time). A chunk's
 * bytes are valid until the caller asks for the next one (`readTrace`
 * decodes each chunk at once).
 */
async function* readAhead(
  open: () => Promise<ChunkReader>,
): AsyncGenerator<Uint8Array, void, undefined> {
  const file = await open();
  // Two buffers in turn: one is being read into while the caller decodes the
  // other (fresh zeroed megabytes per chunk cost Bun 30 ms per 100 MB).
  const buffers = [new Uint8Array(1 << 20), new Uint8Array(1 << 20)];
  let turn = 0;
  const read = () => {
    const buf = buffers[turn++ & 1];
    const next = file.read(buf).then((n) => buf.subarray(0, n));
    next.catch(() => {}); // a failure surfaces where the chunk is awaited
    return next;
  };
  let pending = read();
  try {
    for (;;) {
      const chunk = await pending;
      if (chunk.length === 0) return;
      pending = read();
      yield chunk;
    }
  } finally {
    // A consumer that stops early: let the read in flight finish before the
    // file is closed (and its descriptor number possibly reused).
    await pending.catch(() => undefined);
    await file.close();
  }
}

/** A file opened with `node:fs` callbacks (Bun: `node:fs/promises` costs it 3 ms more). */
async function nodeReader(path: string): Promise<ChunkReader> {
  const fs = await import("node:fs");
  const fd = await new Promise<number>((ok, fail) =>
    fs.open(path, "r", (e, fd) => (e ? fail(e) : ok(fd)))
  );
  return {
    read: (buf) =>
      new Promise((ok, fail) =>
        fs.read(fd, buf, 0, buf.length, null, (e, n) => (e ? fail(e) : ok(n)))
      ),
    close: () => new Promise<void>((ok) => fs.close(fd, () => ok())),
  };
}

/** A file opened with Deno's own API. */
async function denoReader(deno: DenoFiles, path: string): Promise<ChunkReader> {
  const file = await deno.open(path);
  return { read: async (buf) => (await file.read(buf)) ?? 0, close: () => file.close() };
}

interface DenoStat {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
}

interface DenoFiles {
  stat(path: string): Promise<DenoStat>;
  open(path: string): Promise<{ read(buf: Uint8Array): Promise<number | null>; close(): void }>;
}

/** Deno's stat in the shape of Node's (methods, not fields). */
const denoStat = (s: DenoStat) => ({
  isDirectory: () => s.isDirectory,
  isFile: () => s.isFile,
  size: s.size,
});

interface BunFiles {
  file(path: string): {
    stat(): Promise<{ isDirectory(): boolean; isFile(): boolean; size: number }>;
    text(): Promise<string>;
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
