// The JSON Schema validator of json_schema / args_valid: every keyword it
// implements (valid and invalid values, with the messages), agreement with
// ajv on generated schemas and values, the schemas it refuses, and the
// keywords zod used to ignore failing end to end.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import Ajv2020Module from "ajv/dist/2020.js";
import AjvModule from "ajv";
import {
  compileJsonSchema,
  JsonSchemaError,
  type JsonSchemaResult,
  MAX_DEPTH,
} from "../../src/gate/_json_schema.ts";
import { evaluateExpectation } from "../../src/gate/expectations.ts";
import { ConfigError, parseConfig } from "../../src/gate/config.ts";
import { RegexGuard } from "../../src/gate/regex_guard.ts";
import { episode, type EpisodeSpec } from "./_episodes.ts";

// ajv is CommonJS: under ESM its exports arrive as `default`.
type AjvLike = { compile(schema: unknown): (data: unknown) => boolean };
type AjvClass = new (options: Record<string, unknown>) => AjvLike;
const unwrap = (m: unknown) => ((m as { default?: unknown }).default ?? m) as AjvClass;
const ajvOptions = { strict: false, allErrors: true, validateFormats: false };
const ajv2020 = new (unwrap(Ajv2020Module))(ajvOptions);
const ajv07 = new (unwrap(AjvModule))(ajvOptions);

function result(schema: unknown, value: unknown): JsonSchemaResult {
  return compileJsonSchema(schema).safeParse(value);
}

function schemaError(schema: unknown): JsonSchemaError {
  try {
    compileJsonSchema(schema);
  } catch (err) {
    assert.ok(err instanceof JsonSchemaError, String(err));
    return err;
  }
  assert.fail(`${JSON.stringify(schema)} compiled`);
}

interface Case {
  schema: unknown;
  valid: unknown[];
  /** `[value, message of the first issue, its path?]`. */
  invalid: [unknown, string, (string | number)[]?][];
  /** Which ajv agrees (default 2020; false: a case ajv decides differently or cannot compile). */
  ajv?: "2020" | "07" | false;
}

