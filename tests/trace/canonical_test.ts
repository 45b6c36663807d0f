import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { canonicalJson, compareCodePoints } from "../../mod.ts";

describe("canonicalJson", () => {
  test("sorts keys by code point at every depth, integer-like keys included", () => {
    assert.equal(
      canonicalJson({ b: 1, a: { "9": true, "10": "x", z: [{ y: 1, x: 2 }] } }),
      '{"a":{"10":"x","9":true,"z":[{"x":2,"y":1}]},"b":1}',
    );
  });

  test("orders astral characters after U+E000..U+FFFF like Python's sort_keys", () => {
    const keys = ["\u{1F600}", "\uFB01", "a"];
    assert.deepEqual([...keys].sort(compareCodePoints), ["a", "\uFB01", "\u{1F600}"]);
    assert.equal(canonicalJson({ "\u{1F600}": 1, "\uFB01": 2 }), '{"\uFB01":2,"\u{1F600}":1}');
  });

  test("writes compact JSON with raw non-ASCII and escaped control characters", () => {
    assert.equal(
      canonicalJson({ t: "München ☀️ 22°C", c: "a\nb\u0001" }),
      '{"c":"a\\nb\\u0001","t":"München ☀️ 22°C"}',
    );
  });

  for (
    const [label, value, path] of [
      ["NaN", { meta: { score: NaN } }, "meta.score"],
      ["Infinity", { a: [1, Infinity] }, "a[1]"],
      ["undefined", { meta: { "gen_ai.usage": { x: undefined } } }, 'meta["gen_ai.usage"].x'],
      ["a function", { f: () => 1 }, "f"],
      ["a BigInt", { n: 10n }, "n"],
    ] as const
  ) {
    test(`refuses ${label} and names the field path`, () => {
      assert.throws(() => canonicalJson(value), (err: Error & { code?: string }) => {
        assert.equal(err.code, "E_SERIALIZE");
        assert.ok(err.message.includes(path), err.message);
        return true;
      });
    });
  }

  test("refuses cycles", () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    assert.throws(() => canonicalJson(a), /circular reference at self/);
  });

  test("uses toJSON like JSON.stringify", () => {
    assert.equal(canonicalJson({ d: new Date(0) }), '{"d":"1970-01-01T00:00:00.000Z"}');
  });
});
