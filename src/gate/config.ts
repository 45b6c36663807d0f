/**
 * The `assay.yaml` config: YAML parsing with line/column positions, a
 * strict zod schema, and semantic checks (regexes, duplicate ids, JSON
 * Schemas). Every problem is a {@linkcode ConfigError} naming file, line,
 * column and the path (`tests[0].expected.pattern`); nothing is ever
 * silently turned into "always pass".
 *
 * @module
 */
import type { FastYaml } from "./_yaml_fast.ts";
import { offsetAt, parseYamlFast } from "./_yaml_fast.ts";
import type { Raw, RawEndpoint } from "./_config_schema.ts";
import { isValidConfig } from "./_config_check.ts";
import { type AssayErrorCode, quote, TraceSyntaxError } from "../errors.ts";
import { compilePattern, literalOf } from "../_regex.ts";
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

/** The `expected.type` values, in documentation order. */
export const EXPECTATION_TYPES: readonly string[] = [
  "must_contain",
  "must_not_contain",
  "regex_match",
  "regex_not_match",
  "json_schema",
  "args_valid",
  "sequence_valid",
  "tool_blocklist",
  "semantic_similarity_to",
  "faithfulness",
  "relevance",
];
/** The `assertions[].type` values. */
export const ASSERTION_TYPES: readonly string[] = [
  "trace_must_call_tool",
  "trace_must_not_call_tool",
  "trace_tool_sequence",
  "trace_max_steps",
];

// ---------------------------------------------------------------------------
// Positions

/** A step in a config path: a key or a list index. */
export type PathPart = string | number;

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

/** Where the nodes of a config path are in the text. */
export abstract class Locator {
  #starts: number[] | undefined;
  /** The line of the last offset asked for: configs are read top down, so the next is near. */
  #near = 0;

  constructor(readonly file: string, readonly text: string) {}

  /** Offset of the node at `path` (or its deepest existing ancestor); with `key`, of the last part's key. */
  protected abstract offset(path: readonly PathPart[], key: boolean): number | undefined;

  /** 0-based index of the line holding `offset`. */
  #lineIndex(offset: number): number {
    let starts = this.#starts;
    if (!starts) {
      starts = [0];
      for (let i = this.text.indexOf("\n"); i >= 0; i = this.text.indexOf("\n", i + 1)) {
        starts.push(i + 1);
      }
      this.#starts = starts;
    }
    let lo = 0;
    let hi = starts.length - 1;
    // A few lines on from the last answer (the usual case), else a binary search.
    const near = this.#near;
    if (starts[near] <= offset) {
      let k = near;
      const stop = Math.min(hi, near + 8);
      while (k < stop && starts[k + 1] <= offset) k++;
      if (k < stop || k === hi) return this.#near = k;
      lo = k;
    } else hi = near - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.#near = lo;
  }

  /** 1-based line and column of a text offset. */
  at(offset: number): { line: number; column: number } {
    const i = this.#lineIndex(offset);
    return { line: i + 1, column: offset - this.#starts![i] + 1 };
  }

  loc(path: readonly PathPart[], key = false): ConfigLocation {
    const o = this.offset(path, key);
    if (o === undefined) return { file: this.file, line: 1, column: 1 };
    const i = this.#lineIndex(o);
    return { file: this.file, line: i + 1, column: o - this.#starts![i] + 1 };
  }

  pos(path: readonly PathPart[], key = false): { line: number; column: number } {
    const o = this.offset(path, key);
    return o === undefined ? { line: 1, column: 1 } : this.at(o);
  }
}

/** Positions recorded by the fast YAML reader. */
class FastLocator extends Locator {
  constructor(file: string, text: string, readonly fast: FastYaml) {
    super(file, text);
  }

  protected offset(path: readonly PathPart[], key: boolean): number {
    return offsetAt(this.fast, path, key);
  }
}

type YamlModule = typeof import("yaml");

/** Positions from the full parser's node tree. */
class DocLocator extends Locator {
  constructor(
    file: string,
    text: string,
    readonly yaml: YamlModule,
    readonly doc: ReturnType<YamlModule["parseDocument"]>,
  ) {
    super(file, text);
  }

  protected offset(path: readonly PathPart[], key: boolean): number | undefined {
    const { isMap, isPair, isScalar, isSeq } = this.yaml;
    let node: unknown = this.doc.contents;
    let last = (node as YamlNode | null)?.range?.[0];
    for (let i = 0; i < path.length; i++) {
      const part = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === part);
        if (!pair) return last;
        if (key && i === path.length - 1) return (pair.key as YamlNode).range?.[0] ?? last;
        node = pair.value;
      } else if (isSeq(node) && typeof part === "number") {
        node = node.items[part];
      } else {
        return last;
      }
      const range = (node as YamlNode | null)?.range;
      if (!range) return last;
      last = range[0];
    }
    return last;
  }
}

