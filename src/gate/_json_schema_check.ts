/**
 * A small, conservative JSON Schema check for the keywords `z.toJSONSchema`
 * writes for the config schema. `true` means the zod schema accepts the
 * value too; `false` means "not sure" (a failure, or a keyword this check
 * does not know), and the caller then asks zod, which also explains what is
 * wrong. It never has to explain anything, so it stays tiny and fast.
 *
 * @module
 */

/** The JSON Schema shapes this check reads. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

const KNOWN = new Set([
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

function typeOk(type: unknown, v: unknown): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "integer":
      return typeof v === "number" && Number.isSafeInteger(v);
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    case "array":
      return Array.isArray(v);
    case "object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
    default:
      return false;
  }
}

/** Schemas whose keywords were all found known (checked once each). */
const known = new WeakSet<object>();
/** `oneOf` lists whose branches each fix `type` with a `const`: branch by that value. */
const byDiscriminator = new WeakMap<object, Map<unknown, JsonSchema> | null>();

function discriminated(branches: JsonSchema[]): Map<unknown, JsonSchema> | null {
  let map = byDiscriminator.get(branches);
  if (map === undefined) {
    map = new Map();
    for (const b of branches) {
      const c = typeof b === "object"
        ? ((b.properties as Record<string, { const?: unknown }> | undefined)?.type?.const)
        : undefined;
      if (c === undefined || map.has(c)) {
        map = null;
        break;
      }
      map.set(c, b);
    }
    byDiscriminator.set(branches, map);
  }
  return map;
}

/** Does `value` certainly satisfy `schema`? */
export function matchesSchema(schema: JsonSchema, value: unknown): boolean {
  if (schema === true) return true;
  if (schema === false) return false;
  if (!known.has(schema)) {
    for (const k in schema) if (!KNOWN.has(k)) return false;
    known.add(schema);
  }
  const s = schema as Record<string, unknown>;
  if (s.type !== undefined) {
    if (Array.isArray(s.type) ? !s.type.some((t) => typeOk(t, value)) : !typeOk(s.type, value)) {
      return false;
    }
  }
  if (s.const !== undefined && value !== s.const) return false;
  if (s.enum !== undefined && !(s.enum as unknown[]).includes(value)) return false;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return false;
    if (typeof s.minimum === "number" && !(value >= s.minimum)) return false;
    if (typeof s.maximum === "number" && !(value <= s.maximum)) return false;
    if (typeof s.exclusiveMinimum === "number" && !(value > s.exclusiveMinimum)) return false;
    if (typeof s.exclusiveMaximum === "number" && !(value < s.exclusiveMaximum)) return false;
  }
  if (typeof value === "string" && typeof s.minLength === "number") {
    if (value.length < s.minLength) return false;
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems) return false;
    if (s.items !== undefined) {
      for (const item of value) if (!matchesSchema(s.items as JsonSchema, item)) return false;
    }
  } else if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, JsonSchema>;
    if (s.required !== undefined) {
      for (const r of s.required as string[]) if (!Object.hasOwn(obj, r)) return false;
    }
    for (const key of Object.keys(obj)) {
      const sub = Object.hasOwn(props, key)
        ? props[key]
        : (s.additionalProperties as JsonSchema | undefined) ?? true;
      if (obj[key] === undefined || !matchesSchema(sub, obj[key])) return false;
    }
    if (s.propertyNames !== undefined) {
      for (const key of Object.keys(obj)) {
        if (!matchesSchema(s.propertyNames as JsonSchema, key)) return false;
      }
    }
  }
  if (s.anyOf !== undefined && !(s.anyOf as JsonSchema[]).some((b) => matchesSchema(b, value))) {
    return false;
  }
  if (s.oneOf !== undefined) {
    const branches = s.oneOf as JsonSchema[];
    const map = value !== null && typeof value === "object" && !Array.isArray(value)
      ? discriminated(branches)
      : null;
    if (map) {
      // Each branch requires its own `type` value, so at most this one can match.
      const b = map.get((value as Record<string, unknown>).type);
      return b !== undefined && matchesSchema(b, value);
    }
    let n = 0;
    for (const b of s.oneOf as JsonSchema[]) if (matchesSchema(b, value)) n++;
    if (n !== 1) return false;
  }
  return true;
}
