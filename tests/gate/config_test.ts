// The config schema: what is accepted, and every error with its line, column and path.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { ConfigError, Locator, parseConfig, type PathPart } from "../../src/gate/config.ts";
import { SEED_CONFIG } from "../cli/_gate_fixtures.ts";

async function configError(text: string, options = {}): Promise<ConfigError> {
  try {
    await parseConfig(text, { file: "assay.yaml", ...options });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail("expected a ConfigError");
}

const one = (expected: string) => `version: 1\ntests:\n  - id: t\n    expected: ${expected}\n`;

describe("config", () => {
  test("the seed quickstart config parses verbatim, with the suite named after the file", async () => {
    const config = await parseConfig(SEED_CONFIG, { file: "configs/assay.yaml" });
    assert.equal(config.suite, "assay");
    assert.equal(config.version, 1);
    assert.equal(config.model, "trace");
    assert.equal(config.tests[0].id, "weather_check");
    assert.equal(config.tests[0].prompt, "Weather in Tokyo?");
    assert.equal(config.tests[0].expected[0].type, "regex_match");
    assert.deepEqual(config.tests[0].location, { file: "configs/assay.yaml", line: 4, column: 5 });
  });

  test("configVersion is an alias of version, suite and a string input are accepted", async () => {
    const config = await parseConfig(
      `configVersion: 0\nsuite: nightly\ntests:\n  - id: t\n    input: "Hi"\n    expected: [{type: must_contain, must_contain: a}, {type: must_not_contain, must_not_contain: [b]}]\n`,
    );
    assert.equal(config.version, 0);
    assert.equal(config.suite, "nightly");
    assert.equal(config.tests[0].prompt, "Hi");
    assert.equal(config.tests[0].expected.length, 2);
  });

  test("YAML anchors and aliases work", async () => {
    const config = await parseConfig(
      `tests:\n  - id: a\n    expected: &e {type: regex_match, pattern: x}\n  - id: b\n    expected: *e\n`,
    );
    assert.equal(config.tests[1].expected[0].type, "regex_match");
  });

  test("an unknown key is an error with line, column, path and did-you-mean", async () => {
    const err = await configError(
      `version: 1\ntests:\n  - id: t\n    expectd: {type: regex_match, pattern: x}\n`,
    );
    assert.equal(err.code, "E_CFG_SCHEMA");
    assert.equal(
      err.message,
      'assay.yaml:4:5: tests[0].expectd: unknown key "expectd" (did you mean "expected"?); allowed: id, description, tags, input, expected, assertions, max_drop',
    );
    assert.equal(err.line, 4);
    assert.equal(err.column, 5);
  });

  test("a misspelt key inside an expectation suggests the right one", async () => {
    const err = await configError(one(`{type: regex_match, patern: x}`));
    assert.match(
      err.issues.map((i) => i.message).join("\n"),
      /unknown key "patern" \(did you mean "pattern"\?\)/,
    );
  });

  test("an unknown expected type suggests the closest type", async () => {
    const err = await configError(one(`{type: regex_mach, pattern: x}`));
    assert.equal(err.issues[0].path, "tests[0].expected.type");
    assert.match(
      err.issues[0].message,
      /^unknown type "regex_mach" \(did you mean "regex_match"\?\); allowed: must_contain, /,
    );
    assert.equal(err.column, 22);
  });

  test("a wrong type names what was expected and what was found", async () => {
    const err = await configError(one(`{type: must_contain, must_contain: 3}`));
    assert.equal(
      err.message,
      "assay.yaml:4:50: tests[0].expected.must_contain: expected a string or a list of strings, got the number 3",
    );
  });

  test("a missing pattern is reported at the expectation", async () => {
    const err = await configError(
      `version: 1\ntests:\n  - id: t\n    expected:\n      type: regex_match\n`,
    );
    assert.equal(
      err.message,
      'assay.yaml:5:7: tests[0].expected.pattern: missing required key "pattern" (string)',
    );
  });

  test("an invalid regex is an error at the pattern", async () => {
    const err = await configError(
      `tests:\n  - id: t\n    expected:\n      type: regex_match\n      pattern: "(abc"\n`,
    );
    assert.equal(err.issues[0].path, "tests[0].expected.pattern");
    assert.equal(err.line, 5);
    assert.equal(err.column, 16);
    assert.match(err.message, /invalid regex "\(abc"/);
  });

  test("duplicate test ids are an error at the second id", async () => {
    const err = await configError(
      `tests:\n  - id: a\n    expected: {type: regex_match, pattern: x}\n  - id: a\n    expected: {type: regex_match, pattern: x}\n`,
    );
    assert.equal(
      err.message,
      'assay.yaml:4:9: tests[1].id: duplicate test id "a" (first defined at tests[0])',
    );
  });

  test("a YAML syntax error is E_CFG_PARSE with its position", async () => {
    const err = await configError(
      `tests:\n  - id: t\n    expected: {type: regex_match, pattern: x\n`,
    );
    assert.equal(err.code, "E_CFG_PARSE");
    assert.equal(err.line, 4);
    assert.match(err.message, /YAML syntax error/);
  });

  test("an alias bomb is refused", async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "tests: *e",
    ].join("\n");
    const err = await configError(bomb);
    assert.equal(err.code, "E_CFG_PARSE");
    assert.match(err.message, /^assay\.yaml:2:8: .*alias bombs are refused/);
  });

  test("configs that would always pass are refused", async () => {
    assert.match((await configError(`tests: []\n`)).message, /tests: .*no tests/);
    assert.match(
      (await configError(`tests:\n  - id: t\n`)).message,
      /has neither "expected" nor "assertions": it would always pass/,
    );
    assert.match(
      (await configError(one(`{type: must_contain, must_contain: []}`))).message,
      /the list is empty/,
    );
    assert.match(
      (await configError(one(`{type: sequence_valid}`))).message,
      /give "sequence" and\/or "rules"/,
    );
  });

  test("every problem is listed, in document order", async () => {
    const err = await configError(
      `setings: {}\ntests:\n  - id: t\n    expected: {type: regex_match}\n`,
    );
    assert.deepEqual(err.issues.map((i) => [i.path, i.line]), [["setings", 1], [
      "tests[0].expected.pattern",
      4,
    ]]);
    assert.match(err.issues[0].message, /did you mean "settings"/);
  });

  test("json_schema takes a schema_file relative to the config, and a missing file is E_PATH_NOT_FOUND", async () => {
    const text = one(`{type: json_schema, schema_file: schemas/answer.json}`);
    const config = await parseConfig(text, {
      readSchemaFile: (p) => {
        assert.equal(p, "schemas/answer.json");
        return Promise.resolve('{"type": "object"}');
      },
    });
    assert.equal(config.tests[0].expected[0].type, "json_schema");
    const err = await configError(text, {
      readSchemaFile: () => Promise.reject(new Error("ENOENT: no such file")),
    });
    assert.equal(err.code, "E_PATH_NOT_FOUND");
    assert.equal(err.issues[0].path, "tests[0].expected.schema_file");
  });

  test("an unusable JSON Schema is a config error", async () => {
    const err = await configError(one(`{type: json_schema, json_schema: {type: nonsense}}`));
    assert.match(err.message, /tests\[0\]\.expected\.json_schema: unusable JSON Schema: /);
  });

  test("settings take an embedder and a judge", async () => {
    const config = await parseConfig(
      `settings: {embedder: {model: emb, base_url: "http://x/v1"}, judge: {model: j}, max_drop: 0.1}\n` +
        `tests:\n  - id: t\n    expected: {type: relevance}\n`,
    );
    assert.deepEqual(config.settings.embedder, {
      model: "emb",
      baseUrl: "http://x/v1",
      apiKeyEnv: "OPENAI_API_KEY",
    });
    assert.equal(config.settings.maxDrop, 0.1);
    assert.equal(config.tests[0].expected[0].type, "relevance");
  });
});

