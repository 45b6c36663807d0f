// The streaming tool loop: every round streams to you, tools run between
// rounds, and the whole loop is recorded as one episode.
//
//   cd examples/streaming && deno run -A stream_with_tools.ts
import OpenAI from "openai";
import process from "node:process";
// In your project: import { ... } from "@assay-it/sdk";
import { recordChatCompletionsStreamWithTools, TraceWriter } from "../../mod.ts";
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

const writer = new TraceWriter("traces/stream_tools.jsonl", { mode: "truncate" });
try {
  const stream = recordChatCompletionsStreamWithTools({
    writer,
    client,
    model: "gpt-4o",
    messages: [{ role: "user", content: "Weather in Osaka?" }],
    tools: TOOLS,
    toolExecutors: {
      // Async executors are awaited.
      GetWeather: async (args: { location?: string }) => {
        await new Promise((r) => setTimeout(r, 5));
        return { temp: 19, location: args.location };
      },
    },
    episodeId: "stream_tools_demo",
    testId: "stream_tools_check",
  });
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta;
    if (delta?.content) process.stdout.write(delta.content);
    for (const call of delta?.tool_calls ?? []) {
      if (call.function?.name) process.stdout.write(`[calling ${call.function.name}]`);
    }
  }
  const result = await stream.finalResult();
  console.log(
    `\nrounds: ${result.rounds}, tool calls: ${
      result.toolCalls.map((c) =>
        `${c.name}(${JSON.stringify(c.args)}) -> ${JSON.stringify(c.result)}`
      ).join(", ")
    }`,
  );
} finally {
  await writer.close();
  await fake?.close();
}
