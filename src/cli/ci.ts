// `assay ci`: the regression gate.
//
// What every run needs is imported statically: this file itself loads only
// for `assay ci`, and on Bun a dynamic import() costs about a millisecond
// more than a static one. What only some runs need (the live scorer,
// baselines, the history store: not for `--db :memory:`) loads on demand.
import { join } from "node:path";
import { AssayError, writeError } from "../errors.ts";
import type { GateRun } from "../gate/types.ts";
import { runGate } from "../gate/run.ts";
import { formatSummary, formatTestLine } from "../report/console.ts";
import { writeReports } from "../report/write_reports.ts";
import { sha256HexOfBytes, writeFileBytes } from "../runtime/files.ts";
import { fileChunks } from "../runtime/file_source.ts";
import type { GateStore } from "../store/store.ts";
import type { CliIo, Command } from "./io.ts";
import { EXIT } from "./run.ts";
import {
  commandHelp,
  CONFIG_FLAG,
  type FlagSpec,
  parseFlags,
  readText,
  resolvePath,
  UsageError,
  useColor,
} from "./_common.ts";
import { loadConfig } from "./_config.ts";

const FLAGS: Record<string, FlagSpec> = {
  config: CONFIG_FLAG,
  "trace-file": {
    type: "string",
    short: "t",
    value: "FILE",
    help: "the recorded JSONL trace (required)",
  },
  "replay-strict": {
    type: "boolean",
    help: "no network; unknown events, duplicate episodes and missing scores are errors",
  },
  db: {
    type: "string",
    value: "PATH",
    help: "SQLite history file (default .assay/assay.db); :memory: keeps no history",
  },
  baseline: {
    type: "string",
    value: "FILE",
    help: "compare tool calls and scores with this baseline",
  },
  "export-baseline": {
    type: "string",
    value: "FILE",
    help: "write this run's scores and episode signatures",
  },
  junit: {
    type: "string",
    value: "FILE",
    help: "JUnit XML report (default .assay/reports/junit.xml)",
  },
  sarif: {
    type: "string",
    value: "FILE",
    help: "SARIF 2.1.0 report (default .assay/reports/assay.sarif)",
  },
  json: {
    type: "string",
    value: "FILE",
    help: "JSON run summary (default .assay/reports/run.json)",
  },
  markdown: {
    type: "string",
    value: "FILE",
    help: "Markdown summary (default .assay/reports/summary.md)",
  },
};

const help = () =>
  commandHelp(
    "assay ci --config assay.yaml --trace-file traces/t.jsonl [--replay-strict] [--db :memory:]",
    "Run every test of the config against the recorded episodes, offline. Exit 0 when all pass,\n" +
      "1 when a test failed or errored, 2 on a usage/config/trace error, 3 on a database or I/O error.\n" +
      "$GITHUB_STEP_SUMMARY, when set, gets the Markdown summary appended.",
    FLAGS,
  );

const REPORTS = ".assay/reports";

/** The `ci` command. */
export const command: Command = {
  run: ci,
};

