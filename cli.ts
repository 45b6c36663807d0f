#!/usr/bin/env node
/**
 * The `assay` command line. Usage: `deno run -A cli.ts ci ...`,
 * `bun run cli.ts ci ...`, or the npm package's `assay` bin.
 *
 * @module
 */
import process from "node:process";
import { runCli } from "./src/cli/run.ts";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
  stderrIsTTY: process.stderr.isTTY === true,
});
