// A small weather agent for the `assay replay` tests. AGENT_VARIANT plays a
// code change: system_prompt, tool_schema, arg_handling, tool_result,
// one_round (stops after the first model call). In replay (ASSAY_MODE set by
// assay replay) its client's fetch throws, so any network use fails the run.
import OpenAI from "openai";
import process from "node:process";
import { recordChatCompletionsWithTools, TraceWriter } from "../../../mod.ts";
import { startFakeWeatherModel } from "../../../examples/_fake_model.ts";

const variant = process.env.AGENT_VARIANT ?? "base";
const replaying = process.env.ASSAY_MODE === "replay";
const fake = replaying ? null : await startFakeWeatherModel();
const client = new OpenAI({
  apiKey: "offline",
  baseURL: fake?.baseURL ?? "http://replay.invalid/v1",
  maxRetries: 0,
  ...(replaying
    ? {
      fetch: () => {
        throw new Error("the agent used the network during replay");
      },
    }
    : {}),
});

const properties: Record<string, unknown> = { location: { type: "string" } };
if (variant === "tool_schema") properties.unit = { type: "string" };
const tools = [{
  type: "function" as const,
  function: { name: "GetWeather", parameters: { type: "object", properties } },
}];

function getWeather(args: { location: string }) {
  if (variant === "arg_handling") return { temp: 22, location: args.location.toUpperCase() };
  if (variant === "tool_result") return { temp: 30, location: args.location };
  return { temp: 22, location: args.location };
}

const writer = new TraceWriter(process.env.AGENT_TRACE ?? "traces/agent.jsonl", {
  mode: "truncate",
});
try {
  const result = await recordChatCompletionsWithTools({
    writer,
    client,
    model: "gpt-4o",
    messages: [
      {
        role: "system",
        content: variant === "system_prompt" ? "You are terse." : "You are a weather assistant.",
      },
      { role: "user", content: "Weather in Tokyo?" },
    ],
    tools,
    toolExecutors: { GetWeather: getWeather },
    maxToolRounds: variant === "one_round" ? 0 : 4,
    episodeId: "weather_demo",
    testId: "weather_check",
  });
  console.log(`answer: ${result.content}`);
} finally {
  await writer.close();
  await fake?.close();
}
