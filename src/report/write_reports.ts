/**
 * Writes the report files of a run. CLI-side: uses `node:fs`, never
 * reached from `mod.ts`.
 *
 * @module
 */
import * as fs from "node:fs";
import { dirname } from "node:path";
import { AssayError } from "../errors.ts";
import type { GateRun } from "../gate/types.ts";
import { ensureDirSync } from "../store/_fs.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";
import { renderSarif } from "./sarif.ts";

/** Which reports to write, each as a file path; absent ones are skipped. */
export interface WriteReportsOptions {
  junit?: string;
  sarif?: string;
  json?: string;
  markdown?: string;
  /** `$GITHUB_STEP_SUMMARY`: the Markdown summary is appended to this file, never overwriting it. */
  githubStepSummary?: string;
}

const LABEL = {
  junit: "JUnit report",
  sarif: "SARIF report",
  json: "JSON summary",
  markdown: "Markdown summary",
  githubStepSummary: "GitHub step summary",
} as const;

function ioError(kind: keyof typeof LABEL, path: string, err: unknown): AssayError {
  const code = (err as { code?: string })?.code;
  const why = String((err as Error)?.message ?? err).split("\n")[0];
  const hint = kind === "githubStepSummary"
    ? "check that $GITHUB_STEP_SUMMARY names a writable file, or unset it"
    : code === "EISDIR"
    ? `the path is a folder: give a file name for the ${LABEL[kind]}`
    : `choose a writable path for the ${LABEL[kind]}`;
  return new AssayError(
    "E_IO",
    `cannot write the ${LABEL[kind]} to ${JSON.stringify(path)}: ${why}`,
    {
      cause: err,
      hint,
    },
  );
}

// node:fs callbacks as promises (node:fs/promises is another module to load:
// about 3 ms of Bun's start-up, for the same calls).
const writeFile = (path: string, data: string) =>
  new Promise<void>((ok, fail) => fs.writeFile(path, data, (e) => (e ? fail(e) : ok())));
const appendFile = (path: string, data: string) =>
  new Promise<void>((ok, fail) => fs.appendFile(path, data, (e) => (e ? fail(e) : ok())));
const rename = (from: string, to: string) =>
  new Promise<void>((ok, fail) => fs.rename(from, to, (e) => (e ? fail(e) : ok())));
const rm = (path: string) => new Promise<void>((ok) => fs.rm(path, { force: true }, () => ok()));
const readFile = (path: string) =>
  new Promise<string>((ok, fail) => fs.readFile(path, "utf8", (e, d) => (e ? fail(e) : ok(d))));

/** Write `content` to `path` through a temporary file, so a reader never sees half a report. */
async function writeWhole(path: string, content: string): Promise<void> {
  ensureDirSync(dirname(path));
  const temp = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (err) {
    await rm(temp);
    throw err;
  }
}

/**
 * Write the requested reports of `run` (parent folders are created) and
 * return the paths written, in the order junit, sarif, json, markdown,
 * step summary. The files are written concurrently; a failure is an
 * `AssayError` with code `E_IO` naming the first report, in that order,
 * that could not be written (the others are written all the same).
 *
 * @example
 * ```ts
 * import { writeReports } from "./write_reports.ts";
 * declare const run: import("../gate/types.ts").GateRun;
 * await writeReports(run, {
 *   junit: ".assay/reports/junit.xml",
 *   githubStepSummary: ".assay/reports/step_summary.md",
 * });
 * ```
 */
export async function writeReports(run: GateRun, options: WriteReportsOptions): Promise<string[]> {
  const written: string[] = [];
  const whole = [
    ["junit", options.junit, renderJunit],
    ["sarif", options.sarif, renderSarif],
    ["json", options.json, renderJson],
    ["markdown", options.markdown, renderMarkdown],
  ] as const;
  let markdown: string | undefined;
  // Each file is written while the next report renders; all are awaited before
  // returning, and the first failure in the order above is the one reported.
  const writes: {
    kind: keyof typeof LABEL;
    path: string;
    failure: Promise<{ err: unknown } | undefined>;
  }[] = [];
  for (const [kind, path, render] of whole) {
    if (!path) continue;
    const content = render(run);
    if (kind === "markdown") markdown = content;
    const failure = writeWhole(path, content).then(() => undefined, (err: unknown) => ({ err }));
    writes.push({ kind, path, failure });
  }
  for (const { kind, path, failure } of writes) {
    const failed = await failure;
    if (failed) {
      await Promise.all(writes.map((w) => w.failure)); // no write left running behind the error
      throw ioError(kind, path, failed.err);
    }
    written.push(path);
  }
  if (options.githubStepSummary) {
    const path = options.githubStepSummary;
    try {
      ensureDirSync(dirname(path));
      const before = await readFile(path).catch(() => "");
      // Other steps may have left a last line without a newline: start on a fresh paragraph.
      const gap = before === ""
        ? ""
        : before.endsWith("\n\n")
        ? ""
        : before.endsWith("\n")
        ? "\n"
        : "\n\n";
      await appendFile(path, gap + (markdown ?? renderMarkdown(run)));
    } catch (err) {
      throw ioError("githubStepSummary", path, err);
    }
    written.push(path);
  }
  return written;
}