const CASES: Record<string, Case> = {
  "type: string": {
    schema: { type: "string" },
    valid: ["", "x"],
    invalid: [[5, "expected a string, got the number 5"], [null, "expected a string, got null"]],
  },
  "type: number takes integers and fractions": {
    schema: { type: "number" },
    valid: [0, -3, 1.5],
    invalid: [["x", 'expected a number, got the string "x"'], [
      true,
      "expected a number, got the boolean true",
    ]],
  },
  "type: integer takes 1.0": {
    schema: { type: "integer" },
    valid: [1, -7, 1.0, 1e20],
    invalid: [[1.5, "expected an integer, got the number 1.5"]],
  },
  "type: boolean, null, array, object": {
    schema: {
      properties: {
        b: { type: "boolean" },
        n: { type: "null" },
        a: { type: "array" },
        o: { type: "object" },
      },
    },
    valid: [{ b: false, n: null, a: [], o: {} }],
    invalid: [
      [{ b: 0 }, "expected a boolean, got the number 0", ["b"]],
      [{ n: "null" }, 'expected null, got the string "null"', ["n"]],
      [{ a: {} }, "expected an array, got an object", ["a"]],
      [{ o: [1] }, "expected an object, got an array of 1 item", ["o"]],
    ],
  },
  "type as a list": {
    schema: { type: ["string", "integer", "null"] },
    valid: ["a", 3, null],
    invalid: [[1.5, "expected a string, an integer or null, got the number 1.5"], [
      [],
      "expected a string, an integer or null, got an array of 0 items",
    ]],
  },
  enum: {
    schema: { enum: ["a", 1, null, { x: [1, 2] }] },
    valid: ["a", 1, null, { x: [1, 2] }],
    invalid: [
      ["b", 'must be one of "a", 1, null, {"x":[1,2]}, got "b"'],
      ["1", 'must be one of "a", 1, null, {"x":[1,2]}, got "1"'],
      [{ x: [2, 1] }, 'must be one of "a", 1, null, {"x":[1,2]}, got {"x":[2,1]}'],
    ],
  },
  "const with deep equality (key order does not matter)": {
    schema: { const: { a: 1, b: [true, null] } },
    valid: [{ b: [true, null], a: 1 }],
    invalid: [[{ a: 1, b: [true] }, 'must be {"a":1,"b":[true,null]}, got {"a":1,"b":[true]}'], [{
      a: 1,
      b: [true, null],
      c: 0,
    }, 'must be {"a":1,"b":[true,null]}, got {"a":1,"b":[true,null],"c":0}']],
  },
  multipleOf: {
    schema: { multipleOf: 3 },
    valid: [0, 9, -6, "x"],
    invalid: [[7, "must be a multiple of 3, got 7"]],
  },
  "multipleOf takes decimals as written": {
    schema: { multipleOf: 0.1 },
    valid: [0.3, 1.2, 5],
    invalid: [[0.35, "must be a multiple of 0.1, got 0.35"]],
    ajv: false, // ajv's binary division says 0.3 / 0.1 is not an integer
  },
  "multipleOf a small decimal": {
    schema: { multipleOf: 0.0001 },
    valid: [0.0075, 12],
    invalid: [[0.00751, "must be a multiple of 0.0001, got 0.00751"]],
  },
  "minimum and maximum": {
    schema: { minimum: 1, maximum: 3 },
    valid: [1, 2.5, 3, "not a number"],
    invalid: [[0.5, "must be >= 1, got 0.5"], [4, "must be <= 3, got 4"]],
  },
  "exclusiveMinimum and exclusiveMaximum (numbers, 2020-12)": {
    schema: { exclusiveMinimum: 1, exclusiveMaximum: 3 },
    valid: [1.5, 2],
    invalid: [[1, "must be > 1, got 1"], [3, "must be < 3, got 3"]],
  },
  "exclusiveMinimum and exclusiveMaximum (booleans, draft-04)": {
    schema: { minimum: 1, exclusiveMinimum: true, maximum: 3, exclusiveMaximum: true },
    valid: [2],
    invalid: [[1, "must be > 1, got 1"], [3, "must be < 3, got 3"]],
    ajv: false,
  },
  "draft-04 exclusive booleans set to false keep the bounds inclusive": {
    schema: { minimum: 1, exclusiveMinimum: false },
    valid: [1],
    invalid: [[0, "must be >= 1, got 0"]],
    ajv: false,
  },
  "minLength and maxLength count code points": {
    schema: { minLength: 2, maxLength: 3 },
    valid: ["ab", "abc", "😀😀", "😀😀😀", 5],
    invalid: [["a", "must be at least 2 characters long, got 1"], [
      "😀",
      "must be at least 2 characters long, got 1",
    ], ["abcd", "must be at most 3 characters long, got 4"]],
  },
  "pattern searches (not anchored) with the u flag": {
    schema: { pattern: "^a|\\p{Lu}" },
    valid: ["abc", "xYz", 5],
    invalid: [["bcd", 'must match pattern ^a|\\p{Lu}, got "bcd"']],
  },
  "pattern: Rust-style inline flags work as in regex_match": {
    schema: { pattern: "(?i)^tokyo" },
    valid: ["TOKYO tower"],
    invalid: [["Osaka", 'must match pattern (?i)^tokyo, got "Osaka"']],
    ajv: false,
  },
  "items (one schema for every item)": {
    schema: { items: { type: "integer" } },
    valid: [[], [1, 2], "not an array"],
    invalid: [[[1, "2"], 'expected an integer, got the string "2"', [1]]],
  },
  "prefixItems with items: false": {
    schema: { prefixItems: [{ type: "string" }, { type: "number" }], items: false },
    valid: [[], ["a"], ["a", 1]],
    invalid: [[[1], "expected a string, got the number 1", [0]], [
      ["a", 1, 2],
      "must have at most 2 items (items is false), got 3",
    ]],
  },
  "prefixItems with items as a schema for the rest": {
    schema: { prefixItems: [{ type: "string" }], items: { type: "boolean" } },
    valid: [["a", true, false]],
    invalid: [[["a", true, 0], "expected a boolean, got the number 0", [2]]],
  },
  "items: false alone means empty": {
    schema: { items: false },
    valid: [[]],
    invalid: [[[1], "must be empty (items is false), got 1 item"]],
  },
  "draft-07 items as a list with additionalItems": {
    schema: { items: [{ type: "string" }], additionalItems: { type: "integer" } },
    valid: [["a"], ["a", 1, 2]],
    invalid: [[[1], "expected a string, got the number 1", [0]], [
      ["a", "b"],
      'expected an integer, got the string "b"',
      [1],
    ]],
    ajv: "07",
  },
  "draft-07 additionalItems: false": {
    schema: { items: [{}, {}], additionalItems: false },
    valid: [[1, 2]],
    invalid: [[[1, 2, 3], "must have at most 2 items (additionalItems is false), got 3"]],
    ajv: "07",
  },
  contains: {
    schema: { contains: { type: "string" } },
    valid: [[1, "a"], {}],
    invalid: [[[1, 2], "must contain at least 1 item matching contains, got 0"], [
      [],
      "must contain at least 1 item matching contains, got 0",
    ]],
  },
  "minContains and maxContains": {
    schema: { contains: { const: 1 }, minContains: 2, maxContains: 3 },
    valid: [[1, 1], [1, 0, 1, 1]],
    invalid: [[[1, 0], "must contain at least 2 items matching contains, got 1"], [
      [1, 1, 1, 1],
      "must contain at most 3 items matching contains, got 4",
    ]],
  },
  "minContains: 0 allows none": {
    schema: { contains: { const: 1 }, minContains: 0, maxContains: 1 },
    valid: [[], [2], [1]],
    invalid: [[[1, 1], "must contain at most 1 item matching contains, got 2"]],
  },
  "minItems and maxItems": {
    schema: { minItems: 2, maxItems: 3 },
    valid: [[1, 2], [1, 2, 3], "x"],
    invalid: [[[1], "must have at least 2 items, got 1"], [
      [1, 2, 3, 4],
      "must have at most 3 items, got 4",
    ]],
  },
  "uniqueItems with deep equality": {
    schema: { uniqueItems: true },
    valid: [[1, "1", [1], { a: 1 }, { a: 2 }, null, false, 0.5]],
    invalid: [
      [[{ a: 1, b: 2 }, 1, { b: 2, a: 1 }], "must not contain duplicates: items 0 and 2 are equal"],
      [[1, 2, 1], "must not contain duplicates: items 0 and 2 are equal"],
      [[[1, [2]], [1, [2]]], "must not contain duplicates: items 0 and 1 are equal"],
    ],
  },
  "uniqueItems: false allows duplicates": {
    schema: { uniqueItems: false },
    valid: [[1, 1]],
    invalid: [],
  },
  properties: {
    schema: { properties: { a: { type: "string" }, "b/c": { type: "number" } } },
    valid: [{}, { a: "x", z: 1 }, { "b/c": 1 }, 5],
    invalid: [[{ a: 1 }, "expected a string, got the number 1", ["a"]], [
      { "b/c": "1" },
      'expected a number, got the string "1"',
      ["b/c"],
    ]],
  },
  patternProperties: {
    schema: { patternProperties: { "^x-": { type: "string" }, "\\d": { type: "integer" } } },
    valid: [{ "x-a": "s", b: true, a1: 2 }],
    invalid: [[{ "x-a": 1 }, "expected a string, got the number 1", ["x-a"]], [
      { "x-1": "s" },
      'expected an integer, got the string "s"',
      ["x-1"],
    ]],
  },
  "additionalProperties: false": {
    schema: { properties: { a: {} }, patternProperties: { "^x": {} }, additionalProperties: false },
    valid: [{ a: 1, xy: 2 }],
    invalid: [[{ a: 1, b: 2 }, 'unexpected property "b"', []]],
  },
  "additionalProperties as a schema": {
    schema: { properties: { a: {} }, additionalProperties: { type: "integer" } },
    valid: [{ a: "x", b: 1 }],
    invalid: [[{ a: "x", b: "y" }, 'expected an integer, got the string "y"', ["b"]]],
  },
  propertyNames: {
    schema: { propertyNames: { pattern: "^[a-z]+$", maxLength: 3 } },
    valid: [{ abc: 1 }, {}, [1]],
    invalid: [[
      { Foo: 1 },
      'property name "Foo" is invalid: must match pattern ^[a-z]+$, got "Foo"',
    ], [{ abcd: 1 }, 'property name "abcd" is invalid: must be at most 3 characters long, got 4']],
  },
  "required, with and without a properties entry": {
    schema: { properties: { a: { type: "string" } }, required: ["a", "answer"] },
    valid: [{ a: "x", answer: null }, "not an object"],
    invalid: [[{ a: "x" }, 'missing required property "answer"', []], [
      {},
      'missing required property "a"',
      [],
    ]],
  },
  dependentRequired: {
    schema: { dependentRequired: { card: ["address", "name"] } },
    valid: [{}, { name: "x" }, { card: 1, address: 2, name: 3 }],
    invalid: [[{ card: 1, name: 3 }, 'property "address" is required when "card" is present']],
  },
  dependentSchemas: {
    schema: {
      dependentSchemas: {
        card: { required: ["address"], properties: { card: { type: "integer" } } },
      },
    },
    valid: [{}, { card: 1, address: "x" }],
    invalid: [[{ card: 1 }, 'missing required property "address"'], [
      { card: "1", address: "x" },
      'expected an integer, got the string "1"',
      ["card"],
    ]],
  },
  "draft-07 dependencies (both forms)": {
    schema: { dependencies: { a: ["b"], c: { required: ["d"] } } },
    valid: [{}, { a: 1, b: 2 }, { c: 1, d: 2 }],
    invalid: [[{ a: 1 }, 'property "b" is required when "a" is present'], [
      { c: 1 },
      'missing required property "d"',
    ]],
    ajv: "07",
  },
  "minProperties and maxProperties": {
    schema: { minProperties: 1, maxProperties: 2 },
    valid: [{ a: 1 }, { a: 1, b: 2 }, []],
    invalid: [[{}, "must have at least 1 property, got 0"], [
      { a: 1, b: 2, c: 3 },
      "must have at most 2 properties, got 3",
    ]],
  },
  allOf: {
    schema: { allOf: [{ type: "integer" }, { minimum: 3 }, { multipleOf: 2 }] },
    valid: [4, 10],
    invalid: [[3, "must be a multiple of 2, got 3"], [2, "must be >= 3, got 2"]],
  },
  anyOf: {
    schema: { anyOf: [{ type: "string" }, { type: "integer", minimum: 3 }] },
    valid: ["x", 3],
    invalid: [[
      1,
      "must match at least one schema of anyOf (anyOf[0]: expected a string, got the number 1; anyOf[1]: must be >= 3, got 1)",
    ]],
  },
  "anyOf names the path inside a branch": {
    schema: { anyOf: [{ properties: { a: { type: "string" } } }, { required: ["b"] }] },
    valid: [{ b: 1, a: 1 }, { a: "x" }],
    invalid: [[
      { a: 1 },
      'must match at least one schema of anyOf (anyOf[0]: a: expected a string, got the number 1; anyOf[1]: missing required property "b")',
    ]],
  },
  oneOf: {
    schema: { oneOf: [{ type: "integer" }, { type: "number", maximum: 2 }] },
    valid: [3, 1.5],
    invalid: [[1, "must match exactly one schema of oneOf, matches oneOf[0] and oneOf[1]"], [
      2.5,
      "must match exactly one schema of oneOf, matches none (oneOf[0]: expected an integer, got the number 2.5; oneOf[1]: must be <= 2, got 2.5)",
    ]],
  },
  not: {
    schema: { not: { type: "string" } },
    valid: [1, null],
    invalid: [["x", "must not match the schema in not"]],
  },
  "if / then / else": {
    schema: { if: { type: "string" }, then: { minLength: 3 }, else: { type: "integer" } },
    valid: ["abc", 4],
    invalid: [["ab", "must be at least 3 characters long, got 2"], [
      1.5,
      "expected an integer, got the number 1.5",
    ]],
  },
  "if with only then": {
    schema: { if: { required: ["a"] }, then: { required: ["b"] } },
    valid: [{}, { a: 1, b: 1 }, { b: 1 }],
    invalid: [[{ a: 1 }, 'missing required property "b"']],
  },
  "boolean schemas": {
    schema: { properties: { yes: true, no: false } },
    valid: [{ yes: [1] }],
    invalid: [[{ no: 1 }, "no value is allowed here (the schema is false)", ["no"]]],
  },
  "the schema false": {
    schema: false,
    valid: [],
    invalid: [[1, "no value is allowed here (the schema is false)"]],
  },
  "the schema true": { schema: true, valid: [1, null, {}], invalid: [] },
  "the empty schema": { schema: {}, valid: [1, "x", [], {}], invalid: [] },
  "$ref to $defs, with siblings applied": {
    schema: {
      $defs: { pos: { type: "number", minimum: 0 } },
      properties: { n: { $ref: "#/$defs/pos", maximum: 5 } },
    },
    valid: [{ n: 0 }, { n: 5 }],
    invalid: [[{ n: -1 }, "must be >= 0, got -1", ["n"]], [{ n: 6 }, "must be <= 5, got 6", ["n"]]],
  },
  "$ref to definitions (draft-07)": {
    schema: { definitions: { s: { type: "string" } }, items: { $ref: "#/definitions/s" } },
    valid: [["a"]],
    invalid: [[[1], "expected a string, got the number 1", [0]]],
    ajv: "07",
  },
  "$ref with ~0, ~1 and percent-encoding": {
    schema: {
      $defs: { "a/b": { type: "string" }, "c~d": { type: "integer" }, "e f": { type: "null" } },
      prefixItems: [{ $ref: "#/$defs/a~1b" }, { $ref: "#/$defs/c~0d" }, { $ref: "#/$defs/e%20f" }],
    },
    valid: [["x", 1, null]],
    invalid: [[["x", 1, 0], "expected null, got the number 0", [2]]],
  },
  "$ref into a list": {
    schema: { prefixItems: [{ type: "string" }], items: { $ref: "#/prefixItems/0" } },
    valid: [["a", "b"]],
    invalid: [[["a", 1], "expected a string, got the number 1", [1]]],
  },
  "recursive $ref to the root": {
    schema: {
      type: "object",
      properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#" } } },
      required: ["name"],
    },
    valid: [{ name: "a", children: [{ name: "b", children: [] }] }],
    invalid: [[
      { name: "a", children: [{ name: "b", children: [{}] }] },
      'missing required property "name"',
      ["children", 0, "children", 0],
    ]],
  },
  "$ref through the root $id": {
    schema: {
      $id: "https://example.com/tree.json",
      $defs: { leaf: { type: "integer" } },
      items: { $ref: "https://example.com/tree.json#/$defs/leaf" },
    },
    valid: [[1, 2]],
    invalid: [[[1.5], "expected an integer, got the number 1.5", [0]]],
  },
  "format is an annotation": {
    schema: { type: "string", format: "email" },
    valid: ["not an email"],
    invalid: [[1, "expected a string, got the number 1"]],
  },
  "annotations and unknown keywords are ignored": {
    schema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      title: "t",
      description: "d",
      examples: [1],
      default: 0,
      $comment: "c",
      "x-extra": { type: "string" },
      readOnly: true,
      deprecated: false,
      type: "integer",
    },
    valid: [1],
    invalid: [["1", 'expected an integer, got the string "1"']],
  },
  "a draft-07 $schema is accepted": {
    schema: { $schema: "http://json-schema.org/draft-07/schema#", type: "string" },
    valid: ["x"],
    invalid: [[1, "expected a string, got the number 1"]],
    ajv: "07",
  },
  "collects every issue": {
    schema: {
      type: "object",
      properties: { a: { type: "string" }, b: { items: { minimum: 0 } } },
      required: ["c"],
    },
    valid: [],
    invalid: [[{ a: 1, b: [1, -1] }, "expected a string, got the number 1", ["a"]]],
  },
};

