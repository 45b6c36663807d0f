/**
 * A small JSON Schema validator for the `json_schema` and `args_valid`
 * expectations. Draft 2020-12, and draft-07 style schemas (`definitions`,
 * `items` as a list, `additionalItems`, `dependencies`, draft-04's boolean
 * `exclusiveMinimum`/`exclusiveMaximum`).
 *
 * A gate must never silently pass, so the schema is checked when it is
 * compiled: a keyword this validator does not implement but that would
 * constrain the value (`unevaluatedProperties`, `$dynamicRef`,
 * `contentSchema`, ...), a `$ref` it cannot resolve, a keyword that would
 * have no effect (`then` without `if`), an invalid keyword value or an
 * invalid pattern throws a {@linkcode JsonSchemaError}. Keywords outside
 * the vocabulary (`title`, `description`, `x-...`) are annotations, and so
 * is `format`.
 *
 * The schema is compiled once (references resolved, patterns compiled) into
 * closures; validating first runs a fast pass that stops at the first
 * problem, and only a failing value is walked again to collect the issues.
 *
 * Web standards only (no runtime globals).
 *
 * @module
 */
import { quote } from "../errors.ts";
import { compilePattern } from "../_regex.ts";

/** One reason a value does not match: where (keys and indices) and what. */
export interface JsonSchemaIssue {
  path: (string | number)[];
  message: string;
}

/** What {@linkcode JsonSchemaValidator.safeParse} returns. */
export type JsonSchemaResult =
  | { success: true }
  | { success: false; error: { issues: JsonSchemaIssue[] } };

/** A compiled schema. */
export interface JsonSchemaValidator {
  /** Validate a JSON value; on failure, every issue found. */
  safeParse(value: unknown): JsonSchemaResult;
  /** Whether a JSON value is valid (stops at the first problem). */
  isValid(value: unknown): boolean;
}

/** One problem of a schema, at a JSON pointer (`#/properties/a`) into it. */
export interface JsonSchemaProblem {
  pointer: string;
  message: string;
}

/** A schema that cannot be used; `problems` lists every problem found. */
export class JsonSchemaError extends Error {
  readonly problems: readonly JsonSchemaProblem[];
  constructor(problems: JsonSchemaProblem[]) {
    const shown = problems.slice(0, 5).map((p) => `${p.pointer}: ${p.message}`);
    if (problems.length > 5) shown.push(`and ${problems.length - 5} more`);
    super(shown.join("; "));
    this.name = "JsonSchemaError";
    this.problems = problems;
  }
}

/**
 * How deep validation may nest (schema applications along one path through
 * the value). Deeper values fail with a clear issue instead of overflowing
 * the stack.
 */
export const MAX_DEPTH = 1000;

/**
 * Compile a JSON Schema (an object or a boolean). Throws
 * {@linkcode JsonSchemaError} when the schema cannot be used.
 *
 * @example
 * ```ts
 * const v = compileJsonSchema({ type: "object", required: ["answer"] });
 * v.safeParse({}); // { success: false, error: { issues: [{ path: [], message: 'missing required property "answer"' }] } }
 * ```
 */
export function compileJsonSchema(schema: unknown): JsonSchemaValidator {
  const c = new Compiler(schema);
  const root = c.node(schema, "#");
  c.findLoops();
  if (c.problems.length) throw new JsonSchemaError(c.problems);
  const fn = root.fn;
  return {
    isValid(value) {
      try {
        return fn(value, 0, null, null);
      } catch (err) {
        if (err instanceof RangeError) return false;
        throw err;
      }
    },
    safeParse(value) {
      const issues: JsonSchemaIssue[] = [];
      try {
        if (fn(value, 0, null, null)) return OK;
        fn(value, 0, null, issues);
      } catch (err) {
        if (!(err instanceof RangeError)) throw err;
        issues.push({ path: [], message: TOO_DEEP });
      }
      if (issues.length === 0) issues.push({ path: [], message: "does not match the schema" });
      return { success: false, error: { issues } };
    },
  };
}

const OK: JsonSchemaResult = Object.freeze({ success: true }) as JsonSchemaResult;
const TOO_DEEP =
  `the value is nested too deeply to validate (more than ${MAX_DEPTH} levels of schema)`;

// ---------------------------------------------------------------------------
// Compiled form

/** A location in the value, built only while collecting issues. */
type Path = { readonly up: Path; readonly key: string | number } | null;
/** Where issues go; `null` in the fast pass, which stops at the first problem. */
type Out = JsonSchemaIssue[] | null;
/** A compiled check: `d` is the nesting depth. */
type Check = (v: unknown, d: number, p: Path, out: Out) => boolean;

interface Node {
  pointer: string;
  fn: Check;
  /** Schemas applied to the same value (for finding loops that never descend). */
  inPlace: Node[];
}

