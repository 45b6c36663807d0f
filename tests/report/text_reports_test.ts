import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatSummary, formatTestLine } from "../../src/report/console.ts";
import { JSON_REPORT_SCHEMA_VERSION, renderJson } from "../../src/report/json.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { fixedRun } from "./_fixture.ts";

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

describe("console output", () => {
  test("a passing test is one line with status, id and time", () => {
    assert.equal(
      formatTestLine(fixedRun().results[0], { color: false }),
      "PASS  weather_check (3.25 ms)",
    );
  });

  test("a failure shows the failing check with expected and actual excerpts on indented lines", () => {
    const text = formatTestLine(fixedRun().results[1], { color: false });
    const lines = text.split("\n");
    assert.equal(lines[0], 'FAIL  pipes|and<xml>&"quotes" (12 ms)');
    assert.equal(lines[1], '      must_contain: output lacks "22°C | sunny"');
    assert.match(lines[2], /^ {8}expected: 22°C \| sunny$/);
    assert.match(lines[3], /^ {8}actual: {3}It is 18°C/);
  });

  test("an error shows its code in brackets and the fix hint", () => {
    const lines = formatTestLine(fixedRun().results[3], { color: false }).split("\n");
    assert.match(lines[0], /^ERROR missing_episode/);
    assert.match(lines[1], /^ {6}\[E_TRACE_EPISODE_MISSING\] no episode for test/);
    assert.match(lines[2], /^ {6}fix: record it with test_id/);
  });

  test("control characters from a trace never reach the terminal raw", () => {
    const result = fixedRun().results[1];
    result.checks[0].actual = "evil \x1b[2J clear \x07 bell";
    const text = formatTestLine(result, { color: false });
    assert.ok(!text.includes("\x1b") && !text.includes("\x07"), text);
    assert.match(text, /evil \\u001b\[2J clear \\u0007 bell/);
  });

  test("colour is used only when asked, and changes nothing else", () => {
    const run = fixedRun();
    for (const result of run.results) {
      const plain = formatTestLine(result, { color: false });
      const colored = formatTestLine(result, { color: true });
      assert.ok(!plain.includes("\x1b"));
      assert.notEqual(colored, plain);
      assert.equal(colored.replace(ANSI, ""), plain);
    }
    assert.equal(
      formatSummary(run, { color: true }).replace(ANSI, ""),
      formatSummary(run, { color: false }),
    );
  });

  test("the summary counts passed, failed and errored tests and the total time", () => {
    const run = fixedRun();
    assert.equal(
      formatSummary(run, { color: false }),
      "Summary: 1 passed, 2 failed, 1 error (4 tests) in 42.5 ms: FAIL",
    );
    run.counts = { total: 1, passed: 1, failed: 0, errored: 0 };
    run.verdict = "pass";
    run.durationMs = 1234.4;
    assert.equal(
      formatSummary(run, { color: false }),
      "Summary: 1 passed, 0 failed, 0 errors (1 test) in 1234 ms: PASS",
    );
  });
});

describe("renderJson", () => {
  test("has an explicit verdict, a schema version and keys in a fixed order", () => {
    const summary = JSON.parse(renderJson(fixedRun()));
    assert.equal(summary.schema_version, JSON_REPORT_SCHEMA_VERSION);
    assert.equal(summary.verdict, "fail");
    assert.deepEqual(Object.keys(summary), [
      "schema_version",
      "tool",
      "verdict",
      "run_id",
      "suite",
      "config_path",
      "config_hash",
      "trace_file",
      "replay_strict",
      "started_at",
      "duration_ms",
      "counts",
      "tests",
      "warnings",
    ]);
    assert.deepEqual(summary.counts, { total: 4, passed: 1, failed: 2, errored: 1 });
  });

  test("each test has status, message, checks and duration, with null for what is absent", () => {
    const tests = JSON.parse(renderJson(fixedRun())).tests;
    assert.deepEqual(tests.map((t: { id: string; status: string }) => [t.id, t.status]), [
      ["weather_check", "pass"],
      ['pipes|and<xml>&"quotes"', "fail"],
      ["args_changed", "fail"],
      ["missing_episode", "error"],
    ]);
    assert.equal(tests[0].message, null);
    assert.equal(tests[3].error_code, "E_TRACE_EPISODE_MISSING");
    assert.equal(tests[3].episode, null);
    assert.equal(
      tests[1].checks[0].actual,
      "It is 18°C & <cloudy> in Tokyo]]>\u0007 today\nsecond line",
    );
    assert.equal(tests[2].checks[1].score, 0.91);
  });

  test("the same run renders byte-identically whatever the key order of its scores", () => {
    const a = fixedRun();
    const b = fixedRun();
    a.results[2].scores = { z: 1, a: 0.5 };
    b.results[2].scores = { a: 0.5, z: 1 };
    assert.equal(renderJson(a), renderJson(b));
  });
});

describe("renderMarkdown", () => {
  // Cells are separated by pipes that are not escaped with a backslash.
  const cells = (row: string): string[] => row.split(/(?<!\\)\|/).slice(1, -1);

  test("pipes in ids and messages are escaped, so every row has exactly four cells", () => {
    const rows = renderMarkdown(fixedRun()).split("\n").filter((l) => l.startsWith("|"));
    assert.equal(rows.length, 2 + 4);
    for (const row of rows) assert.equal(cells(row).length, 4, row);
    assert.match(rows[3], /pipes\\\|and&lt;xml&gt;&amp;"quotes"/);
  });

  test("the heading states the verdict and the counts", () => {
    const md = renderMarkdown(fixedRun());
    assert.match(md, /^### Assay: quickstart: ❌ fail\n/);
    assert.match(md, /\*\*1 passed, 2 failed, 1 error\*\* of 4 tests/);
  });

  test("a large suite lists only the tests that did not pass", () => {
    const run = fixedRun();
    const pass = run.results[0];
    run.results = [
      ...Array.from({ length: 60 }, (_, i) => ({ ...pass, testId: `ok_${i}` })),
      run.results[3],
    ];
    run.counts = { total: 61, passed: 60, failed: 0, errored: 1 };
    const md = renderMarkdown(run);
    // Header, separator and the one erroring test.
    assert.equal(md.split("\n").filter((l) => l.startsWith("| ")).length, 3);
    assert.match(md, /\| ⚠️ error \| missing\\_episode \|/);
    assert.match(md, /60 passing tests are not listed\./);
  });
});