describe("JSON Schema validator", () => {
  for (const [name, c] of Object.entries(CASES)) {
    test(name, () => {
      const v = compileJsonSchema(c.schema);
      for (const value of c.valid) {
        assert.deepEqual(v.safeParse(value), { success: true }, JSON.stringify(value));
        assert.equal(v.isValid(value), true);
      }
      for (const [value, message, path] of c.invalid) {
        const r = v.safeParse(value);
        assert.equal(r.success, false, JSON.stringify(value));
        assert.equal(v.isValid(value), false);
        const issue = (r as { error: { issues: { path: unknown[]; message: string }[] } }).error
          .issues[0];
        assert.equal(issue.message, message);
        if (path) assert.deepEqual(issue.path, path);
      }
      // The table itself is checked against ajv where ajv decides the same way.
      if (c.ajv !== false) {
        const validate = (c.ajv === "07" ? ajv07 : ajv2020).compile(c.schema);
        for (const value of c.valid) assert.equal(validate(value), true, JSON.stringify(value));
        for (const [value] of c.invalid) {
          assert.equal(validate(value), false, JSON.stringify(value));
        }
      }
    });
  }

  test("every issue is collected, each at its path", () => {
    const r = result(CASES["collects every issue"].schema, { a: 1, b: [1, -1] });
    assert.deepEqual(r, {
      success: false,
      error: {
        issues: [
          { path: ["a"], message: "expected a string, got the number 1" },
          { path: ["b", 1], message: "must be >= 0, got -1" },
          { path: [], message: 'missing required property "c"' },
        ],
      },
    });
  });

  test("a value nested deeper than the limit fails with a clear issue instead of overflowing", () => {
    const deep = JSON.parse("[".repeat(MAX_DEPTH + 10) + "]".repeat(MAX_DEPTH + 10));
    const v = compileJsonSchema({ items: { $ref: "#" } });
    assert.equal(v.isValid(deep), false);
    assert.deepEqual(v.safeParse(deep), {
      success: false,
      error: {
        issues: [{
          path: [],
          message:
            `the value is nested too deeply to validate (more than ${MAX_DEPTH} levels of schema)`,
        }],
      },
    });
    const shallow = JSON.parse("[".repeat(200) + "]".repeat(200));
    assert.equal(v.isValid(shallow), true);
    // Very deep values (deeper than the stack) in enum/const comparisons fail too.
    const huge = "[".repeat(100_000) + "]".repeat(100_000);
    const r = compileJsonSchema({ const: JSON.parse(huge) }).safeParse(JSON.parse(huge));
    assert.equal(r.success, false);
  });

  test("a compiled schema is reused for many values", () => {
    const v = compileJsonSchema({
      type: "object",
      properties: { id: { type: "integer" }, tags: { type: "array", items: { type: "string" } } },
      required: ["id"],
    });
    let valid = 0;
    for (let i = 0; i < 10_000; i++) {
      if (v.isValid(i % 10 ? { id: i, tags: ["a", "b"] } : { tags: [i] })) valid++;
    }
    assert.equal(valid, 9000);
  });
});

