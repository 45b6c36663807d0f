// `assay validate`: config (and optionally trace) checks without running the tests.
import type { CliIo, Command } from "./io.ts";
import { EXIT } from "./run.ts";
import { commandHelp, CONFIG_FLAG, type FlagSpec, parseFlags, UsageError } from "./_common.ts";
import { loadConfig } from "./_config.ts";
import { verifyTraceFile } from "./_verify_output.ts";

const FLAGS: Record<string, FlagSpec> = {
  config: CONFIG_FLAG,
  "trace-file": {
    type: "string",
    short: "t",
    value: "FILE",
    help: "also check that every test resolves in this trace",
  },
  "replay-strict": { type: "boolean", help: "read the trace as assay ci --replay-strict does" },
};

const HELP = commandHelp(
  "assay validate [--config assay.yaml] [--trace-file traces/t.jsonl]",
  "Check the config (schema, regexes, JSON Schemas, duplicate ids) and, with --trace-file, that the\n" +
    "trace parses and every test resolves to exactly one episode. Exit 0 when valid, 1 when a test\n" +
    "does not resolve, 2 on a config or trace-format error.",
  FLAGS,
);

/** The `validate` command. */
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
    const { config } = await loadConfig(io, configPath);
    const expectations = config.tests.reduce((n, t) => n + t.expected.length, 0);
    const assertions = config.tests.reduce((n, t) => n + t.assertions.length, 0);
    io.stdout(
      `config ${configPath} is valid: suite ${
        JSON.stringify(config.suite)
      }, ${config.tests.length} test${
        config.tests.length === 1 ? "" : "s"
      }, ${expectations} expectation${expectations === 1 ? "" : "s"}, ${assertions} assertion${
        assertions === 1 ? "" : "s"
      }\n`,
    );
    const tracePath = values["trace-file"] as string | undefined;
    if (!tracePath) return EXIT.ok;
    return await verifyTraceFile(io, config, tracePath, values["replay-strict"] === true);
  },
};
