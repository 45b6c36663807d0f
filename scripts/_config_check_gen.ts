// The code generator behind src/gate/_config_check.ts: turns a JSON Schema
// into one standalone validator function with exactly the answers of
// matchesSchema (src/gate/_json_schema_check.ts, the reference): unknown
// keywords fail, numbers must be finite, a present key may not hold
// `undefined`, a `oneOf` whose branches each fix `type` with a `const` is a
// `switch`. Each distinct subschema (by its JSON text) becomes one named
// function, or an inline expression when it needs no loop. The output is
// already formatted as `deno fmt` wants it. scripts/gen_config_schema.ts
// writes the file; tests/gate/config_schema_test.ts checks it is up to date
// and that it agrees with the reference.
import {
  type JsonSchema,
  KNOWN_KEYWORDS as KNOWN,
  matchesSchema,
} from "../src/gate/_json_schema_check.ts";

/** Options of {@linkcode schemaCheckSource}. */
export interface SchemaCheckOptions {
  /** The exported function's name. */
  name: string;
  /** The comment lines at the top (without `// `). */
  header?: readonly string[];
  /** Plain JavaScript (no types, no `export`, any line length): for evaluating in tests. */
  js?: boolean;
}

const LINE_WIDTH = 100;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// A condition on a variable, kept as a tree so that it can be negated cleanly.
type Cond = boolean | Atom | { and: Cond[] } | { or: Cond[] };
interface Atom {
  pos: string;
  neg: string;
  /** A call (`c3(x)`): a whole node that needs a function. */
  call?: true;
}

const atom = (pos: string, neg: string): Atom => ({ pos, neg });

function and(...xs: Cond[]): Cond {
  const out: Cond[] = [];
  for (const x of xs) {
    if (x === true) continue;
    if (x === false) return false;
    if (typeof x === "object" && "and" in x) out.push(...x.and);
    else out.push(x);
  }
  return out.length === 0 ? true : out.length === 1 ? out[0] : { and: out };
}

function or(...xs: Cond[]): Cond {
  const out: Cond[] = [];
  for (const x of xs) {
    if (x === false) continue;
    if (x === true) return true;
    if (typeof x === "object" && "or" in x) out.push(...x.or);
    else out.push(x);
  }
  return out.length === 0 ? false : out.length === 1 ? out[0] : { or: out };
}

function not(c: Cond): Cond {
  if (typeof c === "boolean") return !c;
  if ("and" in c) return or(...c.and.map(not));
  if ("or" in c) return and(...c.or.map(not));
  return { pos: c.neg, neg: c.pos, call: c.call };
}

function render(c: Cond): string {
  if (typeof c === "boolean") return String(c);
  if ("and" in c) {
    return c.and.map((x) => typeof x === "object" && "or" in x ? `(${render(x)})` : render(x)).join(
      " && ",
    );
  }
  if ("or" in c) return c.or.map(render).join(" || ");
  return c.pos;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A literal the generated code can compare with `===`. */
function literal(v: unknown): string {
  if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`a non-finite number: ${v}`);
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") {
    return JSON.stringify(v);
  }
  throw new Error(`not a primitive: ${JSON.stringify(v)}`);
}

const isPrimitive = (v: unknown) =>
  v === null || typeof v === "string" || typeof v === "boolean" ||
  (typeof v === "number" && Number.isFinite(v));

function typeIs(t: unknown, x: string): Cond {
  const of = (name: string) => atom(`typeof ${x} === "${name}"`, `typeof ${x} !== "${name}"`);
  switch (t) {
    case "string":
    case "boolean":
      return of(t);
    case "number":
      return and(of("number"), atom(`Number.isFinite(${x})`, `!Number.isFinite(${x})`));
    case "integer":
      return and(of("number"), atom(`Number.isSafeInteger(${x})`, `!Number.isSafeInteger(${x})`));
    case "null":
      return atom(`${x} === null`, `${x} !== null`);
    case "array":
      return isArray(x);
    case "object":
      return and(of("object"), atom(`${x} !== null`, `${x} === null`), not(isArray(x)));
    default:
      return false;
  }
}

const isArray = (x: string) => atom(`Array.isArray(${x})`, `!Array.isArray(${x})`);
const isNumber = (x: string) => atom(`typeof ${x} === "number"`, `typeof ${x} !== "number"`);
const isString = (x: string) => atom(`typeof ${x} === "string"`, `typeof ${x} !== "string"`);

