/**
 * Runtime adapter: SHA-256 on `node:crypto` (which Deno, Bun and Node all
 * provide), synchronous and native. Web Crypto's `crypto.subtle.digest`
 * costs 30-40 us of async overhead per call, and a recording hashes every
 * model request; the pure-JS hasher this replaces took twice as long as
 * `node:crypto` on request-sized text.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";

/** Hex SHA-256 of the UTF-8 encoding of `text` (lone surrogates as U+FFFD). */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** An incremental SHA-256 over the UTF-8 of the strings passed to `update`. */
export class Sha256 {
  readonly #hash: Hash = createHash("sha256");

  /** Appends the UTF-8 of `text`. */
  update(text: string): this {
    this.#hash.update(text, "utf8");
    return this;
  }

  /** The hex digest of everything so far followed by `tail`; this hasher is left as it was. */
  hexWith(tail: string): string {
    return this.#hash.copy().update(tail, "utf8").digest("hex");
  }
}
