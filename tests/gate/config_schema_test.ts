// The generated check that lets valid configs skip loading zod: the JSON
// Schema and the code generated from it are in sync with the zod schema, the
// code answers as the reference JSON Schema check does, and neither accepts
// what zod rejects.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import { configJsonSchema, RawConfig } from "../../src/gate/_config_schema.ts";
import { CONFIG_JSON_SCHEMA } from "../../src/gate/_config_json_schema.ts";
import { isValidConfig } from "../../src/gate/_config_check.ts";
import { type JsonSchema, matchesSchema } from "../../src/gate/_json_schema_check.ts";
import { ASSERTION_TYPES, EXPECTATION_TYPES, parseConfig } from "../../src/gate/config.ts";
import { configCheckSource, schemaCheckSource } from "../../scripts/_config_check_gen.ts";

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

/** Configs that are mostly valid, sometimes with a wrong part. */
function configs(): fc.Arbitrary<Record<string, unknown>> {
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
  return fc.record({
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
}

/** A copy of `v` (undefined, NaN and holes kept). */
function copy(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) if (i in v) out[i] = copy(v[i]);
    return out;
  }
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = copy(x);
    return out;
  }
  return v;
}

const TYPES = [...EXPECTATION_TYPES, ...ASSERTION_TYPES, "require", "before", "blocklist", "bogus"];
const odd = fc.oneof(
  anyValue,
  fc.constantFrom(undefined, Number.NaN, Infinity, -Infinity, -0, 2 ** 53, 0.1, "", {}, []),
  fc.constantFrom(...TYPES),
);

/**
 * One change somewhere in a value: `pick` picks one of its mappings and lists,
 * and in it one key, `how` the change.
 */
function mutate(
  root: unknown,
  pick: [number, number],
  how: number,
  key: string,
  value: unknown,
): unknown {
  if (how === 0) return value;
  const nodes: (Record<string, unknown> | unknown[])[] = [];
  const walk = (v: unknown) => {
    if (v === null || typeof v !== "object") return;
    nodes.push(v as Record<string, unknown>);
    for (const x of Object.values(v)) walk(x);
  };
  walk(root);
  if (nodes.length === 0) return value;
  const node = nodes[pick[0] % nodes.length];
  const keys = Object.keys(node);
  const some = keys.length > 0 ? keys[pick[1] % keys.length] : key;
  if (Array.isArray(node)) {
    if (how === 1) node.push(value);
    else if (how === 2) node.length += 1; // a hole
    else node[Number(some) || 0] = value;
    return root;
  }
  const o = node as Record<string, unknown>;
  switch (how) {
    case 1:
      o[key] = value; // an extra or replaced key
      break;
    case 2:
      delete o[some];
      break;
    case 3:
      o.type = TYPES[pick[1] % TYPES.length]; // another discriminant
      break;
    case 4: {
      // `type` (or another key) inherited rather than own: only own keys count
      const proto = { [some]: o[some] };
      delete o[some];
      return replace(root, node, Object.assign(Object.create(proto), o));
    }
    case 5:
      // An own key that is not enumerable: it counts as present, but no loop meets it.
      Object.defineProperty(o, some, { value: o[some], enumerable: false });
      break;
    case 6:
      return replace(root, node, Object.assign(Object.create(null), o));
    default:
      o[some] = value;
  }
  return root;
}

function replace(root: unknown, from: object, to: object): unknown {
  if (root === from) return to;
  const walk = (v: unknown) => {
    if (v === null || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (o[k] === from) o[k] = to;
      else walk(o[k]);
    }
  };
  walk(root);
  return root;
}

/**
 * Generated configs, and each with one odd change (to a copy: shrinking reuses
 * values); `plain` when the change leaves plain data (no prototypes, every key
 * enumerable).
 */
