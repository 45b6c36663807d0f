/**
 * A fake OpenAI-compatible server for tests, examples and benchmarks: a
 * loopback HTTP server (`node:http`, which Deno, Bun and Node all provide)
 * that answers `POST /v1/chat/completions` (and `POST /v1/embeddings`, for
 * the gate's live embedder) with scripted responses, JSON or
 * server-sent events, so the real `openai` client can be driven offline.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A JSON chat completion (status 200 unless `status` says otherwise). */
export interface FakeJsonResponse {
  kind: "json";
  /** The response body, e.g. built with {@linkcode chatCompletion}. */
  body: unknown;
  status?: number;
  headers?: Record<string, string>;
}

/** A streamed answer: one `data: <json>` event per chunk, then `data: [DONE]`. */
export interface FakeStreamResponse {
  kind: "stream";
  /** The chunks (objects are sent as JSON; strings are sent as the event's data verbatim). */
  chunks: unknown[];
  /** Wait this long before every chunk after the first. */
  pauseMs?: number;
  /**
   * Called before chunk `index` is sent (and before the cut, with index
   * `cutAfter`); the server waits for the returned Promise. Lets a test hold
   * the rest of the stream until it has seen chunk 0 (proof by order, not
   * by timing).
   */
  before?: (index: number) => unknown;
  /** Destroy the connection after this many chunks (a stream cut midway). */
  cutAfter?: number;
  /** Send the final `data: [DONE]`; default true. */
  done?: boolean;
}

/** An HTTP error with an OpenAI-shaped error body. */
export interface FakeErrorResponse {
  kind: "error";
  /** e.g. 429 or 500. */
  status: number;
  /** Default `{error: {message, type, code}}` built from `message`. */
  body?: unknown;
  message?: string;
  headers?: Record<string, string>;
}

/** One scripted answer of the fake server. */
export type FakeResponse = FakeJsonResponse | FakeStreamResponse | FakeErrorResponse;

/** A request the fake server received. */
export interface FakeRequest {
  method: string;
  /** The path, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (`null` when empty, the raw text when not JSON). */
  body: unknown;
}

/** Options of {@linkcode startFakeOpenAI}. */
export interface FakeOpenAIOptions {
  /** Answers for the first requests, in order (more can be added with `push`). */
  responses?: FakeResponse[];
  /**
   * Answers requests once the scripted list is used up (benchmarks, endless
   * scripts). Without it an unscripted request gets a 500 naming the problem.
   */
  respond?: (request: FakeRequest, index: number) => FakeResponse | Promise<FakeResponse>;
  /** Keep the received requests in `requests`; default true (turn off for long benchmarks). */
  keepRequests?: boolean;
}

/** A running fake server. */
export interface FakeOpenAI extends AsyncDisposable {
  /** The base URL to give the client: `http://127.0.0.1:<port>/v1`. */
  readonly baseURL: string;
  /** Every request received so far, in order. */
  readonly requests: FakeRequest[];
  /** Queues more scripted answers. */
  push(...responses: FakeResponse[]): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    req.on("data", (d: Uint8Array) => parts.push(d));
    req.on("end", () => resolve(new TextDecoder().decode(concat(parts))));
    req.on("error", reject);
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function parse(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Resolves once the text is handed to the socket, so a cut that follows
// really comes after the chunks the client should still receive.
function write(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => {
    res.write(text, () => resolve());
  });
}

// Closes the connection in the middle of the body: the client has the
// chunks sent so far, then a premature end of the chunked response.
async function cut(res: ServerResponse): Promise<void> {
  // Bun reports a write as done before the bytes leave; give them a moment.
  // (Tests that need the chunks delivered hold the cut with `before`.)
  await sleep(5);
  const socket = res.socket;
  if (socket) socket.end();
  else res.destroy();
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(new TextEncoder().encode(text).length),
    ...headers,
  });
  res.end(text);
}