/** Refuses the shapes the reference treats in ways not worth mirroring. */
function checkShape(s: Record<string, unknown>): void {
  const sub = (v: unknown) => {
    if (typeof v !== "boolean" && !isPlainObject(v)) {
      throw new Error(`not a schema: ${JSON.stringify(v)}`);
    }
  };
  const list = (v: unknown, what: string) => {
    if (!Array.isArray(v)) throw new Error(`${what} must be a list: ${JSON.stringify(v)}`);
    return v;
  };
  if (s.enum !== undefined) list(s.enum, "enum");
  if (s.items !== undefined) sub(s.items);
  if (s.additionalProperties !== undefined) sub(s.additionalProperties);
  if (s.propertyNames !== undefined) sub(s.propertyNames);
  if (s.properties !== undefined) {
    if (!isPlainObject(s.properties)) throw new Error("properties must be a mapping");
    Object.values(s.properties).forEach(sub);
  }
  if (s.required !== undefined) {
    for (const r of list(s.required, "required")) {
      if (typeof r !== "string") throw new Error(`a required name that is no string: ${r}`);
    }
  }
  if (s.anyOf !== undefined) list(s.anyOf, "anyOf").forEach(sub);
  if (s.oneOf !== undefined) list(s.oneOf, "oneOf").forEach(sub);
}

/** A node's check of the variable `x`. */
type Check = (x: string) => Cond;

class Generator {
  readonly #byJson = new Map<string, Check>();
  readonly #functions: string[][] = [];
  readonly #js: boolean;
  #count = 0;

  constructor(js: boolean) {
    this.#js = js;
  }

  /**
   * The check of `schema`: an expression, or a call of its function. With
   * `object`, the value is known to be a plain object (a `oneOf` branch).
   */
  check(schema: JsonSchema, object = false): Check {
    const key = (object ? "object:" : "") + JSON.stringify(schema);
    let check = this.#byJson.get(key);
    if (check === undefined) {
      check = this.#build(schema, object);
      this.#byJson.set(key, check);
    }
    return check;
  }

  /** The generated functions, the root's first. */
  source(schema: JsonSchema, name: string): string {
    const slot = this.#functions.push([]) - 1;
    const body = this.#body(schema, "v");
    this.#functions[slot] = this.#fn(name, body, !this.#js);
    return this.#functions.map((lines) => lines.join("\n")).join("\n\n") + "\n";
  }

