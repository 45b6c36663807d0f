#!/usr/bin/env node
/**
 * The `assay` command line. Usage: `deno run -A cli.ts ci ...`,
 * `bun run cli.ts ci ...`, or the npm package's `assay` bin.
 *
 * @module
 */
import process from "node:process";
import { runCli } from "./src/cli/run.ts";
import { openStdio } from "./src/runtime/stdio.ts";

// No top-level await: the npm package's Bun build bundles this file as
// CommonJS with precompiled bytecode (see scripts/build_npm.mjs).
async function main(): Promise<void> {
  const stdio = await openStdio();
  const code = await runCli(process.argv.slice(2), {
    stdout: stdio.stdout,
    stderr: stdio.stderr,
    env: process.env,
    cwd: process.cwd(),
    get stderrIsTTY() {
      return stdio.stderrIsTTY;
    },
  });
  await stdio.exit(code);
}

void main();
