// Every expectation and assertion type: a passing and a failing case, with the message checked.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { evaluateAssertion } from "../../src/gate/assertions.ts";
import { evaluateExpectation } from "../../src/gate/expectations.ts";
import { RegexGuard } from "../../src/gate/regex_guard.ts";
import type { CheckResult } from "../../src/gate/types.ts";
import { episode, type EpisodeSpec, testSpec } from "./_episodes.ts";

const guard = new RegexGuard({ timeoutMs: 2000 });
after(() => guard.close());

async function check(expected: string, spec: EpisodeSpec = {}): Promise<CheckResult> {
  const t = await testSpec(`  - id: t\n    expected: ${expected}\n`);
  return evaluateExpectation(t.expected[0], await episode(spec), { test: t, guard, strict: true });
}

async function assertion(yaml: string, spec: EpisodeSpec = {}): Promise<CheckResult> {
  const t = await testSpec(`  - id: t\n    assertions: [${yaml}]\n`);
  return evaluateAssertion(t.assertions[0], await episode(spec));
}

const weather: EpisodeSpec = {
  tools: [["GetWeather", { location: "Tokyo" }, { temp: 22 }], ["GetTime", { location: "Tokyo" }, {
    time: "14:00",
  }]],
};

describe("expectations", () => {
  test("must_contain passes when every string occurs and names the missing one otherwise", async () => {
    assert.equal(
      (await check(`{type: must_contain, must_contain: ["22C", "Tokyo"]}`)).passed,
      true,
    );
    const r = await check(`{type: must_contain, must_contain: ["22C", "Osaka"]}`);
    assert.equal(r.passed, false);
    assert.equal(
      r.message,
      'expected the output to contain "Osaka"; the output was "It is 22C in Tokyo."',
    );
  });

  test("must_contain is case-sensitive and accepts a single string", async () => {
    const r = await check(`{type: must_contain, must_contain: "tokyo"}`);
    assert.equal(r.passed, false);
  });

  test("must_not_contain fails with the position of the forbidden text", async () => {
    assert.equal((await check(`{type: must_not_contain, must_not_contain: [Osaka]}`)).passed, true);
    const r = await check(`{type: must_not_contain, must_not_contain: [Osaka, "22C"]}`);
    assert.equal(r.passed, false);
    assert.match(
      r.message,
      /^expected the output not to contain "22C"; it does at index 6: "It is 22C in Tokyo\."$/,
    );
  });

  test("regex_match searches unanchored, honours flags and Rust-style (?i) and (?P<name>)", async () => {
    assert.equal((await check(`{type: regex_match, pattern: "22C"}`)).passed, true);
    assert.equal((await check(`{type: regex_match, pattern: "tokyo", flags: [i]}`)).passed, true);
    assert.equal((await check(`{type: regex_match, pattern: "(?i)TOKYO"}`)).passed, true);
    assert.equal((await check(`{type: regex_match, pattern: "(?P<temp>\\\\d+)C"}`)).passed, true);
    assert.equal((await check(`{type: regex_match, pattern: ".*"}`, { output: "" })).passed, true);
    const r = await check(`{type: regex_match, pattern: "^Osaka"}`);
    assert.equal(r.passed, false);
    assert.equal(
      r.message,
      'expected the output to match /^Osaka/; the output was "It is 22C in Tokyo."',
    );
  });

  test("regex_not_match fails with the matched text and its index", async () => {
    assert.equal((await check(`{type: regex_not_match, pattern: "error"}`)).passed, true);
    const r = await check(`{type: regex_not_match, pattern: "\\\\d+C"}`);
    assert.equal(r.passed, false);
    assert.equal(
      r.message,
      'expected the output not to match /\\d+C/; it matched "22C" at index 6 of "It is 22C in Tokyo."',
    );
  });

  test("json_schema validates the output as JSON, inline or as JSON text", async () => {
    const schema = `{type: object, properties: {temp: {type: integer}}, required: [temp]}`;
    assert.equal(
      (await check(`{type: json_schema, json_schema: ${schema}}`, { output: '{"temp": 22}' }))
        .passed,
      true,
    );
    const wrong = await check(`{type: json_schema, json_schema: ${schema}}`, {
      output: '{"temp": "hot"}',
    });
    assert.equal(wrong.passed, false);
    assert.match(
      wrong.message,
      /^expected the output to match the JSON Schema; temp: expected an integer, got the string "hot"; the output was "\{\\"temp\\": \\"hot\\"\}"$/,
    );
    const text = await check(`{type: json_schema, json_schema: '{"type": "array"}'}`, {
      output: "[1]",
    });
    assert.equal(text.passed, true);
    const notJson = await check(`{type: json_schema, json_schema: ${schema}}`);
    assert.equal(notJson.passed, false);
    assert.match(
      notJson.message,
      /^expected the output to be JSON matching the schema; it is not JSON \(.*\): "It is 22C in Tokyo\."$/,
    );
  });

  test("args_valid checks every call of a listed tool", async () => {
    const schema =
      `{GetWeather: {type: object, properties: {location: {type: string}}, required: [location]}}`;
    assert.equal((await check(`{type: args_valid, schema: ${schema}}`, weather)).passed, true);
    const r = await check(`{type: args_valid, schema: ${schema}}`, {
      tools: [["GetWeather", { city: "Tokyo" }]],
    });
    assert.equal(r.passed, false);
    assert.match(
      r.message,
      /^expected the args of GetWeather to match their schemas; GetWeather call #1 \(step_001\) args \{"city":"Tokyo"\}: \(root\): missing required property "location"$/,
    );
  });

  test("sequence_valid checks the full sequence and the require/before/blocklist rules", async () => {
    assert.equal(
      (await check(`{type: sequence_valid, sequence: [GetWeather, GetTime]}`, weather)).passed,
      true,
    );
    const seq = await check(`{type: sequence_valid, sequence: [GetTime, GetWeather]}`, weather);
    assert.equal(
      seq.message,
      "expected the tool sequence [GetTime, GetWeather]; the trace had [GetWeather, GetTime]",
    );
    const rules = await check(
      `{type: sequence_valid, rules: [{type: require, tool: Search}, {type: before, first: GetTime, then: GetWeather}, {type: blocklist, pattern: "^Get"}]}`,
      weather,
    );
    assert.equal(rules.passed, false);
    assert.equal(
      rules.message,
      "rule require: expected a call of Search; the trace had [GetWeather, GetTime]; " +
        "rule before: expected GetTime before the first GetWeather; the trace had [GetWeather, GetTime]; " +
        "rule blocklist: tool GetWeather matches the blocked pattern /^Get/",
    );
    const ok = await check(
      `{type: sequence_valid, rules: [{type: before, first: GetWeather, then: GetTime}]}`,
      weather,
    );
    assert.equal(ok.passed, true);
  });

  test("tool_blocklist names the blocked call and its step", async () => {
    assert.equal(
      (await check(`{type: tool_blocklist, blocked: [DeleteAccount]}`, weather)).passed,
      true,
    );
    const r = await check(`{type: tool_blocklist, blocked: [GetTime]}`, weather);
    assert.equal(r.passed, false);
    assert.match(
      r.message,
      /^expected no call of GetTime; the trace called GetTime \(step_001, line \d+\)$/,
    );
  });
});

