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

  test("any result reads back from its text, absent fields absent", () => {
    const text = fc.string({ unit: "binary", maxLength: 12 });
    // Optional fields are absent or set (never undefined). JSON has no NaN,
    // infinities or -0 (they become null or 0): finite numbers, +0 only.
    const num = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => n + 0),
      fc.integer(),
    );
    const loc = fc.record({ file: text, line: fc.integer(), column: fc.integer() }, {
      noNullPrototype: true,
    });
    const check = fc.record({
      kind: text,
      passed: fc.boolean(),
      message: text,
      expected: text,
      actual: text,
      score: num,
      location: loc,
    }, { requiredKeys: ["kind", "passed", "message"], noNullPrototype: true });
    const result = fc.record({
      testId: text,
      status: fc.constantFrom("pass", "fail", "error"),
      durationMs: num,
      checks: fc.array(check, { maxLength: 3 }),
      errorCode: fc.constantFrom("E_DB", "E_BASE_MISMATCH"),
      message: text,
      hint: text,
      location: loc,
      episode: fc.record({ episodeId: text, file: text, line: fc.integer() }, {
        noNullPrototype: true,
      }),
      scores: fc.dictionary(text, num, { maxKeys: 3, noNullPrototype: true }),
      warnings: fc.array(text, { maxLength: 2 }),
    }, {
      requiredKeys: ["testId", "status", "durationMs", "checks", "scores", "warnings"],
      noNullPrototype: true,
    });
    fc.assert(
      fc.property(result, (r) => {
        const back = resultFromJson(JSON.parse(resultJsonText(r as TestResult)));
        assert.deepEqual(back, r);
      }),
      { numRuns: 300 },
    );
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