async function ci(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS);
  if (values.help) {
    io.stdout(help());
    return EXIT.ok;
  }
  if (positionals.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  }
  const tracePath = values["trace-file"] as string | undefined;
  if (!tracePath) {
    throw new UsageError("--trace-file is required", "pass --trace-file traces/your_trace.jsonl");
  }
  const configPath = (values.config as string | undefined) ?? "assay.yaml";
  const strict = values["replay-strict"] === true;
  const db = dbFlag(values.db as string | undefined);

  const { config, bytes } = await loadConfig(io, configPath);
  const hash = await sha256HexOfBytes(bytes);
  const baseline = await loadBaseline(io, values.baseline as string | undefined);
  const scorer = strict
    ? undefined
    : (await import("../gate/live.ts")).createLiveScorer(config.settings, { env: io.env });
  const color = useColor(io);
  const progress = config.tests.length >= 20 && io.stderrIsTTY === true;
  const { run, episodes } = await runGate(config, await fileChunks(resolvePath(io, tracePath)), {
    strict,
    traceFile: tracePath,
    configHash: hash,
    ...(baseline ? { baseline } : {}),
    // Episode signatures only for a baseline to compare with or to export.
    signatures: baseline !== undefined || values["export-baseline"] !== undefined,
    ...(scorer ? { scorer } : {}),
    ...(progress ? { onResult: (_r, done, total) => io.stderr(`\r  ${done}/${total} tests`) } : {}),
  });
  if (progress) io.stderr("\r\x1b[2K");

  // One write per 256 lines: a 10,000-test run is not 10,000 write calls.
  let out = "";
  let lines = 0;
  const line = (text: string) => {
    out += text + "\n";
    if (++lines % 256 === 0) {
      io.stderr(out);
      out = "";
    }
  };
  for (const w of run.warnings) line(`warning: ${w}`);
  for (const r of run.results) {
    line(formatTestLine(r, { color }));
    // The line of a passing test has no details; its warnings ("latest of 2
    // episodes used") must still be seen.
    if (r.status === "pass") { for (const w of r.warnings) line(`      warning: ${w}`); }
  }
  if (out) io.stderr(out);

  const summaryEnv = io.env.GITHUB_STEP_SUMMARY;
  const pathOf = (flag: string, name: string) =>
    resolvePath(io, (values[flag] as string | undefined) ?? join(REPORTS, name));
  // The reports, then the history; a database error is reported first.
  const reports = writeReports(run, {
    junit: pathOf("junit", "junit.xml"),
    sarif: pathOf("sarif", "assay.sarif"),
    json: pathOf("json", "run.json"),
    markdown: pathOf("markdown", "summary.md"),
    ...(summaryEnv ? { githubStepSummary: summaryEnv } : {}),
  }).then(() => undefined, (err: unknown) => ({ err }));
  // `:memory:` keeps no history: nothing could read that database once this
  // process ends, and nothing in this run reads it, so none is built (the
  // store and SQLite do not load): about 0.1 s of a 10,000-test run.
  let stored: { err: unknown } | undefined;
  try {
    if (db !== ":memory:") await saveToStore(io, db, run, episodes);
  } catch (err) {
    stored = { err };
  }
  const written = await reports;
  if (stored) throw stored.err;
  if (written) throw written.err;
  const exportPath = values["export-baseline"] as string | undefined;
  if (exportPath) {
    const { buildBaseline } = await import("../gate/baseline.ts");
    const text = JSON.stringify(buildBaseline(run), null, 2) + "\n";
    try {
      await writeFileBytes(resolvePath(io, exportPath), new TextEncoder().encode(text));
    } catch (err) {
      throw writeError("baseline", exportPath, err, "choose a writable path for --export-baseline");
    }
    io.stderr(`baseline written to ${exportPath}\n`);
  }
  io.stderr(`${formatSummary(run, { color })}\n`);
  return run.verdict === "pass" ? EXIT.ok : EXIT.failed;
}

/**
 * The `--db` value, checked before any work: an empty one, or one that
 * starts with ":" but is not `:memory:` (a typo that would otherwise leave
 * a file called ":memory" behind), is a usage error.
 */
function dbFlag(value: string | undefined): string {
  if (value === undefined) return ".assay/assay.db";
  if (value === "") {
    throw new UsageError(
      "--db is empty",
      "pass a database file, or --db :memory: to keep no history",
    );
  }
  if (value.startsWith(":") && value !== ":memory:") {
    throw new UsageError(
      `--db ${JSON.stringify(value)} is not :memory:`,
      `pass --db :memory: to keep no history, or --db ./${value} for a file of that name`,
    );
  }
  return value;
}

async function loadBaseline(io: CliIo, path: string | undefined) {
  if (!path) return undefined;
  const text = await readText(io, path, "baseline file");
  const { parseBaseline } = await import("../gate/baseline.ts");
  return parseBaseline(text, path);
}

async function saveToStore(
  io: CliIo,
  db: string,
  run: GateRun,
  episodes: Parameters<GateStore["saveRun"]>[1],
): Promise<void> {
  const path = resolvePath(io, db);
  let store;
  try {
    const { openStore } = await import("../store/store.ts");
    store = await openStore(path);
  } catch (err) {
    throw asDbError(err, `cannot open the database ${JSON.stringify(db)}`);
  }
  try {
    await store.saveRun(run, episodes);
  } catch (err) {
    throw asDbError(err, `cannot save the run to ${JSON.stringify(db)}`);
  } finally {
    await store.close().catch(() => {});
  }
}

function asDbError(err: unknown, what: string): AssayError {
  if (err instanceof AssayError) return err;
  return new AssayError("E_DB", `${what}: ${(err as Error)?.message ?? err}`, {
    cause: err,
    hint: "check the --db path and its folder's permissions, or use --db :memory:",
  });
}
