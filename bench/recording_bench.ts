// Recording cost, measured as ratios inside one run (the machine is noisy):
//  1. the tool loop in episodes/s against an in-process scripted client
//     (no network; the Python SDK does ~3,350/s), plain and streamed;
//  2. recording overhead against the bare openai client on the same
//     loopback fake server: 1,000 calls each, interleaved in blocks. The
//     server runs in a process of its own (bench/_fake_server.ts), as a
//     real model API runs elsewhere: in-process, its work would share the
//     client's thread and every microsecond of recording would also delay
//     the server's answer.
// Run: deno run -A bench/recording_bench.ts | bun bench/recording_bench.ts |
//      node --import tsx bench/recording_bench.ts
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import {
  type ChatCompletionsClient,
  FrozenClock,
  recordChatCompletions,
  recordChatCompletionsStreamWithTools,
  recordChatCompletionsWithTools,
  TraceWriter,
} from "../mod.ts";
import { chatCompletion, chatCompletionChunks } from "../testing.ts";
import { startServerProcess } from "./_fake_server.ts";
import { median, RUNTIME, table } from "./_util.ts";

const dir = await mkdtemp(join(tmpdir(), "assay-recording-bench-"));
const TOOLS = [{
  type: "function" as const,
  function: {
    name: "GetWeather",
    parameters: { type: "object", properties: { location: { type: "string" } } },
  },
}];
const MESSAGES = [{ role: "user" as const, content: "Weather in Tokyo?" }];
const executors = { GetWeather: (a: { location: string }) => ({ temp: 22, location: a.location }) };

// Scenario 03 of the Python fixtures: one tool round, then the answer.
const toolAnswer = chatCompletion({
  toolCalls: [{ id: "call_1", name: "GetWeather", arguments: '{"location":"Tokyo"}' }],
});
const finalAnswer = chatCompletion({ content: "It is 22C in Tokyo." });
const toolChunks = chatCompletionChunks({
  toolCalls: [{ id: "call_1", name: "GetWeather", fragments: ['{"location":', '"Tokyo"}'] }],
});
const finalChunks = chatCompletionChunks({ content: ["It is ", "22C ", "in Tokyo."] });

/** A client that answers in-process: tool call when the last message is the user's, else the answer. */
function scriptedClient(): ChatCompletionsClient {
  return {
    chat: {
      completions: {
        create(body: { messages: { role: string }[]; stream?: boolean }) {
          const tool = body.messages[body.messages.length - 1].role === "user";
          if (!body.stream) {
            return Promise.resolve(structuredClone(tool ? toolAnswer : finalAnswer));
          }
          const chunks = tool ? toolChunks : finalChunks;
          return Promise.resolve((async function* () {
            for (const c of chunks) yield structuredClone(c);
          })());
        },
      },
    },
  };
}

type Way = "bare" | "plain" | "streamed";

/** The same loop by hand, without recording: what the agent costs anyway. */
async function bareLoop(client: ChatCompletionsClient): Promise<void> {
  const messages: unknown[] = [...MESSAGES];
  for (;;) {
    const res = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [...messages],
      tools: TOOLS,
    }) as {
      choices: { message: { tool_calls?: { id: string; function: { arguments: string } }[] } }[];
    };
    const msg = res.choices[0].message;
    messages.push(msg);
    if (!msg.tool_calls?.length) return;
    for (const c of msg.tool_calls) {
      const out = executors.GetWeather(JSON.parse(c.function.arguments));
      messages.push({ role: "tool", tool_call_id: c.id, content: JSON.stringify(out) });
    }
  }
}

async function loopRate(way: Way, episodes: number): Promise<number> {
  const path = join(dir, `loop_${way}.jsonl`);
  const writer = new TraceWriter(path, { mode: "truncate" });
  await writer.flush();
  const client = scriptedClient();
  const clock = new FrozenClock();
  const t0 = performance.now();
  for (let i = 0; i < episodes; i++) {
    const opts = {
      writer,
      client,
      model: "gpt-4o",
      messages: MESSAGES,
      tools: TOOLS,
      toolExecutors: executors,
      episodeId: `ep_${i}`,
      clock,
    };
    if (way === "bare") await bareLoop(client);
    else if (way === "streamed") {
      for await (const _ of recordChatCompletionsStreamWithTools(opts)) { /* consume */ }
    } else await recordChatCompletionsWithTools(opts);
  }
  await writer.flush();
  const rate = episodes / ((performance.now() - t0) / 1000);
  await writer.close();
  return rate;
}

