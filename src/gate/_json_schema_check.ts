/**
 * A small, conservative JSON Schema check for the keywords `z.toJSONSchema`
 * writes for the config schema. `true` means the zod schema accepts the
 * value too; `false` means "not sure" (a failure, or a keyword this check
 * does not know), and the caller then asks zod, which also explains what is
 * wrong. It never has to explain anything, so it stays tiny and fast.
 *
 * parseConfig does not load it: it runs `_config_check.ts`, this check
 * specialised to the config's JSON Schema and generated as code by
 * `scripts/_config_check_gen.ts`. This file is the reference the tests hold
 * that generated code to (and the generator evaluates `const`/`enum` with it).
 *
 * Each schema is compiled once into a tree of closures (no keyword lookups
 * while checking): a 10,000-test config is checked in a few milliseconds.
 *
 * @module
 */

/** The JSON Schema shapes this check reads. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

type Check = (v: unknown) => boolean;

/** The keywords this check (and the generated config check) understand; any other fails. */
export const KNOWN_KEYWORDS: ReadonlySet<string> = new Set([
  "$schema",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "minItems",
  "minLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "enum",
  "const",
  "anyOf",
  "oneOf",
]);

const yes: Check = () => true;
const no: Check = () => false;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function typeCheck(type: unknown): Check {
  switch (type) {
    case "string":
      return (v) => typeof v === "string";
    case "number":
      return (v) => typeof v === "number" && Number.isFinite(v);
    case "integer":
      return (v) => typeof v === "number" && Number.isSafeInteger(v);
    case "boolean":
      return (v) => typeof v === "boolean";
    case "null":
      return (v) => v === null;
    case "array":
      return Array.isArray;
    case "object":
      return isPlainObject;
    default:
      return no;
  }
}

/** Every check must pass. */
function all(checks: Check[]): Check {
  if (checks.length === 0) return yes;
  if (checks.length === 1) return checks[0];
  return (v) => {
    for (let i = 0; i < checks.length; i++) if (!checks[i](v)) return false;
    return true;
  };
}

const compiled = new WeakMap<object, Check>();

/** Compile `schema` into one check (cached per schema object). */
function compile(schema: JsonSchema): Check {
  if (schema === true) return yes;
  if (schema === false) return no;
  const cached = compiled.get(schema);
  if (cached) return cached;
  for (const k in schema) if (!KNOWN_KEYWORDS.has(k)) return no;
  const s = schema as Record<string, unknown>;
  const checks: Check[] = [];

  if (s.type !== undefined) {
    const types = (Array.isArray(s.type) ? s.type : [s.type]).map(typeCheck);
    checks.push(types.length === 1 ? types[0] : (v) => types.some((t) => t(v)));
  }
  if (s.const !== undefined) {
    const c = s.const;
    checks.push((v) => v === c);
  }
  if (s.enum !== undefined) {
    const values = s.enum as unknown[];
    checks.push((v) => values.includes(v));
  }
  const bounds: [unknown, (v: number, b: number) => boolean][] = [
    [s.minimum, (v, b) => v >= b],
    [s.maximum, (v, b) => v <= b],
    [s.exclusiveMinimum, (v, b) => v > b],
    [s.exclusiveMaximum, (v, b) => v < b],
  ];
  for (const [bound, ok] of bounds) {
    if (typeof bound === "number") {
      checks.push((v) => typeof v !== "number" || (Number.isFinite(v) && ok(v, bound)));
    }
  }
  // Any number anywhere must be finite (zod refuses NaN and Infinity).
  checks.push((v) => typeof v !== "number" || Number.isFinite(v));
  if (typeof s.minLength === "number") {
    const min = s.minLength;
    checks.push((v) => typeof v !== "string" || v.length >= min);
  }
  if (typeof s.minItems === "number") {
    const min = s.minItems;
    checks.push((v) => !Array.isArray(v) || v.length >= min);
  }
  if (s.items !== undefined) {
    const item = compile(s.items as JsonSchema);
    checks.push((v) => {
      if (!Array.isArray(v)) return true;
      for (let i = 0; i < v.length; i++) if (!item(v[i])) return false;
      return true;
    });
  }
  const objectKeywords = s.properties !== undefined || s.required !== undefined ||
    s.additionalProperties !== undefined || s.propertyNames !== undefined;
  if (objectKeywords) {
    const props = new Map<string, Check>();
    for (const [k, sub] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) {
      props.set(k, compile(sub));
    }
    const extra = s.additionalProperties === undefined
      ? yes
      : compile(s.additionalProperties as JsonSchema);
    const required = (s.required ?? []) as string[];
    const names = s.propertyNames === undefined ? yes : compile(s.propertyNames as JsonSchema);
    checks.push((v) => {
      if (!isPlainObject(v)) return true;
      for (let i = 0; i < required.length; i++) if (!Object.hasOwn(v, required[i])) return false;
      for (const key in v) {
        if (!Object.hasOwn(v, key)) continue;
        const value = v[key];
        if (value === undefined) return false;
        const check = props.get(key) ?? extra;
        if (!check(value) || !names(key)) return false;
      }
      return true;
    });
  }
  if (s.anyOf !== undefined) {
    const branches = (s.anyOf as JsonSchema[]).map(compile);
    checks.push((v) => branches.some((b) => b(v)));
  }
  if (s.oneOf !== undefined) checks.push(oneOf(s.oneOf as JsonSchema[]));

  const check = all(checks);
  compiled.set(schema, check);
  return check;
}

/**
 * `oneOf`. When every branch fixes `type` with a `const` (a discriminated
 * union), only the branch named by the value's `type` can match.
 */
function oneOf(branches: JsonSchema[]): Check {
  const compiledBranches = branches.map(compile);
  const byType = new Map<unknown, Check>();
  for (let i = 0; i < branches.length; i++) {
    const b = branches[i];
    const c = typeof b === "object"
      ? (b.properties as Record<string, { const?: unknown }> | undefined)?.type?.const
      : undefined;
    if (c === undefined || byType.has(c)) {
      byType.clear();
      break;
    }
    byType.set(c, compiledBranches[i]);
  }
  const exactlyOne: Check = (v) => {
    let n = 0;
    for (const b of compiledBranches) if (b(v)) n++;
    return n === 1;
  };
  if (byType.size === 0) return exactlyOne;
  // Branches that all demand an object cannot match anything else: no need to try each.
  const objectsOnly = branches.every((b) => typeof b === "object" && b.type === "object");
  return (v) => {
    if (!isPlainObject(v)) return objectsOnly ? false : exactlyOne(v);
    const b = byType.get(v.type);
    return b !== undefined && b(v);
  };
}

/** Does `value` certainly satisfy `schema`? */
export function matchesSchema(schema: JsonSchema, value: unknown): boolean {
  return compile(schema)(value);
}
