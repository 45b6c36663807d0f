// shallowCopy: the spread copy the recorder adds keys to.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { shallowCopy } from "../../src/trace/_copy.ts";

describe("shallowCopy", () => {
  test("copies what a spread copies, an own __proto__ key and symbols included", () => {
    const sym = Symbol("s");
    const sources: unknown[] = [
      { a: 1, "gen_ai.usage": { total_tokens: 3 }, "10": "x", [sym]: true },
      JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'),
      Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
      undefined,
      null,
      "ab",
    ];
    for (const source of sources) {
      const copy = shallowCopy(source);
      const spread = { ...(source as object) };
      assert.deepEqual(Reflect.ownKeys(copy), Reflect.ownKeys(spread));
      for (const key of Reflect.ownKeys(spread)) {
        assert.equal(copy[key as string], (spread as Record<PropertyKey, unknown>)[key]);
      }
      assert.equal(Object.getPrototypeOf(copy), Object.prototype);
      assert.notEqual(copy, source);
    }
  });
});
