/**
 * `runCli(args, io)`: parses the subcommand and runs it. Subcommands load
 * lazily so `assay --help` stays fast.
 *
 * @module
 */
import { SDK_NAME, SDK_VERSION } from "../version.ts";
import type { CliIo, Command } from "./io.ts";

/** Subcommands, loaded on first use. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  ci: {
    summary: "run the regression gate: every config test against the recorded trace",
    load: async () => (await import("./ci.ts")).command,
  },
  validate: {
    summary: "check the config (and with --trace-file, the trace) without running tests",
    load: async () => (await import("./validate.ts")).command,
  },
  trace: {
    summary: "trace verify: check every test resolves to exactly one episode",
    load: async () => (await import("./trace.ts")).command,
  },
  replay: {
    summary: "re-run the agent command with model answers from the trace; fail on any drift",
    load: async () => (await import("./replay.ts")).command,
  },
  init: {
    summary: "write a starter assay.yaml and a GitHub Actions workflow",
    load: async () => (await import("./init.ts")).command,
  },
};

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2, infra: 3 } as const;

function help(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(8, ...names.map((n) => n.length)) + 2;
  const lines = names.map((n) => `  ${n.padEnd(width)}${COMMANDS[n].summary}`);
  return [
    `assay ${SDK_VERSION}: regression gate for AI agents (${SDK_NAME})`,
    "",
    "Usage: assay <command> [options]",
    "",
    "Commands:",
    ...(lines.length ? lines : ["  (none yet)"]),
    "",
    "Options:",
    "  -h, --help     show this help (also: assay <command> --help)",
    "  -V, --version  print the version",
    "",
    "Exit codes: 0 pass, 1 a test failed, 2 usage/config/trace error, 3 infrastructure error.",
    "",
  ].join("\n");
}

/**
 * Run the `assay` CLI with `args` (without the program name). Returns the
 * exit code; never throws.
 */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    io.stdout(help());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === "-V" || first === "--version") {
    io.stdout(`${SDK_VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS[first];
  if (!command) {
    io.stderr(
      `[E_USAGE] unknown command ${
        JSON.stringify(first)
      }\n  fix: run "assay --help" for the list of commands\n`,
    );
    return EXIT.usage;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest, io);
  } catch (err) {
    // Expected failures (usage, config, trace, I/O) print as `[E_CODE] ...`
    // here, once for every command; anything else is a bug.
    const { reportError } = await import("./_common.ts");
    const code = reportError(io, err);
    if (code !== undefined) return code;
    // A bug, not bad input: show the message, and the stack only on request.
    const detail = io.env.ASSAY_DEBUG ? (err as Error)?.stack : (err as Error)?.message;
    io.stderr(
      `[E_INTERNAL] ${detail ?? String(err)}\n  fix: this is a bug in assay; rerun with ` +
        "ASSAY_DEBUG=1 for details and report it with the command you ran\n",
    );
    return EXIT.infra;
  }
}
