/**
 * The `assay.yaml` config: YAML parsing with line/column positions, a
 * strict zod schema, and semantic checks (regexes, duplicate ids, JSON
 * Schemas). Every problem is a {@linkcode ConfigError} naming file, line,
 * column and the path (`tests[0].expected.pattern`); nothing is ever
 * silently turned into "always pass".
 *
 * @module
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from "yaml";
import * as z from "zod";
import { type AssayErrorCode, quote, TraceSyntaxError } from "../errors.ts";
import { compilePattern } from "../_regex.ts";
import type { ConfigLocation } from "./types.ts";
import type {
  Assertion,
  EndpointSettings,
  Expectation,
  GateConfig,
  RegexFlag,
  SchemaValidator,
  SequenceRule,
  TestSpec,
} from "./config_types.ts";
export type {
  Assertion,
  EndpointSettings,
  Expectation,
  GateConfig,
  GateSettings,
  RegexFlag,
  SchemaValidator,
  SequenceRule,
  TestSpec,
} from "./config_types.ts";
import { didYouMean } from "./_suggest.ts";

/** A config problem. */
export interface ConfigIssue {
  /** `tests[0].expected.pattern` style path, `(root)` for the whole document. */
  path: string;
  message: string;
  line: number;
  column: number;
  code: AssayErrorCode;
}

/** Options of {@linkcode ConfigError}. */
export interface ConfigErrorOptions {
  file: string;
  issues: ConfigIssue[];
  hint?: string;
}

/**
 * A config file that cannot be used. `issues` lists every problem found;
 * the message (and `line`/`column`) describe the first.
 *
 * @example
 * ```ts
 * import { ConfigError, parseConfig } from "@assay-it/sdk/gate";
 * try {
 *   await parseConfig("tests: []\n", { file: "assay.yaml" });
 * } catch (err) {
 *   if (err instanceof ConfigError) console.log(err.message); // assay.yaml:1:8: tests: ...
 * }
 * ```
 */
export class ConfigError extends TraceSyntaxError {
  /** Every problem, in document order. */
  readonly issues: ConfigIssue[];

  constructor(options: ConfigErrorOptions) {
    const first = options.issues[0];
    const more = options.issues.length > 1 ? ` (and ${options.issues.length - 1} more)` : "";
    super(`${first.path}: ${first.message}${more}`, {
      file: options.file,
      line: first.line,
      column: first.column,
      code: first.code,
      hint: options.hint ?? hintFor(first.code),
    });
    this.name = "ConfigError";
    this.issues = options.issues;
  }
}

function hintFor(code: AssayErrorCode): string {
  if (code === "E_CFG_PARSE") return "fix the YAML syntax at that position";
  if (code === "E_PATH_NOT_FOUND") return "the path is relative to the config file's folder";
  return "see the config reference in the README (assay init writes a valid starter config)";
}

/** Options of {@linkcode parseConfig}. */
export interface ParseConfigOptions {
  /** The file name for messages and the default suite name. Default `assay.yaml`. */
  file?: string;
  /** Reads a `schema_file` (path relative to the config, as written). Without it, `schema_file` is a config error. */
  readSchemaFile?: (path: string) => Promise<string>;
  /** Maximum number of aliases expanded (alias bomb guard). Default 100. */
  maxAliasCount?: number;
}

// ---------------------------------------------------------------------------
// The raw schema (what the YAML may contain)

const nonEmpty = z.string().min(1, "must not be empty");
const strList = z.array(z.string());
const strOrList = z.union([z.string(), z.array(z.string())]);
const score = z.number().min(0).max(1);
const flags = z.array(z.enum(["i", "m", "s"]));

