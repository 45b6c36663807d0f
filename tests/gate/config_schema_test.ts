// The generated JSON Schema check that lets valid configs skip loading zod:
// it is in sync with the zod schema, and it never accepts what zod rejects.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { configJsonSchema, RawConfig } from "../../src/gate/_config_schema.ts";
import { CONFIG_JSON_SCHEMA } from "../../src/gate/_config_json_schema.ts";
import { matchesSchema } from "../../src/gate/_json_schema_check.ts";
import { ASSERTION_TYPES, EXPECTATION_TYPES, parseConfig } from "../../src/gate/config.ts";

describe("config JSON Schema", () => {
  test("the generated file matches the zod schema (run scripts/gen_config_schema.ts after changing it)", () => {
    assert.deepEqual(CONFIG_JSON_SCHEMA, configJsonSchema());
  });

  test("the type lists match the schema's branches", () => {
    const branches = (path: string[]) => {
      let s: unknown = configJsonSchema();
      for (const p of path) s = (s as Record<string, unknown>)[p];
      return (s as { properties: { type: { const: string } } }[]).map((b) =>
        b.properties.type.const
      );
    };
    const test = ["properties", "tests", "items", "properties"];
    assert.deepEqual(branches([...test, "assertions", "items", "oneOf"]), ASSERTION_TYPES);
    const expected = configJsonSchema() as {
      properties: {
        tests: { items: { properties: { expected: { anyOf: { oneOf?: unknown }[] } } } };
      };
    };
    const one = expected.properties.tests.items.properties.expected.anyOf.find((b) => b.oneOf);
    assert.deepEqual(
      (one!.oneOf as { properties: { type: { const: string } } }[]).map((b) =>
        b.properties.type.const
      ),
      EXPECTATION_TYPES,
    );
  });

  test("what the check accepts, zod accepts too; valid configs are accepted", () => {
    const anyValue = fc.oneof(
      fc.string({ maxLength: 5 }),
      fc.constantFrom("", "i", "m", "x", "require", "before", "blocklist"),
      fc.integer({ min: -2, max: 3 }),
      fc.constantFrom(0.5, 1.5, -0.1, Number.NaN, Infinity, 2 ** 60),
      fc.boolean(),
      fc.constant(null),
      fc.constant([]),
      fc.constant({}),
      fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
    );
    const params: string[] = [
      "must_contain",
      "must_not_contain",
      "pattern",
      "flags",
      "json_schema",
      "schema_file",
      "schema",
      "sequence",
      "rules",
      "blocked",
      "semantic_similarity_to",
      "min_score",
      "tool",
      "min_calls",
      "allow_other_tools",
      "max",
      "bogus",
    ];
    const goodParam: Record<string, fc.Arbitrary<unknown>> = {
      must_contain: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 })),
      pattern: fc.constantFrom("a", ".*"),
      flags: fc.subarray(["i", "m", "s"]),
      min_score: fc.double({ min: 0, max: 1, noNaN: true }),
      tool: fc.constantFrom("GetWeather"),
      min_calls: fc.integer({ min: 1, max: 3 }),
      sequence: fc.array(fc.constantFrom("A", "B"), { minLength: 1, maxLength: 2 }),
      max: fc.integer({ min: 0, max: 5 }),
      json_schema: fc.constant({ type: "object" }),
      rules: fc.constant([{ type: "require", tool: "A" }]),
    };
    // Mostly valid parts, sometimes a wrong one: both sides of the check get exercised.
    const mostly = <T>(good: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: anyValue, weight: 1 });
    const PARAMS: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
      must_contain: { must_contain: goodParam.must_contain },
      must_not_contain: { must_not_contain: goodParam.must_contain },
      regex_match: { pattern: goodParam.pattern, flags: goodParam.flags },
      regex_not_match: { pattern: goodParam.pattern },
      json_schema: { json_schema: goodParam.json_schema },
      args_valid: { schema: fc.constant({ A: { type: "object" } }) },
      sequence_valid: { sequence: goodParam.sequence, rules: goodParam.rules },
      tool_blocklist: { blocked: goodParam.must_contain },
      semantic_similarity_to: {
        semantic_similarity_to: fc.string(),
        min_score: goodParam.min_score,
      },
      faithfulness: { min_score: goodParam.min_score },
      relevance: {},
      trace_must_call_tool: { tool: goodParam.tool, min_calls: goodParam.min_calls },
      trace_must_not_call_tool: { tool: goodParam.tool },
      trace_tool_sequence: { sequence: goodParam.sequence, allow_other_tools: fc.boolean() },
      trace_max_steps: { max: goodParam.max },
    };
    const item = (types: readonly string[]) =>
      fc.constantFrom(...types).chain((type) =>
        fc.record({
          type: mostly(fc.constant(type)),
          params: fc.record(
            Object.fromEntries(Object.entries(PARAMS[type]).map(([k, a]) => [k, mostly(a)])),
          ),
          extra: fc.oneof(
            { arbitrary: fc.constant({}), weight: 10 },
            {
              arbitrary: fc.dictionary(fc.constantFrom(...params), anyValue, { maxKeys: 1 }),
              weight: 1,
            },
          ),
        }).map(({ type, params, extra }) => ({ type, ...params, ...extra }))
      );
    const testSpec = fc.record({
      id: mostly(fc.constantFrom("t1", "t2")),
      input: mostly(fc.oneof(fc.string(), fc.record({ prompt: fc.string() }))),
      expected: mostly(
        fc.oneof(item(EXPECTATION_TYPES), fc.array(item(EXPECTATION_TYPES), { maxLength: 2 })),
      ),
      assertions: mostly(fc.array(item(ASSERTION_TYPES), { maxLength: 2 })),
      tags: mostly(fc.array(fc.string(), { maxLength: 2 })),
      max_drop: mostly(fc.double({ min: 0, max: 1, noNaN: true })),
    }, { requiredKeys: ["id"] });
    const config = fc.record({
      version: mostly(fc.constantFrom(0, 1)),
      suite: mostly(fc.string({ minLength: 1 })),
      model: mostly(fc.constant("trace")),
      settings: mostly(
        fc.record({
          parallel: mostly(fc.integer({ min: 1, max: 8 })),
          timeout_seconds: mostly(fc.double({ min: 0.1, max: 60, noNaN: true })),
          judge: mostly(fc.record({ model: fc.constant("m") })),
        }, { requiredKeys: [] }),
      ),
      tests: mostly(fc.array(testSpec, { minLength: 1, maxLength: 3 })),
      bogus: anyValue,
    }, { requiredKeys: ["tests"] });
    let accepted = 0;
    fc.assert(
      fc.property(config, (c) => {
        if (!matchesSchema(CONFIG_JSON_SCHEMA, c)) return;
        accepted++;
        const parsed = RawConfig.safeParse(c);
        assert.ok(parsed.success, `the check accepted what zod rejects: ${JSON.stringify(c)}`);
      }),
      { numRuns: 3000 },
    );
    assert.ok(
      accepted > 20,
      `only ${accepted} generated configs were valid: the property is too weak`,
    );
  });

  test("a JSON Schema expectation gets a working validator; required names need no properties entry", async () => {
    const config = await parseConfig(
      "tests:\n  - id: t\n    expected: { type: json_schema, json_schema: { type: object, required: [a] } }\n",
    );
    const exp = config.tests[0].expected[0];
    assert.equal(exp.type, "json_schema");
    assert.equal(
      (exp as { validator: { safeParse(v: unknown): { success: boolean } } }).validator.safeParse({
        a: 1,
      }).success,
      true,
    );
    assert.equal(
      (exp as { validator: { safeParse(v: unknown): { success: boolean } } }).validator.safeParse(
        {},
      ).success,
      false,
    );
  });
});