type YamlNode = { range?: [number, number, number] | null };

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
  // Most configs are plain YAML that the fast reader covers; anything else
  // (and every syntax error) goes to the full parser.
  const fast = parseYamlFast(text);
  let data: unknown;
  let at: Locator;
  if (fast !== undefined) {
    data = fast.value;
    at = new FastLocator(file, text, fast);
  } else {
    [data, at] = await parseYamlFull(text, file, options.maxAliasCount ?? 100);
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
  // The generated check (the config's JSON Schema as code) accepts only what
  // the zod schema accepts; zod itself (and its detailed messages) loads only
  // when that check fails.
  let raw: Raw;
  if (isValidConfig(data)) raw = data as Raw;
  else {
    const { RawConfig, issuesFromZod } = await import("./_config_schema.ts");
    const parsed = RawConfig.safeParse(data);
    if (!parsed.success) {
      const issues = issuesFromZod(parsed.error, data, at);
      issues.sort((a, b) => a.line - b.line || a.column - b.column);
      throw new ConfigError({ file, issues });
    }
    raw = parsed.data;
  }
  return await normalise(raw, { file, at, readSchemaFile: options.readSchemaFile });
}

/** How a value is named in messages. */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the string ${quote(v, 40)}`;
  if (typeof v === "number") return `the number ${v}`;
  if (typeof v === "boolean") return `${v}`;
  return typeof v;
}

/** The full YAML parser: anchors, tags, every style, and syntax errors with positions. */
async function parseYamlFull(
  text: string,
  file: string,
  maxAliasCount: number,
): Promise<[unknown, Locator]> {
  const yaml = await import("yaml");
  const doc = yaml.parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const at = new DocLocator(file, text, yaml, doc);
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
  try {
    return [doc.toJS({ maxAliasCount }), at];
  } catch (err) {
    let first: ConfigLocation = { file, line: 1, column: 1 };
    yaml.visit(doc, {
      Alias(_, node) {
        if (node.range) first = { file, ...at.at(node.range[0]) };
        return yaml.visit.BREAK;
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
}

/**
 * A `regex_match` / `regex_not_match` expectation. A fixed-string pattern
 * carries its string test (`literal`) and gets its RegExp only if something
 * asks for it; one class rather than an object literal with its own getter
 * and closure per expectation (a 10,000-test config builds 20,000 of them).
 */
class RegexSpec {
  readonly literal?: (input: string) => boolean;
  #compiled: RegExp | undefined;

  constructor(
    readonly type: "regex_match" | "regex_not_match",
    readonly pattern: string,
    readonly flags: RegexFlag[],
    readonly location: ConfigLocation,
    literal: ((input: string) => boolean) | undefined,
    compiled: RegExp | undefined,
  ) {
    if (literal) this.literal = literal;
    this.#compiled = compiled;
  }

  get regex(): RegExp {
    return this.#compiled ??= compilePattern(this.pattern, this.flags);
  }
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
  ) => issues.push({ path: formatConfigPath(path), message, ...at.pos(path, key), code });

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
  // JSON Schemas compile once, here; a keyword the validator would have to
  // ignore, an unresolvable $ref or a bad pattern is a config error.
  // The validator (40 KB) loads only for configs that use JSON Schemas.
  let jsonSchema: Promise<typeof import("./_json_schema.ts")> | undefined;
  const schemaValidator = async (path: PathPart[], schema: unknown): Promise<SchemaValidator> => {
    const { compileJsonSchema } = await (jsonSchema ??= import("./_json_schema.ts"));
    try {
      return compileJsonSchema(schema);
    } catch (err) {
      issue(path, `unusable JSON Schema: ${(err as Error).message}`);
      return compileJsonSchema(false);
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
        ? ["tests", i, "expected", j]
        : ["tests", i, "expected"];
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
          const pattern = e.pattern as string;
          // A pattern that matches one fixed string is tested as a string; it
          // is always a valid regex, so its RegExp is built only if asked for.
          const literal = literalOf(pattern, fl);
          // Others compile now, so an invalid one is a config error.
          const compiled = literal ? undefined : regex([...ep, "pattern"], pattern, fl);
          expected.push(new RegexSpec(e.type, pattern, fl, location, literal, compiled));
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
            validator: await schemaValidator(path, schema),
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
            schemas[tool] = {
              schema,
              validator: await schemaValidator([...ep, "schema", tool], schema),
            };
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
      const location = at.loc(["tests", i, "assertions", j]);
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
    // Optional keys only when set, in this order (built up, not spread: 10,000 tests).
    const spec = { id: t.id } as TestSpec;
    if (t.description !== undefined) spec.description = t.description;
    if (input.prompt !== undefined) spec.prompt = input.prompt;
    if (ctxList !== undefined) spec.context = ctxList;
    spec.expected = expected;
    spec.assertions = assertions;
    if (t.max_drop !== undefined) spec.maxDrop = t.max_drop;
    spec.location = at.loc(tp);
    tests.push(spec);
  }
  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new ConfigError({ file, issues });
  }
  const s = raw.settings ?? {};
  const endpointOf = (e: RawEndpoint | undefined): EndpointSettings | undefined =>
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
