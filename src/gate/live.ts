/**
 * Live embedder and judge through the `openai` client (loaded on first
 * use), for runs without `--replay-strict`. Configured in the YAML:
 *
 * ```yaml
 * settings:
 *   embedder: { model: text-embedding-3-small, base_url: "http://127.0.0.1:8080/v1" }
 *   judge: { model: gpt-4o-mini, api_key_env: OPENAI_API_KEY }
 * ```
 *
 * @module
 */
import { AssayError, quote } from "../errors.ts";
import type { EndpointSettings, GateSettings } from "./config_types.ts";
import type { JudgeInput, JudgeKind, Judgement, Scorer } from "./semantic.ts";

/** Options of {@linkcode createLiveScorer}. */
export interface LiveScorerOptions {
  /** Where API keys are looked up. */
  env: Record<string, string | undefined>;
  /** A `fetch` for the client (tests); default the global one. */
  fetch?: typeof fetch;
}

type OpenAIClient = {
  embeddings: {
    create(
      body: { model: string; input: string[]; encoding_format: "float" },
    ): Promise<{ data: { embedding: number[]; index: number }[] }>;
  };
  chat: {
    completions: {
      create(
        body: Record<string, unknown>,
      ): Promise<{ choices: { message: { content: string | null } }[] }>;
    };
  };
};

const JUDGE_QUESTIONS: Record<JudgeKind, string> = {
  faithfulness:
    "Faithfulness: is every claim in the ANSWER supported by the CONTEXT (tool results and reference passages)? 1 = fully supported, 0 = contradicted or invented.",
  relevance:
    "Relevance: does the ANSWER address the QUESTION? 1 = directly and completely, 0 = off-topic.",
};

/**
 * A {@linkcode Scorer} over the configured endpoints, or `undefined` when
 * neither `settings.embedder` nor `settings.judge` is set.
 *
 * @example
 * ```ts
 * import { createLiveScorer, parseConfig } from "@assay-it/sdk/gate";
 * const config = await parseConfig(
 *   "settings: { judge: { model: gpt-4o-mini } }\ntests:\n  - id: t\n    expected: { type: relevance }\n",
 * );
 * const scorer = createLiveScorer(config.settings, { env: { OPENAI_API_KEY: "sk-..." } });
 * ```
 */
export function createLiveScorer(
  settings: GateSettings,
  options: LiveScorerOptions,
): Scorer | undefined {
  if (!settings.embedder && !settings.judge) return undefined;
  const clients = new Map<EndpointSettings, Promise<OpenAIClient>>();
  const client = (what: "embedder" | "judge"): Promise<OpenAIClient> => {
    const ep = settings[what];
    if (!ep) {
      throw new AssayError("E_REPLAY_STRICT_MISSING", `no settings.${what} is configured`, {
        hint:
          `add settings.${what}: { model: ... } to the config, or record the scores into the trace`,
      });
    }
    let c = clients.get(ep);
    if (!c) {
      const apiKey = options.env[ep.apiKeyEnv] ?? (ep.baseUrl ? "assay-no-key" : undefined);
      if (apiKey === undefined) {
        throw new AssayError(
          "E_REPLAY_STRICT_MISSING",
          `settings.${what} needs an API key in $${ep.apiKeyEnv}`,
          {
            hint:
              `export ${ep.apiKeyEnv}, or set settings.${what}.base_url to a local OpenAI-compatible server`,
          },
        );
      }
      c = import("openai").then((m) =>
        new m.default({
          apiKey,
          maxRetries: 1,
          ...(ep.baseUrl ? { baseURL: ep.baseUrl } : {}),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }) as unknown as OpenAIClient
      );
      clients.set(ep, c);
    }
    return c;
  };
  return {
    async embed(texts: string[]): Promise<number[][]> {
      const c = await client("embedder");
      const res = await c.embeddings.create({
        model: settings.embedder!.model,
        input: texts,
        encoding_format: "float",
      });
      const out = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      if (out.length !== texts.length) {
        throw new Error(`the embedder returned ${out.length} embeddings for ${texts.length} texts`);
      }
      return out;
    },
    async judge(kind: JudgeKind, input: JudgeInput): Promise<Judgement> {
      const c = await client("judge");
      const res = await c.chat.completions.create({
        model: settings.judge!.model,
        temperature: 0,
        response_format: { type: "json_object" },
        messages: [
          {
            role: "system",
            content: `You grade an AI agent's answer. ${JUDGE_QUESTIONS[kind]} ` +
              'Reply with only a JSON object: {"score": <number from 0 to 1>, "rationale": "<one sentence>"}.',
          },
          {
            role: "user",
            content: `QUESTION:\n${input.prompt}\n\nCONTEXT:\n${
              input.context.join("\n") || "(none)"
            }\n\nANSWER:\n${input.output}`,
          },
        ],
      });
      return parseJudgement(res.choices[0]?.message.content ?? "");
    },
  };
}

/**
 * Parse a judge reply `{"score": 0.8, "rationale": "..."}` (a JSON object
 * somewhere in the text); throws when there is no score in [0, 1].
 *
 * @example
 * ```ts
 * import { parseJudgement } from "@assay-it/sdk/gate";
 * console.log(parseJudgement('{"score": 0.9, "rationale": "grounded"}').score); // 0.9
 * ```
 */
export function parseJudgement(text: string): Judgement {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  let data: { score?: unknown; rationale?: unknown } | null = null;
  try {
    data = start >= 0 && end > start ? JSON.parse(text.slice(start, end + 1)) : null;
  } catch {
    data = null;
  }
  const score = data?.score;
  if (typeof score !== "number" || !(score >= 0 && score <= 1)) {
    throw new Error(`the judge's reply has no score between 0 and 1: ${quote(text, 100)}`);
  }
  return typeof data?.rationale === "string" ? { score, rationale: data.rationale } : { score };
}
