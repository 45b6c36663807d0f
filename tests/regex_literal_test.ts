// The literal fast path of regex tests: for every pattern it recognises it
// must answer exactly what the RegExp would; everything else is declined.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { compilePattern, literalTester } from "../src/_regex.ts";
import { RegexGuard } from "../src/gate/regex_guard.ts";
import { parseConfig } from "../src/gate/config.ts";
import { runGate } from "../src/gate/run.ts";

/** The pattern's answer on each input, by the regex and by the literal test (if any). */
function both(pattern: string, flags: string[], inputs: string[]) {
  const regex = compilePattern(pattern, flags);
  const literal = literalTester(regex);
  return { regex, literal, answers: inputs.map((s) => [s, regex.test(s), literal?.(s)] as const) };
}

describe("literal regex fast path", () => {
  test("recognises literal patterns, anchored or not, with escaped syntax characters", () => {
    const cases: [string, string[], string[]][] = [
      ["City 1\\.$", [], ["It is 4C in City 1.", "City 1.x", "City 1", "City 1.\n"]],
      ["^OK$", [], ["OK", "OK\n", " OK", "ok", ""]],
      ["^Hello", [], ["Hello world", "Say Hello"]],
      ["Paris", [], ["in Paris today", "paris", ""]],
      ["a\\+b\\(c\\)\\[d\\]\\{e\\}\\|f\\?\\*\\^\\$\\/\\\\", [], ["a+b(c)[d]{e}|f?*^$/\\", "ab"]],
      ["cost \\$", [], ["the cost $", "the cost $ now", "cost"]],
      ["tab\\there\\nnext", [], ["tab\there\nnext", "tab\\there"]],
      ["^$", [], ["", "x", "\n"]],
      ["$", [], ["", "anything"]],
      ["line", ["m"], ["a\nline\nb"]],
      ["Grüße 東京 😀", [], ["Grüße 東京 😀!", "Grüße"]],
      ["x", ["s"], ["x", "y"]],
    ];
    for (const [pattern, flags, inputs] of cases) {
      const { literal, answers } = both(pattern, flags, inputs);
      assert.ok(literal, `${pattern} should be recognised`);
      for (const [input, byRegex, byLiteral] of answers) {
        assert.equal(byLiteral, byRegex, `${pattern} on ${JSON.stringify(input)}`);
      }
    }
  });

  test("declines everything that is not one fixed string", () => {
    const cases: [string, string[]][] = [
      ["a.c", []],
      ["a|b", []],
      ["colou?r", []],
      ["\\d+C", []],
      ["[abc]", []],
      ["(ab)", []],
      ["a{2}", []],
      ["\\bword\\b", []],
      ["Paris", ["i"]],
      ["^line$", ["m"]],
      ["^a", ["m"]],
      ["a^b", []],
      ["a$b", []],
      ["\\u0041", []],
      ["\\x41", []],
      ["\\0", []],
      ["(?i)Paris", []],
      ["\\Aabc\\z", []],
      ["\ud83d", []],
    ];
    for (const [pattern, flags] of cases) {
      assert.equal(literalTester(compilePattern(pattern, flags)), undefined, pattern);
    }
    // Flags the gate never uses are declined too.
    assert.equal(literalTester(/abc/g), undefined);
    assert.equal(literalTester(/abc/y), undefined);
    assert.equal(literalTester(/abc/d), undefined);
  });

  test("agrees with RegExp on generated patterns and inputs", () => {
    const alphabet = [
      "a",
      "b",
      ".",
      "$",
      "^",
      "\\",
      "\n",
      " ",
      "é",
      "😀",
      "\ud83d",
      "\ude00",
      "+",
      "(",
      ")",
    ];
    const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 8 }).map((a) => a.join(""));
    const atom = fc.constantFrom(
      "a",
      "b",
      " ",
      "é",
      "😀",
      "\\.",
      "\\$",
      "\\^",
      "\\\\",
      "\\+",
      "\\(",
      "\\)",
      "\\n",
      "\\t",
      "\\/",
    );
    const pattern = fc.tuple(fc.boolean(), fc.array(atom, { maxLength: 5 }), fc.boolean()).map((
      [start, atoms, end],
    ) => `${start ? "^" : ""}${atoms.join("")}${end ? "$" : ""}`);
    fc.assert(
      fc.property(pattern, fc.array(text, { maxLength: 6 }), fc.boolean(), (p, inputs, multi) => {
        const { regex, literal } = both(p, multi ? ["m"] : [], []);
        if (!literal) {
          // Only the empty pattern (source "(?:)") and anchors under `m` are declined here.
          assert.ok(p === "" || (multi && (p.startsWith("^") || regex.source.endsWith("$"))), p);
          return;
        }
        for (const s of inputs) {
          // Each input also embeds the pattern's own literal text somewhere.
          const plain = p.replace(/^\^/, "").replace(/\$$/, "").replace(
            /\\(.)/gu,
            (_, c: string) => c === "n" ? "\n" : c === "t" ? "\t" : c,
          );
          for (const input of [s, plain, s + plain, plain + s, s + plain + s]) {
            assert.equal(literal(input), regex.test(input), `${p} on ${JSON.stringify(input)}`);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  test("the guard answers literal patterns without touching the regex", async () => {
    const guard = new RegexGuard();
    const regex = compilePattern("City 1\\.$");
    let execs = 0;
    const exec = regex.exec.bind(regex);
    regex.exec = (s: string) => {
      execs++;
      return exec(s);
    };
    assert.deepEqual(await guard.test(regex, "It is 4C in City 1."), {
      status: "ok",
      matched: true,
    });
    assert.deepEqual(await guard.test(regex, "It is 4C in City 10."), {
      status: "ok",
      matched: false,
    });
    assert.equal(execs, 0);
    // A non-literal pattern still runs the regex.
    const other = compilePattern("City \\d\\.$");
    const otherExec = other.exec.bind(other);
    other.exec = (s: string) => {
      execs++;
      return otherExec(s);
    };
    assert.deepEqual(await guard.test(other, "City 1."), { status: "ok", matched: true });
    assert.equal(execs, 1);
    await guard.close();
  });

  test("config regexes: literal ones are string tests with the same results and messages", async () => {
    const config = await parseConfig(
      "tests:\n" +
        '  - id: a\n    expected: { type: regex_match, pattern: "City 1\\\\.$" }\n' +
        '  - id: b\n    expected: { type: regex_not_match, pattern: "secret" }\n' +
        '  - id: c\n    expected: { type: regex_match, pattern: "City \\\\d\\\\.$" }\n',
    );
    const [a, b, c] = config.tests.map((t) => t.expected[0]);
    assert.ok(a.type === "regex_match" && a.literal && a.literal("in City 1."));
    assert.ok(c.type === "regex_match" && c.literal === undefined);
    // The RegExp of a literal pattern is still there when asked for, and the same.
    assert.ok(
      a.type === "regex_match" && a.regex instanceof RegExp && a.regex.source === "City 1\\.$",
    );
    const trace = [
      { prompt: "q", response: "It is 4C in City 1.", episode_id: "a" },
      { prompt: "q", response: "the secret is out", episode_id: "b" },
      { prompt: "q", response: "It is 4C in City 7.", episode_id: "c" },
    ].map((r) => JSON.stringify(r)).join("\n") + "\n";
    const { run } = await runGate(config, trace, { strict: true });
    assert.deepEqual(run.results.map((r) => r.status), ["pass", "fail", "pass"]);
    assert.equal(run.results[0].checks[0].message, "output matches /City 1\\.$/");
    assert.match(run.results[1].message ?? "", /it matched "secret" at index 4 of/);
    assert.ok(b.type === "regex_not_match");
  });
});
