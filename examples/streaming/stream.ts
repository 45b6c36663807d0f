// Streaming: chunks reach you as they arrive while the SDK records the answer.
//
//   cd examples/streaming && deno run -A stream.ts
import OpenAI from "openai";
import process from "node:process";
// In your project: import { ... } from "@assay-it/sdk";
import { recordChatCompletionsStream, TraceWriter } from "../../mod.ts";
import { startFakeWeatherModel } from "../_fake_model.ts";

const fake = process.env.OPENAI_API_KEY ? null : await startFakeWeatherModel();
const client = new OpenAI(fake ? { apiKey: "offline", baseURL: fake.baseURL, maxRetries: 0 } : {});
const writer = new TraceWriter("traces/stream.jsonl", { mode: "truncate" });
try {
  const stream = recordChatCompletionsStream({
    writer,
    client,
    model: "gpt-4o",
    messages: [{ role: "user", content: "Say hello" }],
    includeUsage: true, // ask for the final usage chunk, recorded as gen_ai.usage
    episodeId: "stream_demo",
    testId: "stream_check",
  });
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta?.content;
    if (text) process.stdout.write(text);
  }
  const { content, usage } = await stream.finalResult();
  console.log(`\nrecorded: ${JSON.stringify(content)}, usage: ${usage?.total_tokens} tokens`);
} finally {
  await writer.close();
  await fake?.close();
}
