// Reader throughput and memory on a generated trace.
//
//   deno run -A bench/reader_bench.ts [--mb 200] [--rounds 3]
//   bun bench/reader_bench.ts
//   node --import tsx bench/reader_bench.ts
//
// Compares `readTraceFile` (full validation and episode building) with the
// floor any JSONL reader pays on the same runtime: 1 MiB chunks,
// TextDecoder, indexOf("\n") splitting and JSON.parse of each line. Each
// measurement runs in a fresh process so peak RSS (VmHWM) is its own.
import { existsSync, statSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { readTraceFile } from "../mod.ts";
import { canonicalJson } from "../src/trace/canonical.ts";
import { median, peakRssMiB, runChild, RUNTIME, splitAndParse, table } from "./_util.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/** Write a trace of about `mb` MiB: realistic tool-loop episodes. */
async function generate(path: string, mb: number): Promise<void> {
  const target = mb * 1024 * 1024;
  await mkdir(join(path, ".."), { recursive: true });
  const fh = await open(path, "w");
  let size = 0;
  let n = 0;
  let t = 1_700_000_000_000;
  const filler = "The weather in Tokyo is mild with light winds from the south-east. ".repeat(3);
  while (size < target) {
    const lines: string[] = [];
    for (let k = 0; k < 200; k++, n++) {
      const id = `ep_${n}`;
      const meta = { test_id: `test_${n % 1000}`, "assay.trace_version": 2 };
      lines.push(
        canonicalJson({
          type: "episode_start",
          episode_id: id,
          timestamp: t++,
          input: { prompt: `Weather in city ${n}?` },
          meta,
        }),
      );
      lines.push(canonicalJson({
        type: "step",
        episode_id: id,
        timestamp: t++,
        step_id: "step_001",
        idx: 0,
        kind: "model",
        name: "openai",
        content: "",
        meta: {
          "gen_ai.request.model": "gpt-4o",
          "gen_ai.usage": { prompt_tokens: 20, completion_tokens: 15, total_tokens: 35 },
          round: 0,
        },
      }));
      lines.push(canonicalJson({
        type: "tool_call",
        episode_id: id,
        timestamp: t++,
        step_id: "step_001",
        call_index: 0,
        tool_name: "GetWeather",
        args: { location: `City ${n}`, units: "metric" },
        result: { temp: n % 40, location: `City ${n}`, note: filler },
        error: null,
        meta: { tool_call_id: `call_${n}`, round: 0 },
      }));
      lines.push(canonicalJson({
        type: "step",
        episode_id: id,
        timestamp: t++,
        step_id: "step_002",
        idx: 1,
        kind: "model",
        name: "openai",
        content: `It is ${n % 40}C in City ${n}. ${filler}`,
        meta: { "gen_ai.request.model": "gpt-4o", round: 1 },
      }));
      lines.push(
        canonicalJson({
          type: "episode_end",
          episode_id: id,
          timestamp: t++,
          outcome: "pass",
          meta: {},
        }),
      );
    }
    const chunk = lines.join("\n") + "\n";
    size += new TextEncoder().encode(chunk).length;
    await fh.write(chunk);
  }
  await fh.close();
}

async function reader(path: string): Promise<number> {
  let episodes = 0;
  for await (const _ of readTraceFile(path, { strict: true })) episodes++;
  return episodes;
}

interface ChildResult {
  ms: number;
  count: number;
  rssMiB: number;
}

async function child(mode: string, path: string): Promise<void> {
  const t0 = performance.now();
  const count = mode === "baseline" ? await splitAndParse(path) : await reader(path);
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, count, rssMiB: peakRssMiB() } satisfies ChildResult));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return child(args[1], args[2]);
  const opt = (name: string, dflt: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : dflt;
  };
  const mb = opt("--mb", 200);
  const rounds = opt("--rounds", 3);
  const sizes = [Math.max(1, Math.round(mb / 4)), mb];
  const rows: (string | number)[][] = [];
  const peaks: Record<number, number> = {};
  for (const size of sizes) {
    const path = join(HERE, "data", `reader_${size}mb.jsonl`);
    if (!existsSync(path)) await generate(path, size);
    const bytes = statSync(path).size;
    const runs: Record<string, ChildResult[]> = { baseline: [], reader: [] };
    for (let r = 0; r < rounds; r++) {
      for (const mode of ["baseline", "reader"]) {
        runs[mode].push(runChild<ChildResult>(SELF, ["--child", mode, path]));
      }
    }
    const mbps = (mode: string) => median(runs[mode].map((x) => bytes / 1048576 / (x.ms / 1000)));
    const rss = (mode: string) => Math.max(...runs[mode].map((x) => x.rssMiB));
    peaks[size] = rss("reader");
    rows.push([
      RUNTIME,
      `${(bytes / 1048576).toFixed(0)} MiB`,
      mbps("baseline").toFixed(0),
      mbps("reader").toFixed(0),
      `${((mbps("reader") / mbps("baseline")) * 100).toFixed(0)}%`,
      rss("baseline").toFixed(0),
      rss("reader").toFixed(0),
    ]);
  }
  console.log(table(
    [
      "runtime",
      "file",
      "split+JSON.parse MB/s",
      "readTraceFile MB/s",
      "ratio",
      "baseline peak RSS MiB",
      "reader peak RSS MiB",
    ],
    rows,
  ));
  console.log(
    `\nreader peak RSS ${sizes[0]} MiB file -> ${sizes[1]} MiB file: ${
      peaks[sizes[0]].toFixed(0)
    } -> ${peaks[sizes[1]].toFixed(0)} MiB`,
  );
  if (RUNTIME !== "bun") {
    // V8 grows its heap lazily, so peak RSS drifts up with run time even when
    // live memory is flat. A hard heap cap far below the file size proves the
    // reader's live memory does not grow with the file.
    const big = join(HERE, "data", `reader_${sizes[1]}mb.jsonl`);
    const capped = runChild<ChildResult>(SELF, ["--child", "reader", big], { maxHeapMiB: 32 });
    console.log(
      `reader on the ${
        sizes[1]
      } MiB file with a 32 MiB V8 heap cap: ok, ${capped.count} episodes, peak RSS ${
        capped.rssMiB.toFixed(0)
      } MiB`,
    );
  }
}

await main();