const pass: Check = () => true;

function pathOf(p: Path): (string | number)[] {
  const a: (string | number)[] = [];
  for (let q = p; q; q = q.up) a.push(q.key);
  return a.reverse();
}

function fail(out: Out, p: Path, message: string): false {
  if (out) out.push({ path: pathOf(p), message });
  return false;
}

// Reported at the root: the path itself would be a thousand keys long.
function tooDeep(out: Out): false {
  return fail(out, null, TOO_DEEP);
}

const TRUE_NODE: Node = { pointer: "#", fn: pass, inPlace: [] };
const FALSE_NODE: Node = {
  pointer: "#",
  fn: (_v, _d, p, out) => fail(out, p, "no value is allowed here (the schema is false)"),
  inPlace: [],
};

// Instance types as bits.
const NULL = 1, BOOLEAN = 2, OBJECT = 4, ARRAY = 8, NUMBER = 16, INTEGER = 32, STRING = 64;
const TYPE_BITS: Record<string, number> = {
  null: NULL,
  boolean: BOOLEAN,
  object: OBJECT,
  array: ARRAY,
  number: NUMBER,
  integer: INTEGER,
  string: STRING,
};
const TYPE_NAMES: Record<string, string> = {
  null: "null",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
  number: "a number",
  integer: "an integer",
  string: "a string",
};

function typeMatches(mask: number, v: unknown): boolean {
  switch (typeof v) {
    case "string":
      return (mask & STRING) !== 0;
    case "number":
      return (mask & NUMBER) !== 0 || ((mask & INTEGER) !== 0 && Number.isInteger(v));
    case "boolean":
      return (mask & BOOLEAN) !== 0;
    case "object":
      if (v === null) return (mask & NULL) !== 0;
      return (mask & (Array.isArray(v) ? ARRAY : OBJECT)) !== 0;
    default:
      return false;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** How a value reads in a message: `the string "x"`, `the number 5`, `an array`. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? "" : "s"}`;
  switch (typeof v) {
    case "string":
      return `the string ${quote(v, 60)}`;
    case "number":
      return `the number ${v}`;
    case "boolean":
      return `the boolean ${v}`;
    case "object":
      return "an object";
    case "undefined":
      return "no value (undefined)";
    default:
      return `a ${typeof v}`;
  }
}

function orList(items: string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** JSON equality: arrays in order, objects by keys regardless of order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const aa = Array.isArray(a);
  if (aa !== Array.isArray(b)) return false;
  if (aa) {
    const x = a as unknown[], y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const k of keys) if (!Object.hasOwn(y, k) || !deepEqual(x[k], y[k])) return false;
  return true;
}

/** A string equal for equal JSON values (object keys sorted). */
function canonical(v: unknown): string {
  if (v === null || typeof v !== "object") {
    return typeof v === "number" ? String(v) : typeof v === "undefined" ? "u" : JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${
    Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")
  }}`;
}

/** Digits after the decimal point of a number's shortest form. */
function decimals(n: number): number {
  const s = String(Math.abs(n));
  const e = s.indexOf("e");
  const mantissa = e < 0 ? s : s.slice(0, e);
  const dot = mantissa.indexOf(".");
  const digits = dot < 0 ? 0 : mantissa.length - dot - 1;
  return Math.max(0, digits - (e < 0 ? 0 : Number(s.slice(e + 1))));
}

/**
 * Whether `x` is a multiple of `m`, with decimal numbers taken as written
 * (0.3 is a multiple of 0.1, which binary division alone would deny).
 */
function isMultipleOf(x: number, m: number): boolean {
  if (Number.isInteger(x) && Number.isInteger(m)) return x % m === 0;
  const k = Math.max(decimals(x), decimals(m));
  if (k <= 20) {
    const f = 10 ** k;
    const sx = Math.round(x * f), sm = Math.round(m * f);
    if (Number.isSafeInteger(sx) && Number.isSafeInteger(sm) && sm !== 0) return sx % sm === 0;
  }
  const q = x / m;
  return Number.isFinite(q) && Number.isInteger(q);
}

/** The first issue of a branch, its path shown relative to the branch's value. */
function firstIssue(issues: JsonSchemaIssue[], base: number): string {
  if (issues.length === 0) return "does not match";
  const i = issues[0];
  const rel = i.path.slice(base);
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return `${rel.length ? `${rel.join(".")}: ` : ""}${i.message}${more}`;
}

function branchSummary(
  kw: string,
  nodes: Node[],
  v: unknown,
  d: number,
  p: Path,
): string {
  const base = pathOf(p).length;
  const parts = nodes.slice(0, 3).map((n, i) => {
    const tmp: JsonSchemaIssue[] = [];
    n.fn(v, d + 1, p, tmp);
    return `${kw}[${i}]: ${firstIssue(tmp, base)}`;
  });
  if (nodes.length > 3) parts.push(`${nodes.length - 3} more`);
  return parts.join("; ");
}

