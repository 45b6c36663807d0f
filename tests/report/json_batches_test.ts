import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { indentedJson } from "../../src/report/_json.ts";
import { renderJson } from "../../src/report/json.ts";
import { renderSarif } from "../../src/report/sarif.ts";
import { fixedRun } from "./_fixture.ts";

const item = (i: number) => ({
  id: `t${i}`,
  text: i % 3 ? `line\n"${i}" <&>` : "😀 \u0000 \ud800",
  n: i / 7,
  nested: { list: i % 2 ? [] : [i, null, { deep: [true] }], empty: {} },
});

describe("indentedJson", () => {
  for (const count of [0, 1, 499, 500, 501, 1234]) {
    test(`is JSON.stringify(doc, null, 2) byte for byte with ${count} elements`, () => {
      const items = Array.from({ length: count }, (_, i) => i);
      const top = (array: unknown[]) => ({ before: "x", array, after: [1, { y: 2 }] });
      assert.equal(indentedJson(items, item, top), JSON.stringify(top(items.map(item)), null, 2));
      const deep = (array: unknown[]) => ({ runs: [{ tool: {}, results: array, tail: null }] });
      assert.equal(indentedJson(items, item, deep), JSON.stringify(deep(items.map(item)), null, 2));
      const bare = (array: unknown[]) => array;
      assert.equal(indentedJson(items, item, bare), JSON.stringify(items.map(item), null, 2));
    });
  }

  test("text of the document that looks like its placeholder falls back to one JSON.stringify", () => {
    const items = Array.from({ length: 1200 }, (_, i) => i);
    for (const trap of ["\u0000assay:elements\u0000", '"\\u0000assay:elements\\u0000"']) {
      const doc = (array: unknown[]) => ({ suite: trap, array, again: [trap] });
      assert.equal(indentedJson(items, item, doc), JSON.stringify(doc(items.map(item)), null, 2));
    }
  });

  test("the JSON and SARIF reports of a 1,300-test run parse back to every test", () => {
    const run = fixedRun();
    const one = run.results[1];
    run.results = Array.from({ length: 1300 }, (_, i) => ({ ...one, testId: `t${i}` }));
    run.counts = { total: 1300, passed: 0, failed: 1300, errored: 0 };
    const summary = JSON.parse(renderJson(run));
    assert.deepEqual(
      summary.tests.map((t: { id: string }) => t.id),
      run.results.map((r) => r.testId),
    );
    const sarif = JSON.parse(renderSarif(run));
    assert.equal(sarif.runs[0].results.length, 1300);
    assert.equal(sarif.runs[0].results[1299].properties.testId, "t1299");
  });
});
