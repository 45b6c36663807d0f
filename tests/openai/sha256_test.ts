// The synchronous SHA-256 behind request fingerprints agrees with Web Crypto.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sha256Hex } from "../../src/openai/_sha256.ts";

async function webCrypto(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("sha256Hex", () => {
  test("matches the published digest of the empty string and of abc", () => {
    assert.equal(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
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
});
