// `assay replay`: re-runs the user's agent command with model answers served
// from the recorded trace, then compares the new trace with the recorded one.
import { spawn } from "node:child_process";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { AssayError, writeError } from "../errors.ts";
import type { ReplayDifference } from "../openai/types.ts";
import type { Episode } from "../trace/model.ts";
import type { CliIo, Command } from "./io.ts";
import { EXIT } from "./run.ts";
import { commandHelp, type FlagSpec, parseFlags, resolvePath, UsageError } from "./_common.ts";

const FLAGS: Record<string, FlagSpec> = {
  trace: { type: "string", short: "t", value: "FILE", help: "the recorded JSONL trace (required)" },
  strict: {
    type: "boolean",
    help: "any difference fails (exit 1); without it differences are warnings",
  },
  out: {
    type: "string",
    short: "o",
    value: "FILE",
    help: "where the replayed run's trace goes (default .assay/replay/<trace>.replay.jsonl)",
  },
  json: {
    type: "string",
    value: "FILE",
    help: "also write the verdict and every difference as JSON (for CI artifacts)",
  },
  "tool-mode": {
    type: "string",
    value: "MODE",
    help: "live (default: run the tools and compare results) or replay (serve recorded results)",
  },
};

const HELP = commandHelp(
  "assay replay --trace traces/t.jsonl [--strict] [--out FILE] [--json FILE] -- <command ...>",
  "Run <command> (any runtime) with ASSAY_MODE=replay: every model call of the recording\n" +
    "functions is answered from the trace, tools run for real, nothing goes to the network.\n" +
    "Then compare the new trace with the recorded one: requests, tool results, rounds.\n" +
    "Exit 0 when they match (or, without --strict, when the command succeeded), 1 on a\n" +
    "difference or a failing command, 2 on a usage or trace error, 3 on an I/O error.\n" +
    "The command sees ASSAY_MODE, ASSAY_REPLAY_TRACE and ASSAY_REPLAY_OUT; every\n" +
    "TraceWriter it opens on a path writes to ASSAY_REPLAY_OUT instead.",
  FLAGS,
);

/** The `replay` command. */
export const command: Command = {
  run: replay,
};

async function readEpisodes(path: string, label: string): Promise<Episode[]> {
  const [{ readTrace }, { fileChunks }] = await Promise.all([
    import("../trace/reader.ts"),
    import("../runtime/file_source.ts"),
  ]);
  const episodes: Episode[] = [];
  for await (const ep of readTrace(await fileChunks(path), { file: label })) episodes.push(ep);
  return episodes;
}

/** Runs the command, forwarding its output; resolves with its exit code or signal. */
function runCommand(
  io: CliIo,
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: io.cwd,
      env: env as Record<string, string>,
      stdio: ["inherit", "pipe", "pipe"],
    });
    child.stdout.setEncoding("utf8").on("data", (d: string) => io.stdout(d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => io.stderr(d));
    child.on("error", (err) => {
      const code = (err as { code?: string }).code;
      if (code === "ENOENT" || code === "EACCES") {
        reject(
          new UsageError(
            `cannot run ${JSON.stringify(argv[0])}: ${err.message}`,
            "check the command after --, e.g. -- node agent.js",
          ),
        );
      } else reject(err);
    });
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
}

function printDifference(io: CliIo, d: ReplayDifference, strict: boolean): void {
  const lead = strict ? "[E_REPLAY_DIFF]" : "warning:";
  io.stderr(`${lead} ${d.message.replace(/: recorded .*$/s, "")}\n`);
  io.stderr(`  recorded: ${show(d.recorded)}\n  now:      ${show(d.now)}\n`);
}

function show(json: string | undefined): string {
  if (json === undefined) return "(absent)";
  return json.length > 300 ? `${json.slice(0, 299)}…` : json;
}

