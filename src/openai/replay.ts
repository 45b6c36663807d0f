/**
 * Replay: re-running the agent's own code with every model answer served
 * from a recorded trace. The recording functions replay when their `mode`
 * (or `$ASSAY_MODE`) says so; this module adds `replayFetch`, a `fetch`
 * for `new OpenAI({ fetch })` that serves recorded answers at the HTTP
 * level, and `compareTraces`, the comparison `assay replay` reports.
 *
 * @module
 */
import { quote } from "../errors.ts";
import type { Episode } from "../trace/model.ts";
import {
  answerChunks,
  answerResponse,
  comparableParams,
  type ComparableRequest,
  difference,
  loadReplayIndex,
  missingRound,
  pointerDiff,
  recordedAnswer,
  recordedRequest,
  type RecordedRound,
  type ReplayIndex,
  requestDiffs,
  roundSummary,
  safeJson,
} from "./_replay.ts";
import { sha256Hex } from "../runtime/sha256.ts";
import type { ReplayDifference, ReplayTraceInput } from "./types.ts";

/** What {@linkcode compareTraces} found. */
export interface ReplayComparison {
  /** Every difference, episode by episode in recorded order, then extra episodes. */
  differences: ReplayDifference[];
  /** Episodes compared (present in both traces). */
  compared: number;
  /** Model rounds compared. */
  rounds: number;
}

function modelRounds(ep: Episode): RecordedRound[] {
  return ep.steps.filter((s) => s.kind === "model").map((step, round) => ({
    episode: ep,
    round,
    step,
  }));
}

function latestById(episodes: readonly Episode[]): Map<string, Episode> {
  const out = new Map<string, Episode>();
  for (const ep of [...episodes].sort((a, b) => a.line - b.line)) out.set(ep.episodeId, ep);
  return out;
}

function episodeDiff(
  id: string,
  d: { path: string; recorded?: string; now?: string },
  what: string,
) {
  return difference("episode", id, null, d, what);
}

/**
 * Compares a replayed run's trace with the recorded one, episode by
 * episode and round by round: the request each round sent (parameters and
 * messages; `user` and transport details are never recorded), the model
 * step (text and tool calls), each tool's result or error, the number of
 * rounds, the prompt and the outcome. Returns data; printing is the CLI's.
 *
 * @example
 * ```ts
 * import { compareTraces, readTraceAll } from "@assay-it/sdk";
 * const text = '{"prompt":"hi","response":"hello","request_id":"e1","schema_version":1,"type":"assay.trace"}\n';
 * const { episodes } = await readTraceAll(text);
 * const { differences } = compareTraces(episodes, episodes);
 * console.log(differences.length); // 0
 * ```
 */
