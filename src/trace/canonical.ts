/**
 * Canonical JSON: the byte-exact serialisation of trace events.
 *
 * Keys are sorted by Unicode code point at every depth (as Python's
 * `json.dumps(sort_keys=True)` does), there is no whitespace, and non-ASCII
 * text is written raw. Values that JSON cannot represent are errors naming
 * the field path, never silently dropped.
 *
 * @module
 */
import { AssayError } from "../errors.ts";

/**
 * Compare two strings by Unicode code point (not UTF-16 code unit, which is
 * what `<` and the default `sort()` compare: they disagree for characters
 * outside the Basic Multilingual Plane against U+E000..U+FFFF).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) return fixup(x) - fixup(y);
      return x - y;
    }
  }
  return a.length - b.length;
}

// Moves surrogates (D800-DFFF) above E000-FFFF so UTF-16 order becomes code point order.
function fixup(c: number): number {
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}

function sortKeys(keys: string[]): string[] {
  // Plain sort is already code point order unless two keys differ at a
  // surrogate vs. U+E000..U+FFFF; compareCodePoints handles every case.
  return keys.length < 2 ? keys : keys.sort(compareCodePoints);
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** Render a field path such as `meta["gen_ai.usage"].tokens[2]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (IDENT.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === "" ? "(root)" : out;
}

function fail(path: (string | number)[], what: string): never {
  throw new AssayError(
    "E_SERIALIZE",
    `cannot write ${what} at ${formatPath(path)}: JSON has no such value`,
    { hint: "convert it to a string, a number or null before recording" },
  );
}

/**
 * Serialise a value as canonical JSON.
 *
 * Throws an `AssayError` with code `E_SERIALIZE` naming the field path for
 * `NaN`, `Infinity`, `undefined`, functions, symbols, BigInt, `Map`/`Set`
 * and cycles.
 *
 * @example
 * ```ts
 * import { canonicalJson } from "@assay-it/sdk";
 * canonicalJson({ b: 1, a: { "9": true, "10": "é" } }); // '{"a":{"10":"é","9":true},"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  let copy: unknown;
  try {
    copy = sortedCopy(value, 0);
  } catch (err) {
    if (err !== SLOW) throw err;
    // Anything unusual (toJSON, bad values, cycles, deep nesting, keys the
    // engine would reorder) takes the careful path, which also names the
    // field path in its errors.
    const parts: string[] = [];
    write(value, parts, [], new Set());
    return parts.join("");
  }
  // The native serialiser keeps the copy's key order and returns one flat
  // string: several times faster than building the text piece by piece.
  return JSON.stringify(copy);
}

const SLOW: object = Object.freeze({});
const HIGH = /[\uD800-\uFFFF]/;
// Cycles show up as depth; real data this deep goes the careful way too.
const MAX_FAST_DEPTH = 100;

// The hot path for plain JSON data (every trace event): a copy whose keys
// are inserted in canonical order. It bails out with SLOW on anything
// `JSON.stringify` would not write exactly as `write` does, so both paths
// always give the same bytes.
function sortedCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw SLOW;
      return value;
    case "object":
      break;
    default:
      throw SLOW;
  }
  if (value === null) return null;
  if (depth > MAX_FAST_DEPTH) throw SLOW;
  if (Array.isArray(value)) {
    const n = value.length;
    const copy = new Array(n);
    for (let i = 0; i < n; i++) copy[i] = sortedCopy(value[i], depth + 1);
    return copy;
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.toJSON === "function" || obj instanceof Map || obj instanceof Set) throw SLOW;
  const keys = Object.keys(obj);
  const n = keys.length;
  let high = false;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    const c = key.charCodeAt(0);
    // Engines list integer-like keys first, whatever the insertion order,
    // and assigning "__proto__" would set the prototype instead.
    if ((c >= 48 && c <= 57) || key === "__proto__") throw SLOW;
    if (!high && HIGH.test(key)) high = true;
  }
  // Code unit order equals code point order unless a key holds a surrogate
  // or a character from U+E000..U+FFFF.
  if (n > 1) {
    if (high) keys.sort(compareCodePoints);
    else if (n <= 16) insertionSort(keys);
    else keys.sort();
  }
  const copy: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    copy[key] = sortedCopy(obj[key], depth + 1);
  }
  return copy;
}

// Code unit order, like `keys.sort()`, for the few keys of an event object:
// several times faster than the built-in sort there, and one pass for keys
// that are already in order.
function insertionSort(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    if (!(key < keys[j])) continue;
    do {
      keys[j + 1] = keys[j];
      j--;
    } while (j >= 0 && key < keys[j]);
    keys[j + 1] = key;
  }
}

function write(
  value: unknown,
  out: string[],
  path: (string | number)[],
  seen: Set<object>,
): void {
  switch (typeof value) {
    case "string":
      out.push(JSON.stringify(value));
      return;
    case "number":
      if (!Number.isFinite(value)) fail(path, String(value));
      out.push(String(value)); // String(-0) is "0", as JSON wants
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "undefined":
      fail(path, "undefined");
      break;
    case "bigint":
      fail(path, `a BigInt (${value}n)`);
      break;
    case "function":
      fail(path, "a function");
      break;
    case "symbol":
      fail(path, "a symbol");
      break;
  }
  if (value === null) {
    out.push("null");
    return;
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.toJSON === "function") {
    write(obj.toJSON(), out, path, seen);
    return;
  }
  if (seen.has(obj)) fail(path, "a circular reference");
  if (obj instanceof Map || obj instanceof Set) fail(path, `a ${obj.constructor.name}`);
  seen.add(obj);
  if (Array.isArray(obj)) {
    out.push("[");
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) out.push(",");
      path.push(i);
      write(obj[i], out, path, seen);
      path.pop();
    }
    out.push("]");
  } else {
    out.push("{");
    const keys = sortKeys(Object.keys(obj));
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (i > 0) out.push(",");
      out.push(JSON.stringify(key), ":");
      path.push(key);
      write(obj[key], out, path, seen);
      path.pop();
    }
    out.push("}");
  }
  seen.delete(obj);
}