const values = fc.tuple(
  configs(),
  fc.tuple(fc.nat(), fc.nat()),
  fc.nat({ max: 8 }),
  fc.constantFrom("bogus", "type", "id", "tests", "expected", "pattern", "version", "min_score"),
  odd,
).map(([config, pick, how, key, value]) => ({
  config,
  changed: mutate(copy(config), pick, how, key, value),
  plain: how < 4 || how > 6,
}));

const show = (v: unknown) =>
  JSON.stringify(v, (_, x) => typeof x === "number" && !Number.isFinite(x) ? String(x) : x);

const JSON_TYPES = ["string", "number", "integer", "boolean", "null", "array", "object", "x"];

/** A `oneOf` whose branches each fix `type` with a distinct `const`. */
function discriminated(schema: fc.Arbitrary<JsonSchema>): fc.Arbitrary<JsonSchema[]> {
  return fc.uniqueArray(fc.constantFrom("a", "x", 1, null), { minLength: 1, maxLength: 3 })
    .chain((tags) =>
      fc.tuple(...tags.map((tag) =>
        fc.record({
          type: fc.constantFrom("object", "object", ["object", "string"], "string", [
            "array",
            "null",
          ]),
          properties: fc.dictionary(fc.constantFrom("a", "b"), schema, { maxKeys: 1 })
            .map((props) => ({ type: { const: tag }, ...props })),
          required: fc.subarray(["type", "a"]),
          additionalProperties: fc.boolean(),
        }, { requiredKeys: ["properties"] })
      ))
    );
}

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

  test("the generated check is up to date (run scripts/gen_config_schema.ts after changing the schema or its generator)", () => {
    const onDisk = readFileSync(
      new URL("../../src/gate/_config_check.ts", import.meta.url),
      "utf8",
    );
    assert.equal(configCheckSource(configJsonSchema()), onDisk);
  });

  test("the generated check answers as the reference check, on configs and odd changes to them", () => {
    for (const v of [undefined, null, 0, NaN, "tests", [], [{ tests: [{ id: "t" }] }], {}]) {
      assert.equal(isValidConfig(v), matchesSchema(CONFIG_JSON_SCHEMA, v), String(v));
    }
    let accepted = 0;
    fc.assert(
      fc.property(values, ({ config, changed }) => {
        for (const v of [config, changed]) {
          const expected = matchesSchema(CONFIG_JSON_SCHEMA, v);
          if (expected) accepted++;
          assert.equal(isValidConfig(v), expected, show(v));
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(accepted > 40, `only ${accepted} values were valid: the property is too weak`);
  });

  test("the generated check answers as the reference check after any one change to a valid config", () => {
    const replacements = [
      [undefined, NaN, Infinity, -Infinity, -1, 0, 0.5, 1, 2, 2 ** 53, true, null, "", "x", "i"],
      [[], {}, ...TYPES],
    ].flat();
    let accepted = 0;
    let changes = 0;
    fc.assert(
      fc.property(configs().filter((c) => matchesSchema(CONFIG_JSON_SCHEMA, c)), (config) => {
        const agree = () => {
          changes++;
          const expected = matchesSchema(CONFIG_JSON_SCHEMA, config);
          if (expected) accepted++;
          if (isValidConfig(config) !== expected) assert.fail(show(config));
        };
        agree();
        const nodes: Record<string, unknown>[] = [];
        const walk = (v: unknown) => {
          if (v === null || typeof v !== "object") return;
          nodes.push(v as Record<string, unknown>);
          for (const x of Object.values(v)) walk(x);
        };
        walk(config);
        for (const node of nodes) {
          const extra = Array.isArray(node) ? [String(node.length)] : ["type", "bogus", "model"];
          for (const k of new Set([...Object.keys(node), ...extra])) {
            const had = Object.hasOwn(node, k);
            const old = node[k];
            for (const x of replacements) {
              node[k] = x;
              agree();
            }
            delete node[k];
            agree();
            if (had) node[k] = old;
            else if (Array.isArray(node)) node.length = Math.min(node.length, Number(k));
          }
        }
      }),
      { numRuns: 150 },
    );
    assert.ok(accepted > 1000, `only ${accepted} of ${changes} values were valid`);
  });

  test("what the checks accept, zod accepts too; valid configs are accepted", () => {
    let accepted = 0;
    fc.assert(
      fc.property(values, ({ config, changed, plain }) => {
        for (const v of plain ? [config, changed] : [config]) {
          const generated = isValidConfig(v);
          if (!matchesSchema(CONFIG_JSON_SCHEMA, v) && !generated) continue;
          accepted++;
          const parsed = RawConfig.safeParse(v);
          assert.ok(parsed.success, `the check accepted what zod rejects: ${show(v)}`);
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(
      accepted > 20,
      `only ${accepted} generated configs were valid: the property is too weak`,
    );
  });

  test("the code generator answers as the reference check on other schemas too", () => {
    const prim = fc.constantFrom(null, true, false, 0, 1, -1, 1.5, "", "a", "x");
    const names = fc.constantFrom("a", "b", "type");
    const { schema } = fc.letrec<{ schema: JsonSchema; node: JsonSchema }>((tie) => ({
      schema: fc.oneof(
        { maxDepth: 3, depthIdentifier: "schema" },
        fc.boolean(),
        tie("node"),
        tie("node"),
      ),
      node: fc.array(
        fc.oneof(
          fc.tuple(
            fc.constant("type"),
            fc.oneof(fc.constantFrom(...JSON_TYPES), fc.subarray([...JSON_TYPES])),
          ),
          fc.tuple(fc.constant("const"), fc.oneof(prim, fc.constant({ a: 1 }))),
          fc.tuple(fc.constant("enum"), fc.array(prim, { maxLength: 3 })),
          fc.tuple(
            fc.constantFrom("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"),
            fc.constantFrom(-1, 0, 0.5, 1, 2 ** 53 - 1, -(2 ** 53 - 1)),
          ),
          fc.tuple(fc.constantFrom("minLength", "minItems"), fc.nat(2)),
          fc.tuple(
            fc.constantFrom("items", "additionalProperties", "propertyNames"),
            tie("schema"),
          ),
          fc.tuple(fc.constant("properties"), fc.dictionary(names, tie("schema"), { maxKeys: 2 })),
          fc.tuple(fc.constant("required"), fc.array(names, { maxLength: 2 })),
          fc.tuple(fc.constantFrom("anyOf", "oneOf"), fc.array(tie("schema"), { maxLength: 3 })),
          fc.tuple(fc.constant("oneOf"), discriminated(tie("schema"))),
          fc.tuple(fc.constantFrom("$schema", "bogus"), fc.constant("x")),
        ),
        { maxLength: 3 },
      ).map((entries) => Object.fromEntries(entries)),
    }));
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { maxDepth: 3, depthIdentifier: "value" },
        prim,
        fc.constantFrom(undefined, NaN, Infinity, 2 ** 53, "b", "type"),
        fc.array(tie("value"), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom("a", "b", "c", "type"), tie("value"), { maxKeys: 3 }),
        fc.record({ type: fc.constantFrom("a", "x", 1) }),
        // Inherited keys: only own ones count, but `type` picks a `oneOf` branch.
        fc.dictionary(fc.constantFrom("a", "b"), tie("value"), { maxKeys: 2 })
          .map((o) => Object.assign(Object.create({ type: "x", a: 1 }), o)),
      ),
    }));
    fc.assert(
      fc.property(schema, fc.array(value, { minLength: 1, maxLength: 20 }), (s, vs) => {
        const source = schemaCheckSource(s, { name: "check", js: true });
        const check = new Function(`${source}\nreturn check;`)() as (v: unknown) => boolean;
        for (const v of vs) {
          assert.equal(check(v), matchesSchema(s, v), `${JSON.stringify(s)}\n${show(v)}`);
        }
      }),
      { numRuns: 1500 },
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
