// Redaction: keys and secret-shaped strings are scrubbed inside the writer,
// before anything reaches the disk.
//
//   cd examples/redaction && deno run -A redact.ts
import OpenAI from "openai";
import { readFile } from "node:fs/promises";
import process from "node:process";
// In your project: import { ... } from "@assay-it/sdk";
import { makeRedactor, recordChatCompletions, TraceWriter } from "../../mod.ts";
import { startFakeWeatherModel } from "../_fake_model.ts";

const fake = process.env.OPENAI_API_KEY ? null : await startFakeWeatherModel();
const client = new OpenAI(fake ? { apiKey: "offline", baseURL: fake.baseURL, maxRetries: 0 } : {});

// Scrub these keys at any depth (case-insensitive) and OpenAI-style keys anywhere in text.
const redactor = makeRedactor({
  keyDenylist: ["authorization", "password", "api_key"],
  patterns: [/sk-[a-zA-Z0-9]{20,}/],
});
const writer = new TraceWriter("traces/secure.jsonl", { mode: "truncate", redact: redactor });
const leaked = "sk-" + "A1b2C3d4E5f6G7h8I9j0K1l2";
try {
  await recordChatCompletions({
    writer,
    client,
    model: "gpt-4o",
    messages: [{ role: "user", content: `my key is ${leaked}, please remember it` }],
    meta: { api_key: leaked, customer: "acme" },
    episodeId: "redaction_demo",
    testId: "redaction_check",
  });
} finally {
  await writer.close();
  await fake?.close();
}
const text = await readFile("traces/secure.jsonl", "utf8");
console.log(
  text.includes(leaked) ? "LEAKED: the key is in the trace" : "the key is not in the trace",
);
console.log(text.split("\n")[0]);
if (text.includes(leaked)) process.exit(1);
