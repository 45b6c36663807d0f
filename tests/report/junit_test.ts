import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { renderJunit } from "../../src/report/junit.ts";
import { fixedRun } from "./_fixture.ts";

type Node = Record<string, unknown>;
const asArray = <T>(
  v: T | T[] | undefined,
): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function parse(xml: string, options: { htmlEntities?: boolean } = {}): Node {
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, JSON.stringify(valid));
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    parseAttributeValue: false,
    ...options,
  }).parse(
    xml,
  ) as Node;
}

describe("renderJunit", () => {
  test("a real XML parser reads the counts, and they match the testcases it finds", () => {
    const doc = parse(renderJunit(fixedRun()));
    const suites = doc.testsuites as Node;
    const suite = suites.testsuite as Node;
    for (const el of [suites, suite]) {
      assert.equal(el["@tests"], "4");
      assert.equal(el["@failures"], "2");
      assert.equal(el["@errors"], "1");
      assert.equal(el["@time"], "0.043");
    }
    const cases = asArray(suite.testcase as Node | Node[]);
    assert.equal(cases.length, 4);
    assert.equal(cases.filter((c) => c.failure !== undefined).length, 2);
    assert.equal(cases.filter((c) => c.error !== undefined).length, 1);
    assert.ok(cases.every((c) => c["@classname"] === "quickstart"));
    assert.deepEqual(cases.map((c) => c["@time"]), ["0.003", "0.012", "0.002", "0.000"]);
  });

  test("names and messages with quotes, <, >, & survive escaping; forbidden control characters are shown escaped", () => {
    const xml = renderJunit(fixedRun());
    assert.ok(
      // deno-lint-ignore no-control-regex
      !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml),
      "raw control character in XML",
    );
    const cases = asArray(((parse(xml).testsuites as Node).testsuite as Node).testcase as Node[]);
    const pipes = cases[1];
    assert.equal(pipes["@name"], 'pipes|and<xml>&"quotes"');
    const failure = pipes.failure as Node;
    assert.equal(failure["@message"], 'output lacks "22°C | sunny"');
    assert.equal(failure["@type"], "must_contain");
    assert.match(
      String(failure["#text"]),
      /actual: {3}It is 18°C & <cloudy> in Tokyo]]>\\u0007 today\\nsecond line/,
    );
    const error = cases[3].error as Node;
    assert.equal(error["@type"], "E_TRACE_EPISODE_MISSING");
    assert.match(String(error["#text"]), /fix: record it with test_id/);
  });

  test("a run with only passing tests has empty failure and error counts and self-closing testcases", () => {
    const run = fixedRun();
    run.results = [run.results[0]];
    run.counts = { total: 1, passed: 1, failed: 0, errored: 0 };
    run.warnings = [];
    const xml = renderJunit(run);
    assert.match(
      xml,
      /<testcase name="weather_check" classname="quickstart" time="0.003" file="assay.yaml" line="6"\/>/,
    );
    const suite = (parse(xml).testsuites as Node).testsuite as Node;
    assert.equal(suite["@failures"], "0");
  });

  test("plain text, accents and surrogate pairs are kept; lone surrogates, C1 controls and U+FFFE are shown escaped", () => {
    const run = fixedRun();
    run.results[0].testId = "météo 😀 plain";
    run.results[3].message = "lone \ud800 high, \udc00 low, next\u0085line, \ufffe, \u00a0nbsp";
    const xml = renderJunit(run);
    assert.match(xml, /<testcase name="météo 😀 plain" classname="quickstart"/);
    assert.match(
      xml,
      /message="lone \\ud800 high, \\udc00 low, next\\u0085line, \\ufffe, \u00a0nbsp"/,
    );
    parse(xml);
  });

  test("line breaks in attribute values are kept as character references", () => {
    const run = fixedRun();
    run.results[3].message = "line one\nline two\ttabbed";
    const xml = renderJunit(run);
    assert.match(xml, /message="line one&#10;line two&#9;tabbed"/);
    const doc = parse(xml, { htmlEntities: true });
    const cases = asArray(((doc.testsuites as Node).testsuite as Node).testcase as Node[]);
    assert.equal((cases[3].error as Node)["@message"], "line one\nline two\ttabbed");
  });
});