  #fn(name: string, body: string[], exported = false): string[] {
    const sig = this.#js ? `(v)` : `(v: unknown): boolean`;
    return [`${exported ? "export " : ""}function ${name}${sig} {`, ...body, "}"];
  }

  #record(x: string): string {
    return this.#js ? x : `(${x} as Record<string, unknown>)`;
  }

  #build(schema: JsonSchema, object: boolean): Check {
    if (schema === true || schema === false) return () => schema;
    for (const k in schema) if (!KNOWN.has(k)) return () => false;
    checkShape(schema);
    const simple = schema.const !== undefined || schema.enum !== undefined || (
      schema.items === undefined && schema.anyOf === undefined && schema.oneOf === undefined &&
      !hasObjectKeywords(schema)
    );
    if (simple) return (x) => this.#simple(schema, x, true, object);
    const name = `c${++this.#count}`;
    const slot = this.#functions.push([]) - 1;
    const body = this.#body(schema, "v", object);
    const constant = body.length === 1 && /^ {2}return (true|false);$/.exec(body[0]);
    if (constant && slot === this.#functions.length - 1) {
      this.#functions.pop();
      this.#count--;
      return () => constant[1] === "true";
    }
    this.#functions[slot] = this.#fn(name, body);
    return (x) => ({ pos: `${name}(${x})`, neg: `!${name}(${x})`, call: true });
  }

  /** The checks that need no loop: type, finiteness, bounds, lengths, const, enum. */
  #simple(s: Record<string, unknown>, x: string, finite = true, object = false): Cond {
    if (object) {
      // Only the type matters to a plain object here (it equals no `const`).
      const types = typesOf(s);
      if (s.const !== undefined || s.enum !== undefined) return false;
      return types === undefined || types.includes("object");
    }
    if (s.const !== undefined || s.enum !== undefined) {
      // The value is one of these primitives (objects are never identical
      // to a schema's): the rest of the schema is decided here, now.
      const candidates = s.const !== undefined ? [s.const] : s.enum as unknown[];
      const ok = [...new Set(candidates.filter(isPrimitive))].filter((c) => matchesSchema(s, c));
      return or(...ok.map((c) => atom(`${x} === ${literal(c)}`, `${x} !== ${literal(c)}`)));
    }
    const types = typesOf(s);
    const only = types?.length === 1 ? types[0] : undefined;
    const may = (...ts: string[]) => types === undefined || ts.some((t) => types.includes(t));
    const known = (...ts: string[]) => ts.includes(only as string);
    const conds: Cond[] = [types === undefined ? true : or(...types.map((t) => typeIs(t, x)))];
    if (types === undefined && finite) {
      conds.push(or(not(isNumber(x)), atom(`Number.isFinite(${x})`, `!Number.isFinite(${x})`)));
    }
    // By the time a bound is compared, any number is finite (checked just above).
    // Bounds a safe integer always meets are left out for integers.
    const bounds: [unknown, string, string, boolean][] = [
      [s.minimum, ">=", "<", (s.minimum as number) <= -MAX_SAFE],
      [s.maximum, "<=", ">", (s.maximum as number) >= MAX_SAFE],
      [s.exclusiveMinimum, ">", "<=", (s.exclusiveMinimum as number) < -MAX_SAFE],
      [s.exclusiveMaximum, "<", ">=", (s.exclusiveMaximum as number) > MAX_SAFE],
    ];
    if (may("number", "integer")) {
      for (const [b, op, negOp, always] of bounds) {
        if (typeof b !== "number" || (only === "integer" && always)) continue;
        const cmp = atom(`${x} ${op} ${literal(b)}`, `${x} ${negOp} ${literal(b)}`);
        conds.push(known("number", "integer") ? cmp : or(not(isNumber(x)), cmp));
      }
    }
    const length = (min: unknown, type: string, is: (x: string) => Cond) => {
      if (typeof min !== "number" || !may(type)) return;
      const cmp = atom(`${x}.length >= ${literal(min)}`, `${x}.length < ${literal(min)}`);
      conds.push(known(type) ? cmp : or(not(is(x)), cmp));
    };
    length(s.minLength, "string", isString);
    length(s.minItems, "array", isArray);
    return and(...conds);
  }

  /** The body of a node's function, checking `v`. */
  #body(s: JsonSchema, v: string, object = false): string[] {
    if (typeof s === "boolean") return [`  return ${s};`];
    for (const k in s) if (!KNOWN.has(k)) return ["  return false;"];
    checkShape(s);
    if (s.const !== undefined || s.enum !== undefined) {
      return [`  return ${render(this.#simple(s, v))};`];
    }
    const out: string[] = [];
    const types = typesOf(s);
    const only = types?.length === 1 ? types[0] : undefined;
    const branches = [...(s.anyOf as JsonSchema[] ?? []), ...(s.oneOf as JsonSchema[] ?? [])];
    const tailRefusesNonFinite = (s.anyOf !== undefined || s.oneOf !== undefined) &&
      branches.every((b) => b !== true);
    const head = this.#simple(s, v, !tailRefusesNonFinite, object);
    if (head === false) return ["  return false;"];
    if (head !== true) out.push(...guard(`  `, not(head)));

    if (s.items !== undefined && !object && (only === undefined || only === "array")) {
      const check = this.check(s.items as JsonSchema);
      const item = check("x");
      let loop: string[];
      if (item === true) loop = [];
      else if (item === false) loop = [`if (${v}.length !== 0) return false;`];
      else if (typeof item === "object" && "call" in item) {
        const call = render(not(check(`${v}[i]`)));
        loop = [`for (let i = 0; i < ${v}.length; i++) if (${call}) return false;`];
      } else {
        loop = [
          `for (let i = 0; i < ${v}.length; i++) {`,
          `  const x = ${v}[i];`,
          ...guard("  ", not(item)),
          `}`,
        ];
      }
      if (loop.length > 0) {
        if (only === "array") out.push(...loop.map((l) => `  ${l}`));
        else out.push(`  if (Array.isArray(${v})) {`, ...loop.map((l) => `    ${l}`), "  }");
      }
    }

    if (hasObjectKeywords(s) && (object || only === undefined || only === "object")) {
      const block = this.#objectBlock(s, v);
      if (object || only === "object") out.push(...block.map((l) => `  ${l}`));
      else {
        out.push(
          `  if (typeof ${v} === "object" && ${v} !== null && !Array.isArray(${v})) {`,
          ...block.map((l) => `    ${l}`),
          "  }",
        );
      }
    }

    if (s.anyOf !== undefined) {
      const any = or(...(s.anyOf as JsonSchema[]).map((b) => this.check(b, object)(v)));
      if (s.oneOf === undefined) {
        out.push(`  return ${render(any)};`);
        return out;
      }
      out.push(...guard("  ", not(any)));
    }
    if (s.oneOf !== undefined) {
      out.push(...this.#oneOf(s.oneOf as JsonSchema[], v, object || only === "object"));
    } else out.push("  return true;");
    return out;
  }

  #objectBlock(s: Record<string, unknown>, v: string): string[] {
    const out: string[] = [`const o = ${this.#js ? v : `${v} as Record<string, unknown>`};`];
    const props = Object.entries((s.properties ?? {}) as Record<string, JsonSchema>);
    // Required names with a `properties` entry are counted as the loop meets
    // them; only when some are not met does `Object.hasOwn` decide (an own
    // property that is not enumerable). The others are looked up first.
    const required = [...new Set((s.required ?? []) as string[])];
    const counted = required.filter((r) => props.some(([k]) => k === r));
    out.push(...hasAll(required.filter((r) => !counted.includes(r)), "", ""));
    if (counted.length > 0) out.push("let found = 0;");
    out.push("for (const k in o) {", "  if (!Object.hasOwn(o, k)) continue;");
    if (s.propertyNames !== undefined) {
      // Keys are strings: a schema that asks no more than that is no check.
      const names = s.propertyNames as JsonSchema;
      const json = JSON.stringify(names);
      if (names !== true && json !== "{}" && json !== '{"type":"string"}') {
        out.push(...guard("  ", not(this.check(names)("k"))));
      }
    }
    out.push("  const x = o[k];");
    // `undefined` is refused where the schema alone would take it.
    const caseCond = (sub: JsonSchema) =>
      and(
        matchesSchema(sub, undefined) ? atom("x !== undefined", "x === undefined") : true,
        this.check(sub)("x"),
      );
    const extra = caseCond((s.additionalProperties ?? true) as JsonSchema);
    if (props.length === 0) out.push(...guard("  ", not(extra)));
    else {
      const cases = groupCases(
        props.map(([k, sub]) => [literal(k), caseCond(sub), counted.includes(k)]),
      );
      out.push("  switch (k) {");
      for (const [labels, cond, count] of cases) {
        out.push(...labels.map((l) => `    case ${l}:`));
        out.push(...caseBody("      ", cond, count));
      }
      if (extra !== true) out.push("    default:", ...caseBody("      ", extra));
      out.push("  }");
    }
    out.push("}");
    if (counted.length > 0) out.push(...hasAll(counted, `found !== ${counted.length}`, ""));
    return out;
  }

  /** `oneOf` as the function's last statements. */
  #oneOf(branches: JsonSchema[], v: string, isObject: boolean): string[] {
    const exactlyOne = (indent: string): string[] => {
      const checks = branches.map((b) => this.check(b, isObject)(v));
      const fixed = checks.filter((c) => c === true).length;
      const open = checks.filter((c) => typeof c !== "boolean");
      if (open.length === 0) return [`${indent}return ${fixed === 1};`];
      if (fixed > 1) return [`${indent}return false;`];
      return [
        `${indent}let n = ${fixed};`,
        ...open.map((c) => `${indent}if (${render(c)}) n++;`),
        `${indent}return n === 1;`,
      ];
    };
    // A discriminated union: each branch fixes `type` with a distinct `const`.
    const tags: unknown[] = [];
    for (const b of branches) {
      const type = typeof b === "object" && isPlainObject(b.properties)
        ? b.properties.type
        : undefined;
      const c = isPlainObject(type) ? type.const : undefined;
      if (c === undefined || tags.includes(c)) {
        tags.length = 0;
        break;
      }
      tags.push(c);
    }
    if (tags.length === 0) return exactlyOne("  ");
    const out: string[] = [];
    if (!isObject) {
      const objectsOnly = branches.every((b) => typeof b === "object" && b.type === "object");
      const notObject = `typeof ${v} !== "object" || ${v} === null || Array.isArray(${v})`;
      if (objectsOnly) out.push(`  if (${notObject}) return false;`);
      else out.push(`  if (${notObject}) {`, ...exactlyOne("    "), "  }");
    }
    out.push(`  switch (${this.#record(v)}.type) {`);
    // Only the branch the value's `type` names can match; the value is a plain object.
    const checks = branches.map((b) => this.check(b, true)(v));
    for (const [labels, cond] of groupCases(tags.map((t, i) => [literal(t), checks[i]]))) {
      out.push(...labels.map((l) => `    case ${l}:`), `      return ${render(cond)};`);
    }
    out.push("    default:", "      return false;", "  }");
    return out;
  }
}

