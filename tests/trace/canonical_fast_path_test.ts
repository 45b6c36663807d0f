// canonicalJson's fast path (a key-sorted copy handed to JSON.stringify)
// must give exactly the bytes of the careful path for every JSON value.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { canonicalJson, compareCodePoints } from "../../mod.ts";

/** An independent reference: the canonical form written out directly. */
function reference(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort(compareCodePoints);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`).join(",")}}`;
}

// Keys that stress ordering: integer-like, astral, U+E000..U+FFFF, __proto__.
const key = fc.oneof(
  fc.string(),
  fc.constantFrom("10", "9", "0", "01", "\u{1F600}", "\uFB01", "\uE000", "__proto__", "a.b", ""),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ unit: "binary" }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(key, tie("value"), { maxKeys: 5 }),
  ),
})).value;

describe("canonicalJson fast path", () => {
  test("matches the reference serialisation for arbitrary JSON values", () => {
    fc.assert(
      fc.property(json, (value) => {
        // Through JSON.parse so "__proto__" is an own key, as in parsed data.
        const parsed = JSON.parse(reference(value));
        assert.equal(canonicalJson(parsed), reference(parsed));
      }),
      { numRuns: 500 },
    );
  });

  test("orders objects of any size, in any insertion order, like the reference", () => {
    // Up to 24 keys: both the small-object insertion sort and the built-in sort.
    const wide = fc.dictionary(
      fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.constantFrom("gen_ai.usage", "assay.request", "round"),
      ),
      fc.integer(),
      { maxKeys: 24 },
    );
    fc.assert(
      fc.property(wide, fc.boolean(), (value, reverse) => {
        const keys = Object.keys(value);
        if (reverse) keys.reverse();
        const reordered = JSON.parse(
          `{${keys.map((k) => `${JSON.stringify(k)}:${value[k]}`).join(",")}}`,
        );
        assert.equal(canonicalJson(reordered), reference(reordered));
      }),
      { numRuns: 500 },
    );
  });

  test("keeps an own __proto__ key and orders integer-like keys as strings", () => {
    assert.equal(
      canonicalJson(JSON.parse('{"__proto__":{"x":1},"9":2,"10":3}')),
      '{"10":3,"9":2,"__proto__":{"x":1}}',
    );
  });

  test("writes values with toJSON through it, as JSON.stringify would", () => {
    assert.equal(
      canonicalJson({ b: new Date(0), a: [new Date(0)] }),
      '{"a":["1970-01-01T00:00:00.000Z"],"b":"1970-01-01T00:00:00.000Z"}',
    );
  });

  test("still names the field path when a value cannot be written", () => {
    assert.throws(
      () => canonicalJson({ meta: { deep: [1, { x: undefined }] } }),
      /meta\.deep\[1\]\.x/,
    );
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { again: cyclic };
    assert.throws(() => canonicalJson(cyclic), /circular reference at self\.again/);
  });
});
