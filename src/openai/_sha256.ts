// SHA-256 of a string's UTF-8 bytes, synchronous and in plain JS: the
// web-standards fallback of src/runtime/sha256.ts where `node:crypto` is
// not available (browsers, edge runtimes).
// `crypto.subtle.digest` costs 30-40 us of async overhead per call (see
// toolchain.md), more than hashing a request body here, and it would be
// paid on every recorded model call. The hasher is incremental so a
// request fingerprint hashes each message once, not once per round.

const K = new Int32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);
const W = new Int32Array(64);
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

// Scratch space for UTF-8 bytes, grown on demand.
let scratch = new Uint8Array(4096);

/** UTF-8 of `text` into `scratch` (lone surrogates become U+FFFD, as TextEncoder does); returns the length. */
function utf8(text: string): number {
  const n = text.length;
  if (scratch.length < n * 3) scratch = new Uint8Array(n * 3 + 1024);
  const out = scratch;
  let len = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[len++] = c;
      continue;
    }
    if (c < 0x800) {
      out[len++] = 0xc0 | (c >> 6);
      out[len++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[len++] = 0xf0 | (c >> 18);
        out[len++] = 0x80 | ((c >> 12) & 0x3f);
        out[len++] = 0x80 | ((c >> 6) & 0x3f);
        out[len++] = 0x80 | (c & 0x3f);
        continue;
      }
      c = 0xfffd;
    }
    out[len++] = 0xe0 | (c >> 12);
    out[len++] = 0x80 | ((c >> 6) & 0x3f);
    out[len++] = 0x80 | (c & 0x3f);
  }
  return len;
}

/** Runs the compression function over the 64-byte blocks of `data` from `offset`. */
function compress(h: Int32Array, data: Uint8Array, offset: number, blocks: number): void {
  let h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7];
  for (let b = 0; b < blocks; b++, offset += 64) {
    for (let i = 0, j = offset; i < 16; i++, j += 4) {
      W[i] = (data[j] << 24) | (data[j + 1] << 16) | (data[j + 2] << 8) | data[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15];
      const y = W[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let a = h0, bb = h1, c = h2, d = h3, e = h4, f = h5, g = h6, hh = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = bb;
      bb = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + bb) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + hh) | 0;
  }
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
  h[3] = h3;
  h[4] = h4;
  h[5] = h5;
  h[6] = h6;
  h[7] = h7;
}

const INIT = [
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
];

/** An incremental SHA-256 over the UTF-8 of the strings passed to `update`. */
export class Sha256 {
  readonly #h = new Int32Array(INIT);
  readonly #block = new Uint8Array(64);
  /** Bytes waiting in `#block`. */
  #used = 0;
  /** Bytes hashed so far. */
  #length = 0;

  /**
   * Appends the UTF-8 of `text`. Pieces are encoded one by one, so a
   * surrogate pair split between two calls would hash as two U+FFFD.
   */
  update(text: string): this {
    const n = utf8(text);
    this.#length += n;
    let offset = 0;
    if (this.#used > 0) {
      const take = Math.min(64 - this.#used, n);
      this.#block.set(scratch.subarray(0, take), this.#used);
      this.#used += take;
      offset = take;
      if (this.#used < 64) return this;
      compress(this.#h, this.#block, 0, 1);
      this.#used = 0;
    }
    const blocks = (n - offset) >> 6;
    if (blocks > 0) compress(this.#h, scratch, offset, blocks);
    offset += blocks << 6;
    if (offset < n) {
      this.#block.set(scratch.subarray(offset, n), 0);
      this.#used = n - offset;
    }
    return this;
  }

  /** An independent hasher with the same state. */
  clone(): Sha256 {
    const copy = new Sha256();
    copy.#h.set(this.#h);
    copy.#block.set(this.#block);
    copy.#used = this.#used;
    copy.#length = this.#length;
    return copy;
  }

  /** The hex digest of everything so far followed by `tail`; this hasher is left as it was. */
  hexWith(tail: string): string {
    return this.clone().update(tail).hex();
  }

  /** The hex digest; the hasher is spent afterwards (`clone()` first to go on). */
  hex(): string {
    const block = this.#block;
    const bits = this.#length * 8;
    block[this.#used] = 0x80;
    block.fill(0, this.#used + 1);
    if (this.#used >= 56) {
      compress(this.#h, block, 0, 1);
      block.fill(0);
    }
    const high = Math.floor(bits / 0x100000000);
    const low = bits >>> 0;
    block[56] = high >>> 24;
    block[57] = (high >>> 16) & 0xff;
    block[58] = (high >>> 8) & 0xff;
    block[59] = high & 0xff;
    block[60] = low >>> 24;
    block[61] = (low >>> 16) & 0xff;
    block[62] = (low >>> 8) & 0xff;
    block[63] = low & 0xff;
    compress(this.#h, block, 0, 1);
    let out = "";
    for (let i = 0; i < 8; i++) {
      const v = this.#h[i];
      out += HEX[v >>> 24] + HEX[(v >>> 16) & 0xff] + HEX[(v >>> 8) & 0xff] + HEX[v & 0xff];
    }
    return out;
  }
}

/** Hex SHA-256 of the UTF-8 encoding of `text`. */
export function sha256Hex(text: string): string {
  return new Sha256().update(text).hex();
}
