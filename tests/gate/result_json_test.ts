// The JSON form of a result: the JSON report's `tests` entries and the
// history database's result_json; serialised once, read back whole.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { resultFromJson, resultJsonText, resultToJson } from "../../src/gate/result_json.ts";
import type { TestResult } from "../../src/gate/types.ts";
import { renderJson } from "../../src/report/json.ts";
import { openStore } from "../../src/store/store.ts";
import { fixedRun } from "../report/_fixture.ts";

const FULL: TestResult = {
  testId: "weather",
  status: "fail",
  durationMs: 3.25,
  location: { file: "assay.yaml", line: 4, column: 5 },
  checks: [
    {
      kind: "semantic_similarity_to",
      passed: false,
      message: "similarity 0.41 < 0.80",
      expected: ">= 0.80",
      actual: '"It rains"',
      score: 0.41,
      location: { file: "assay.yaml", line: 7, column: 9 },
    },
    { kind: "trace_max_steps", passed: true, message: "2 steps (max 5)" },
  ],
  errorCode: "E_BASE_MISMATCH",
  message: "similarity 0.41 < 0.80",
  hint: "re-export the baseline",
  episode: { episodeId: "ep1", file: "t.jsonl", line: 12 },
  scores: { semantic_similarity_to: 0.41, "a#2": 1 },
  warnings: ["latest of 2 episodes used"],
};

describe("result JSON", () => {
  test("a result reads back from its JSON form, every field but the signature", () => {
    const withSignature: TestResult = {
      ...FULL,
      signature: { episodeId: "ep1", prompt: "p", output: "o", toolCalls: [] },
    };
    assert.deepEqual(resultFromJson(JSON.parse(resultJsonText(withSignature))), FULL);
    const bare: TestResult = {
      testId: "x",
      status: "pass",
      durationMs: 0,
      checks: [],
      scores: {},
      warnings: [],
    };
    assert.deepEqual(resultFromJson(JSON.parse(resultJsonText(bare))), bare);
  });

  test("the text is made once per result and is the JSON report's entry", () => {
    const run = fixedRun();
    const r = run.results[1];
    const text = resultJsonText(r);
    assert.equal(resultJsonText(r), text);
    assert.equal(text, JSON.stringify(resultToJson(r)));
    assert.deepEqual(JSON.parse(renderJson(run)).tests[1], JSON.parse(text));
    assert.ok(renderJson(run).includes(`\n    ${text},\n`));
  });

  test("the text is JSON.stringify of the JSON form, byte for byte, for any result", () => {
    const text = fc.string({ unit: "binary", maxLength: 12 });
    const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const num = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, NaN, Infinity));
    const loc = fc.record({ file: text, line: fc.integer(), column: fc.integer() });
    const check = fc.record({
      kind: text,
      passed: fc.boolean(),
      message: text,
      expected: opt(text),
      actual: opt(text),
      score: opt(num),
      location: opt(loc),
    });
    const result = fc.record({
      testId: text,
      status: fc.constantFrom("pass", "fail", "error"),
      durationMs: num,
      checks: fc.array(check, { maxLength: 3 }),
      errorCode: opt(fc.constantFrom("E_DB", "E_BASE_MISMATCH")),
      message: opt(text),
      hint: opt(text),
      location: opt(loc),
      episode: opt(fc.record({ episodeId: text, file: text, line: fc.integer() })),
      scores: fc.dictionary(text, num, { maxKeys: 3 }),
      warnings: fc.array(text, { maxLength: 2 }),
    });
    fc.assert(
      fc.property(result, (r) => {
        const copy = { ...r } as TestResult;
        assert.equal(resultJsonText(copy), JSON.stringify(resultToJson(copy)));
      }),
      { numRuns: 500 },
    );
    // Index-like score keys come first in numeric order, as in a sorted object.
    const indexed = { ...FULL, scores: { b: 1, "10": 2, a: 3, "9": 4, "-1": 5 } };
    assert.equal(resultJsonText(indexed), JSON.stringify(resultToJson(indexed)));
    // A result built by hand with a missing field still gives what JSON.stringify gives.
    const odd = { ...FULL, checks: [{ kind: "x", passed: true }] } as unknown as TestResult;
    assert.equal(resultJsonText(odd), JSON.stringify(resultToJson(odd)));
    for (const wrong of [{ scores: { a: "1" } }, { warnings: [1, null] }]) {
      const r = { ...FULL, ...wrong } as unknown as TestResult;
      assert.equal(resultJsonText(r), JSON.stringify(resultToJson(r)));
    }
  });

  test("the older stored form (the result object itself) still reads", () => {
    assert.deepEqual(resultFromJson(JSON.parse(JSON.stringify(FULL))), FULL);
  });

  test("the store's history gives the result back", async () => {
    const run = fixedRun();
    run.results = [FULL];
    run.counts = { total: 1, passed: 0, failed: 1, errored: 0 };
    const store = await openStore(":memory:");
    try {
      await store.saveRun(run, []);
      const [entry] = await store.history("weather");
      assert.deepEqual(entry.result, FULL);
    } finally {
      await store.close();
    }
  });
});