describe("JSON Schema validator refuses schemas it cannot honour", () => {
  const refused: [string, unknown, string][] = [
    [
      "unevaluatedProperties",
      { unevaluatedProperties: false },
      "#/unevaluatedProperties: unevaluatedProperties is not supported",
    ],
    [
      "unevaluatedItems (nested)",
      { items: { unevaluatedItems: false } },
      "#/items/unevaluatedItems: unevaluatedItems is not supported",
    ],
    ["$dynamicRef", { $dynamicRef: "#node" }, "#/$dynamicRef: $dynamicRef is not supported"],
    [
      "$dynamicAnchor",
      { $dynamicAnchor: "node" },
      "#/$dynamicAnchor: $dynamicAnchor is not supported",
    ],
    ["$recursiveRef", { $recursiveRef: "#" }, "#/$recursiveRef: $recursiveRef is not supported"],
    ["$anchor", { $defs: { a: { $anchor: "a" } } }, "#/$defs/a/$anchor: $anchor is not supported"],
    [
      "contentSchema",
      { contentMediaType: "application/json", contentSchema: {} },
      "#/contentMediaType: contentMediaType is not supported",
    ],
    [
      "contentEncoding",
      { contentEncoding: "base64" },
      "#/contentEncoding: contentEncoding is not supported",
    ],
    [
      "draft-03 keywords",
      { divisibleBy: 2 },
      "#/divisibleBy: divisibleBy is not supported (a draft-03 keyword: use multipleOf)",
    ],
    [
      "a draft-03 $schema",
      { $schema: "http://json-schema.org/draft-03/schema#" },
      "#/$schema: draft-03 schemas are not supported",
    ],
    [
      "$id below the root",
      { properties: { a: { $id: "a.json" } } },
      "#/properties/a/$id: $id is supported only at the root",
    ],
    [
      "a remote $ref",
      { $ref: "https://example.com/s.json" },
      '#/$ref: cannot resolve $ref "https://example.com/s.json": only references inside this schema',
    ],
    [
      "a relative file $ref",
      { properties: { a: { $ref: "defs.json#/a" } } },
      '#/properties/a/$ref: cannot resolve $ref "defs.json#/a"',
    ],
    [
      "a $ref to an anchor",
      { $ref: "#node" },
      '#/$ref: cannot resolve $ref "#node": anchors are not supported',
    ],
    [
      "a $ref to nothing",
      { $defs: { a: {} }, $ref: "#/$defs/b" },
      '#/$ref: cannot resolve $ref "#/$defs/b": the schema has nothing at #/$defs/b',
    ],
    [
      "a $ref past a list's end",
      { allOf: [{}], $ref: "#/allOf/1" },
      "the schema has nothing at #/allOf/1",
    ],
    ["bad percent-encoding in a $ref", { $ref: "#/%E0%A4%A" }, "invalid percent-encoding"],
    ["a $ref that is not a string", { $ref: 1 }, "#/$ref: $ref must be a string, got the number 1"],
    ["an invalid pattern", { pattern: "(" }, '#/pattern: invalid pattern "(":'],
    [
      "an invalid patternProperties key",
      { patternProperties: { "[": {} } },
      '#/patternProperties/[: invalid pattern "[":',
    ],
    [
      "an unknown type",
      { type: "nonsense" },
      "#/type: type must be one of null, boolean, object, array, number, integer, string",
    ],
    ["an empty type list", { type: [] }, "#/type: type must be one of"],
    [
      "a negative minLength",
      { minLength: -1 },
      "#/minLength: minLength must be a non-negative integer, got the number -1",
    ],
    [
      "a fractional maxItems",
      { maxItems: 1.5 },
      "#/maxItems: maxItems must be a non-negative integer",
    ],
    [
      "multipleOf 0",
      { multipleOf: 0 },
      "#/multipleOf: multipleOf must be a number > 0, got the number 0",
    ],
    [
      "a string minimum",
      { minimum: "1" },
      '#/minimum: minimum must be a number, got the string "1"',
    ],
    [
      "a boolean maximum",
      { maximum: true },
      "#/maximum: maximum must be a number, got the boolean true",
    ],
    [
      "required: true (draft-03)",
      { required: true },
      "#/required: must be a list of property names, got the boolean true",
    ],
    ["an empty enum", { enum: [] }, "#/enum: enum must be a non-empty list"],
    ["an empty allOf", { allOf: [] }, "#/allOf: allOf must be a non-empty list of schemas"],
    [
      "a non-schema property",
      { properties: { a: "string" } },
      '#/properties/a: a schema must be an object or a boolean, got the string "string"',
    ],
    [
      "a non-schema root",
      [{ type: "string" }],
      "#: a schema must be an object or a boolean, got an array of 1 item",
    ],
    ["then without if", { then: { type: "string" } }, "#/then: then has an effect only next to if"],
    [
      "if without then or else",
      { if: { type: "string" } },
      "#/if: if has an effect only with then or else",
    ],
    [
      "minContains without contains",
      { minContains: 2 },
      "#/minContains: minContains has an effect only next to contains",
    ],
    [
      "additionalItems without a list of items",
      { items: {}, additionalItems: false },
      "#/additionalItems: additionalItems has an effect only next to items as a list",
    ],
    [
      "items as a list next to prefixItems",
      { prefixItems: [{}], items: [{}] },
      "#/items: items is a list (draft-07) next to prefixItems",
    ],
    [
      "exclusiveMinimum: true without minimum",
      { exclusiveMinimum: true },
      "#/exclusiveMinimum: exclusiveMinimum: true (draft-04) needs minimum",
    ],
    [
      "uniqueItems that is not a boolean",
      { uniqueItems: 1 },
      "#/uniqueItems: uniqueItems must be a boolean",
    ],
    [
      "a $ref loop to the root",
      { anyOf: [{ type: "string" }, { $ref: "#" }] },
      "the schema refers back to itself without descending into the value",
    ],
    ["a $ref loop between definitions", {
      $defs: { a: { $ref: "#/$defs/b" }, b: { allOf: [{ $ref: "#/$defs/a" }] } },
      $ref: "#/$defs/a",
    }, "(#/$defs/a -> #/$defs/b -> #/$defs/b/allOf/0 -> #/$defs/a): validation would never end"],
  ];
  for (const [name, schema, message] of refused) {
    test(name, () => {
      const err = schemaError(schema);
      assert.ok(err.message.includes(message), `${err.message}\n  should include\n${message}`);
    });
  }

  test("every problem is listed", () => {
    const err = schemaError({
      properties: { a: { minLength: -1 }, b: { unevaluatedItems: false } },
      $ref: "#/nowhere",
    });
    assert.deepEqual(err.problems.map((p) => p.pointer), [
      "#/properties/a/minLength",
      "#/properties/b/unevaluatedItems",
      "#/$ref",
    ]);
  });

  test("unsupported keywords are refused inside unused definitions too", () => {
    schemaError({ $defs: { unused: { unevaluatedProperties: false } } });
  });
});