describe("trace assertions", () => {
  test("trace_must_call_tool counts calls against min_calls", async () => {
    assert.equal(
      (await assertion(`{type: trace_must_call_tool, tool: GetWeather}`, weather)).passed,
      true,
    );
    const r = await assertion(
      `{type: trace_must_call_tool, tool: GetWeather, min_calls: 2}`,
      weather,
    );
    assert.equal(
      r.message,
      "expected GetWeather to be called at least 2 times; the trace called it 1 time (tool calls: [GetWeather, GetTime])",
    );
  });

  test("trace_must_not_call_tool names the step of the forbidden call", async () => {
    assert.equal(
      (await assertion(`{type: trace_must_not_call_tool, tool: Delete}`, weather)).passed,
      true,
    );
    const r = await assertion(`{type: trace_must_not_call_tool, tool: GetTime}`, weather);
    assert.match(
      r.message,
      /^expected no call of GetTime; the trace called it 1 time \(in step_001; trace line \d+\)$/,
    );
  });

  test("trace_tool_sequence is exact unless allow_other_tools", async () => {
    assert.equal(
      (await assertion(`{type: trace_tool_sequence, sequence: [GetWeather, GetTime]}`, weather))
        .passed,
      true,
    );
    const exact = await assertion(`{type: trace_tool_sequence, sequence: [GetTime]}`, weather);
    assert.equal(
      exact.message,
      "expected tool sequence [GetTime] (exactly, no other tools); the trace had [GetWeather, GetTime]",
    );
    const loose = await assertion(
      `{type: trace_tool_sequence, sequence: [GetTime], allow_other_tools: true}`,
      weather,
    );
    assert.equal(loose.passed, true);
    const order = await assertion(
      `{type: trace_tool_sequence, sequence: [GetTime, GetWeather], allow_other_tools: true}`,
      weather,
    );
    assert.equal(order.passed, false);
  });

  test("trace_max_steps lists the steps when there are too many", async () => {
    assert.equal(
      (await assertion(`{type: trace_max_steps, max: 2}`, { extraSteps: 1 })).passed,
      true,
    );
    const r = await assertion(`{type: trace_max_steps, max: 1}`, { extraSteps: 2 });
    assert.equal(
      r.message,
      "expected at most 1 step; the trace had 3 (step_001, step_002, step_003)",
    );
  });
});
