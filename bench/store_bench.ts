// Store benchmark, two parts, on every SQLite driver this runtime has, in
// memory and in a file (WAL on node:sqlite):
// - cold: what `assay ci` pays once per process: openStore + one saveRun of
//   a 10,000-test run (one episode of 1 step and 1 tool call per test) +
//   close, each sample in a fresh process; median of 5.
// - warm: rows/s of saveRun for 1,000 results + 1,000 episodes (2 steps and
//   2 tool calls each) on an open store, after a warm-up save; median of 5.
// Run: node_modules/.bin/deno run -A bench/store_bench.ts
//      node_modules/.bin/bun run bench/store_bench.ts
//      node --import tsx bench/store_bench.ts      (Node 20: wasm only)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { openStore, type StoreBackend } from "../src/store/store.ts";
import { makeEpisodes, makeRun } from "../tests/store/_data.ts";
import { median, runChild, RUNTIME } from "./_util.ts";

const COLD_TESTS = 10_000;
const COLD_SAMPLES = 5;
const TESTS = 1_000;
const ROUNDS = 5;
// One run row, one row per result, per episode, per step and per tool call.
const ROWS = 1 + TESTS + TESTS * (1 + 2 + 2);

interface ColdSample {
  openMs: number;
  saveMs: number;
  totalMs: number;
}

// Child mode: store_bench.ts --cold <backend> <path> <tests>
const coldArg = process.argv.indexOf("--cold");
if (coldArg >= 0) {
  const [backend, path, tests] = process.argv.slice(coldArg + 1);
  const run = makeRun("cold", Number(tests));
  const episodes = makeEpisodes(Number(tests), { steps: 1 });
  const t0 = performance.now();
  const store = await openStore(path, { backend: backend as StoreBackend });
  const t1 = performance.now();
  await store.saveRun(run, episodes);
  const t2 = performance.now();
  await store.close();
  const sample: ColdSample = { openMs: t1 - t0, saveMs: t2 - t1, totalMs: performance.now() - t0 };
  console.log(JSON.stringify(sample));
  process.exit(0);
}

const backends: StoreBackend[] = [];
try {
  await import("node:sqlite");
  backends.push("node:sqlite");
} catch {
  // Node 20: only the WebAssembly driver.
}
backends.push("wasm");

const dir = mkdtempSync(join(tmpdir(), "assay-store-bench-"));
const fmt = (ms: number) => ms.toFixed(0).padStart(5);
try {
  console.log(
    `runtime ${RUNTIME}; cold: openStore + saveRun of ${COLD_TESTS} tests + close in a fresh process, median of ${COLD_SAMPLES}`,
  );
  let n = 0;
  for (const backend of backends) {
    for (const where of [":memory:", "file"]) {
      const samples: ColdSample[] = [];
      for (let i = 0; i < COLD_SAMPLES; i++) {
        const path = where === "file" ? join(dir, `cold-${n++}.db`) : where;
        samples.push(
          runChild<ColdSample>(new URL(import.meta.url).pathname, [
            "--cold",
            backend,
            path,
            String(COLD_TESTS),
          ]),
        );
      }
      const m = (k: keyof ColdSample) => median(samples.map((s) => s[k]));
      console.log(
        `${backend.padEnd(12)} ${where.padEnd(9)} open ${fmt(m("openMs"))} ms  save ${
          fmt(m("saveMs"))
        } ms  total ${fmt(m("totalMs"))} ms`,
      );
    }
  }

  console.log(`warm: one saveRun = ${ROWS} rows; median of ${ROUNDS}`);
  const episodes = makeEpisodes(TESTS);
  for (const backend of backends) {
    for (const where of [":memory:", "file"]) {
      const path = where === "file" ? join(dir, `${backend.replace(":", "_")}.db`) : where;
      const store = await openStore(path, { backend });
      await store.saveRun(makeRun("warm-up", TESTS), episodes);
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const run = makeRun(`run-${i}`, TESTS);
        const t0 = performance.now();
        await store.saveRun(run, episodes);
        times.push(performance.now() - t0);
      }
      await store.close();
      const ms = median(times);
      console.log(
        `${backend.padEnd(12)} ${where.padEnd(9)} ${ms.toFixed(1).padStart(8)} ms/run  ${
          Math.round(ROWS / (ms / 1000)).toLocaleString("en-US").padStart(10)
        } rows/s`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