// ---------------------------------------------------------------------------
// Differential: our verdict equals ajv's on generated schemas and values.

const KEYS = ["a", "b", "c", "ab"];
const leaf = fc.constantFrom<unknown>(
  null,
  true,
  false,
  0,
  1,
  2,
  3,
  -1,
  0.5,
  1.5,
  -2.5,
  "",
  "a",
  "b",
  "ab",
  "ba",
  "abc",
  "A",
  "é",
  "😀",
  "a😀",
);
const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    leaf,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS, "B", "x1"), tie("value"), {
      maxKeys: 3,
      noNullPrototype: true,
    }),
  ),
}));

const PATTERNS = ["^a", "b", "^[ab]*$", "a+", ".", "^$", "\\p{L}", "^.{2}$", "[😀]"];
const small = fc.constantFrom(-1, 0, 1, 1.5, 2, 3);
const count = fc.integer({ min: 0, max: 3 });
type Entries = [string, unknown][];

/** Schemas of one draft; `defs` names the definitions a $ref may point to. */
function schemaArbitrary(draft: "2020" | "07") {
  const defsKey = draft === "2020" ? "$defs" : "definitions";
  return fc.letrec<{ schema: unknown; obj: unknown; sub: unknown; descend: unknown }>((tie) => {
    const sub = tie("sub");
    const descend = tie("descend");
    const kw = (k: string, arb: fc.Arbitrary<unknown>): fc.Arbitrary<Entries> =>
      arb.map((v) => [[k, v]]);
    const keywords: fc.Arbitrary<Entries>[] = [
      kw(
        "type",
        fc.oneof(
          fc.constantFrom("null", "boolean", "object", "array", "number", "integer", "string"),
          fc.subarray(["null", "boolean", "object", "array", "number", "integer", "string"], {
            minLength: 1,
            maxLength: 3,
          }),
        ),
      ),
      // Draft-07's meta-schema wants distinct enum values.
      kw("enum", fc.uniqueArray(jsonValue, { minLength: 1, maxLength: 3, selector: sorted })),
      kw("const", jsonValue),
      kw("multipleOf", fc.constantFrom(1, 2, 3, 0.5, 0.25)),
      kw("minimum", small),
      kw("maximum", small),
      kw("exclusiveMinimum", small),
      kw("exclusiveMaximum", small),
      kw("minLength", count),
      kw("maxLength", count),
      kw("pattern", fc.constantFrom(...PATTERNS)),
      kw("format", fc.constantFrom("email", "date-time", "uri")),
      kw("title", fc.constant("annotation")),
      draft === "2020"
        ? fc.tuple(fc.array(descend, { minLength: 1, maxLength: 2 }), fc.option(descend)).map(
          ([pre, rest]): Entries =>
            rest === null ? [["prefixItems", pre]] : [["prefixItems", pre], ["items", rest]],
        )
        : fc.tuple(fc.array(descend, { minLength: 1, maxLength: 2 }), fc.option(descend)).map(
          ([pre, rest]): Entries =>
            rest === null ? [["items", pre]] : [["items", pre], ["additionalItems", rest]],
        ),
      kw("items", descend),
      fc.tuple(descend, fc.option(count), fc.option(count)).map(([c, lo, hi]) => {
        const e: Entries = [["contains", c]];
        if (draft === "2020" && lo !== null) e.push(["minContains", lo]);
        if (draft === "2020" && hi !== null) e.push(["maxContains", hi]);
        return e;
      }),
      kw("minItems", count),
      kw("maxItems", count),
      kw("uniqueItems", fc.boolean()),
      kw(
        "properties",
        fc.dictionary(fc.constantFrom(...KEYS), descend, { maxKeys: 3, noNullPrototype: true }),
      ),
      kw(
        "patternProperties",
        fc.dictionary(fc.constantFrom("^a", "b$", "^[A-Z]", "\\d"), descend, {
          maxKeys: 2,
          noNullPrototype: true,
        }),
      ),
      kw("additionalProperties", descend),
      kw("propertyNames", descend),
      kw("required", fc.subarray(KEYS, { minLength: 1 })),
      draft === "2020"
        ? kw(
          "dependentRequired",
          fc.dictionary(fc.constantFrom(...KEYS), fc.subarray(KEYS), {
            maxKeys: 2,
            noNullPrototype: true,
          }),
        )
        : kw(
          "dependencies",
          fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(fc.subarray(KEYS), sub), {
            maxKeys: 2,
            noNullPrototype: true,
          }),
        ),
      draft === "2020"
        ? kw(
          "dependentSchemas",
          fc.dictionary(fc.constantFrom(...KEYS), sub, { maxKeys: 2, noNullPrototype: true }),
        )
        : kw("minProperties", count),
      kw("minProperties", count),
      kw("maxProperties", count),
      kw("allOf", fc.array(sub, { minLength: 1, maxLength: 3 })),
      kw("anyOf", fc.array(sub, { minLength: 1, maxLength: 3 })),
      kw("oneOf", fc.array(sub, { minLength: 1, maxLength: 3 })),
      kw("not", sub),
      fc.tuple(sub, fc.option(sub), fc.option(sub)).map(([c, t, e]) => {
        const out: Entries = [["if", c]];
        out.push(["then", t ?? true]);
        if (e !== null) out.push(["else", e]);
        return out;
      }),
      kw("$ref", fc.constantFrom(`#/${defsKey}/d0`, `#/${defsKey}/d1`)),
    ];
    const obj = fc.array(fc.oneof(...keywords), { minLength: 0, maxLength: 3 }).map((groups) => {
      const o: Record<string, unknown> = Object.fromEntries(groups.flat());
      // A later plain `items` may replace the list that additionalItems belongs to.
      if (!Array.isArray(o.items)) delete o.additionalItems;
      return o;
    });
    return {
      // The root: definitions (without $ref, so references never loop) and keywords.
      schema: fc.tuple(sub, sub, tie("obj")).map(([d0, d1, body]) => ({
        [defsKey]: { d0: stripRefs(d0), d1: stripRefs(d1) },
        ...(body as object),
      })),
      obj,
      sub: fc.oneof({ depthSize: "small", maxDepth: 3 }, fc.boolean(), obj),
      // Where the value is descended into, a $ref back to the root is safe.
      descend: fc.oneof(
        { depthSize: "small", maxDepth: 3 },
        fc.constant({ $ref: "#" }),
        fc.boolean(),
        obj,
      ),
    };
  }).schema;
}

