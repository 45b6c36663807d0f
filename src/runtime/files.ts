/**
 * Runtime adapter: whole-file reads and writes and SHA-256 of bytes for the
 * CLI. On Bun, its own file and hashing APIs: loading `node:fs` costs Bun
 * about 6 ms, `node:fs/promises` about 3 ms more, and Web Crypto's first
 * digest about 3 ms, together a sixth of a small `assay ci`. On Deno, its
 * own file API: `node:fs` costs Deno 20-50 ms to load. Node uses `node:fs`
 * (loaded with Node itself) and Web Crypto.
 *
 * @module
 */
import { dirname } from "node:path";
import { type DirOps, ensureDirWith } from "./_ensure_dir.ts";

interface BunFiles {
  file(path: string): { bytes(): Promise<Uint8Array> };
  write(path: string, data: Uint8Array): Promise<number>;
  CryptoHasher: new (algorithm: "sha256") => {
    update(data: Uint8Array): { digest(encoding: "hex"): string };
  };
}

interface DenoFile {
  writeSync(bytes: Uint8Array): number;
  close(): void;
}

interface DenoFiles {
  readFile(path: string): Promise<Uint8Array>;
  mkdirSync(path: string): void;
  openSync(path: string, options: { write: true; create: true; truncate: true }): DenoFile;
  statSync(path: string): { isFile: boolean; isDirectory: boolean };
  removeSync(path: string): void;
  writeTextFile(path: string, text: string, options: { append: true }): Promise<void>;
}

const bun = (globalThis as { Bun?: BunFiles }).Bun;
const deno = (globalThis as { Deno?: DenoFiles }).Deno;

/**
 * The bytes of the file at `path`. Errors are the runtime's, with Node's
 * `code` (`ENOENT`, `EISDIR`, `ENOTDIR`, `EACCES`, ...).
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  if (bun) return await bun.file(path).bytes();
  if (deno) return await deno.readFile(path);
  const { readFile } = await import("node:fs");
  return await new Promise<Uint8Array>((resolve, reject) =>
    readFile(path, (err, data) => (err ? reject(err) : resolve(data)))
  );
}

/** A file being written from the start. */
export interface FileOut {
  /** Write all of `bytes` (synchronously). */
  write(bytes: Uint8Array): void;
  close(): void;
  /**
   * After a failure: close the file and remove it if it is a regular file
   * (a device or a pipe is left alone), so half a file is never read as
   * whole. Never throws.
   */
  abort(): void;
}

/**
 * Open the file at `path` to replace its content, creating missing parent
 * folders. `node:fs`, or Deno's own API. Errors are the runtime's, with
 * Node's `code`.
 */
export async function openFileOut(path: string): Promise<FileOut> {
  if (deno) return denoFileOut(deno, path);
  const fs = await nodeFsWithFolderOf(path);
  const fd = fs.openSync(path, "w");
  return {
    write(bytes) {
      for (let done = 0; done < bytes.length;) {
        done += fs.writeSync(fd, bytes, done, bytes.length - done);
      }
    },
    close: () => fs.closeSync(fd),
    abort() {
      try {
        if (fs.fstatSync(fd).isFile()) fs.rmSync(path, { force: true });
      } catch {
        // Left behind at worst: the failure being handled is the one to report.
      }
      try {
        fs.closeSync(fd);
      } catch {
        // Closed already.
      }
    },
  };
}

/** `node:fs`, once the folder that is to hold `path` exists (and its parents). */
async function nodeFsWithFolderOf(path: string): Promise<typeof import("node:fs")> {
  const [fs, { ensureDirSync }] = await Promise.all([import("node:fs"), import("./dirs.ts")]);
  ensureDirSync(dirname(path));
  return fs;
}

/** Deno: create the folder that is to hold `path` (and its parents). */
function denoFolderOf(deno: DenoFiles, path: string): void {
  const ops: DirOps = {
    isDirectory: (dir) => deno.statSync(dir).isDirectory,
    mkdir: (dir) => deno.mkdirSync(dir),
  };
  ensureDirWith(ops, dirname(path));
}

function denoFileOut(deno: DenoFiles, path: string): FileOut {
  denoFolderOf(deno, path);
  const file = deno.openSync(path, { write: true, create: true, truncate: true });
  return {
    write(bytes) {
      for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
    },
    close: () => file.close(),
    abort() {
      try {
        file.close();
      } catch {
        // Closed already.
      }
      try {
        if (deno.statSync(path).isFile) deno.removeSync(path);
      } catch {
        // Left behind at worst: the failure being handled is the one to report.
      }
    },
  };
}

/**
 * Write `bytes` as the whole content of the file at `path`, replacing what
 * was there and creating missing parent folders (see {@linkcode openFileOut};
 * on Bun `Bun.write`, which needs no `node:fs`). When writing fails after
 * the file was opened (a full disk), a partial regular file is removed
 * before the error is thrown.
 */
export async function writeFileBytes(path: string, bytes: Uint8Array): Promise<void> {
  if (bun) {
    try {
      await bun.write(path, bytes);
    } catch (err) {
      if ((err as { syscall?: string }).syscall === "write") await removeIfFile(path);
      throw err;
    }
    return;
  }
  const out = await openFileOut(path);
  try {
    out.write(bytes);
  } catch (err) {
    out.abort();
    throw err;
  }
  out.close();
}

async function removeIfFile(path: string): Promise<void> {
  try {
    const fs = await import("node:fs");
    if (fs.statSync(path).isFile()) fs.rmSync(path, { force: true });
  } catch {
    // Left behind at worst: the write error is the one to report.
  }
}

/**
 * Append `text` as UTF-8 to the file at `path`, creating it and its missing
 * parent folders. `node:fs` (Bun has no append of its own), or Deno's API.
 */
export async function appendFileText(path: string, text: string): Promise<void> {
  if (deno) {
    denoFolderOf(deno, path);
    return await deno.writeTextFile(path, text, { append: true });
  }
  const fs = await nodeFsWithFolderOf(path);
  // A callback as a promise: node:fs/promises is another module to load,
  // about 3 ms of Bun's start-up, for the same call.
  await new Promise<void>((ok, fail) => fs.appendFile(path, text, (e) => (e ? fail(e) : ok())));
}

/** Hex SHA-256 of `bytes`. */
export async function sha256HexOfBytes(bytes: Uint8Array): Promise<string> {
  if (bun) return new bun.CryptoHasher("sha256").update(bytes).digest("hex");
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
}