async function replay(args: string[], io: CliIo): Promise<number> {
  const dash = args.indexOf("--");
  const own = dash === -1 ? args : args.slice(0, dash);
  const { values, positionals } = parseFlags(own, FLAGS);
  if (values.help) {
    io.stdout(HELP);
    return EXIT.ok;
  }
  const argv = dash === -1 ? positionals : [...positionals, ...args.slice(dash + 1)];
  if (argv.length === 0) {
    throw new UsageError(
      "no command to replay",
      "put the agent's command after --, e.g. assay replay --trace t.jsonl -- node agent.js",
    );
  }
  const tracePath = values.trace as string | undefined;
  if (!tracePath) {
    throw new UsageError("--trace is required", "pass --trace traces/your_trace.jsonl");
  }
  const toolMode = (values["tool-mode"] as string | undefined) ?? "live";
  if (toolMode !== "live" && toolMode !== "replay") {
    throw new UsageError(
      `--tool-mode must be live or replay, got ${JSON.stringify(toolMode)}`,
      "pass --tool-mode live (run the tools) or --tool-mode replay (recorded results)",
    );
  }
  const strict = values.strict === true;
  const trace = resolvePath(io, tracePath);
  const outPath = (values.out as string | undefined) ??
    join(".assay", "replay", `${basename(tracePath, extname(tracePath))}.replay.jsonl`);
  const out = resolvePath(io, outPath);
  if (out === trace) {
    throw new UsageError(
      `--out ${JSON.stringify(outPath)} is the recorded trace itself`,
      "pass another file: the replayed run must not overwrite the recording",
    );
  }

  // The recorded trace must be readable before anything runs (exit 2 otherwise).
  const recorded = await readEpisodes(trace, tracePath);
  if (recorded.length === 0) {
    throw new AssayError("E_TRACE_INVALID", `trace ${JSON.stringify(tracePath)} has no episodes`, {
      hint: "record the agent first (ASSAY_MODE=record), then replay it",
    });
  }
  const jsonPath = values.json as string | undefined;
  const jsonFile = jsonPath === undefined ? undefined : resolvePath(io, jsonPath);
  // A --json path that can never be written fails now, not after the command ran.
  if (jsonFile !== undefined && (await isFolder(jsonFile))) {
    const folder = { code: "EISDIR", message: "it is a folder" };
    throw writeError("JSON report", jsonPath!, folder, "choose a writable path for --json");
  }
  // Kept to undo a command that wrote the recorded trace anyway (one that
  // never saw ASSAY_MODE, e.g. Deno without --allow-env).
  const original = await readFile(trace);
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, "");
  } catch (err) {
    throw writeError("replayed trace", outPath, err, "choose a writable path for --out");
  }
  io.stderr(`replay: ${argv.join(" ")}\n  trace ${tracePath} -> new trace ${outPath}\n`);
  const env: Record<string, string | undefined> = {
    ...io.env,
    ASSAY_MODE: "replay",
    ASSAY_REPLAY_TRACE: trace,
    ASSAY_REPLAY_OUT: out,
    ASSAY_REPLAY_TOOLS: toolMode,
    // The run goes on past differences so this report can list all of them.
    ASSAY_REPLAY_STRICT: "0",
    ASSAY_REPLAY_WARNINGS: "off",
  };
  const { code, signal } = await runCommand(io, argv, env);

  const touched = !original.equals(await readFile(trace).catch(() => new Uint8Array()));
  if (touched) {
    await writeFile(trace, original);
    io.stderr(
      `[E_REPLAY_STRICT_MISSING] the command wrote to the recorded trace ${tracePath} instead of ` +
        `replaying it (the trace was restored)\n  fix: the command did not see ASSAY_MODE=replay: ` +
        "pass the environment on (on Deno: deno run -A or --allow-env), and check that it " +
        "records with the @assay-it/sdk record* functions\n",
    );
  }
  const now = await readEpisodes(out, outPath);
  const { compareTraces } = await import("../openai/replay.ts");
  const { differences, compared, rounds } = compareTraces(recorded, now);
  for (const d of differences) printDifference(io, d, strict);

  const failedCommand = code !== 0;
  if (failedCommand) {
    io.stderr(
      `[E_REPLAY_DIFF] the command failed (${signal ? `signal ${signal}` : `exit code ${code}`}): ${
        argv.join(" ")
      }\n  fix: see its output above; a replay error names the episode and round\n`,
    );
  }
  if (now.length === 0) {
    io.stderr(
      `[E_REPLAY_STRICT_MISSING] the command wrote no episodes to ${outPath}\n` +
        "  fix: run the script that records the trace (its record* calls replay under assay replay)\n",
    );
  }
  const failed = failedCommand || touched || now.length === 0 ||
    (strict && differences.length > 0);
  io.stderr(
    `Summary: ${compared} episode(s), ${rounds} model round(s) compared, ${differences.length} ` +
      `difference(s)${failedCommand ? ", command failed" : ""}: ${
        failed ? "replay FAILED" : "replay passed"
      }\n`,
  );
  if (jsonFile !== undefined) {
    const report = {
      verdict: failed ? "fail" : "pass",
      strict,
      command: argv,
      exitCode: code,
      signal,
      trace: tracePath,
      out: outPath,
      episodes: compared,
      rounds,
      differences,
    };
    try {
      await mkdir(dirname(jsonFile), { recursive: true });
      await writeFile(jsonFile, JSON.stringify(report, null, 2) + "\n");
    } catch (err) {
      throw writeError("JSON report", jsonPath!, err, "choose a writable path for --json");
    }
  }
  return failed ? EXIT.failed : EXIT.ok;
}

/** Whether `path` is an existing folder. */
async function isFolder(path: string): Promise<boolean> {
  return await stat(path).then((s) => s.isDirectory(), () => false);
}