// ---------------------------------------------------------------------------
// Compiling

// Vocabulary keywords this validator does not implement: each would
// constrain the value (or change what a $ref means), so using one is an error.
const UNSUPPORTED: Record<string, string> = {
  unevaluatedProperties:
    "list the allowed properties in properties/patternProperties and use additionalProperties instead",
  unevaluatedItems: "use items (after prefixItems) instead",
  $dynamicRef: "use $ref to a JSON pointer such as #/$defs/name",
  $dynamicAnchor: "use $ref to a JSON pointer such as #/$defs/name",
  $recursiveRef: "use $ref to a JSON pointer such as #/$defs/name",
  $recursiveAnchor: "use $ref to a JSON pointer such as #/$defs/name",
  $anchor: "refer to the schema with a JSON pointer such as #/$defs/name",
  contentSchema: "content keywords are not checked: check the decoded content with its own schema",
  contentMediaType:
    "content keywords are not checked: check the decoded content with its own schema",
  contentEncoding: "content keywords are not checked: use pattern for the encoded form",
  disallow: "a draft-03 keyword: use not",
  extends: "a draft-03 keyword: use allOf",
  divisibleBy: "a draft-03 keyword: use multipleOf",
};

const DRAFT_03 = /^https?:\/\/json-schema\.org\/draft-03\//;