/**
 * The same schema, worded around an ajv 8 bug: for an empty array, its
 * `contains` check (at least one match, no maxContains) reads a result
 * variable no item assigned, left over from earlier code. ajv accepts `[]`
 * for `{not: {prefixItems: [{exclusiveMaximum: -1}], contains: {}}}` and
 * `[[null], []]` for `{items: {contains: {$ref: "#"}}}`. `contains` with
 * minContains >= 1 implies `minItems: 1`, so adding that changes nothing
 * but ajv's verdict on empty arrays.
 */
function forAjv(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(forAjv);
  if (s === null || typeof s !== "object") return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) out[k] = k === "enum" || k === "const" ? v : forAjv(v);
  if ("contains" in out && (out.minContains === undefined || (out.minContains as number) >= 1)) {
    out.minItems = Math.max((out.minItems as number | undefined) ?? 0, 1);
  }
  return out;
}

/** JSON text with sorted keys: equal for deep-equal values. */
function sorted(v: unknown): string {
  return JSON.stringify(
    v,
    (_k, x) =>
      x !== null && typeof x === "object" && !Array.isArray(x)
        ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : x,
  );
}

/** A copy without $ref (for definitions, so that no $ref loops). */
function stripRefs(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(stripRefs);
  if (s === null || typeof s !== "object") return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "$ref") continue;
    out[k] = k === "enum" || k === "const" ? v : stripRefs(v);
  }
  return out;
}