describe("config value checks", () => {
  test("an unsupported version and an out-of-range score say what is allowed", async () => {
    const version = await configError(
      `version: 3\ntests:\n  - id: t\n    expected: {type: relevance}\n`,
    );
    assert.equal(version.message, "assay.yaml:1:10: version: expected one of 0, 1, got 3");
    const score = await configError(one(`{type: relevance, min_score: 2}`));
    assert.equal(
      score.message,
      "assay.yaml:4:44: tests[0].expected.min_score: expected a number <= 1, got 2",
    );
  });

  test("a missing key inside settings and inside an assertion is located", async () => {
    const err = await configError(
      `settings:\n  embedder: {base_url: x}\ntests:\n  - id: a\n    assertions:\n      - {type: trace_must_call_tool}\n`,
    );
    assert.deepEqual(err.issues.map((i) => `${i.line}:${i.column} ${i.path}`), [
      "2:13 settings.embedder.model",
      "6:9 tests[0].assertions[0].tool",
    ]);
  });
});

describe("config locations", () => {
  /** A locator whose paths are a bare offset, to test the offset -> line:column mapping. */
  class OffsetLocator extends Locator {
    protected offset(path: readonly PathPart[]): number | undefined {
      return path[0] as number;
    }
  }

  test("line and column of any offset, asked in any order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "\n", "\n\n", "xyz"), { maxLength: 60 }).map((p) =>
          p.join("")
        ),
        fc.array(fc.nat(), { maxLength: 40 }),
        (text, picks) => {
          const at = new OffsetLocator("f.yaml", text);
          // Mostly increasing runs (as a config is read), with jumps back.
          const offsets = picks.map((n) => n % (text.length + 1));
          for (const o of [...offsets, ...offsets.toSorted((a, b) => a - b)]) {
            const before = text.slice(0, o);
            const line = before.split("\n").length;
            const column = o - (before.lastIndexOf("\n") + 1) + 1;
            assert.deepEqual(at.at(o), { line, column });
            assert.deepEqual(at.loc([o]), { file: "f.yaml", line, column });
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
