// The quickstart's agent after a code change: the developer added a `unit`
// parameter to the GetWeather tool, so the model now sends
// {"location":"Tokyo","unit":"celsius"}. Both gates catch it:
//
//   assay ci --baseline   (a tool argument changed against the baseline)
//   assay replay --strict (the request's tool schema differs from the recording)
//
// `npm run quickstart:drift` (examples/quickstart/drift.ts) shows both failures.
import OpenAI from "openai";
import process from "node:process";
// In your project: import { recordChatCompletionsWithTools, TraceWriter } from "@assay-it/sdk";
import { recordChatCompletionsWithTools, TraceWriter } from "../../mod.ts";
import { startFakeWeatherModel } from "../_fake_model.ts";

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
    parameters: {
      type: "object",
      // The change: a new `unit` parameter.
      properties: { location: { type: "string" }, unit: { type: "string" } },
    },
  },
}];

function getWeather(args: { location?: string; unit?: string }) {
  return { temp: 22, location: args.location };
}

const writer = new TraceWriter("traces/quickstart_drift.jsonl", { mode: "truncate" });
try {
  const result = await recordChatCompletionsWithTools({
    writer,
    client,
    model: "gpt-4o",
    messages: [{ role: "user", content: "Weather in Tokyo?" }],
    tools: TOOLS,
    toolExecutors: { GetWeather: getWeather },
    episodeId: "weather_demo",
    testId: "weather_check",
  });
  console.log(`Agent Final Answer: ${result.content}`);
} finally {
  await writer.close();
  await fake?.close();
}