function escapeToken(key: string | number): string {
  return String(key).replace(/~/g, "~0").replace(/\//g, "~1");
}

class Compiler {
  readonly problems: JsonSchemaProblem[] = [];
  private readonly memo = new Map<object, Node>();
  private readonly all: Node[] = [];
  private readonly rootId: string | undefined;

  constructor(private readonly root: unknown) {
    if (isObject(root) && typeof root.$id === "string") {
      this.rootId = root.$id.replace(/#$/, "");
    }
  }

  problem(pointer: string, message: string): void {
    this.problems.push({ pointer, message });
  }

  /** The compiled node of a schema (memoised by identity, so cycles end). */
  node(schema: unknown, ptr: string): Node {
    if (schema === true) return TRUE_NODE;
    if (schema === false) return FALSE_NODE;
    if (!isObject(schema)) {
      this.problem(ptr, `a schema must be an object or a boolean, got ${describeValue(schema)}`);
      return TRUE_NODE;
    }
    const known = this.memo.get(schema);
    if (known) return known;
    const node: Node = { pointer: ptr, fn: pass, inPlace: [] };
    this.memo.set(schema, node);
    this.all.push(node);
    node.fn = this.compile(schema, ptr, node);
    return node;
  }

  /** Loops of schemas applied to the same value would never end: an error. */
  findLoops(): void {
    const state = new Map<Node, 1 | 2>();
    const stack: Node[] = [];
    const visit = (n: Node): boolean => {
      state.set(n, 1);
      stack.push(n);
      for (const m of n.inPlace) {
        const s = state.get(m);
        if (s === 1) {
          const loop = stack.slice(stack.indexOf(m)).map((x) => x.pointer);
          this.problem(
            m.pointer,
            `the schema refers back to itself without descending into the value (${
              [...loop, m.pointer].join(" -> ")
            }): validation would never end`,
          );
          return true;
        }
        if (s === undefined && visit(m)) return true;
      }
      stack.pop();
      state.set(n, 2);
      return false;
    };
    for (const n of this.all) if (!state.has(n) && visit(n)) return;
  }

  private resolve(ref: string, at: string): Node {
    let r = ref;
    if (
      this.rootId && r.startsWith(this.rootId) && (r.length === this.rootId.length ||
        r[this.rootId.length] === "#")
    ) {
      r = r.slice(this.rootId.length) || "#";
    }
    if (!r.startsWith("#")) {
      this.problem(
        at,
        `cannot resolve $ref ${
          quote(ref)
        }: only references inside this schema ("#", "#/$defs/name") are supported`,
      );
      return TRUE_NODE;
    }
    let fragment: string;
    try {
      fragment = decodeURIComponent(r.slice(1));
    } catch {
      this.problem(at, `cannot resolve $ref ${quote(ref)}: invalid percent-encoding`);
      return TRUE_NODE;
    }
    if (fragment !== "" && !fragment.startsWith("/")) {
      this.problem(
        at,
        `cannot resolve $ref ${
          quote(ref)
        }: anchors are not supported, use a JSON pointer such as "#/$defs/name"`,
      );
      return TRUE_NODE;
    }
    let target: unknown = this.root;
    let ptr = "#";
    if (fragment !== "") {
      for (const raw of fragment.slice(1).split("/")) {
        const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
        if (Array.isArray(target) && /^(?:0|[1-9][0-9]*)$/.test(token)) {
          target = Number(token) < target.length ? target[Number(token)] : undefined;
        } else if (isObject(target) && Object.hasOwn(target, token)) {
          target = target[token];
        } else target = undefined;
        if (target === undefined) {
          this.problem(
            at,
            `cannot resolve $ref ${quote(ref)}: the schema has nothing at ${ptr}/${
              escapeToken(token)
            }`,
          );
          return TRUE_NODE;
        }
        ptr += `/${escapeToken(token)}`;
      }
    }
    return this.node(target, ptr);
  }

  private compile(s: Record<string, unknown>, ptr: string, self: Node): Check {
    const at = (k: string) => `${ptr}/${escapeToken(k)}`;
    const sub = (k: string, v: unknown) => this.node(v, at(k));
    const nonNegInt = (k: string): number | undefined => {
      const v = s[k];
      if (v === undefined) return undefined;
      if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
      this.problem(at(k), `${k} must be a non-negative integer, got ${describeValue(v)}`);
      return undefined;
    };
    const num = (k: string): number | undefined => {
      const v = s[k];
      // Booleans are draft-04's exclusiveMinimum/exclusiveMaximum, read by `bound`.
      if (v === undefined || (typeof v === "boolean" && k.startsWith("exclusive"))) {
        return undefined;
      }
      if (typeof v === "number" && Number.isFinite(v)) return v;
      this.problem(at(k), `${k} must be a number, got ${describeValue(v)}`);
      return undefined;
    };
    const schemaList = (k: string): Node[] | undefined => {
      const v = s[k];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.length === 0) {
        this.problem(at(k), `${k} must be a non-empty list of schemas, got ${describeValue(v)}`);
        return undefined;
      }
      return v.map((x, i) => this.node(x, `${at(k)}/${i}`));
    };
    const schemaMap = (k: string): [string, Node][] | undefined => {
      const v = s[k];
      if (v === undefined) return undefined;
      if (!isObject(v)) {
        this.problem(at(k), `${k} must be an object of schemas, got ${describeValue(v)}`);
        return undefined;
      }
      return Object.keys(v).map((
        name,
      ) => [name, this.node(v[name], `${at(k)}/${escapeToken(name)}`)]);
    };
    const nameList = (k: string, v: unknown): string[] | undefined => {
      if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
      this.problem(k, `must be a list of property names, got ${describeValue(v)}`);
      return undefined;
    };
    const regex = (k: string, pattern: string): RegExp | undefined => {
      try {
        return compilePattern(pattern);
      } catch (err) {
        this.problem(k, `invalid pattern ${quote(pattern)}: ${(err as Error).message}`);
        return undefined;
      }
    };

    // Keywords this validator refuses, and $id/$schema.
    for (const k of Object.keys(s)) {
      if (Object.hasOwn(UNSUPPORTED, k)) {
        this.problem(at(k), `${k} is not supported (${UNSUPPORTED[k]})`);
      }
    }
    if (s.$id !== undefined) {
      if (ptr !== "#") {
        this.problem(at("$id"), "$id is supported only at the root of the schema");
      } else if (typeof s.$id !== "string") {
        this.problem(at("$id"), `$id must be a string, got ${describeValue(s.$id)}`);
      }
    }
    if (s.$schema !== undefined) {
      if (typeof s.$schema !== "string") {
        this.problem(at("$schema"), `$schema must be a string, got ${describeValue(s.$schema)}`);
      } else if (DRAFT_03.test(s.$schema)) {
        this.problem(at("$schema"), "draft-03 schemas are not supported (draft-04 and later are)");
      }
    }
    if (s.format !== undefined && typeof s.format !== "string") {
      this.problem(at("format"), `format must be a string, got ${describeValue(s.format)}`);
    }
    for (const k of ["$defs", "definitions"]) schemaMap(k);

    const any: Check[] = [];
    const nums: Check[] = [];
    const strs: Check[] = [];
    const arrs: Check[] = [];
    const objs: Check[] = [];

    // --- any type
    let typeMask = 0;
    let typeMessage = "";
    if (s.type !== undefined) {
      const list = typeof s.type === "string" ? [s.type] : s.type;
      if (
        !Array.isArray(list) || list.length === 0 ||
        !list.every((t) => typeof t === "string" && Object.hasOwn(TYPE_BITS, t))
      ) {
        this.problem(
          at("type"),
          `type must be one of ${
            Object.keys(TYPE_BITS).join(", ")
          } or a non-empty list of them, got ${quote(s.type, 60)}`,
        );
      } else {
        for (const t of list as string[]) typeMask |= TYPE_BITS[t];
        typeMessage = `expected ${orList((list as string[]).map((t) => TYPE_NAMES[t]))}, got `;
      }
    }

    if (s.enum !== undefined) {
      if (!Array.isArray(s.enum) || s.enum.length === 0) {
        this.problem(at("enum"), `enum must be a non-empty list, got ${describeValue(s.enum)}`);
      } else {
        const values = s.enum;
        const prims = new Set<unknown>();
        const composite: unknown[] = [];
        for (const v of values) {
          if (v !== null && typeof v === "object") composite.push(v);
          else prims.add(v);
        }
        const shown = values.length === 1
          ? `must be ${quote(values[0], 60)}`
          : `must be one of ${values.slice(0, 8).map((v) => quote(v, 40)).join(", ")}${
            values.length > 8 ? `, ... (${values.length} values)` : ""
          }`;
        any.push((v, _d, p, out) =>
          (v !== null && typeof v === "object"
            ? composite.some((c) => deepEqual(c, v))
            : prims.has(v)) || fail(out, p, `${shown}, got ${quote(v, 60)}`)
        );
      }
    }
    if (Object.hasOwn(s, "const")) {
      const c = s.const;
      any.push((v, _d, p, out) =>
        deepEqual(c, v) || fail(out, p, `must be ${quote(c, 60)}, got ${quote(v, 60)}`)
      );
    }

    // --- numbers
    if (s.multipleOf !== undefined) {
      const m = s.multipleOf;
      if (typeof m !== "number" || !(m > 0) || !Number.isFinite(m)) {
        this.problem(at("multipleOf"), `multipleOf must be a number > 0, got ${describeValue(m)}`);
      } else {
        nums.push((v, _d, p, out) =>
          isMultipleOf(v as number, m) || fail(out, p, `must be a multiple of ${m}, got ${v}`)
        );
      }
    }
    const bound = (
      k: "minimum" | "maximum",
      ek: "exclusiveMinimum" | "exclusiveMaximum",
      below: boolean,
    ) => {
      const limit = num(k);
      const ex = s[ek];
      const exLimit = num(ek);
      if (typeof ex === "boolean" && ex && limit === undefined) {
        this.problem(at(ek), `${ek}: true (draft-04) needs ${k} next to it`);
      }
      const strict = ex === true;
      if (limit !== undefined) {
        const op = below ? (strict ? ">" : ">=") : (strict ? "<" : "<=");
        nums.push((v, _d, p, out) => {
          const x = v as number;
          const ok = below ? (strict ? x > limit : x >= limit) : (strict ? x < limit : x <= limit);
          return ok || fail(out, p, `must be ${op} ${limit}, got ${x}`);
        });
      }
      if (exLimit !== undefined) {
        const op = below ? ">" : "<";
        nums.push((v, _d, p, out) => {
          const x = v as number;
          return (below ? x > exLimit : x < exLimit) ||
            fail(out, p, `must be ${op} ${exLimit}, got ${x}`);
        });
      }
    };
    bound("minimum", "exclusiveMinimum", true);
    bound("maximum", "exclusiveMaximum", false);

    // --- strings
    const minLength = nonNegInt("minLength");
    const maxLength = nonNegInt("maxLength");
    if (minLength !== undefined || maxLength !== undefined) {
      strs.push((v, _d, p, out) => {
        const str = v as string;
        const len = str.length;
        // A string has at most `len` and at least `len / 2` code points.
        if (
          minLength !== undefined &&
          (len < minLength || (len < 2 * minLength && codePoints(str) < minLength))
        ) {
          const n = codePoints(str);
          return fail(
            out,
            p,
            `must be at least ${minLength} character${minLength === 1 ? "" : "s"} long, got ${n}`,
          );
        }
        if (maxLength !== undefined && len > maxLength && codePoints(str) > maxLength) {
          const n = codePoints(str);
          return fail(
            out,
            p,
            `must be at most ${maxLength} character${maxLength === 1 ? "" : "s"} long, got ${n}`,
          );
        }
        return true;
      });
    }
    if (s.pattern !== undefined) {
      if (typeof s.pattern !== "string") {
        this.problem(at("pattern"), `pattern must be a string, got ${describeValue(s.pattern)}`);
      } else {
        const source = s.pattern;
        const re = regex(at("pattern"), source);
        if (re) {
          strs.push((v, _d, p, out) =>
            re.test(v as string) ||
            fail(out, p, `must match pattern ${source}, got ${quote(v, 60)}`)
          );
        }
      }
    }

    // --- arrays
    let prefix: Node[] | undefined;
    let rest: Node | undefined;
    let restKeyword = "items";
    if (Array.isArray(s.items)) {
      if (s.prefixItems !== undefined) {
        this.problem(
          at("items"),
          "items is a list (draft-07) next to prefixItems (2020-12): use prefixItems and items",
        );
      }
      prefix = schemaList("items");
      if (s.additionalItems !== undefined) {
        rest = sub("additionalItems", s.additionalItems);
        restKeyword = "additionalItems";
      }
    } else {
      if (s.additionalItems !== undefined) {
        this.problem(
          at("additionalItems"),
          "additionalItems has an effect only next to items as a list (draft-07): use prefixItems and items",
        );
      }
      prefix = schemaList("prefixItems");
      if (s.items !== undefined) rest = sub("items", s.items);
    }
    if (prefix || rest) {
      const pre = prefix ?? [];
      const n = pre.length;
      const tail = rest;
      const tailFalse = tail === FALSE_NODE;
      const kw = restKeyword;
      arrs.push((v, d, p, out) => {
        const a = v as unknown[];
        let ok = true;
        const m = Math.min(n, a.length);
        for (let i = 0; i < m; i++) {
          if (!pre[i].fn(a[i], d + 1, out ? { up: p, key: i } : null, out)) {
            if (!out) return false;
            ok = false;
          }
        }
        if (tail && a.length > n) {
          if (tailFalse) {
            return fail(
              out,
              p,
              n === 0
                ? `must be empty (${kw} is false), got ${a.length} item${a.length === 1 ? "" : "s"}`
                : `must have at most ${n} item${
                  n === 1 ? "" : "s"
                } (${kw} is false), got ${a.length}`,
            );
          }
          for (let i = n; i < a.length; i++) {
            if (!tail.fn(a[i], d + 1, out ? { up: p, key: i } : null, out)) {
              if (!out) return false;
              ok = false;
            }
          }
        }
        return ok;
      });
    }
    const minContains = nonNegInt("minContains");
    const maxContains = nonNegInt("maxContains");
    if (s.contains !== undefined) {
      const c = sub("contains", s.contains);
      const lo = minContains ?? 1;
      const hi = maxContains;
      arrs.push((v, d, p, out) => {
        const a = v as unknown[];
        let count = 0;
        for (let i = 0; i < a.length; i++) {
          if (c.fn(a[i], d + 1, null, null)) {
            count++;
            if (hi === undefined && count >= lo) return true;
          }
        }
        if (count < lo) {
          return fail(
            out,
            p,
            `must contain at least ${lo} item${
              lo === 1 ? "" : "s"
            } matching contains, got ${count}`,
          );
        }
        if (hi !== undefined && count > hi) {
          return fail(
            out,
            p,
            `must contain at most ${hi} item${hi === 1 ? "" : "s"} matching contains, got ${count}`,
          );
        }
        return true;
      });
    } else {
      for (const k of ["minContains", "maxContains"]) {
        if (s[k] !== undefined) this.problem(at(k), `${k} has an effect only next to contains`);
      }
    }
    const minItems = nonNegInt("minItems");
    if (minItems !== undefined) {
      arrs.push((v, _d, p, out) =>
        (v as unknown[]).length >= minItems ||
        fail(
          out,
          p,
          `must have at least ${minItems} item${minItems === 1 ? "" : "s"}, got ${
            (v as unknown[]).length
          }`,
        )
      );
    }
    const maxItems = nonNegInt("maxItems");
    if (maxItems !== undefined) {
      arrs.push((v, _d, p, out) =>
        (v as unknown[]).length <= maxItems ||
        fail(
          out,
          p,
          `must have at most ${maxItems} item${maxItems === 1 ? "" : "s"}, got ${
            (v as unknown[]).length
          }`,
        )
      );
    }
    if (s.uniqueItems !== undefined) {
      if (typeof s.uniqueItems !== "boolean") {
        this.problem(
          at("uniqueItems"),
          `uniqueItems must be a boolean, got ${describeValue(s.uniqueItems)}`,
        );
      } else if (s.uniqueItems) {
        arrs.push((v, _d, p, out) => {
          const a = v as unknown[];
          const prims = new Map<unknown, number>();
          const composite = new Map<string, number>();
          for (let i = 0; i < a.length; i++) {
            const x = a[i];
            const isComposite = x !== null && typeof x === "object";
            const key = isComposite ? canonical(x) : x;
            const seen = isComposite ? composite : prims;
            const j = seen.get(key);
            if (j !== undefined) {
              return fail(out, p, `must not contain duplicates: items ${j} and ${i} are equal`);
            }
            (seen as Map<unknown, number>).set(key, i);
          }
          return true;
        });
      }
    }

    // --- objects
    const props = schemaMap("properties");
    const patternProps: [RegExp, Node][] = [];
    if (s.patternProperties !== undefined) {
      for (const [source, node] of schemaMap("patternProperties") ?? []) {
        const re = regex(`${at("patternProperties")}/${escapeToken(source)}`, source);
        if (re) patternProps.push([re, node]);
      }
    }
    const additional = s.additionalProperties === undefined
      ? undefined
      : sub("additionalProperties", s.additionalProperties);
    if (props || patternProps.length || additional) {
      const byName = new Map(props ?? []);
      const pats = patternProps;
      const extra = additional;
      const extraFalse = extra === FALSE_NODE;
      if (!pats.length && !extra) {
        const entries = props ?? [];
        objs.push((v, d, p, out) => {
          const o = v as Record<string, unknown>;
          let ok = true;
          for (const [k, node] of entries) {
            if (
              Object.hasOwn(o, k) && !node.fn(o[k], d + 1, out ? { up: p, key: k } : null, out)
            ) {
              if (!out) return false;
              ok = false;
            }
          }
          return ok;
        });
      } else {
        objs.push((v, d, p, out) => {
          const o = v as Record<string, unknown>;
          let ok = true;
          for (const k of Object.keys(o)) {
            let matched = false;
            const child = out ? { up: p, key: k } : null;
            const named = byName.get(k);
            if (named) {
              matched = true;
              if (!named.fn(o[k], d + 1, child, out)) {
                if (!out) return false;
                ok = false;
              }
            }
            for (const [re, node] of pats) {
              if (re.test(k)) {
                matched = true;
                if (!node.fn(o[k], d + 1, child, out)) {
                  if (!out) return false;
                  ok = false;
                }
              }
            }
            if (!matched && extra) {
              const good = extraFalse
                ? fail(out, p, `unexpected property ${quote(k, 60)}`)
                : extra.fn(o[k], d + 1, child, out);
              if (!good) {
                if (!out) return false;
                ok = false;
              }
            }
          }
          return ok;
        });
      }
    }
    if (s.propertyNames !== undefined) {
      const names = sub("propertyNames", s.propertyNames);
      objs.push((v, d, p, out) => {
        let ok = true;
        for (const k of Object.keys(v as object)) {
          if (names.fn(k, d + 1, null, null)) continue;
          if (!out) return false;
          ok = false;
          const tmp: JsonSchemaIssue[] = [];
          names.fn(k, d + 1, null, tmp);
          fail(out, p, `property name ${quote(k, 60)} is invalid: ${firstIssue(tmp, 0)}`);
        }
        return ok;
      });
    }
    if (s.required !== undefined) {
      const required = nameList(at("required"), s.required);
      if (required && required.length) {
        objs.push((v, _d, p, out) => {
          const o = v as Record<string, unknown>;
          let ok = true;
          for (const k of required) {
            if (!Object.hasOwn(o, k)) {
              if (!out) return false;
              ok = fail(out, p, `missing required property ${quote(k, 60)}`);
            }
          }
          return ok;
        });
      }
    }
    const depRequired: [string, string[]][] = [];
    const depSchemas: [string, Node][] = [];
    if (s.dependentRequired !== undefined) {
      if (!isObject(s.dependentRequired)) {
        this.problem(
          at("dependentRequired"),
          `dependentRequired must be an object of property name lists, got ${
            describeValue(s.dependentRequired)
          }`,
        );
      } else {
        for (const [k, v] of Object.entries(s.dependentRequired)) {
          const list = nameList(`${at("dependentRequired")}/${escapeToken(k)}`, v);
          if (list) depRequired.push([k, list]);
        }
      }
    }
    for (const [k, node] of schemaMap("dependentSchemas") ?? []) depSchemas.push([k, node]);
    if (s.dependencies !== undefined) {
      if (!isObject(s.dependencies)) {
        this.problem(
          at("dependencies"),
          `dependencies must be an object, got ${describeValue(s.dependencies)}`,
        );
      } else {
        for (const [k, v] of Object.entries(s.dependencies)) {
          const kp = `${at("dependencies")}/${escapeToken(k)}`;
          if (Array.isArray(v)) {
            const list = nameList(kp, v);
            if (list) depRequired.push([k, list]);
          } else depSchemas.push([k, this.node(v, kp)]);
        }
      }
    }
    if (depRequired.length) {
      objs.push((v, _d, p, out) => {
        const o = v as Record<string, unknown>;
        let ok = true;
        for (const [k, names] of depRequired) {
          if (!Object.hasOwn(o, k)) continue;
          for (const name of names) {
            if (!Object.hasOwn(o, name)) {
              if (!out) return false;
              ok = fail(
                out,
                p,
                `property ${quote(name, 60)} is required when ${quote(k, 60)} is present`,
              );
            }
          }
        }
        return ok;
      });
    }
    if (depSchemas.length) {
      for (const [, node] of depSchemas) self.inPlace.push(node);
      objs.push((v, d, p, out) => {
        const o = v as Record<string, unknown>;
        let ok = true;
        for (const [k, node] of depSchemas) {
          if (Object.hasOwn(o, k) && !node.fn(v, d + 1, p, out)) {
            if (!out) return false;
            ok = false;
          }
        }
        return ok;
      });
    }
    const minProps = nonNegInt("minProperties");
    const maxProps = nonNegInt("maxProperties");
    if (minProps !== undefined || maxProps !== undefined) {
      objs.push((v, _d, p, out) => {
        const n = Object.keys(v as object).length;
        if (minProps !== undefined && n < minProps) {
          return fail(
            out,
            p,
            `must have at least ${minProps} propert${minProps === 1 ? "y" : "ies"}, got ${n}`,
          );
        }
        if (maxProps !== undefined && n > maxProps) {
          return fail(
            out,
            p,
            `must have at most ${maxProps} propert${maxProps === 1 ? "y" : "ies"}, got ${n}`,
          );
        }
        return true;
      });
    }

    // --- in-place applicators
    if (s.$ref !== undefined) {
      if (typeof s.$ref !== "string") {
        this.problem(at("$ref"), `$ref must be a string, got ${describeValue(s.$ref)}`);
      } else {
        const target = this.resolve(s.$ref, at("$ref"));
        self.inPlace.push(target);
        any.push((v, d, p, out) => target.fn(v, d + 1, p, out));
      }
    }
    const allOf = schemaList("allOf");
    if (allOf) {
      self.inPlace.push(...allOf);
      any.push((v, d, p, out) => {
        let ok = true;
        for (const n of allOf) {
          if (!n.fn(v, d + 1, p, out)) {
            if (!out) return false;
            ok = false;
          }
        }
        return ok;
      });
    }
    const anyOf = schemaList("anyOf");
    if (anyOf) {
      self.inPlace.push(...anyOf);
      any.push((v, d, p, out) => {
        for (const n of anyOf) if (n.fn(v, d + 1, null, null)) return true;
        return fail(
          out,
          p,
          `must match at least one schema of anyOf (${branchSummary("anyOf", anyOf, v, d, p)})`,
        );
      });
    }
    const oneOf = schemaList("oneOf");
    if (oneOf) {
      self.inPlace.push(...oneOf);
      any.push((v, d, p, out) => {
        const matched: number[] = [];
        for (let i = 0; i < oneOf.length && matched.length < 2; i++) {
          if (oneOf[i].fn(v, d + 1, null, null)) matched.push(i);
        }
        if (matched.length === 1) return true;
        if (!out) return false;
        if (matched.length === 0) {
          return fail(
            out,
            p,
            `must match exactly one schema of oneOf, matches none (${
              branchSummary("oneOf", oneOf, v, d, p)
            })`,
          );
        }
        return fail(
          out,
          p,
          `must match exactly one schema of oneOf, matches oneOf[${matched[0]}] and oneOf[${
            matched[1]
          }]`,
        );
      });
    }
    if (s.not !== undefined) {
      const not = sub("not", s.not);
      self.inPlace.push(not);
      any.push((v, d, p, out) =>
        !not.fn(v, d + 1, null, null) || fail(out, p, "must not match the schema in not")
      );
    }
    if (s.if !== undefined) {
      const cond = sub("if", s.if);
      const then = s.then === undefined ? undefined : sub("then", s.then);
      const otherwise = s.else === undefined ? undefined : sub("else", s.else);
      self.inPlace.push(cond, ...(then ? [then] : []), ...(otherwise ? [otherwise] : []));
      if (then || otherwise) {
        any.push((v, d, p, out) => {
          const branch = cond.fn(v, d + 1, null, null) ? then : otherwise;
          return branch === undefined || branch.fn(v, d + 1, p, out);
        });
      } else {
        this.problem(at("if"), "if has an effect only with then or else");
      }
    } else {
      for (const k of ["then", "else"]) {
        if (s[k] !== undefined) this.problem(at(k), `${k} has an effect only next to if`);
      }
    }

    // --- the node
    const mask = typeMask;
    const tm = typeMessage;
    if (!mask && !any.length && !nums.length && !strs.length && !arrs.length && !objs.length) {
      return pass;
    }
    const run = (list: Check[], v: unknown, d: number, p: Path, out: Out): boolean => {
      let ok = true;
      for (let i = 0; i < list.length; i++) {
        if (!list[i](v, d, p, out)) {
          if (!out) return false;
          ok = false;
        }
      }
      return ok;
    };
    return (v, d, p, out) => {
      if (d > MAX_DEPTH) return tooDeep(out);
      let ok = true;
      if (mask && !typeMatches(mask, v)) {
        if (!out) return false;
        ok = fail(out, p, tm + describeValue(v));
      }
      let list: Check[] | undefined;
      switch (typeof v) {
        case "number":
          list = nums;
          break;
        case "string":
          list = strs;
          break;
        case "object":
          list = v === null ? undefined : Array.isArray(v) ? arrs : objs;
      }
      if (list && list.length && !run(list, v, d, p, out)) {
        if (!out) return false;
        ok = false;
      }
      if (any.length && !run(any, v, d, p, out)) ok = false;
      return ok;
    };
  }
}
