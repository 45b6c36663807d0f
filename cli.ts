#!/usr/bin/env node
/**
 * The `assay` command line. Usage: `deno run -A cli.ts ci ...`,
 * `bun run cli.ts ci ...`, or the npm package's `assay` bin.
 *
 * @module
 */
import { runCli } from "./src/cli/run.ts";
import { hostProcess } from "./src/runtime/process.ts";
import { openStdio } from "./src/runtime/stdio.ts";

// No top-level await: the npm package's Bun build bundles this file as
// CommonJS with precompiled bytecode (see scripts/build_npm.mjs).
async function main(): Promise<void> {
  const host = hostProcess();
  const stdio = await openStdio(host.env);
  const code = await runCli(host.args, {
    stdout: stdio.stdout,
    stderr: stdio.stderr,
    env: host.env,
    cwd: host.cwd,
    get stderrIsTTY() {
      return stdio.stderrIsTTY;
    },
  });
  await stdio.exit(code);
}

void main();
