/**
 * The parsed, validated config the gate evaluates (see `config.ts` for the
 * YAML side). Kept free of npm imports so the web-standards core can use it.
 *
 * @module
 */
import type { ConfigLocation } from "./types.ts";

/** A compiled JSON Schema (see `_json_schema.ts`): `safeParse` with each issue's path and message. */
export interface SchemaValidator {
  safeParse(value: unknown):
    | { success: true }
    | {
      success: false;
      error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] };
    };
}

/** Flags accepted in `flags:` of the regex expectations. */
export type RegexFlag = "i" | "m" | "s";

/** A parsed `expected` entry. */
export type Expectation =
  & { location: ConfigLocation }
  & (
    | { type: "must_contain"; values: string[] }
    | { type: "must_not_contain"; values: string[] }
    | {
      type: "regex_match" | "regex_not_match";
      pattern: string;
      flags: RegexFlag[];
      regex: RegExp;
      /** Set when the pattern matches one fixed string: the same answer as `regex`, as a string test. */
      literal?: (input: string) => boolean;
    }
    | { type: "json_schema"; schema: unknown; validator: SchemaValidator }
    | {
      type: "args_valid";
      schemas: Record<string, { schema: unknown; validator: SchemaValidator }>;
    }
    | { type: "sequence_valid"; sequence?: string[]; rules: SequenceRule[] }
    | { type: "tool_blocklist"; blocked: string[] }
    | { type: "semantic_similarity_to"; reference: string; minScore: number }
    | { type: "faithfulness" | "relevance"; minScore: number }
  );

/** A rule of `sequence_valid`. */
export type SequenceRule =
  | { type: "require"; tool: string }
  | { type: "before"; first: string; then: string }
  | { type: "blocklist"; pattern: string; regex: RegExp };

/** A parsed `assertions` entry. */
export type Assertion =
  & { location: ConfigLocation }
  & (
    | { type: "trace_must_call_tool"; tool: string; minCalls: number }
    | { type: "trace_must_not_call_tool"; tool: string }
    | { type: "trace_tool_sequence"; sequence: string[]; allowOtherTools: boolean }
    | { type: "trace_max_steps"; max: number }
  );

/** A live model endpoint (embedder or judge), used only without `--replay-strict`. */
export interface EndpointSettings {
  model: string;
  /** OpenAI-compatible base URL, e.g. `http://127.0.0.1:8080/v1`. */
  baseUrl?: string;
  /** Name of the environment variable holding the API key. Default `OPENAI_API_KEY`. */
  apiKeyEnv: string;
}

/** `settings:` of the config. */
export interface GateSettings {
  parallel: number;
  timeoutSeconds: number;
  /** Time budget of one regex evaluation that risks catastrophic backtracking. */
  regexTimeoutMs: number;
  /** Allowed score drop against a baseline. */
  maxDrop: number;
  embedder?: EndpointSettings;
  judge?: EndpointSettings;
}

/** One config test. */
export interface TestSpec {
  id: string;
  description?: string;
  /** `input.prompt`, when given. */
  prompt?: string;
  /** `input.context`: reference passages for a live faithfulness judge. */
  context?: string[];
  expected: Expectation[];
  assertions: Assertion[];
  /** Per-test override of `settings.max_drop`. */
  maxDrop?: number;
  location: ConfigLocation;
}

/** A parsed, validated config. */
export interface GateConfig {
  file: string;
  version: number;
  suite: string;
  model: string;
  settings: GateSettings;
  tests: TestSpec[];
}
