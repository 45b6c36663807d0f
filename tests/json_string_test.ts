// jsonString: the hand-written JSON writers' string quoting must be
// JSON.stringify's, byte for byte, for every string.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { jsonString, quote } from "../src/errors.ts";

test("jsonString is JSON.stringify for any string, lone surrogates and controls included", () => {
  for (
    const s of [
      "",
      "plain",
      'a"b',
      "a\\b",
      "\n",
      "\u0000",
      "\u001f",
      "\u007f",
      "é",
      "😀",
      "\ud800",
      "x\udc00",
    ]
  ) {
    assert.equal(jsonString(s), JSON.stringify(s), JSON.stringify(s));
  }
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), fc.string()),
      (s) => assert.equal(jsonString(s), JSON.stringify(s)),
    ),
    { numRuns: 2000 },
  );
});

test("quote: strings as JSON, other values as JSON or their text, truncated", () => {
  assert.equal(quote('say "hi"'), '"say \\"hi\\""');
  assert.equal(quote(12), "12");
  assert.equal(quote(undefined), "undefined");
  assert.equal(quote("x".repeat(100), 10), `"${"x".repeat(8)}…`);
});
