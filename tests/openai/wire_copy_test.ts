// wireCopy: the request as it goes over the wire, without the JSON text in between.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { wireCopy } from "../../src/openai/_common.ts";

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value));

class Point {
  x = 1;
  y = 2;
}

describe("wireCopy", () => {
  test("gives exactly what a JSON round trip gives, also for values JSON changes", () => {
    const holey = [1, , 3]; // a hole: null on the wire
    const values: unknown[] = [
      { role: "user", content: "Weather in Tokyo?" },
      [{ a: [1, 2.5, -3e-7, "é", true, false, null] }, { nested: { deep: { x: "\u{1F600}" } } }],
      { dropped: undefined, kept: 1, fn: () => 1, sym: Symbol("s") },
      [undefined, () => 1, Symbol("s")],
      { zero: -0, list: [-0] },
      { nan: NaN, inf: -Infinity },
      { when: new Date(0), custom: { toJSON: () => "custom" } },
      { point: new Point(), boxed: [new String("ab"), new Number(3), new Boolean(false)] },
      { map: new Map([["a", 1]]), set: new Set([1]) },
      holey,
      { "10": "a", "9": "b", b: 1, a: 2 },
      JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
      Object.assign(Object.create(null), { bare: true }),
      Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
      "text",
      42,
      null,
    ];
    for (const value of values) {
      const copy = wireCopy(value);
      assert.deepEqual(copy, roundTrip(value));
      assert.equal(JSON.stringify(copy), JSON.stringify(roundTrip(value)));
    }
  });

  test("never returns the caller's objects", () => {
    const message = { role: "user", content: [{ type: "text", text: "hi" }] };
    const copy = wireCopy(message);
    assert.notEqual(copy, message);
    assert.notEqual(copy.content, message.content);
    assert.notEqual(copy.content[0], message.content[0]);
  });

  test("fails like JSON.stringify on a cycle and on a BigInt", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.throws(() => wireCopy(cycle), TypeError);
    assert.throws(() => wireCopy({ n: 1n }), TypeError);
  });
});
