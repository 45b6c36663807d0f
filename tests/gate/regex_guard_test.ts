// The runaway-regex guard: static risk check, and a time budget enforced in a worker.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isRiskyPattern, RegexGuard } from "../../src/gate/regex_guard.ts";
import { compilePattern } from "../../src/_regex.ts";
import { parseConfig } from "../../src/gate/config.ts";
import { runGate } from "../../src/gate/run.ts";
import { traceLines } from "./_episodes.ts";

describe("regex guard", () => {
  test("nested quantifiers, quantified alternations and backreferences are risky", () => {
    for (
      const p of [
        "(a+)+$",
        "(a*)*b",
        "(\\w+\\s?)+$",
        "(a|aa)+",
        "(?:x+){2,}",
        "(a)\\1",
        "((ab)*c)*",
      ]
    ) {
      assert.equal(isRiskyPattern(p), true, p);
    }
  });

  test("ordinary patterns are not risky", () => {
    for (
      const p of [
        ".*",
        "^\\d+C$",
        "(?<temp>\\d+)C",
        "(ab)+",
        "[(a+)+]",
        "\\(a+\\)+",
        "(a|b)",
        "a{2}",
        "(x+)?",
      ]
    ) {
      assert.equal(isRiskyPattern(p), false, p);
    }
  });

  test("(a+)+$ against a long 'aaaa...!' times out instead of hanging", async () => {
    const guard = new RegexGuard({ timeoutMs: 300 });
    try {
      const outcome = await guard.test(/(a+)+$/u, "a".repeat(40) + "!");
      assert.deepEqual(outcome, { status: "timeout", timeoutMs: 300 });
      // The guard keeps working after a timeout (a new worker replaces the killed one);
      // a generous budget here keeps a busy machine from making the check flaky.
      assert.deepEqual(await guard.test(/(a+)+$/u, "a".repeat(40), 30_000), {
        status: "ok",
        matched: true,
      });
      assert.deepEqual(await guard.test(/(a+)+$/u, "b".repeat(20), 30_000), {
        status: "ok",
        matched: false,
      });
    } finally {
      await guard.close();
    }
  });

  test("testNow answers without the worker except for a risky pattern on a long input", async () => {
    const guard = new RegexGuard({ timeoutMs: 300 });
    try {
      assert.deepEqual(guard.testNow(/^OK$/u, "OK"), { status: "ok", matched: true });
      assert.deepEqual(guard.testNow(/\d+C/u, "It is 22C"), { status: "ok", matched: true });
      assert.deepEqual(guard.testNow(/(a+)+$/u, "aaaa"), { status: "ok", matched: true });
      assert.equal(guard.testNow(/(a+)+$/u, "a".repeat(40) + "!"), undefined);
    } finally {
      await guard.close();
    }
  });

  test("checks after one that waits for the worker still run, in order", async () => {
    const config = await parseConfig(
      `settings: {regex_timeout_ms: 30000}\ntests:\n  - id: mixed\n    expected:\n` +
        `      - {type: must_contain, must_contain: "aaa"}\n` +
        `      - {type: regex_match, pattern: "(a+)+b"}\n` +
        `      - {type: must_not_contain, must_not_contain: "zzz"}\n` +
        `      - {type: regex_match, pattern: "^a+$"}\n`,
    );
    const { run } = await runGate(config, traceLines({ id: "mixed", output: "a".repeat(18) }), {
      strict: true,
    });
    const [r] = run.results;
    assert.deepEqual(
      r.checks.map((c) => [c.kind, c.passed]),
      [["must_contain", true], ["regex_match", false], ["must_not_contain", true], [
        "regex_match",
        true,
      ]],
    );
    assert.equal(r.status, "fail");
    assert.equal(
      r.message,
      `expected the output to match /(a+)+b/; the output was "${"a".repeat(18)}"`,
    );
  });

  test("a runaway pattern fails its test with a clear message and the other tests still run", async () => {
    const config = await parseConfig(
      `settings: {regex_timeout_ms: 300}\ntests:\n  - id: redos\n    expected: {type: regex_match, pattern: "(a+)+$"}\n` +
        `  - id: fine\n    expected: {type: regex_match, pattern: "a+!"}\n`,
    );
    const trace = traceLines({ id: "redos", output: "a".repeat(40) + "!" }) +
      traceLines({ id: "fine", output: "a".repeat(40) + "!" });
    const { run } = await runGate(config, trace, { strict: true });
    assert.deepEqual(run.results.map((r) => r.status), ["fail", "pass"]);
    assert.equal(
      run.results[0].message,
      "regex /(a+)+$/ did not finish within 300 ms on the 41-character output " +
        "(catastrophic backtracking: rewrite it without nested quantifiers such as (a+)+)",
    );
  });
});

describe("Rust-style regex compatibility", () => {
  test("inline flags, named groups and absolute anchors written for the original keep working", () => {
    assert.equal(compilePattern("(?i)tokyo").test("TOKYO"), true);
    assert.equal(compilePattern("(?ms)^b.c$").test("a\nb\nc"), true);
    assert.equal(compilePattern("(?P<t>\\d+)C (?P=t)").exec("22C 22")?.groups?.t, "22");
    assert.equal(compilePattern("\\Ahello\\z").test("hello"), true);
    assert.equal(compilePattern("\\Ahello\\z", ["m"]).test("x\nhello"), false);
  });

  test("Rust flags with no JavaScript equivalent are refused, not ignored", () => {
    assert.throws(
      () => compilePattern("(?x) a b"),
      /inline flag \(\?x\) .* has no JavaScript equivalent/,
    );
  });
});
