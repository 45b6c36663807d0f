// The drift demo: the quickstart's agent changes (record_drift.ts adds a
// `unit` parameter to its tool) and both gates fail with a readable diff.
//
//   cd examples/quickstart && deno run -A drift.ts     (npm run quickstart:drift)
//
// Exits 0 only when BOTH gates failed as they should; their own output
// (exit code 1, the diffs) is shown as it happens. Traces and the baseline
// go to the current folder, as with record.ts.
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

/** The argv that runs a TypeScript file on the runtime running this script. */
function script(file: string): string[] {
  if (runtime === "deno") return [process.execPath, "run", "-A", file];
  if (runtime === "bun") return [process.execPath, "run", file];
  return [process.execPath, ...process.execArgv, file]; // node --import tsx
}

function run(title: string, argv: string[]): number {
  console.log(`\n$ ${title}`);
  const res = spawnSync(argv[0], argv.slice(1), { stdio: "inherit", env: process.env });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

const assay = script(here("../../cli.ts"));
const config = here("assay.yaml");
const steps: [string, string[], number][] = [
  ["record the agent (record.ts)", script(here("record.ts")), 0],
  [
    "assay ci --export-baseline .assay/quickstart_baseline.json",
    [
      ...assay,
      ...["ci", "--config", config, "--trace-file", "traces/quickstart.jsonl"],
      ...["--replay-strict", "--db", ":memory:"],
      ...["--export-baseline", ".assay/quickstart_baseline.json"],
    ],
    0,
  ],
  ["record the changed agent (record_drift.ts)", script(here("record_drift.ts")), 0],
  [
    "assay ci --baseline .assay/quickstart_baseline.json  (expected to FAIL)",
    [
      ...assay,
      ...["ci", "--config", config, "--trace-file", "traces/quickstart_drift.jsonl"],
      ...["--replay-strict", "--db", ":memory:"],
      ...["--baseline", ".assay/quickstart_baseline.json"],
    ],
    1,
  ],
  [
    "assay replay --strict -- record_drift.ts  (expected to FAIL)",
    [
      ...assay,
      ...["replay", "--trace", "traces/quickstart.jsonl", "--strict", "--"],
      ...script(here("record_drift.ts")),
    ],
    1,
  ],
];

let ok = true;
for (const [title, argv, expected] of steps) {
  const code = run(title, argv);
  if (code !== expected) {
    console.error(`\ndrift demo: "${title}" exited ${code}, expected ${expected}`);
    ok = false;
    break;
  }
}
console.log(
  ok
    ? "\ndrift demo: both gates caught the changed tool (exit 1 above is the expected result)"
    : "\ndrift demo FAILED",
);
process.exitCode = ok ? 0 : 1;