const EXPECTED_SHAPES = {
  must_contain: { must_contain: strOrList },
  must_not_contain: { must_not_contain: strOrList },
  regex_match: { pattern: z.string(), flags: flags.optional() },
  regex_not_match: { pattern: z.string(), flags: flags.optional() },
  json_schema: {
    json_schema: z.union([z.record(z.string(), z.unknown()), z.string(), z.boolean()]).optional(),
    schema_file: nonEmpty.optional(),
  },
  args_valid: {
    schema: z.record(z.string(), z.union([z.record(z.string(), z.unknown()), z.boolean()])),
  },
  sequence_valid: {
    sequence: strList.optional(),
    rules: z.array(z.discriminatedUnion("type", [
      z.strictObject({ type: z.literal("require"), tool: nonEmpty }),
      z.strictObject({ type: z.literal("before"), first: nonEmpty, then: nonEmpty }),
      z.strictObject({ type: z.literal("blocklist"), pattern: z.string() }),
    ])).optional(),
  },
  tool_blocklist: { blocked: strOrList },
  semantic_similarity_to: { semantic_similarity_to: z.string(), min_score: score.optional() },
  faithfulness: { min_score: score.optional() },
  relevance: { min_score: score.optional() },
} as const;

const ASSERTION_SHAPES = {
  trace_must_call_tool: { tool: nonEmpty, min_calls: z.int().min(1).optional() },
  trace_must_not_call_tool: { tool: nonEmpty },
  trace_tool_sequence: {
    sequence: z.array(nonEmpty).min(1),
    allow_other_tools: z.boolean().optional(),
  },
  trace_max_steps: { max: z.int().min(0) },
} as const;

/** The `expected.type` values, in documentation order. */
export const EXPECTATION_TYPES: readonly string[] = Object.keys(EXPECTED_SHAPES);
/** The `assertions[].type` values. */
export const ASSERTION_TYPES: readonly string[] = Object.keys(ASSERTION_SHAPES);

function tagged<T extends Record<string, Record<string, z.ZodType>>>(shapes: T) {
  const options = Object.entries(shapes).map(([type, shape]) =>
    z.strictObject({ type: z.literal(type), ...shape })
  );
  return z.discriminatedUnion("type", options as unknown as [z.ZodObject, ...z.ZodObject[]]);
}

const expectedItem = tagged(EXPECTED_SHAPES);
const assertionItem = tagged(ASSERTION_SHAPES);

const endpoint = z.strictObject({
  model: nonEmpty,
  base_url: nonEmpty.optional(),
  api_key_env: nonEmpty.optional(),
});

const RawConfig = z.strictObject({
  version: z.literal([0, 1]).optional(),
  configVersion: z.literal([0, 1]).optional(),
  suite: nonEmpty.optional(),
  model: z.string().optional(),
  settings: z.strictObject({
    parallel: z.int().min(1).optional(),
    timeout_seconds: z.number().positive().optional(),
    regex_timeout_ms: z.int().min(1).optional(),
    max_drop: score.optional(),
    embedder: endpoint.optional(),
    judge: endpoint.optional(),
  }).optional(),
  tests: z.array(z.strictObject({
    id: nonEmpty,
    description: z.string().optional(),
    tags: strList.optional(),
    input: z.union([
      z.string(),
      z.strictObject({ prompt: z.string().optional(), context: strOrList.optional() }),
    ]).optional(),
    expected: z.union([expectedItem, z.array(expectedItem)]).optional(),
    assertions: z.array(assertionItem).optional(),
    max_drop: score.optional(),
  })).min(1, "the config has no tests: add at least one"),
});

type Raw = z.infer<typeof RawConfig>;

// ---------------------------------------------------------------------------
// Positions

type PathPart = string | number;

/**
 * Render a path as `tests[0].expected.pattern`.
 *
 * @example
 * ```ts
 * import { formatConfigPath } from "@assay-it/sdk/gate";
 * console.log(formatConfigPath(["tests", 0, "expected", "pattern"])); // tests[0].expected.pattern
 * ```
 */
