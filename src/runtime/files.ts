/**
 * Runtime adapter: whole-file reads and SHA-256 of bytes for the CLI. On
 * Bun, its own file and hashing APIs: loading `node:fs/promises` costs Bun
 * about 3 ms and Web Crypto's first digest about 3 ms, together a tenth of a
 * small `assay ci`. Elsewhere `node:fs` and Web Crypto.
 *
 * @module
 */

interface BunFiles {
  file(path: string): { bytes(): Promise<Uint8Array> };
  CryptoHasher: new (algorithm: "sha256") => {
    update(data: Uint8Array): { digest(encoding: "hex"): string };
  };
}

const bun = (globalThis as { Bun?: BunFiles }).Bun;

/**
 * The bytes of the file at `path`. Errors are the runtime's, with Node's
 * `code` (`ENOENT`, `EISDIR`, `ENOTDIR`, `EACCES`, ...).
 */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  if (bun) return await bun.file(path).bytes();
  const { readFile } = await import("node:fs");
  return await new Promise<Uint8Array>((resolve, reject) =>
    readFile(path, (err, data) => (err ? reject(err) : resolve(data)))
  );
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
