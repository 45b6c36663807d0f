// `assay init`: a starter config and a GitHub Actions workflow.
import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { SDK_NAME, SDK_VERSION } from "../version.ts";
import type { CliIo, Command } from "./io.ts";
import { EXIT } from "./run.ts";
import { commandHelp, type FlagSpec, parseFlags, resolvePath, UsageError } from "./_common.ts";

const FLAGS: Record<string, FlagSpec> = {
  config: {
    type: "string",
    short: "c",
    value: "FILE",
    help: "where to write the config (default assay.yaml)",
  },
  "trace-file": {
    type: "string",
    short: "t",
    value: "FILE",
    help: "the trace the workflow gates on (default traces/quickstart.jsonl)",
  },
  workflow: {
    type: "string",
    value: "FILE",
    help: "where to write the workflow (default .github/workflows/assay.yml)",
  },
  force: { type: "boolean", short: "f", help: "overwrite existing files" },
};

const HELP = commandHelp(
  "assay init [--config assay.yaml] [--trace-file traces/quickstart.jsonl] [--force]",
  "Write a starter assay.yaml and a GitHub Actions workflow that runs the gate on every pull request\n" +
    "and uploads the JUnit and SARIF reports. Existing files are kept unless --force is given.",
  FLAGS,
);

/** The starter config: the quickstart of the README, plus a tool assertion. */
export function starterConfig(): string {
  return `# Assay regression gate: https://github.com/Rul1an/assay
# Record a trace with test_id "weather_check", then run:
#   assay ci --config assay.yaml --trace-file traces/quickstart.jsonl --replay-strict --db :memory:
version: 1
model: "trace" # answers come from the recorded trace only
settings:
  parallel: 4
  timeout_seconds: 30
tests:
  - id: weather_check # = the test_id passed when recording
    input:
      prompt: "Weather in Tokyo?" # must equal the recorded prompt
    expected:
      type: regex_match
      pattern: ".*" # pass if any content returned (baseline check)
    assertions:
      - type: trace_must_call_tool
        tool: GetWeather
`;
}

/** The GitHub Actions workflow. */
export function starterWorkflow(configPath: string, tracePath: string): string {
  return `# Runs the Assay regression gate on every pull request (offline, no API key needed).
name: assay
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
  security-events: write # upload the SARIF report to code scanning
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - name: Assay regression gate
        run: >-
          npx --yes --package=${SDK_NAME}@${SDK_VERSION} assay ci
          --config ${configPath}
          --trace-file ${tracePath}
          --replay-strict
          --db :memory:
          --junit .assay/reports/junit.xml
          --sarif .assay/reports/assay.sarif
      - name: Upload JUnit and SARIF reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: assay-reports
          path: |
            .assay/reports/junit.xml
            .assay/reports/assay.sarif
      - name: Upload SARIF to code scanning
        if: always()
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: .assay/reports/assay.sarif
`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The `init` command. */
export const command: Command = {
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (values.help) {
      io.stdout(HELP);
      return EXIT.ok;
    }
    if (positionals.length) {
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    }
    const configPath = (values.config as string | undefined) ?? "assay.yaml";
    const tracePath = (values["trace-file"] as string | undefined) ?? "traces/quickstart.jsonl";
    const workflowPath = (values.workflow as string | undefined) ?? ".github/workflows/assay.yml";
    const files = [
      { path: configPath, text: starterConfig() },
      { path: workflowPath, text: starterWorkflow(configPath, tracePath) },
    ];
    if (values.force !== true) {
      const taken = [];
      for (const f of files) if (await exists(resolvePath(io, f.path))) taken.push(f.path);
      if (taken.length) {
        throw new UsageError(
          `${taken.join(" and ")} already exist${
            taken.length === 1 ? "s" : ""
          }; nothing was written`,
          "pass --force to overwrite, or --config/--workflow to write elsewhere",
        );
      }
    }
    for (const f of files) {
      const target = resolvePath(io, f.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, f.text);
      io.stdout(`wrote ${f.path}\n`);
    }
    io.stdout(
      `next: record a trace with test_id "weather_check" into ${tracePath}, then run\n` +
        `  assay ci --config ${configPath} --trace-file ${tracePath} --replay-strict --db :memory:\n`,
    );
    return EXIT.ok;
  },
};