export function formatConfigPath(path: readonly PathPart[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  return out === "" ? "(root)" : out;
}

class Locator {
  constructor(
    readonly file: string,
    readonly doc: ReturnType<typeof parseDocument>,
    readonly lc: LineCounter,
  ) {}

  at(offset: number): { line: number; column: number } {
    const pos = this.lc.linePos(offset);
    return { line: pos.line, column: pos.col };
  }

  /** The node at `path`, or the deepest existing ancestor. With `key`, the key node of the last part. */
  node(path: readonly PathPart[], key = false): Node | null {
    let node: unknown = this.doc.contents;
    let last: Node | null = (node as Node) ?? null;
    for (let i = 0; i < path.length; i++) {
      const part = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === part);
        if (!pair) return last;
        if (key && i === path.length - 1) return pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof part === "number") {
        node = node.items[part];
      } else {
        return last;
      }
      if (node && (node as Node).range) last = node as Node;
      else return last;
    }
    return last;
  }

  loc(path: readonly PathPart[], key = false): ConfigLocation {
    const n = this.node(path, key);
    const { line, column } = n?.range ? this.at(n.range[0]) : { line: 1, column: 1 };
    return { file: this.file, line, column };
  }
}

// ---------------------------------------------------------------------------
// Zod issue -> ConfigIssue