// --- 1. tool loop, in-process ---------------------------------------------
const WAYS: Way[] = ["bare", "plain", "streamed"];
const rates: Record<Way, number[]> = { bare: [], plain: [], streamed: [] };
for (const way of WAYS) await loopRate(way, 500);
// Rounds alternate between the ways so machine noise hits all of them alike.
for (let r = 0; r < 5; r++) for (const way of WAYS) rates[way].push(await loopRate(way, 2000));

// --- 2. overhead against the bare client on loopback ----------------------
const server = await startServerProcess(finalAnswer);
const client = new OpenAI({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 });
const fileWriter = new TraceWriter(join(dir, "overhead.jsonl"), { mode: "truncate" });
const CALLS = 1000;
const BLOCK = 50;
type Call = "bare" | "recorded";
const CALL_WAYS: Call[] = ["bare", "recorded"];
const totalMs: Record<Call, number> = { bare: 0, recorded: 0 };
const perCall: Record<Call, number[]> = { bare: [], recorded: [] };
// Added time of each round (a recorded block against the bare block next to
// it): its median is robust to load spikes that hit a few blocks only.
const pairedAdded: number[] = [];
const pairedPercent: number[] = [];
let episode = 0;
async function block(way: Call): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < BLOCK; i++) {
    if (way === "bare") {
      await client.chat.completions.create({ model: "gpt-4o", messages: MESSAGES });
    } else {
      await recordChatCompletions({
        writer: fileWriter,
        client,
        model: "gpt-4o",
        messages: MESSAGES,
        episodeId: `o_${episode++}`,
      });
    }
  }
  return performance.now() - t0;
}
for (const way of CALL_WAYS) await block(way);
// Rotate the order of the blocks so drift in machine load hits all alike.
for (let b = 0; b < CALLS / BLOCK; b++) {
  const round: Partial<Record<Call, number>> = {};
  for (let k = 0; k < CALL_WAYS.length; k++) {
    const way = CALL_WAYS[(b + k) % CALL_WAYS.length];
    const ms = await block(way);
    totalMs[way] += ms;
    perCall[way].push(ms / BLOCK);
    round[way] = ms;
  }
  pairedAdded.push((round.recorded! - round.bare!) / BLOCK);
  pairedPercent.push((round.recorded! / round.bare! - 1) * 100);
}
await fileWriter.close();
await server.close();
await rm(dir, { recursive: true, force: true });

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const bareRate = median(rates.bare);
const LABELS: Record<Way, string> = {
  bare: "baseline: the same loop by hand, no recording",
  plain: "recordChatCompletionsWithTools",
  streamed: "recordChatCompletionsStreamWithTools",
};
console.log(`Recording on ${RUNTIME}\n`);
console.log(
  "Tool loop, 2 model calls + 1 tool call per episode, in-process scripted client, real file (median of 5 x 2,000)\n",
);
console.log(table(
  ["what", "episodes/s", "vs baseline", "vs Python (3,350/s)"],
  WAYS.map((w) => {
    const m = median(rates[w]);
    return [
      LABELS[w],
      fmt(m),
      (m / bareRate).toFixed(2),
      w === "bare" ? "-" : `${(m / 3350).toFixed(1)}x`,
    ];
  }),
));
const CALL_LABELS: Record<Call, string> = {
  bare: "bare client.chat.completions.create",
  recorded: "recordChatCompletions",
};
console.log(
  `\nOverhead on the loopback fake server (its own process), ${CALLS} calls each, blocks of ${BLOCK} in rotation\n`,
);
console.log(table(
  [
    "what",
    "total ms",
    "median ms/call",
    "added wall time",
    "added ms/call",
    `added, median of ${CALLS / BLOCK} paired blocks`,
  ],
  CALL_WAYS.map((w) => {
    const added = totalMs[w] - totalMs.bare;
    return [
      CALL_LABELS[w],
      totalMs[w].toFixed(0),
      median(perCall[w]).toFixed(3),
      w === "bare" ? "-" : `${((added / totalMs.bare) * 100).toFixed(1)}%`,
      w === "bare" ? "-" : (added / CALLS).toFixed(3),
      w === "bare"
        ? "-"
        : `${median(pairedPercent).toFixed(1)}%, ${median(pairedAdded).toFixed(3)} ms/call`,
    ];
  }),
));