export function compareTraces(
  recorded: readonly Episode[],
  now: readonly Episode[],
): ReplayComparison {
  const before = latestById(recorded);
  const after = latestById(now);
  const differences: ReplayDifference[] = [];
  let compared = 0;
  let roundsCompared = 0;
  for (const [id, old] of before) {
    const cur = after.get(id);
    if (cur === undefined) {
      differences.push(episodeDiff(id, {
        path: "",
        recorded: safeJson({ prompt: old.prompt, outcome: old.outcome }),
      }, "the agent did not run this recorded episode"));
      continue;
    }
    compared++;
    if (old.prompt !== cur.prompt) {
      differences.push(episodeDiff(id, {
        path: "/prompt",
        recorded: safeJson(old.prompt),
        now: safeJson(cur.prompt),
      }, "prompt differs"));
    }
    const a = modelRounds(old);
    const b = modelRounds(cur);
    const seen = new Set<string>();
    const n = Math.min(a.length, b.length);
    for (let r = 0; r < n; r++) {
      roundsCompared++;
      const sa = a[r].step;
      const sb = b[r].step;
      if (sa.meta["assay.request.sha256"] !== sb.meta["assay.request.sha256"]) {
        const ra = recordedRequest(a, r);
        const rb = recordedRequest(b, r);
        if (ra !== null && rb !== null) {
          for (const d of requestDiffs(ra, rb, seen)) {
            differences.push(difference("request", id, r, d, "request differs"));
          }
        }
      }
      for (const d of pointerDiff(sa.content, sb.content, "/content")) {
        differences.push(difference("content", id, r, d, "model answer differs"));
      }
      const calls = Math.max(sa.toolCalls.length, sb.toolCalls.length);
      for (let i = 0; i < calls; i++) {
        const ca = sa.toolCalls[i];
        const cb = sb.toolCalls[i];
        const base = `/tool_calls/${i}`;
        if (ca === undefined || cb === undefined) {
          const side = (c: typeof ca) =>
            c === undefined ? undefined : safeJson({ name: c.toolName, args: c.args });
          differences.push(difference("content", id, r, {
            path: base,
            ...(ca ? { recorded: side(ca) } : {}),
            ...(cb ? { now: side(cb) } : {}),
          }, "tool call differs"));
          continue;
        }
        const tool = `tool ${quote(ca.toolName)}`;
        const checks: [string, unknown, unknown, ReplayDifference["kind"], string][] = [
          ["name", ca.toolName, cb.toolName, "content", "tool call differs"],
          ["args", ca.args, cb.args, "content", `${tool} arguments differ`],
          ["error", ca.error, cb.error, "tool", `${tool} error differs`],
          ["result", ca.result, cb.result, "tool", `${tool} result differs`],
        ];
        for (const [field, x, y, kind, what] of checks) {
          for (const d of pointerDiff(x, y, `${base}/${field}`)) {
            differences.push(difference(kind, id, r, d, what));
          }
        }
      }
    }
    for (let r = n; r < a.length; r++) differences.push(missingRound(id, a[r], r));
    for (let r = n; r < b.length; r++) {
      differences.push(difference("rounds", id, r, {
        path: "",
        now: roundSummary(b[r].step),
      }, "the agent made an extra model round the trace does not have"));
    }
    if (old.outcome !== cur.outcome) {
      const errorOf = (ep: Episode) =>
        ep.outcome === "error"
          ? `error: ${String(ep.endMeta["error.message"] ?? ep.endMeta["error.type"] ?? "")}`
          : ep.outcome;
      differences.push(episodeDiff(id, {
        path: "/outcome",
        recorded: safeJson(errorOf(old)),
        now: safeJson(errorOf(cur)),
      }, "outcome differs"));
    }
  }
  for (const [id, cur] of after) {
    if (before.has(id)) continue;
    differences.push(episodeDiff(id, {
      path: "",
      now: safeJson({ prompt: cur.prompt, outcome: cur.outcome }),
    }, "the agent ran an episode the recorded trace does not have"));
  }
  return { differences, compared, rounds: roundsCompared };
}

/** Options of {@linkcode replayFetch}. */
export interface ReplayFetchOptions {
  /**
   * Serve requests only in recorded order, failing on the first one that
   * differs; default false: a request is matched by its fingerprint
   * anywhere in the trace (each recorded answer is served once, in order).
   */
  ordered?: boolean;
}

const encoder = new TextEncoder();

function errorResponse(status: number, message: string, code: string): Response {
  return new Response(
    JSON.stringify({ error: { message, type: "assay_replay", code, param: null } }),
    { status, headers: { "content-type": "application/json" } },
  );
}

