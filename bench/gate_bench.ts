// Gate throughput and memory: a generated trace of 100,000 episodes gated by
// 1,000 tests, each with a regex expectation and a tool assertion.
//
//   deno run -A bench/gate_bench.ts [--episodes 100000] [--tests 1000] [--rounds 3]
//   bun bench/gate_bench.ts
//   node --import tsx bench/gate_bench.ts
//
// Compares `runGate` (streaming read, validation, resolution, evaluation of
// every test) with the floor any JSONL consumer pays on the same runtime on
// the same file: 1 MiB chunks, TextDecoder, indexOf("\n") and JSON.parse per
// line. Each measurement runs in a fresh process so peak RSS (VmHWM) is its own.
import { existsSync, statSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../src/gate/config.ts";
import { runGate } from "../src/gate/run.ts";
import { fileChunks } from "../src/runtime/file_source.ts";
import { canonicalJson } from "../src/trace/canonical.ts";
import { median, peakRssMiB, runChild, RUNTIME, splitAndParse, table } from "./_util.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const SELF = fileURLToPath(import.meta.url);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** `episodes` tool-loop episodes with unique test ids `t_<n>`. */
async function generate(path: string, episodes: number): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  const fh = await open(path, "w");
  let t = 1_700_000_000_000;
  for (let n = 0; n < episodes;) {
    const lines: string[] = [];
    for (let k = 0; k < 500 && n < episodes; k++, n++) {
      const id = `ep_${n}`;
      const city = `City ${n}`;
      lines.push(canonicalJson({
        type: "episode_start",
        episode_id: id,
        timestamp: t++,
        input: { prompt: `Weather in ${city}?` },
        meta: { test_id: `t_${n}`, "assay.trace_version": 2 },
      }));
      lines.push(canonicalJson({
        type: "step",
        episode_id: id,
        timestamp: t++,
        step_id: "step_001",
        idx: 0,
        kind: "model",
        name: "openai",
        content: "",
        meta: { "gen_ai.request.model": "gpt-4o", "gen_ai.usage": { total_tokens: 35 }, round: 0 },
      }));
      lines.push(canonicalJson({
        type: "tool_call",
        episode_id: id,
        timestamp: t++,
        step_id: "step_001",
        call_index: 0,
        tool_name: n % 7 === 0 ? "GetTime" : "GetWeather",
        args: { location: city },
        result: { location: city, temp: n % 40 },
        error: null,
        meta: { tool_call_id: `call_${n}` },
      }));
      lines.push(canonicalJson({
        type: "step",
        episode_id: id,
        timestamp: t++,
        step_id: "step_002",
        idx: 1,
        kind: "model",
        name: "openai",
        content: `It is ${
          n % 40
        }C in ${city}. Light winds from the south-east, no rain expected today.`,
        meta: { "gen_ai.request.model": "gpt-4o", "gen_ai.usage": { total_tokens: 53 }, round: 1 },
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
    await fh.write(lines.join("\n") + "\n");
  }
  await fh.close();
}

// Block style, as the README's configs are written (the yaml parser is 2-3x
// slower on flow collections such as `{ type: ..., pattern: ... }`).
function configText(tests: number, episodes: number): string {
  const step = Math.max(1, Math.floor(episodes / tests));
  const out = ["version: 1", "suite: bench", "tests:"];
  for (let i = 0; i < tests; i++) {
    const n = i * step;
    out.push(
      `  - id: t_${n}`,
      `    input:`,
      `      prompt: "Weather in City ${n}?"`,
      `    expected:`,
      `      type: regex_match`,
      `      pattern: "(?i)^it is \\\\d+c in city ${n}\\\\b"`,
      `    assertions:`,
      `      - type: trace_must_call_tool`,
      `        tool: ${n % 7 === 0 ? "GetTime" : "GetWeather"}`,
    );
  }
  return out.join("\n") + "\n";
}

async function child(mode: string, file: string, tests: number, episodes: number): Promise<void> {
  // The config text is the user's file: generating it is not part of the measurement.
  const text = mode === "gate" ? configText(tests, episodes) : "";
  const t0 = performance.now();
  let detail: Record<string, unknown> = {};
  if (mode === "gate") {
    const config = await parseConfig(text, { file: "bench.yaml" });
    const configMs = performance.now() - t0;
    const { run, episodes: kept } = await runGate(config, await fileChunks(file), {
      strict: true,
      traceFile: file,
    });
    detail = { passed: run.counts.passed, total: run.counts.total, kept: kept.length, configMs };
  } else {
    const lines = await splitAndParse(file);
    detail = { lines };
  }
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ ms, rss: peakRssMiB(), ...detail }));
}

if (process.argv[2] === "--child") {
  await child(process.argv[3], process.argv[4], Number(process.argv[5]), Number(process.argv[6]));
} else {
  const episodes = arg("episodes", 100_000);
  const tests = arg("tests", 1000);
  const rounds = arg("rounds", 3);
  const file = join(HERE, "data", `gate_${episodes}.jsonl`);
  if (!existsSync(file)) await generate(file, episodes);
  const mb = statSync(file).size / (1 << 20);
  type R = { ms: number; rss: number; passed?: number; kept?: number; configMs?: number };
  const gate: R[] = [];
  const floor: R[] = [];
  for (let r = 0; r < rounds; r++) {
    floor.push(runChild<R>(SELF, ["--child", "parse", file, String(tests), String(episodes)]));
    gate.push(runChild<R>(SELF, ["--child", "gate", file, String(tests), String(episodes)]));
  }
  const g = median(gate.map((x) => x.ms));
  const f = median(floor.map((x) => x.ms));
  if (gate[0].passed !== tests) {
    throw new Error(`expected ${tests} passing tests, got ${JSON.stringify(gate[0])}`);
  }
  console.log(
    `gate benchmark on ${RUNTIME}: ${episodes} episodes (${
      mb.toFixed(1)
    } MiB), ${tests} tests, median of ${rounds}`,
  );
  console.log(table(
    [
      "runtime",
      "what",
      "time (s)",
      "of which config (s)",
      "MB/s",
      "peak RSS (MiB)",
      "vs split+parse",
    ],
    [
      [
        RUNTIME,
        "split + JSON.parse",
        (f / 1000).toFixed(2),
        "",
        (mb / (f / 1000)).toFixed(0),
        Math.max(...floor.map((x) => x.rss)).toFixed(0),
        "100%",
      ],
      [
        RUNTIME,
        `assay gate (${gate[0].kept} episodes kept)`,
        (g / 1000).toFixed(2),
        (median(gate.map((x) => x.configMs ?? 0)) / 1000).toFixed(2),
        (mb / (g / 1000)).toFixed(0),
        Math.max(...gate.map((x) => x.rss)).toFixed(0),
        `${((f / g) * 100).toFixed(0)}%`,
      ],
    ],
  ));
}
