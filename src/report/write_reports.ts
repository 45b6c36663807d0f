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
import { emitJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderMarkdown } from "./markdown.ts";
import { renderSarif } from "./sarif.ts";

type Emit = (piece: string) => void;

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

// The step summary is read and appended to with node:fs callbacks as
// promises (node:fs/promises is another module to load: about 3 ms of Bun's
// start-up, for the same calls).
const appendFile = (path: string, data: string) =>
  new Promise<void>((ok, fail) => fs.appendFile(path, data, (e) => (e ? fail(e) : ok())));
const readFile = (path: string) =>
  new Promise<string>((ok, fail) => fs.readFile(path, "utf8", (e, d) => (e ? fail(e) : ok(d))));

/** An I/O failure while writing a report (a failure of rendering is a bug, and is not wrapped). */
class WriteFailure {
  constructor(readonly cause: unknown) {}
}

// Reports are encoded piece by piece into this buffer and written from it
// with write(2): a 10,000-test run's 7 MB JSON report is never held as one
// string, flattened and encoded whole. On this kind of machine fresh memory
// is the expensive part (each new page faults, 15-17 us here), so the
// buffer is reused for every report of the process, and starts small: most
// reports fit in 64 KiB, and a 1 MiB one costs Bun 3 ms just to allocate.
const FIRST_CHUNK = 1 << 16;
const CHUNK = 1 << 20;
let chunk: Uint8Array | undefined;
const encoder = new TextEncoder();

function writeAll(fd: number, bytes: Uint8Array): void {
  try {
    for (let done = 0; done < bytes.length;) {
      done += fs.writeSync(fd, bytes, done, bytes.length - done);
    }
  } catch (err) {
    throw new WriteFailure(err);
  }
}

/**
 * Write what `render` emits to `path` through a temporary file, so a reader
 * never sees half a report. Synchronous: the pieces go out as they are
 * encoded, and no other work waits meanwhile.
 */
function writeWhole(path: string, render: (emit: (piece: string) => void) => void): void {
  const temp = `${path}.${Math.random().toString(36).slice(2)}.tmp`;
  let fd: number | undefined;
  try {
    ensureDirSync(dirname(path));
    fd = fs.openSync(temp, "w");
  } catch (err) {
    throw new WriteFailure(err);
  }
  try {
    const out = fd;
    let buf = chunk ??= new Uint8Array(FIRST_CHUNK);
    let n = 0;
    const emit = (piece: string): void => {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      if (piece.length * 3 > buf.length - n) {
        writeAll(out, buf.subarray(0, n));
        n = 0;
        // A report that fills the small buffer is a big one: use the big buffer from now on.
        if (buf.length < CHUNK) buf = chunk = new Uint8Array(CHUNK);
        if (piece.length * 3 > CHUNK) return writeAll(out, encoder.encode(piece));
      }
      n += encoder.encodeInto(piece, buf.subarray(n)).written;
    };
    render(emit);
    writeAll(out, buf.subarray(0, n));
    try {
      fd = undefined;
      fs.closeSync(out);
      fs.renameSync(temp, path);
    } catch (err) {
      throw new WriteFailure(err);
    }
  } catch (err) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // The write already failed; that error is the one to report.
      }
    }
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // Left behind at worst; the failure above is the one to report.
    }
    throw err;
  }
}

/**
 * Write the requested reports of `run` (parent folders are created) and
 * return the paths written, in the order junit, sarif, json, markdown,
 * step summary. Each file is written whole under a temporary name, then
 * renamed; a failure is an `AssayError` with code `E_IO` naming the first
 * report, in that order, that could not be written (the others are written
 * all the same).
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
  let markdown: string | undefined;
  const whole = [
    ["junit", options.junit, (emit: Emit) => emit(renderJunit(run))],
    ["sarif", options.sarif, (emit: Emit) => emit(renderSarif(run))],
    ["json", options.json, (emit: Emit) => emitJson(run, emit)],
    ["markdown", options.markdown, (emit: Emit) => emit(markdown = renderMarkdown(run))],
  ] as const;
  // Every report is attempted; the first failure in the order above is the one reported.
  let failure: AssayError | undefined;
  for (const [kind, path, render] of whole) {
    if (!path) continue;
    try {
      writeWhole(path, render);
      written.push(path);
    } catch (err) {
      if (!(err instanceof WriteFailure)) throw err;
      failure ??= ioError(kind, path, err.cause);
    }
  }
  if (failure) throw failure;
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