async function play(res: ServerResponse, answer: FakeResponse): Promise<void> {
  switch (answer.kind) {
    case "json":
      sendJson(res, answer.status ?? 200, answer.body, answer.headers);
      return;
    case "error": {
      const message = answer.message ?? `fake error ${answer.status}`;
      const body = answer.body ?? {
        error: {
          message,
          type: answer.status === 429 ? "rate_limit_exceeded" : "server_error",
          code: answer.status === 429 ? "rate_limit_exceeded" : null,
        },
      };
      sendJson(res, answer.status, body, answer.headers);
      return;
    }
    case "stream": {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
      });
      res.flushHeaders();
      for (let i = 0; i < answer.chunks.length; i++) {
        if (i > 0 && answer.pauseMs) await sleep(answer.pauseMs);
        if (answer.before) await answer.before(i);
        if (answer.cutAfter !== undefined && i >= answer.cutAfter) return cut(res);
        const chunk = answer.chunks[i];
        await write(res, `data: ${typeof chunk === "string" ? chunk : JSON.stringify(chunk)}\n\n`);
      }
      if (answer.cutAfter !== undefined && answer.cutAfter >= answer.chunks.length) {
        if (answer.before) await answer.before(answer.chunks.length);
        return cut(res);
      }
      if (answer.done !== false) await write(res, "data: [DONE]\n\n");
      res.end();
      return;
    }
    default:
      sendJson(res, 500, {
        error: { message: `fake server: unknown response kind ${JSON.stringify(answer)}` },
      });
  }
}