for (const draft of ["2020", "07"] as const) {
  describe(`JSON Schema validator agrees with ajv (${draft === "2020" ? "2020-12" : "draft-07"})`, () => {
    test("same verdict on every generated schema and value", () => {
      const ajv = draft === "2020" ? ajv2020 : ajv07;
      const tally = { valid: 0, invalid: 0, ajvThrew: 0 };
      fc.assert(
        fc.property(
          schemaArbitrary(draft),
          fc.array(jsonValue, { minLength: 1, maxLength: 8 }),
          (schema, values) => {
            const theirs = ajv.compile(forAjv(schema));
            const ours = compileJsonSchema(schema);
            for (const value of values) {
              let expected: boolean;
              try {
                expected = theirs(value);
              } catch (err) {
                // ajv 8's 2020-12 code throws on some schemas (e.g. `if: false` next to
                // patternProperties: "Cannot set properties of undefined"): no verdict to compare.
                assert.ok(err instanceof TypeError, String(err));
                tally.ajvThrew++;
                continue;
              }
              const r = ours.safeParse(value);
              assert.equal(
                r.success,
                expected,
                `schema ${JSON.stringify(schema)}\nvalue ${JSON.stringify(value)}\nours ${
                  JSON.stringify(r)
                }`,
              );
              assert.equal(ours.isValid(value), expected);
              if (!r.success) assert.ok(r.error.issues.length > 0);
              tally[expected ? "valid" : "invalid"]++;
            }
          },
        ),
        { numRuns: 400 },
      );
      // The property is only as strong as the mix of verdicts it saw.
      assert.ok(
        tally.valid > 200 && tally.invalid > 200 && tally.ajvThrew < tally.valid / 20,
        JSON.stringify(tally),
      );
    });
  });
}

