import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { elementPerLineJson } from "../../src/report/_json.ts";
import { renderJson } from "../../src/report/json.ts";
import { renderSarif } from "../../src/report/sarif.ts";
import { fixedRun } from "./_fixture.ts";

const itemValue = (i: number) => ({
  id: `t${i}`,
  text: i % 3 ? `line\n"${i}" <&>` : "😀 \u0000 \ud800",
  n: i / 7,
  nested: { list: i % 2 ? [] : [i, null, { deep: [true] }], empty: {} },
});
const item = (i: number) => JSON.stringify(itemValue(i));

describe("elementPerLineJson", () => {
  const top = (array: unknown[]) => ({ before: "x", array, after: [1, { y: 2 }] });
  const deep = (array: unknown[]) => ({ runs: [{ tool: {}, results: array, tail: null }] });
  const bare = (array: unknown[]) => array;

  for (const count of [0, 1, 2, 1234]) {
    test(`parses back to JSON.stringify's document with ${count} elements`, () => {
      const items = Array.from({ length: count }, (_, i) => i);
      for (const build of [top, deep, bare]) {
        const text = elementPerLineJson(items, item, build);
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(build(items.map(itemValue)))));
      }
    });
  }

  test("indents the document by two spaces and puts each element on its own line", () => {
    const text = elementPerLineJson([1, 2], (i) => JSON.stringify({ id: i, tags: ["a"] }), top);
    assert.equal(
      text,
      [
        "{",
        '  "before": "x",',
        '  "array": [',
        '    {"id":1,"tags":["a"]},',
        '    {"id":2,"tags":["a"]}',
        "  ],",
        '  "after": [',
        "    1,",
        "    {",
        '      "y": 2',
        "    }",
        "  ]",
        "}",
      ].join("\n"),
    );
    // Nested deeper, the elements take the array's indentation.
    assert.ok(
      elementPerLineJson([1, 2], (i) => String(i), deep).includes(
        '"results": [\n        1,\n        2\n      ]',
      ),
    );
    assert.equal(elementPerLineJson([], item, top), JSON.stringify(top([]), null, 2));
  });

  test("text of the document that looks like its placeholder cannot fake it", () => {
    const items = Array.from({ length: 1200 }, (_, i) => i);
    for (const trap of ["\u0000assay:elements\u0000", '"\\u0000assay:elements\\u0000"']) {
      const doc = (array: unknown[]) => ({ suite: trap, array, again: [trap] });
      const text = elementPerLineJson(items, item, doc);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(doc(items.map(itemValue)))));
    }
    // The placeholder itself in the document: serialised the plain way.
    const doc = (array: unknown[]) => ({ suite: "\u0000assay:elements\u0000", array });
    assert.equal(
      elementPerLineJson(items, item, doc),
      JSON.stringify(doc(items.map(itemValue)), null, 2),
    );
  });

  test("the JSON and SARIF reports of a 1,300-test run parse back to every test, one per line", () => {
    const run = fixedRun();
    const one = run.results[1];
    run.results = Array.from({ length: 1300 }, (_, i) => ({ ...one, testId: `t${i}` }));
    run.counts = { total: 1300, passed: 0, failed: 1300, errored: 0 };
    const text = renderJson(run);
    const summary = JSON.parse(text);
    assert.deepEqual(
      summary.tests.map((t: { id: string }) => t.id),
      run.results.map((r) => r.testId),
    );
    assert.equal(text.split("\n").filter((l) => l.startsWith('    {"id":"t')).length, 1300);
    const sarif = JSON.parse(renderSarif(run));
    assert.equal(sarif.runs[0].results.length, 1300);
    assert.equal(sarif.runs[0].results[1299].properties.testId, "t1299");
  });
});
