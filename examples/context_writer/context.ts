// The writer from context: calls inside withTraceWriter(writer, fn) that get
// no `writer` use it. Concurrent agents each get their own episode.
//
//   cd examples/context_writer && deno run -A context.ts
import OpenAI from "openai";
import process from "node:process";
// In your project: import { ... } from "@assay-it/sdk";
import {
  readTraceFile,
  recordChatCompletionsWithTools,
  TraceWriter,
  withTraceWriter,
} from "../../mod.ts";
import { startFakeWeatherModel } from "../_fake_model.ts";

const fake = process.env.OPENAI_API_KEY ? null : await startFakeWeatherModel();
const client = new OpenAI(fake ? { apiKey: "offline", baseURL: fake.baseURL, maxRetries: 0 } : {});
const TOOLS = [{
  type: "function" as const,
  function: {
    name: "GetWeather",
    parameters: { type: "object", properties: { location: { type: "string" } } },
  },
}];

/** Your agent: it knows nothing about tracing. */
function weatherAgent(city: string) {
  return recordChatCompletionsWithTools({
    client,
    model: "gpt-4o",
    messages: [{ role: "user", content: `Weather in ${city}?` }],
    tools: TOOLS,
    toolExecutors: {
      GetWeather: (args: { location?: string }) => ({
        temp: city.length * 3,
        location: args.location,
      }),
    },
    episodeId: `weather_${city.toLowerCase()}`,
    testId: `weather_${city.toLowerCase()}`,
  });
}

const writer = new TraceWriter("traces/context.jsonl", { mode: "truncate" });
try {
  const answers = await withTraceWriter(
    writer,
    () => Promise.all(["Tokyo", "Paris", "Lima"].map(weatherAgent)),
  );
  for (const a of answers) console.log(`${a.testId}: ${a.content}`);
} finally {
  await writer.close();
  await fake?.close();
}
for await (const ep of readTraceFile("traces/context.jsonl")) {
  console.log(`recorded ${ep.episodeId}: ${ep.toolCalls.length} tool call, outcome ${ep.outcome}`);
}
