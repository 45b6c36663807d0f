// Wall time of the quickstart `assay ci` (1 test, --db :memory:) on Deno,
// Bun and Node, next to each runtime's empty-script start-up. Median of N runs.
//
//   node --import tsx bench/gate_startup_bench.ts [--runs 21]
//   (any runtime can drive it; each measurement is a fresh child process)
//
// Bun runs both the source (cli.ts) and the npm build's bin (dist/assay.js,
// which under Bun loads the bundle with precompiled bytecode); Node runs the
// npm build (dist/assay.js -> dist/cli.js, as the installed `assay` bin does).
// Run `node scripts/build_npm.mjs` first, or the npm rows are skipped.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { FrozenClock } from "../src/trace/clock.ts";
import { EpisodeRecorder } from "../src/trace/recorder.ts";
import { TraceWriter } from "../src/trace/writer.ts";
import { median, table } from "./_util.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const i = process.argv.indexOf("--runs");
const RUNS = i >= 0 ? Number(process.argv[i + 1]) : 21;

const SEED_CONFIG = `version: 1
model: "trace"
tests:
  - id: weather_check
    input:
      prompt: "Weather in Tokyo?" # Matches the recorded prompt
    expected:
      type: regex_match
      pattern: ".*" # Pass if any content returned (baseline check)
`;

const dir = await mkdtemp(join(tmpdir(), "assay-startup-"));
try {
  await mkdir(join(dir, "traces"));
  await writeFile(join(dir, "assay.yaml"), SEED_CONFIG);
  await writeFile(join(dir, "empty.mjs"), "");
  const writer = new TraceWriter(join(dir, "traces", "quickstart.jsonl"), { mode: "truncate" });
  await EpisodeRecorder.run(
    { writer, episodeId: "weather_demo", testId: "weather_check", clock: new FrozenClock() },
    async (rec) => {
      await rec.start({ prompt: "Weather in Tokyo?" });
      const step = await rec.modelStep({ content: "" });
      await rec.toolCall({
        stepId: step,
        toolName: "GetWeather",
        args: { location: "Tokyo" },
        result: { temp: 22 },
      });
      await rec.modelStep({ content: "It is 22C in Tokyo." });
    },
  );
  await writer.close();

  const ci = [
    "ci",
    "--config",
    "assay.yaml",
    "--trace-file",
    "traces/quickstart.jsonl",
    "--replay-strict",
    "--db",
    ":memory:",
  ];
  const bin = (name: string) => join(ROOT, "node_modules", ".bin", name);
  const runtimes = [
    {
      name: "deno",
      empty: [bin("deno"), "run", "-A", "empty.mjs"],
      gate: [bin("deno"), "run", "-A", join(ROOT, "cli.ts"), ...ci],
    },
    {
      name: "bun",
      empty: [bin("bun"), "run", "empty.mjs"],
      gate: [bin("bun"), "run", join(ROOT, "cli.ts"), ...ci],
    },
    {
      name: "bun (npm build)",
      empty: [bin("bun"), "run", "empty.mjs"],
      gate: [bin("bun"), "run", join(ROOT, "dist", "assay.js"), ...ci],
    },
    {
      name: "node (npm build)",
      empty: ["node", "empty.mjs"],
      gate: ["node", join(ROOT, "dist", "assay.js"), ...ci],
    },
  ];
  const time = (cmd: string[]): number => {
    const t0 = performance.now();
    const r = spawnSync(cmd[0], cmd.slice(1), {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  const rows: (string | number)[][] = [];
  for (const rt of runtimes) {
    if (rt.name.endsWith("(npm build)") && !existsSync(join(ROOT, "dist", "assay.js"))) {
      rows.push([rt.name, "skipped: no dist/ (node scripts/build_npm.mjs)", "", ""]);
      continue;
    }
    time(rt.gate); // warm the module cache (Deno compiles TypeScript once)
    const empty: number[] = [];
    const gate: number[] = [];
    for (let k = 0; k < RUNS; k++) {
      empty.push(time(rt.empty));
      gate.push(time(rt.gate));
    }
    const e = median(empty);
    const g = median(gate);
    rows.push([rt.name, e.toFixed(0), g.toFixed(0), `${(g / e).toFixed(1)}x`]);
  }
  console.log(`quickstart assay ci (1 test, --db :memory:), median of ${RUNS} runs, wall ms`);
  console.log(table(["runtime", "empty script", "assay ci", "ratio"], rows));
} finally {
  await rm(dir, { recursive: true, force: true });
}
