/**
 * The config's zod schema and the translation of zod issues into config
 * issues with positions. Loaded only when a config needs it: a config that
 * the generated check (`_config_check.ts`, from this schema's JSON Schema)
 * accepts never loads zod, which keeps `assay ci` start-up fast.
 *
 * @module
 */
import * as z from "zod";
import { quote } from "../errors.ts";
import { didYouMean } from "./_suggest.ts";
import {
  ASSERTION_TYPES,
  type ConfigIssue,
  EXPECTATION_TYPES,
  formatConfigPath,
  type Locator,
  type PathPart,
  typeName,
} from "./config.ts";

// ---------------------------------------------------------------------------
// The raw schema (what the YAML may contain)

const nonEmpty = z.string().min(1, "must not be empty");
const strList = z.array(z.string());
const strOrList = z.union([z.string(), z.array(z.string())]);
const score = z.number().min(0).max(1);
const flags = z.array(z.enum(["i", "m", "s"]));

export const EXPECTED_SHAPES = {
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

export const ASSERTION_SHAPES = {
  trace_must_call_tool: { tool: nonEmpty, min_calls: z.int().min(1).optional() },
  trace_must_not_call_tool: { tool: nonEmpty },
  trace_tool_sequence: {
    sequence: z.array(nonEmpty).min(1),
    allow_other_tools: z.boolean().optional(),
  },
  trace_max_steps: { max: z.int().min(0) },
} as const;

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

export const RawConfig = z.strictObject({
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

export type RawEndpoint = z.infer<typeof endpoint>;
export type Raw = z.infer<typeof RawConfig>;

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

function valueAt(data: unknown, path: readonly PathPart[]): unknown {
  let d = data;
  for (const p of path) d = (d as Record<PathPart, unknown> | null | undefined)?.[p];
  return d;
}

/** Every zod issue as a {@linkcode ConfigIssue} at its YAML position. */
export function issuesFromZod(err: z.ZodError, data: unknown, at: Locator): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const push = (path: PathPart[], message: string, key = false) =>
    out.push({
      path: formatConfigPath(path),
      message,
      ...at.pos(path, key),
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

/** The config's JSON Schema, as `z.toJSONSchema` writes it (the source of `_config_json_schema.ts`). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(RawConfig) as Record<string, unknown>;
}
