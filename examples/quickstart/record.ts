// The seed's quickstart in TypeScript: record the weather agent's tool loop.
//
//   cd examples/quickstart && deno run -A record.ts     (or: bun record.ts / node --import tsx record.ts)
//
// With OPENAI_API_KEY set it talks to the real API; without one it starts an
// offline fake model on a loopback port, so the quickstart runs anywhere.
import OpenAI from "openai";
import process from "node:process";
// In your project: import { recordChatCompletionsWithTools, TraceWriter } from "@assay-it/sdk";
import { recordChatCompletionsWithTools, TraceWriter } from "../../mod.ts";
import { startFakeWeatherModel } from "../_fake_model.ts";

// 1. Setup client & tools
const fake = process.env.OPENAI_API_KEY ? null : await startFakeWeatherModel();
const client = new OpenAI(
  fake
    ? { apiKey: "offline", baseURL: fake.baseURL, maxRetries: 0 }
    : { apiKey: process.env.OPENAI_API_KEY },
);
const TOOLS = [{
  type: "function" as const,
  function: {
    name: "GetWeather",
    parameters: { type: "object", properties: { location: { type: "string" } } },
  },
}];

// 2. The "real" code: your tool implementation
function getWeather(args: { location?: string }) {
  return { temp: 22, location: args.location };
}

// 3. Record the loop. "truncate" starts a fresh file on every run, so the
// trace never holds the same episode twice (see "Duplicate prompt" in the README).
const writer = new TraceWriter("traces/quickstart.jsonl", { mode: "truncate" });
try {
  const result = await recordChatCompletionsWithTools({
    writer,
    client,
    model: "gpt-4o",
    messages: [{ role: "user", content: "Weather in Tokyo?" }],
    tools: TOOLS,
    toolExecutors: { GetWeather: getWeather }, // link schema -> function
    episodeId: "weather_demo",
    testId: "weather_check",
  });
  console.log(`Agent Final Answer: ${result.content}`);
} finally {
  await writer.close();
  await fake?.close();
}
