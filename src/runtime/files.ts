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
import { ensureDirWith } from "./_ensure_dir.ts";

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

/**
 * Write `bytes` as the whole content of the file at `path`, replacing what
 * was there and creating missing parent folders. Errors are the runtime's,
 * with Node's `code`. When the file was opened but writing it failed (a
 * full disk), a partial regular file is removed before the error is thrown
 * (a device or a pipe is left alone).
 */
export async function writeFileBytes(path: string, bytes: Uint8Array): Promise<void> {
  if (bun) {
    try {
      await bun.write(path, bytes);
    } catch (err) {
      if ((err as { syscall?: string }).syscall === "write") await removeQuietly(path);
      throw err;
    }
    return;
  }
  if (deno) return denoWriteFile(deno, path, bytes);
  const [fs, { ensureDirSync }] = await Promise.all([import("node:fs"), import("./dirs.ts")]);
  ensureDirSync(dirname(path));
  const fd = fs.openSync(path, "w");
  try {
    for (let done = 0; done < bytes.length;) {
      done += fs.writeSync(fd, bytes, done, bytes.length - done);
    }
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      // The write error is the one to report.
    }
    await removeQuietly(path);
    throw err;
  }
  fs.closeSync(fd);
}

function denoWriteFile(deno: DenoFiles, path: string, bytes: Uint8Array): void {
  ensureDirWith({
    isDirectory: (dir) => deno.statSync(dir).isDirectory,
    mkdir: (dir) => deno.mkdirSync(dir),
  }, dirname(path));
  const file = deno.openSync(path, { write: true, create: true, truncate: true });
  try {
    for (let done = 0; done < bytes.length;) done += file.writeSync(bytes.subarray(done));
  } catch (err) {
    try {
      file.close();
      if (deno.statSync(path).isFile) deno.removeSync(path);
    } catch {
      // Left behind at worst: the write error is the one to report.
    }
    throw err;
  }
  file.close();
}

async function removeQuietly(path: string): Promise<void> {
  try {
    const fs = await import("node:fs");
    if (fs.statSync(path).isFile()) fs.rmSync(path, { force: true });
  } catch {
    // Left behind at worst: the write error is the one to report.
  }
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
