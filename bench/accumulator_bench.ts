// StreamAccumulator throughput in chunks/s, next to a baseline loop that
// only reads each chunk's content delta (the least any consumer does).
// Run: deno run -A bench/accumulator_bench.ts | bun bench/accumulator_bench.ts |
//      node --import tsx bench/accumulator_bench.ts
import { StreamAccumulator } from "../mod.ts";
import { chatCompletionChunks } from "../testing.ts";
import { median, RUNTIME, table } from "./_util.ts";

// One realistic answer: 200 content pieces, then two tool calls whose
// arguments arrive in 20 fragments each, then finish and usage chunks.
const answer = [
  ...chatCompletionChunks({
    content: Array.from({ length: 200 }, (_, i) => `tok${i} `),
    toolCalls: [
      {
        id: "call_a",
        name: "GetWeather",
        fragments: Array.from({ length: 20 }, (_, i) => `{"k${i}":1`),
      },
      {
        id: "call_b",
        name: "GetTime",
        fragments: Array.from({ length: 20 }, (_, i) => `,"t${i}":2`),
      },
    ],
    usage: { prompt_tokens: 100, completion_tokens: 240, total_tokens: 340 },
  }),
];
// Parsed fresh, as the client hands them over (no shared object identity).
const streams = Array.from(
  { length: 50 },
  () => JSON.parse(JSON.stringify(answer)) as Record<string, unknown>[],
);
const perPass = streams.length * answer.length;

function accumulate(): number {
  let n = 0;
  for (const chunks of streams) {
    const acc = new StreamAccumulator();
    for (let i = 0; i < chunks.length; i++) acc.push(chunks[i]);
    n += acc.content.length + acc.toolCalls.length;
  }
  return n;
}

function baseline(): number {
  let n = 0;
  for (const chunks of streams) {
    let text = "";
    for (let i = 0; i < chunks.length; i++) {
      const choices = chunks[i].choices as { delta?: { content?: string } }[];
      const c = choices[0]?.delta?.content;
      if (typeof c === "string") text += c;
    }
    n += text.length;
  }
  return n;
}

function rate(fn: () => number, passes: number): number {
  const t0 = performance.now();
  let sink = 0;
  for (let p = 0; p < passes; p++) sink += fn();
  const secs = (performance.now() - t0) / 1000;
  if (sink < 0) console.log(sink);
  return (passes * perPass) / secs;
}

// Warm up both paths, then alternate runs so machine noise hits both alike.
rate(accumulate, 20);
rate(baseline, 20);
const acc: number[] = [];
const base: number[] = [];
for (let r = 0; r < 7; r++) {
  acc.push(rate(accumulate, 40));
  base.push(rate(baseline, 40));
}
const a = median(acc);
const b = median(base);
const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M`;
console.log(`StreamAccumulator on ${RUNTIME} (${perPass} chunks per pass, median of 7)\n`);
console.log(table(["what", "chunks/s", "vs baseline"], [
  ["baseline: read delta.content only", fmt(b), "1.00"],
  ["StreamAccumulator.push", fmt(a), (a / b).toFixed(2)],
]));