/**
 * Starts a fake OpenAI server on `127.0.0.1` (a free port) that plays the
 * scripted responses in order.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { chatCompletion, startFakeOpenAI } from "@assay-it/sdk/testing";
 *
 * await using server = await startFakeOpenAI({
 *   responses: [{ kind: "json", body: chatCompletion({ content: "It is 22C in Tokyo." }) }],
 * });
 * const client = new OpenAI({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 });
 * const answer = await client.chat.completions.create({
 *   model: "gpt-4o",
 *   messages: [{ role: "user", content: "Weather in Tokyo?" }],
 * });
 * console.log(answer.choices[0].message.content, server.requests.length); // "It is 22C in Tokyo." 1
 * ```
 */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const queue: FakeResponse[] = [...(options.responses ?? [])];
  const requests: FakeRequest[] = [];
  const keep = options.keepRequests ?? true;
  const sockets = new Set<Socket>();
  let count = 0;

  const server = createServer((req, res) => {
    (async () => {
      const text = await readBody(req);
      const request: FakeRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: { ...req.headers },
        body: parse(text),
      };
      const index = count++;
      if (keep) requests.push(request);
      const routed = request.path.endsWith("/chat/completions") ||
        request.path.endsWith("/embeddings");
      if (req.method !== "POST" || !routed) {
        sendJson(res, 404, {
          error: { message: `fake server: no route for ${req.method} ${request.path}` },
        });
        return;
      }
      const answer = queue.shift() ?? (await options.respond?.(request, index));
      if (answer === undefined) {
        sendJson(res, 500, {
          error: {
            message: `fake server: no scripted response left for request #${index + 1}; ` +
              "add one to responses or pass respond",
            type: "fake_script_exhausted",
          },
        });
        return;
      }
      await play(res, answer);
    })().catch((err) => {
      if (!res.headersSent) {
        sendJson(res, 500, {
          error: { message: `fake server failed: ${(err as Error)?.message ?? err}` },
        });
      } else {
        res.destroy();
      }
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    return closing;
  };
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    push: (...responses) => void queue.push(...responses),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Options of {@linkcode chatCompletion}. */
export interface ChatCompletionBodyOptions {
  content?: string | null;
  /** Tool calls; `id: null` leaves the id out (servers that omit it). */
  toolCalls?: { id?: string | null; name: string; arguments: string }[];
  finishReason?: string;
  model?: string;
  id?: string;
  /** Default `{prompt_tokens: 10, completion_tokens: 5, total_tokens: 15}`; `null` leaves it out. */
  usage?: Record<string, unknown> | null;
}

/**
 * Builds an OpenAI-shaped `chat.completion` response body.
 *
 * @example
 * ```ts
 * import { chatCompletion } from "@assay-it/sdk/testing";
 * const body = chatCompletion({ toolCalls: [{ id: "call_1", name: "GetWeather", arguments: '{"location":"Tokyo"}' }] });
 * console.log(body.choices[0].finish_reason); // "tool_calls"
 * ```
 */
export function chatCompletion(
  options: ChatCompletionBodyOptions = {},
):
  & { choices: { finish_reason: string; message: Record<string, unknown> }[] }
  & Record<string, unknown> {
  const calls = options.toolCalls ?? [];
  const message: Record<string, unknown> = {
    role: "assistant",
    content: options.content === undefined ? (calls.length ? null : "") : options.content,
    refusal: null,
  };
  if (calls.length) {
    message.tool_calls = calls.map((c) => ({
      ...(c.id === null ? {} : { id: c.id ?? `call_${c.name}` }),
      type: "function",
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  const body: Record<string, unknown> = {
    id: options.id ?? "chatcmpl-fake",
    object: "chat.completion",
    created: 1700000000,
    model: options.model ?? "gpt-4o",
    choices: [{
      index: 0,
      message,
      finish_reason: options.finishReason ?? (calls.length ? "tool_calls" : "stop"),
      logprobs: null,
    }],
  };
  const usage = options.usage === undefined
    ? { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }
    : options.usage;
  if (usage !== null) body.usage = usage;
  return body as ReturnType<typeof chatCompletion>;
}

/** Options of {@linkcode chatCompletionChunks}. */
export interface ChatCompletionChunksOptions {
  /** Content pieces, one chunk each. */
  content?: string[];
  /** Tool calls; each one's `fragments` are its argument pieces (one chunk each). */
  toolCalls?: { id?: string | null; name: string; fragments: string[] }[];
  finishReason?: string;
  model?: string;
  id?: string;
  /** Adds a final usage-only chunk (empty `choices`). */
  usage?: Record<string, unknown>;
}

/**
 * Builds the `chat.completion.chunk` objects of one streamed answer: content
 * pieces, then each tool call (id and name on its first fragment only, as
 * OpenAI sends them), then the finish chunk and an optional usage chunk.
 *
 * @example
 * ```ts
 * import { chatCompletionChunks } from "@assay-it/sdk/testing";
 * const chunks = chatCompletionChunks({ content: ["Hel", "lo"], usage: { total_tokens: 5 } });
 * console.log(chunks.length); // 4
 * ```
 */
export function chatCompletionChunks(
  options: ChatCompletionChunksOptions = {},
): Record<string, unknown>[] {
  const head = {
    id: options.id ?? "chatcmpl-fake-stream",
    object: "chat.completion.chunk",
    created: 1700000000,
    model: options.model ?? "gpt-4o",
  };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    ...head,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const out: Record<string, unknown>[] = [];
  const content = options.content ?? [];
  content.forEach((piece, i) =>
    out.push(chunk(i === 0 ? { role: "assistant", content: piece } : { content: piece }))
  );
  (options.toolCalls ?? []).forEach((call, index) => {
    const fragments = call.fragments.length ? call.fragments : [""];
    fragments.forEach((args, j) => {
      const frag: Record<string, unknown> = { index, function: { arguments: args } };
      if (j === 0) {
        if (call.id !== null) frag.id = call.id ?? `call_${call.name}`;
        frag.type = "function";
        frag.function = { name: call.name, arguments: args };
      }
      out.push(chunk({ tool_calls: [frag] }));
    });
  });
  const calls = options.toolCalls?.length ?? 0;
  out.push(chunk({}, options.finishReason ?? (calls ? "tool_calls" : "stop")));
  if (options.usage) out.push({ ...head, choices: [], usage: options.usage });
  return out;
}
