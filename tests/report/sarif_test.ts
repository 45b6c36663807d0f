import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import AjvModule from "ajv";
import addFormatsModule from "ajv-formats";
import { renderSarif } from "../../src/report/sarif.ts";
import { SDK_VERSION } from "../../src/version.ts";
import { ROOT } from "../_helpers.ts";
import { fixedRun } from "./_fixture.ts";

// ajv and ajv-formats are CommonJS: under ESM their exports arrive as `default`.
type AjvLike = { compile(schema: unknown): ((data: unknown) => boolean) & { errors?: unknown } };
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (
  options: Record<string, unknown>,
) => AjvLike;
const addFormats =
  ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
    ajv: AjvLike,
  ) => void;

// The official OASIS schema (draft-07); see tests/data/sarif/README.md for its origin.
const schema = JSON.parse(
  readFileSync(join(ROOT, "tests", "data", "sarif", "sarif-schema-2.1.0.json"), "utf8"),
);
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

// deno-lint-ignore no-explicit-any
type Json = any;

describe("renderSarif", () => {
  test("the log is valid against the official SARIF 2.1.0 schema", () => {
    const log = JSON.parse(renderSarif(fixedRun()));
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
  });

  test("the schema check can fail: a log without a message is refused", () => {
    const log = JSON.parse(renderSarif(fixedRun()));
    delete log.runs[0].results[0].message;
    assert.equal(validate(log), false);
  });

  test("one error result per failing check, located at the check's or the test's line in the config", () => {
    const run = JSON.parse(renderSarif(fixedRun())).runs[0];
    assert.equal(run.tool.driver.name, "assay");
    assert.equal(run.tool.driver.version, SDK_VERSION);
    const results: Json[] = run.results;
    assert.deepEqual(
      results.map((r) => [r.ruleId, r.level, r.locations[0].physicalLocation.region.startLine]),
      [
        ["must_contain", "error", 14],
        ["baseline", "error", 18],
        ["E_TRACE_EPISODE_MISSING", "error", 22],
      ],
    );
    for (const r of results) {
      assert.deepEqual(r.locations[0].physicalLocation.artifactLocation, {
        uri: "assay.yaml",
        uriBaseId: "%SRCROOT%",
      });
      assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
    }
    assert.match(results[0].message.text, /Expected: 22°C \| sunny/);
    assert.match(results[2].message.text, /Fix: record it with test_id/);
  });

  test("a passing run has no results and still validates", () => {
    const fixture = fixedRun();
    fixture.results = [fixture.results[0]];
    fixture.counts = { total: 1, passed: 1, failed: 0, errored: 0 };
    fixture.verdict = "pass";
    const log = JSON.parse(renderSarif(fixture));
    assert.deepEqual(log.runs[0].results, []);
    assert.ok(validate(log), JSON.stringify(validate.errors));
  });

  test("config paths become relative URI references with a base id, absolute ones file URIs", () => {
    const fixture = fixedRun();
    fixture.results[1].checks[0].location = { file: "conf dir\\assay #1.yaml", line: 3, column: 2 };
    fixture.results[3].location = { file: "/abs/assay.yaml", line: 9, column: 1 };
    const results: Json[] = JSON.parse(renderSarif(fixture)).runs[0].results;
    assert.deepEqual(results[0].locations[0].physicalLocation.artifactLocation, {
      uri: "conf%20dir/assay%20%231.yaml",
      uriBaseId: "%SRCROOT%",
    });
    assert.deepEqual(results[2].locations[0].physicalLocation.artifactLocation, {
      uri: "file:///abs/assay.yaml",
    });
    assert.ok(validate(JSON.parse(renderSarif(fixture))), JSON.stringify(validate.errors));
  });
});
