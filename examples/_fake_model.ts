// An offline stand-in for the OpenAI API, used by the examples when no
// OPENAI_API_KEY is set: a loopback server (the project's fake OpenAI server)
// with a tiny deterministic "weather model". It calls the first tool it is
// offered with the city named in the prompt, then answers from the tool's
// result; it streams when asked to. When the offered tool's schema has a
// `unit` property, it passes `unit: "celsius"` too, as a real model would
// fill in a parameter it is given (the quickstart's drift demo relies on it).
import {
  chatCompletion,
  chatCompletionChunks,
  type FakeOpenAI,
  type FakeRequest,
  type FakeResponse,
  startFakeOpenAI,
} from "../testing.ts";

interface Message {
  role: string;
  content?: unknown;
  tool_calls?: unknown[];
}
interface Body {
  messages: Message[];
  tools?: { function: { name: string; parameters?: { properties?: Record<string, unknown> } } }[];
  stream?: boolean;
}

function text(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => (p as { text?: string }).text ?? "").join("");
  }
  return "";
}

function answer(body: Body): { content?: string; call?: { name: string; arguments: string } } {
  const messages = body.messages ?? [];
  const last = messages[messages.length - 1];
  const results = messages.filter((m) => m.role === "tool").map((m) => text(m.content));
  if (last?.role === "tool") {
    const data = JSON.parse(results[results.length - 1]) as Record<string, unknown>;
    if (data.temp !== undefined) return { content: `It is ${data.temp}C in ${data.location}.` };
    return { content: `The tool said: ${results[results.length - 1]}` };
  }
  const prompt = text([...messages].reverse().find((m) => m.role === "user")?.content);
  const city = /\bin ([A-Z][\p{L}]+)/u.exec(prompt)?.[1] ?? "Tokyo";
  const tool = body.tools?.[0]?.function;
  if (tool) {
    const args: Record<string, string> = { location: city };
    if (tool.parameters?.properties?.unit !== undefined) args.unit = "celsius";
    return { call: { name: tool.name, arguments: JSON.stringify(args) } };
  }
  return { content: `Hello! You asked: ${prompt}` };
}

function respond(request: FakeRequest): FakeResponse {
  const body = request.body as Body;
  const { content, call } = answer(body);
  const id = `call_${body.messages.length}`;
  if (body.stream) {
    const pieces = content ? content.match(/.{1,8}/gsu) ?? [] : [];
    const fragments = call ? call.arguments.match(/.{1,6}/gsu) ?? [] : [];
    return {
      kind: "stream",
      chunks: chatCompletionChunks({
        content: pieces,
        toolCalls: call ? [{ id, name: call.name, fragments }] : [],
        usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
      }),
    };
  }
  return {
    kind: "json",
    body: chatCompletion({
      content,
      toolCalls: call ? [{ id, ...call }] : [],
      usage: { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 },
    }),
  };
}

/** Starts the offline weather model on a loopback port. */
export function startFakeWeatherModel(): Promise<FakeOpenAI> {
  return startFakeOpenAI({ respond, keepRequests: false });
}
