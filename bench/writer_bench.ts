// TraceWriter throughput in events/s (the Python SDK writes ~30,000/s).
// Three ways of writing the same model-step events to a real file:
//   - awaited: `await writer.write(e)` one by one, as one episode does;
//   - concurrent: 100 episodes writing at once (group commit batches them);
//   - queued: write without awaiting, then flush (a burst);
// next to the ceiling of serialising alone (canonicalJson, and JSON.stringify).
// Run: deno run -A bench/writer_bench.ts | bun bench/writer_bench.ts |
//      node --import tsx bench/writer_bench.ts
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJson, type StepEvent, TraceWriter } from "../mod.ts";
import { median, RUNTIME, table } from "./_util.ts";

const N = 100_000;

function event(i: number): StepEvent {
  return {
    type: "step",
    episode_id: `ep_${i % 100}`,
    timestamp: 1_700_000_000_000 + i,
    step_id: "step_001",
    idx: 0,
    kind: "model",
    name: "openai",
    content: "It is 22C in Tokyo.",
    meta: {
      "gen_ai.request.model": "gpt-4o",
      "gen_ai.response.model": "gpt-4o",
      "gen_ai.usage": { completion_tokens: 7, prompt_tokens: 10, total_tokens: 17 },
      "gen_ai.finish_reason": "stop",
      round: 0,
    },
  };
}
const events = Array.from({ length: N }, (_, i) => event(i));

const dir = await mkdtemp(join(tmpdir(), "assay-writer-bench-"));
let file = 0;

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const t0 = performance.now();
  await fn();
  return N / ((performance.now() - t0) / 1000);
}

const ways: Record<string, () => Promise<number>> = {
  "serialise only: JSON.stringify": () =>
    timed(() => {
      let n = 0;
      for (const e of events) n += JSON.stringify(e).length;
      if (n < 0) console.log(n);
    }),
  "serialise only: canonicalJson": () =>
    timed(() => {
      let n = 0;
      for (const e of events) n += canonicalJson(e).length;
      if (n < 0) console.log(n);
    }),
  "TraceWriter, each write awaited": async () => {
    const w = new TraceWriter(join(dir, `t${file++}.jsonl`), { mode: "truncate" });
    await w.flush();
    const r = await timed(async () => {
      for (const e of events) await w.write(e);
    });
    await w.close();
    return r;
  },
  "TraceWriter, 100 concurrent episodes": async () => {
    const w = new TraceWriter(join(dir, `t${file++}.jsonl`), { mode: "truncate" });
    await w.flush();
    const r = await timed(async () => {
      await Promise.all(Array.from({ length: 100 }, async (_, k) => {
        for (let i = k; i < N; i += 100) await w.write(events[i]);
      }));
    });
    await w.close();
    return r;
  },
  "TraceWriter, queued then flush": async () => {
    const w = new TraceWriter(join(dir, `t${file++}.jsonl`), { mode: "truncate" });
    await w.flush();
    const r = await timed(async () => {
      for (const e of events) w.write(e);
      await w.flush();
    });
    await w.close();
    return r;
  },
};

try {
  const results: Record<string, number[]> = {};
  for (const name of Object.keys(ways)) {
    await ways[name](); // warm-up
    results[name] = [];
  }
  // Rounds alternate between the ways so machine noise hits all of them alike.
  for (let round = 0; round < 5; round++) {
    for (const [name, run] of Object.entries(ways)) results[name].push(await run());
  }
  const base = median(results["serialise only: canonicalJson"]);
  console.log(`TraceWriter on ${RUNTIME}: ${N} step events per run, median of 5\n`);
  console.log(table(
    ["what", "events/s", "vs canonicalJson", "vs Python (30k/s)"],
    Object.entries(results).map(([name, xs]) => {
      const m = median(xs);
      return [
        name,
        Math.round(m).toLocaleString("en-US"),
        (m / base).toFixed(2),
        `${(m / 30_000).toFixed(1)}x`,
      ];
    }),
  ));
} finally {
  await rm(dir, { recursive: true, force: true });
}