function sseResponse(chunks: readonly unknown[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(`data: ${JSON.stringify(c)}\n\n`));
      controller.enqueue(encoder.encode("data: [DONE]\n\n"));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

/**
 * A message as compared by `replayFetch`. Code that calls the client
 * directly sends the API's assistant message back as it came
 * (`refusal: null`, `annotations: []`, ...), where the recording functions
 * echo only the fields with content: those empty fields are left out.
 */
function normalMessage(m: unknown): unknown {
  if (m === null || typeof m !== "object" || Array.isArray(m)) return m;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === null && k !== "content") continue;
    if (k === "annotations" && Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

function normalRequest(req: ComparableRequest): ComparableRequest {
  return { params: req.params, messages: req.messages.map(normalMessage) };
}

function fingerprintOf(req: ComparableRequest): string {
  return sha256Hex(safeJson({ ...req.params, messages: req.messages }));
}

/** Recorded rounds by the fingerprint of their normalised request. */
function matchIndex(idx: ReplayIndex): Map<string, RecordedRound[]> {
  const out = new Map<string, RecordedRound[]>();
  for (const { rounds } of idx.episodes.values()) {
    for (const r of rounds) {
      const req = recordedRequest(rounds, r.round);
      if (req === null) continue;
      const sha = fingerprintOf(normalRequest(req));
      const list = out.get(sha);
      if (list) list.push(r);
      else out.set(sha, [r]);
    }
  }
  return out;
}

async function requestText(input: RequestInfo | URL, init?: RequestInit): Promise<string> {
  if (init?.body !== undefined && init.body !== null) {
    if (typeof init.body === "string") return init.body;
    return await new Response(init.body).text();
  }
  if (input instanceof Request) return await input.text();
  return "";
}

/**
 * A `fetch` that answers OpenAI chat-completion requests from a recorded
 * trace, at the HTTP level: pass it as `new OpenAI({ fetch })` to replay
 * code that calls the client directly. Each request is matched by its
 * fingerprint (`assay.request.sha256`: the canonical request without
 * `user`) to a recorded round and answered with that round's JSON response
 * or, for `stream: true`, its server-sent events. A request it cannot
 * match gets a 400 response (the client throws) whose message names the
 * episode and round it was expected to be and the JSON pointers that
 * differ. It never touches the network.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { replayFetch } from "@assay-it/sdk";
 *
 * const client = new OpenAI({
 *   apiKey: "replay",
 *   baseURL: "http://replay.invalid/v1",
 *   fetch: replayFetch("traces/quickstart.jsonl"),
 * });
 * const answer = await client.chat.completions.create({
 *   model: "gpt-4o",
 *   messages: [{ role: "user", content: "Weather in Tokyo?" }],
 * });
 * console.log(answer.choices[0].message);
 * ```
 */
export function replayFetch(
  trace: ReplayTraceInput,
  options: ReplayFetchOptions = {},
): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  let index: Promise<{ idx: ReplayIndex; bySha: Map<string, RecordedRound[]> }> | null = null;
  const served = new Set<RecordedRound>();
  return async (input, init) => {
    index ??= loadReplayIndex(trace).then((idx) => ({ idx, bySha: matchIndex(idx) }));
    const { idx, bySha } = await index;
    const url = input instanceof Request ? input.url : String(input);
    if (!/\/chat\/completions(\?|$)/.test(url)) {
      return errorResponse(
        404,
        `replayFetch serves only chat completions from the trace ${quote(idx.label)}; ` +
          `got a request for ${quote(url)}`,
        "E_REPLAY_STRICT_MISSING",
      );
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await requestText(input, init));
    } catch {
      return errorResponse(400, "replayFetch: the request body is not JSON", "E_REPLAY_DIFF");
    }
    const now = normalRequest({
      params: comparableParams(body),
      messages: Array.isArray(body.messages) ? body.messages : [],
    });
    const sha = fingerprintOf(now);
    // The first round not served yet: what an agent replaying in order asks for next.
    const expected = idx.order.find((r) => !served.has(r));
    let match: RecordedRound | undefined;
    const candidates = bySha.get(sha) ?? [];
    if (options.ordered) {
      if (expected && candidates.includes(expected)) match = expected;
    } else {
      match = candidates.find((r) => !served.has(r)) ?? candidates[candidates.length - 1];
    }
    if (match === undefined) {
      if (expected === undefined) {
        return errorResponse(
          400,
          `replay: no recorded model round is left in ${
            quote(idx.label)
          } for this request (an extra model call; the trace has ${idx.order.length})`,
          "E_REPLAY_STRICT_MISSING",
        );
      }
      const rounds = idx.episodes.get(expected.episode.episodeId)!.rounds;
      const recorded = recordedRequest(rounds, expected.round);
      const diffs = recorded === null ? [] : requestDiffs(normalRequest(recorded), now, new Set());
      const lines = diffs.slice(0, 10).map((d) =>
        difference("request", expected.episode.episodeId, expected.round, d, "request differs")
          .message
      );
      return errorResponse(
        400,
        `replay: no recorded model round of ${
          quote(idx.label)
        } matches this request; the next recorded one is episode ${
          quote(expected.episode.episodeId)
        } round ${expected.round}:\n${lines.join("\n")}`,
        "E_REPLAY_DIFF",
      );
    }
    served.add(match);
    const rounds = idx.episodes.get(match.episode.episodeId)!.rounds;
    const answer = recordedAnswer(rounds, match.round);
    const id = `chatcmpl-replay-${match.episode.episodeId}-${match.round}`;
    if (body.stream === true) {
      const usage = (body.stream_options as { include_usage?: unknown } | undefined)
        ?.include_usage === true;
      return sseResponse(answerChunks(answer, id, usage));
    }
    return new Response(JSON.stringify(answerResponse(answer, id)), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };
}
