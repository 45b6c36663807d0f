// Store benchmark: rows/s saving one run of 1,000 results + 1,000 episodes
// (2 steps and 2 tool calls each) on every SQLite driver this runtime has,
// in memory and in a file (WAL on node:sqlite).
// Run: node_modules/.bin/deno run -A bench/store_bench.ts
//      node_modules/.bin/bun run bench/store_bench.ts
//      node --import tsx bench/store_bench.ts      (Node 20: wasm only)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type StoreBackend } from "../src/store/store.ts";
import { makeEpisodes, makeRun } from "../tests/store/_data.ts";
import { RUNTIME } from "./_util.ts";

const TESTS = 1_000;
const ROUNDS = 5;
// One run row, one row per result, per episode, per step and per tool call.
const ROWS = 1 + TESTS + TESTS * (1 + 2 + 2);

const backends: StoreBackend[] = [];
try {
  await import("node:sqlite");
  backends.push("node:sqlite");
} catch {
  // Node 20: only the WebAssembly driver.
}
backends.push("wasm");

const dir = mkdtempSync(join(tmpdir(), "assay-store-bench-"));
const episodes = makeEpisodes(TESTS);
try {
  console.log(`runtime ${RUNTIME}; one saveRun = ${ROWS} rows; median of ${ROUNDS}`);
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
      times.sort((a, b) => a - b);
      const median = times[Math.floor(ROUNDS / 2)];
      console.log(
        `${backend.padEnd(12)} ${where.padEnd(9)} ${median.toFixed(1).padStart(8)} ms/run  ${
          Math.round(ROWS / (median / 1000)).toLocaleString("en-US").padStart(10)
        } rows/s`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