// ---------------------------------------------------------------------------
// End to end: keywords zod's fromJSONSchema ignored (or threw on) now decide.

describe("json_schema and args_valid end to end", () => {
  const guard = new RegexGuard();
  after(() => guard.close());

  async function check(expected: string, spec: EpisodeSpec) {
    const config = await parseConfig(`version: 1\ntests:\n  - id: t\n    expected: ${expected}\n`);
    const t = config.tests[0];
    return evaluateExpectation(t.expected[0], await episode(spec), {
      test: t,
      guard,
      strict: true,
    });
  }

  const previouslyIgnored: [string, string, string, string][] = [
    ["minItems", `{type: array, minItems: 2}`, "[1]", "[1, 2]"],
    ["allOf", `{allOf: [{type: integer}, {minimum: 3}]}`, "2", "3"],
    ["propertyNames", `{propertyNames: {pattern: "^[a-z]+$"}}`, '{"Foo": 1}', '{"foo": 1}'],
    ["minProperties", `{type: object, minProperties: 1}`, "{}", '{"a": 1}'],
    [
      "patternProperties",
      `{patternProperties: {"^n_": {type: number}}}`,
      '{"n_a": "x"}',
      '{"n_a": 1}',
    ],
    ["multipleOf", `{multipleOf: 5}`, "12", "15"],
    ["required without properties", `{type: object, required: [answer]}`, "{}", '{"answer": 42}'],
    ["not", `{not: {type: "null"}}`, "null", "1"],
    [
      "if/then/else",
      `{if: {type: string}, then: {minLength: 2}, else: {type: integer}}`,
      '"a"',
      "3",
    ],
    ["dependentRequired", `{dependentRequired: {a: [b]}}`, '{"a": 1}', '{"a": 1, "b": 2}'],
    [
      "dependentSchemas",
      `{dependentSchemas: {a: {required: [b]}}}`,
      '{"a": 1}',
      '{"a": 1, "b": 2}',
    ],
  ];
  for (const [name, schema, bad, good] of previouslyIgnored) {
    test(`${name} fails json_schema when the output breaks it`, async () => {
      const wrong = await check(`{type: json_schema, json_schema: ${schema}}`, { output: bad });
      assert.equal(wrong.passed, false, wrong.message);
      assert.match(wrong.message, /^expected the output to match the JSON Schema; /);
      const right = await check(`{type: json_schema, json_schema: ${schema}}`, { output: good });
      assert.equal(right.passed, true, right.message);
    });
  }

  test("args_valid fails on a keyword zod ignored", async () => {
    const schema = `{Search: {type: object, properties: {tags: {type: array, minItems: 1}}}}`;
    const r = await check(`{type: args_valid, schema: ${schema}}`, {
      tools: [["Search", { tags: [] }]],
    });
    assert.equal(r.passed, false);
    assert.equal(
      r.message,
      'expected the args of Search to match their schemas; Search call #1 (step_001) args {"tags":[]}: tags: must have at least 1 item, got 0',
    );
  });

  test("json_schema as JSON text reports the issue with its path", async () => {
    const r = await check(
      `{type: json_schema, json_schema: '{"type":"object","properties":{"answer":{"type":"string","pattern":"^[A-Z]"}}}'}`,
      { output: '{"answer": "tokyo"}' },
    );
    assert.equal(
      r.message,
      'expected the output to match the JSON Schema; answer: must match pattern ^[A-Z], got "tokyo"; the output was "{\\"answer\\": \\"tokyo\\"}"',
    );
  });

  const configErrors: [string, string, RegExp][] = [
    [
      "an unsupported keyword",
      `{type: json_schema, json_schema: {type: object, unevaluatedProperties: false}}`,
      /tests\[0\]\.expected\.json_schema: unusable JSON Schema: #\/unevaluatedProperties: unevaluatedProperties is not supported/,
    ],
    [
      "an unresolvable $ref",
      `{type: json_schema, json_schema: {$ref: "https://example.com/answer.json"}}`,
      /tests\[0\]\.expected\.json_schema: unusable JSON Schema: #\/\$ref: cannot resolve \$ref "https:\/\/example\.com\/answer\.json"/,
    ],
    [
      "an invalid pattern",
      `{type: args_valid, schema: {Search: {properties: {q: {pattern: "(?<x"}}}}}`,
      /tests\[0\]\.expected\.schema\.Search: unusable JSON Schema: #\/properties\/q\/pattern: invalid pattern "\(\?<x"/,
    ],
  ];
  for (const [name, expected, message] of configErrors) {
    test(`${name} is a config error at the schema's path`, async () => {
      await assert.rejects(
        parseConfig(`version: 1\ntests:\n  - id: t\n    expected: ${expected}\n`),
        (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.code, "E_CFG_SCHEMA");
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});