function typesOf(s: Record<string, unknown>): unknown[] | undefined {
  return s.type === undefined ? undefined : Array.isArray(s.type) ? s.type : [s.type];
}

function hasObjectKeywords(s: Record<string, unknown>): boolean {
  return s.properties !== undefined || s.required !== undefined ||
    s.additionalProperties !== undefined || s.propertyNames !== undefined;
}

/** `if (<cond>) return false;` */
function guard(indent: string, cond: Cond): string[] {
  if (cond === false) return [];
  if (cond === true) return [`${indent}return false;`];
  return [`${indent}if (${render(cond)}) return false;`];
}

function caseBody(indent: string, cond: Cond, count = false): string[] {
  if (cond === false) return [`${indent}return false;`];
  return [...guard(indent, not(cond)), ...count ? [`${indent}found++;`] : [], `${indent}break;`];
}

/**
 * `return false` unless `o` has each of `names` as its own property (when
 * `unless` is false): on one line, or as few as fit.
 */
function hasAll(names: string[], unless: string, indent: string): string[] {
  if (names.length === 0) return [];
  const tests = names.map((r) => `!Object.hasOwn(o, ${literal(r)})`);
  const any = tests.length > 1 && unless ? `(${tests.join(" || ")})` : tests.join(" || ");
  const one = `${indent}if (${unless ? `${unless} && ` : ""}${any}) return false;`;
  if (one.length + 4 <= LINE_WIDTH) return [one];
  const lines: string[] = [];
  const inner = unless ? `${indent}  ` : indent;
  let line = "";
  for (const test of tests) {
    if (line && `${inner}if (${line} || ${test}) return false;`.length + 4 > LINE_WIDTH) {
      lines.push(`${inner}if (${line}) return false;`);
      line = "";
    }
    line = line ? `${line} || ${test}` : test;
  }
  lines.push(`${inner}if (${line}) return false;`);
  return unless ? [`${indent}if (${unless}) {`, ...lines, `${indent}}`] : lines;
}

