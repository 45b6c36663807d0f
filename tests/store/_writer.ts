// A writer process for the concurrency tests: saves `count` runs of `tests`
// results to the store at `path`. Usage: _writer.ts <path> <backend> <prefix> <count> <tests>
import process from "node:process";
import { AssayError } from "../../src/errors.ts";
import { openStore, type StoreBackend } from "../../src/store/store.ts";
import { makeEpisodes, makeRun } from "./_data.ts";

const [path, backend, prefix, count, tests] = process.argv.slice(process.argv.length - 5);
try {
  const store = await openStore(path, { backend: backend as StoreBackend });
  for (let i = 0; i < Number(count); i++) {
    await store.saveRun(makeRun(`${prefix}-${i}`, Number(tests)), makeEpisodes(Number(tests)));
  }
  await store.close();
  process.stdout.write(`saved ${count} runs with ${store.backend}\n`);
} catch (err) {
  process.stderr.write(
    err instanceof AssayError ? `[${err.code}] ${err.message}\n` : `${(err as Error).stack}\n`,
  );
  process.exitCode = 3;
}