function knownKeys(schema: z.ZodType, path: readonly PathPart[], data: unknown): string[] {
  let s: z.ZodType | undefined = schema;
  let d: unknown = data;
  const unwrap = (t: z.ZodType): z.ZodType => {
    let cur = t;
    for (;;) {
      const def =
        (cur as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
      if (
        (def.type === "optional" || def.type === "default" || def.type === "nullable") &&
        def.innerType
      ) {
        cur = def.innerType;
      } else return cur;
    }
  };
  const pick = (t: z.ZodType, value: unknown): z.ZodType | undefined => {
    const u = unwrap(t);
    const def =
      (u as unknown as { _zod: { def: { type: string; options?: z.ZodType[] } } })._zod.def;
    if (def.type !== "union" || !def.options) return u;
    for (const o of def.options) {
      const ou = unwrap(o);
      const od =
        (ou as unknown as { _zod: { def: { type: string; shape?: Record<string, z.ZodType> } } })
          ._zod.def;
      if (Array.isArray(value) && od.type === "array") return ou;
      if (value && typeof value === "object" && !Array.isArray(value)) {
        if (od.type === "object") {
          const lit = od.shape?.type;
          const want = (value as Record<string, unknown>).type;
          if (
            !lit ||
            (lit as unknown as { _zod: { def: { values: unknown[] } } })._zod.def.values?.includes(
              want,
            )
          ) {
            return ou;
          }
        }
        if (od.type === "union") {
          const inner = pick(ou, value);
          if (inner) return inner;
        }
      }
    }
    return undefined;
  };
  for (const part of [...path, null]) {
    if (!s) return [];
    s = pick(s, d);
    if (!s) return [];
    const def = (s as unknown as {
      _zod: { def: { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType } };
    })
      ._zod.def;
    if (part === null) return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
    if (def.type === "object" && def.shape && typeof part === "string") {
      s = def.shape[part];
    } else if (def.type === "array" && def.element) {
      s = def.element;
    } else return [];
    d = (d as Record<PathPart, unknown> | undefined)?.[part];
  }
  return [];
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the string ${quote(v, 40)}`;
  if (typeof v === "number") return `the number ${v}`;
  if (typeof v === "boolean") return `${v}`;
  return typeof v;
}

function valueAt(data: unknown, path: readonly PathPart[]): unknown {
  let d = data;
  for (const p of path) d = (d as Record<PathPart, unknown> | null | undefined)?.[p];
  return d;
}

function issuesFromZod(err: z.ZodError, data: unknown, at: Locator): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const push = (path: PathPart[], message: string, key = false) =>
    out.push({
      path: formatConfigPath(path),
      message,
      ...pos(at.loc(path, key)),
      code: "E_CFG_SCHEMA",
    });
  for (const { issue, path } of flattenUnions(err.issues, [])) {
    const value = valueAt(data, path);
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(RawConfig, path, data);
      for (const k of issue.keys) {
        push(
          [...path, k],
          `unknown key ${JSON.stringify(k)}${didYouMean(k, known)}; allowed: ${known.join(", ")}`,
          true,
        );
      }
    } else if (
      issue.code === "invalid_union" &&
      (issue as { note?: string }).note === "No matching discriminator"
    ) {
      const isAssertion = path.includes("assertions");
      const isRule = path.includes("rules");
      const allowed = isRule
        ? ["require", "before", "blocklist"]
        : isAssertion
        ? ASSERTION_TYPES
        : EXPECTATION_TYPES;
      const objPath = path.at(-1) === "type" ? path.slice(0, -1) : path;
      const t = (valueAt(data, objPath) as Record<string, unknown> | undefined)?.type;
      if (t === undefined) push(objPath, `missing "type" (one of: ${allowed.join(", ")})`);
      else {
        push(
          [...objPath, "type"],
          `unknown type ${quote(t)}${
            typeof t === "string" ? didYouMean(t, allowed) : ""
          }; allowed: ${allowed.join(", ")}`,
        );
      }
    } else if (issue.code === "invalid_type" && value === undefined) {
      push(path, `missing required key ${JSON.stringify(path.at(-1))} (${issue.expected})`);
    } else if (issue.code === "invalid_type" || issue.code === "invalid_union") {
      const expected = issue.code === "invalid_type" ? issue.expected : expectedOfUnion(path);
      push(path, `expected ${expected}, got ${typeName(value)}`);
    } else if (
      (issue.code === "too_big" || issue.code === "too_small") && issue.origin === "number"
    ) {
      const bound = issue.code === "too_big" ? issue.maximum : issue.minimum;
      const op = issue.code === "too_big"
        ? (issue.inclusive ? "<=" : "<")
        : (issue.inclusive ? ">=" : ">");
      push(path, `expected a number ${op} ${bound}, got ${quote(value)}`);
    } else if (issue.code === "invalid_value") {
      push(
        path,
        `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${
          quote(value)
        }`,
      );
    } else {
      push(path, `${issue.message} (got ${quote(value)})`);
    }
  }
  return out;
}

type ZodIssue = z.ZodError["issues"][number];

// A union whose value has the right shape for one branch should report that
// branch's own problems (an unknown key inside `expected`), not "wrong type".
function flattenUnions(
  issues: readonly ZodIssue[],
  prefix: PathPart[],
): { issue: ZodIssue; path: PathPart[] }[] {
  const out: { issue: ZodIssue; path: PathPart[] }[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.filter((p): p is PathPart => typeof p !== "symbol")];
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      const branches = issue.errors.filter((b) =>
        !(b.length === 1 && b[0].path.length === 0 && (b[0].code === "invalid_type" ||
          (b[0].code === "invalid_union" && b[0].errors.length === 0 &&
            (b[0] as { note?: string }).note === undefined)))
      );
      if (branches.length > 0) {
        branches.sort((a, b) => a.length - b.length);
        out.push(...flattenUnions(branches[0], path));
        continue;
      }
    }
    out.push({ issue, path });
  }
  return out;
}

function expectedOfUnion(path: readonly PathPart[]): string {
  const last = path.at(-1);
  if (last === "input") return 'a string or a mapping like {prompt: "..."}';
  if (last === "expected") return "a mapping with a type, or a list of them";
  if (
    last === "must_contain" || last === "must_not_contain" || last === "blocked" ||
    last === "context"
  ) {
    return "a string or a list of strings";
  }
  if (last === "json_schema") return "a JSON Schema (mapping) or JSON text";
  return "a different type";
}

function pos(l: ConfigLocation): { line: number; column: number } {
  return { line: l.line, column: l.column };
}

// ---------------------------------------------------------------------------
// Parsing

/**
 * Parse and validate an `assay.yaml` config. Throws {@linkcode ConfigError}
 * (codes `E_CFG_PARSE`, `E_CFG_SCHEMA`, `E_PATH_NOT_FOUND`) listing every
 * problem with its line and column.
 *
 * @example
 * ```ts
 * import { parseConfig } from "@assay-it/sdk/gate";
 * const config = await parseConfig(
 *   'version: 1\nmodel: "trace"\ntests:\n  - id: weather_check\n    input: { prompt: "Weather in Tokyo?" }\n' +
 *     '    expected: { type: regex_match, pattern: ".*" }\n',
 *   { file: "assay.yaml" },
 * );
 * console.log(config.suite, config.tests[0].id); // "assay" "weather_check"
 * ```
 */
export async function parseConfig(
  text: string,
  options: ParseConfigOptions = {},
): Promise<GateConfig> {
  const file = options.file ?? "assay.yaml";
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = new Locator(file, doc, lc);
  if (doc.errors.length > 0) {
    throw new ConfigError({
      file,
      issues: doc.errors.map((e) => ({
        path: "(root)",
        message: `YAML syntax error: ${
          e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")
        }`,
        ...at.at(e.pos[0]),
        code: "E_CFG_PARSE",
      })),
    });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: options.maxAliasCount ?? 100 });
  } catch (err) {
    let first: ConfigLocation = { file, line: 1, column: 1 };
    visit(doc, {
      Alias(_, node) {
        if (node.range) first = { file, ...at.at(node.range[0]) };
        return visit.BREAK;
      },
    });
    throw new ConfigError({
      file,
      issues: [{
        path: "(root)",
        message: `YAML aliases expand too much (${
          (err as Error).message
        }): alias bombs are refused`,
        line: first.line,
        column: first.column,
        code: "E_CFG_PARSE",
      }],
      hint: "use fewer or shallower anchors/aliases",
    });
  }
  if (data === null || data === undefined || typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError({
      file,
      issues: [{
        path: "(root)",
        message: `the config must be a mapping with a "tests" list, got ${typeName(data)}`,
        line: 1,
        column: 1,
        code: "E_CFG_SCHEMA",
      }],
    });
  }
  const parsed = RawConfig.safeParse(data);
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error, data, at);
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new ConfigError({ file, issues });
  }
  return await normalise(parsed.data, { file, at, readSchemaFile: options.readSchemaFile });
}

async function normalise(
  raw: Raw,
  ctx: { file: string; at: Locator; readSchemaFile?: (path: string) => Promise<string> },
): Promise<GateConfig> {
  const { at, file } = ctx;
  const issues: ConfigIssue[] = [];
  const issue = (
    path: PathPart[],
    message: string,
    code: AssayErrorCode = "E_CFG_SCHEMA",
    key = false,
  ) => issues.push({ path: formatConfigPath(path), message, ...pos(at.loc(path, key)), code });

  if (
    raw.version !== undefined && raw.configVersion !== undefined &&
    raw.version !== raw.configVersion
  ) {
    issue(
      ["configVersion"],
      `configVersion ${raw.configVersion} contradicts version ${raw.version}: keep one`,
    );
  }
  const regex = (path: PathPart[], pattern: string, fl: readonly string[] = []): RegExp => {
    try {
      return compilePattern(pattern, fl);
    } catch (err) {
      issue(path, `invalid regex ${quote(pattern)}: ${(err as Error).message}`);
      return /(?!)/u;
    }
  };
  const schemaValidator = (path: PathPart[], schema: unknown): SchemaValidator => {
    try {
      return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    } catch (err) {
      issue(path, `unusable JSON Schema: ${(err as Error).message}`);
      return z.never();
    }
  };

  const seen = new Map<string, number>();
  const tests: TestSpec[] = [];
  for (let i = 0; i < raw.tests.length; i++) {
    const t = raw.tests[i];
    const tp: PathPart[] = ["tests", i];
    const prev = seen.get(t.id);
    if (prev !== undefined) {
      issue([...tp, "id"], `duplicate test id ${quote(t.id)} (first defined at tests[${prev}])`);
    } else seen.set(t.id, i);
    const input = typeof t.input === "string" ? { prompt: t.input } : t.input ?? {};
    const rawExpected = t.expected === undefined
      ? []
      : Array.isArray(t.expected)
      ? t.expected
      : [t.expected];
    if (rawExpected.length === 0 && (t.assertions ?? []).length === 0) {
      issue(
        tp,
        `test ${quote(t.id)} has neither "expected" nor "assertions": it would always pass`,
      );
    }
    const expected: Expectation[] = [];
    for (let j = 0; j < rawExpected.length; j++) {
      const e = rawExpected[j] as Record<string, unknown> & { type: string };
      const ep: PathPart[] = Array.isArray(t.expected)
        ? [...tp, "expected", j]
        : [...tp, "expected"];
      const location = at.loc(ep);
      switch (e.type) {
        case "must_contain":
        case "must_not_contain": {
          const v = e[e.type] as string | string[];
          const values = typeof v === "string" ? [v] : v;
          if (values.length === 0) {
            issue([...ep, e.type], "the list is empty: the check would always pass");
          }
          expected.push({ type: e.type, values, location });
          break;
        }
        case "regex_match":
        case "regex_not_match": {
          const fl = (e.flags as RegexFlag[] | undefined) ?? [];
          expected.push({
            type: e.type,
            pattern: e.pattern as string,
            flags: fl,
            regex: regex([...ep, "pattern"], e.pattern as string, fl),
            location,
          });
          break;
        }
        case "json_schema": {
          if ((e.json_schema === undefined) === (e.schema_file === undefined)) {
            issue(ep, 'give exactly one of "json_schema" (inline) or "schema_file"');
            break;
          }
          let schema: unknown = e.json_schema;
          if (typeof e.schema_file === "string") {
            if (!ctx.readSchemaFile) {
              issue(
                [...ep, "schema_file"],
                "schema_file cannot be read here (no file access)",
                "E_PATH_NOT_FOUND",
              );
              break;
            }
            let text: string;
            try {
              text = await ctx.readSchemaFile(e.schema_file);
            } catch (err) {
              issue(
                [...ep, "schema_file"],
                `cannot read ${quote(e.schema_file)}: ${(err as Error).message}`,
                "E_PATH_NOT_FOUND",
              );
              break;
            }
            schema = parseJsonText([...ep, "schema_file"], text, issue);
          } else if (typeof schema === "string") {
            schema = parseJsonText([...ep, "json_schema"], schema, issue);
          }
          if (schema === undefined) break;
          const path = [...ep, e.schema_file !== undefined ? "schema_file" : "json_schema"];
          expected.push({
            type: "json_schema",
            schema,
            validator: schemaValidator(path, schema),
            location,
          });
          break;
        }
        case "args_valid": {
          const schemas: Record<string, { schema: unknown; validator: SchemaValidator }> = {};
          const entries = Object.entries(e.schema as Record<string, unknown>);
          if (entries.length === 0) {
            issue([...ep, "schema"], "no tool schemas given: the check would always pass");
          }
          for (const [tool, schema] of entries) {
            schemas[tool] = { schema, validator: schemaValidator([...ep, "schema", tool], schema) };
          }
          expected.push({ type: "args_valid", schemas, location });
          break;
        }
        case "sequence_valid": {
          const rawRules = (e.rules ?? []) as Array<Record<string, string>>;
          if (e.sequence === undefined && rawRules.length === 0) {
            issue(ep, 'give "sequence" and/or "rules": the check would always pass');
          }
          const rules: SequenceRule[] = rawRules.map((r, k) =>
            r.type === "blocklist"
              ? {
                type: "blocklist",
                pattern: r.pattern,
                regex: regex([...ep, "rules", k, "pattern"], r.pattern),
              }
              : r.type === "before"
              ? { type: "before", first: r.first, then: r.then }
              : { type: "require", tool: r.tool }
          );
          expected.push({
            type: "sequence_valid",
            sequence: e.sequence as string[] | undefined,
            rules,
            location,
          });
          break;
        }
        case "tool_blocklist": {
          const v = e.blocked as string | string[];
          const blocked = typeof v === "string" ? [v] : v;
          if (blocked.length === 0) {
            issue([...ep, "blocked"], "the list is empty: the check would always pass");
          }
          expected.push({ type: "tool_blocklist", blocked, location });
          break;
        }
        case "semantic_similarity_to":
          expected.push({
            type: "semantic_similarity_to",
            reference: e.semantic_similarity_to as string,
            minScore: (e.min_score as number | undefined) ?? 0.8,
            location,
          });
          break;
        case "faithfulness":
        case "relevance":
          expected.push({
            type: e.type,
            minScore: (e.min_score as number | undefined) ?? 0.7,
            location,
          });
          break;
      }
    }
    const assertions: Assertion[] = (t.assertions ?? []).map((a, j) => {
      const location = at.loc([...tp, "assertions", j]);
      const r = a as Record<string, unknown> & { type: string };
      switch (r.type) {
        case "trace_must_call_tool":
          return {
            type: r.type,
            tool: r.tool as string,
            minCalls: (r.min_calls as number | undefined) ?? 1,
            location,
          };
        case "trace_must_not_call_tool":
          return { type: r.type, tool: r.tool as string, location };
        case "trace_tool_sequence":
          return {
            type: r.type,
            sequence: r.sequence as string[],
            allowOtherTools: (r.allow_other_tools as boolean | undefined) ?? false,
            location,
          };
        default:
          return { type: "trace_max_steps", max: r.max as number, location };
      }
    });
    const ctxList = input.context === undefined
      ? undefined
      : typeof input.context === "string"
      ? [input.context]
      : input.context;
    tests.push({
      id: t.id,
      ...(t.description !== undefined ? { description: t.description } : {}),
      ...(input.prompt !== undefined ? { prompt: input.prompt } : {}),
      ...(ctxList !== undefined ? { context: ctxList } : {}),
      expected,
      assertions,
      ...(t.max_drop !== undefined ? { maxDrop: t.max_drop } : {}),
      location: at.loc(tp),
    });
  }
  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new ConfigError({ file, issues });
  }
  const s = raw.settings ?? {};
  const endpointOf = (e: z.infer<typeof endpoint> | undefined): EndpointSettings | undefined =>
    e &&
    {
      model: e.model,
      ...(e.base_url ? { baseUrl: e.base_url } : {}),
      apiKeyEnv: e.api_key_env ?? "OPENAI_API_KEY",
    };
  return {
    file,
    version: raw.version ?? raw.configVersion ?? 1,
    suite: raw.suite ?? suiteFromFile(file),
    model: raw.model ?? "trace",
    settings: {
      parallel: s.parallel ?? 4,
      timeoutSeconds: s.timeout_seconds ?? 30,
      regexTimeoutMs: s.regex_timeout_ms ?? 1000,
      maxDrop: s.max_drop ?? 0.05,
      ...(s.embedder ? { embedder: endpointOf(s.embedder) } : {}),
      ...(s.judge ? { judge: endpointOf(s.judge) } : {}),
    },
    tests,
  };
}

function parseJsonText(
  path: PathPart[],
  text: string,
  issue: (path: PathPart[], message: string) => void,
): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    issue(path, `the JSON Schema is not valid JSON: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * The default suite name: the config file's name without its extension.
 *
 * @example
 * ```ts
 * import { suiteFromFile } from "@assay-it/sdk/gate";
 * console.log(suiteFromFile("configs/assay.yaml")); // assay
 * ```
 */
export function suiteFromFile(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf(".");
  return (dot > 0 ? base.slice(0, dot) : base) || "assay";
}
