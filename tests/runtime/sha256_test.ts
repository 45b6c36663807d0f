// The synchronous SHA-256 behind request fingerprints agrees with Web Crypto on every runtime.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as adapter from "../../src/runtime/sha256.ts";
import * as plain from "../../src/openai/_sha256.ts";
import { Sha256, sha256Hex } from "../../src/runtime/sha256.ts";

// The adapter (node:crypto on all three runtimes) and the plain-JS fallback
// must agree with Web Crypto alike.
const IMPLEMENTATIONS = [["node:crypto adapter", adapter], ["plain-JS fallback", plain]] as const;

async function webCrypto(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

for (const [name, { Sha256, sha256Hex }] of IMPLEMENTATIONS) {
  describe(`sha256Hex (${name})`, () => {
    test("matches the published digest of the empty string and of abc", () => {
      assert.equal(
        sha256Hex(""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      );
      assert.equal(
        sha256Hex("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      );
    });

    test("matches crypto.subtle at every padding boundary and for non-ASCII text", async () => {
      const texts = [55, 56, 63, 64, 65, 119, 120, 128, 1000, 100_000].map((n) => "x".repeat(n));
      texts.push("Wetter in München? ☀️ 22°C", "\u{1F600}".repeat(40));
      for (const text of texts) {
        assert.equal(sha256Hex(text), await webCrypto(text), `length ${text.length}`);
      }
    });

    test("hashing a text in pieces gives the digest of the whole, at every split point", () => {
      const text = '{"messages":[{"content":"Wetter in München? ☀️","role":"user"}],' +
        '"model":"gpt-4o"}' + "x".repeat(150) + "\u{1F600}";
      const whole = sha256Hex(text);
      for (let i = 0; i <= text.length; i++) {
        // Never between the two halves of a surrogate pair: pieces are whole JSON texts.
        if (i > 0 && i < text.length && /[\uDC00-\uDFFF]/.test(text[i])) continue;
        const h = new Sha256().update(text.slice(0, i));
        assert.equal(h.update(text.slice(i)).hexWith(""), whole, `split at ${i}`);
      }
    });

    test("hexWith digests the text so far plus a tail and leaves the hasher as it was", () => {
      const head = new Sha256().update("x".repeat(100));
      assert.equal(head.hexWith("a"), sha256Hex("x".repeat(100) + "a"));
      assert.equal(head.hexWith("b".repeat(70)), sha256Hex("x".repeat(100) + "b".repeat(70)));
      assert.equal(head.update("c").hexWith(""), sha256Hex("x".repeat(100) + "c"));
    });

    test("a lone surrogate is hashed as U+FFFD, as TextEncoder encodes it", async () => {
      for (const text of ["a\uD800b", "\uDC00", "end\uD83D"]) {
        assert.equal(sha256Hex(text), await webCrypto(text), JSON.stringify(text));
      }
    });
  });
}

describe("sha256 implementation", () => {
  test("Deno, Bun and Node use node:crypto; the plain-JS fallback gives the same digests", async () => {
    const { SHA256_IMPLEMENTATION } = await import("../../src/runtime/sha256.ts");
    assert.equal(SHA256_IMPLEMENTATION, "node:crypto");
    const head = "x".repeat(70) + "München ☀️";
    for (const tail of ["", "a", "y".repeat(200), "\u{1F600}"]) {
      assert.equal(
        new plain.Sha256().update(head).hexWith(tail),
        new Sha256().update(head).hexWith(tail),
      );
      assert.equal(plain.sha256Hex(head + tail), sha256Hex(head + tail));
    }
  });
});

describe("plain-JS hasher", () => {
  test("a clone goes on independently of the hasher it was taken from", () => {
    const head = new plain.Sha256().update("x".repeat(100));
    const a = head.clone().update("a").hex();
    const b = head.clone().update("b").hex();
    assert.equal(a, plain.sha256Hex("x".repeat(100) + "a"));
    assert.equal(b, plain.sha256Hex("x".repeat(100) + "b"));
    assert.equal(head.update("c").hex(), plain.sha256Hex("x".repeat(100) + "c"));
  });
});