/** Switch cases with the same body share it, at the first one's place. */
function groupCases<T extends unknown[]>(cases: [string, Cond, ...T][]): [string[], Cond, ...T][] {
  const groups = new Map<string, [string[], Cond, ...T]>();
  for (const [label, cond, ...rest] of cases) {
    const key = JSON.stringify([render(cond), ...rest]);
    const group = groups.get(key);
    if (group) group[0].push(label);
    else groups.set(key, [[label], cond, ...rest as T]);
  }
  return [...groups.values()];
}

/**
 * The source of a module exporting `function <name>(v: unknown): boolean`,
 * which answers exactly as `matchesSchema(schema, v)` does.
 */
export function schemaCheckSource(schema: JsonSchema, options: SchemaCheckOptions): string {
  const gen = new Generator(options.js ?? false);
  const header = (options.header ?? []).map((l) => `// ${l}`.trimEnd());
  const code = gen.source(schema, options.name);
  const text = (header.length > 0 ? header.join("\n") + "\n\n" : "") + code;
  // deno fmt would break a longer line: the TypeScript output must not need it.
  const long = options.js ? undefined : text.split("\n").find((l) => l.length > LINE_WIDTH);
  if (long !== undefined) throw new Error(`a generated line is too long: ${long.trim()}`);
  return text;
}

/** The header of src/gate/_config_check.ts. */
export const CONFIG_CHECK_HEADER = [
  "Generated by `node --import tsx scripts/gen_config_schema.ts` from the zod schema in",
  "_config_schema.ts (through its JSON Schema, _config_json_schema.ts); the code generator is",
  "scripts/_config_check_gen.ts. isValidConfig(v) answers as matchesSchema(CONFIG_JSON_SCHEMA, v)",
  "(_json_schema_check.ts): true only when zod accepts the config too. parseConfig uses it to skip",
  "loading zod; tests/gate/config_schema_test.ts fails when this file is out of date.",
];

/** The text of src/gate/_config_check.ts for the config's JSON Schema. */
export function configCheckSource(schema: JsonSchema): string {
  return schemaCheckSource(schema, { name: "isValidConfig", header: CONFIG_CHECK_HEADER });
}
