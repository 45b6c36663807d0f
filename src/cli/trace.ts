// `assay trace verify`: every config test resolves to exactly one episode.
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
    help: "the trace (or give it as the argument)",
  },
  "replay-strict": { type: "boolean", help: "unknown event types are errors" },
};

const HELP = commandHelp(
  "assay trace verify [--config assay.yaml] <trace.jsonl>",
  "Read the trace and check that every test of the config resolves to exactly one episode (by test\n" +
    "id, then by exact prompt). Exit 0 when all do, 1 when one is missing or ambiguous, 2 on a\n" +
    "config or trace-format error.",
  FLAGS,
);

/** The `trace` command (subcommand `verify`). */
export const command: Command = {
  async run(args: string[], io: CliIo): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === "-h" || sub === "--help" || sub === undefined) {
      io.stdout(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    if (sub !== "verify") {
      throw new UsageError(
        `unknown subcommand "trace ${sub}"`,
        "the trace command has one subcommand: assay trace verify",
      );
    }
    const { values, positionals } = parseFlags(rest, FLAGS);
    if (values.help) {
      io.stdout(HELP);
      return EXIT.ok;
    }
    const tracePath = (values["trace-file"] as string | undefined) ?? positionals[0];
    if (!tracePath) {
      throw new UsageError(
        "no trace given",
        "assay trace verify --config assay.yaml traces/t.jsonl",
      );
    }
    if (positionals.length > (values["trace-file"] ? 0 : 1)) {
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals.at(-1))}`);
    }
    const { config } = await loadConfig(
      io,
      (values.config as string | undefined) ?? "assay.yaml",
    );
    return await verifyTraceFile(io, config, tracePath, values["replay-strict"] === true);
  },
};
