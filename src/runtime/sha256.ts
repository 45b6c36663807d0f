/**
 * Runtime adapter: synchronous SHA-256 for request fingerprints. Where the
 * runtime has `node:crypto` (Deno, Bun and Node all do) it is used through
 * `process.getBuiltinModule`, a feature check rather than an import, so the
 * recording core still loads where there is no `node:crypto` (browsers,
 * edge runtimes) and falls back to the plain-JS hasher there. Web Crypto's
 * `crypto.subtle.digest` is async and costs 30-40 us per call, paid on
 * every recorded model call; `node:crypto` is about twice as fast as the
 * plain-JS hasher on request-sized text.
 *
 * @module
 */
import type { Hash } from "node:crypto";
import { builtinModule } from "./builtin.ts";
import { Sha256 as PlainSha256, sha256Hex as plainSha256Hex } from "../openai/_sha256.ts";

type CreateHash = (algorithm: "sha256") => Hash;

const createHash: CreateHash | undefined = builtinModule<{ createHash?: CreateHash }>(
  "node:crypto",
)?.createHash;

/** Which implementation this runtime uses (for tests and benchmarks). */
export const SHA256_IMPLEMENTATION: "node:crypto" | "plain-js" = createHash
  ? "node:crypto"
  : "plain-js";

/** Hex SHA-256 of the UTF-8 encoding of `text` (lone surrogates as U+FFFD). */
export function sha256Hex(text: string): string {
  return createHash
    ? createHash("sha256").update(text, "utf8").digest("hex")
    : plainSha256Hex(text);
}

/** An incremental SHA-256 over the UTF-8 of the strings passed to `update`. */
export class Sha256 {
  readonly #hash: Hash | undefined = createHash?.("sha256");
  readonly #plain: PlainSha256 | undefined = createHash ? undefined : new PlainSha256();

  /** Appends the UTF-8 of `text`. */
  update(text: string): this {
    if (this.#hash) this.#hash.update(text, "utf8");
    else this.#plain!.update(text);
    return this;
  }

  /** The hex digest of everything so far followed by `tail`; this hasher is left as it was. */
  hexWith(tail: string): string {
    return this.#hash
      ? this.#hash.copy().update(tail, "utf8").digest("hex")
      : this.#plain!.hexWith(tail);
  }
}
