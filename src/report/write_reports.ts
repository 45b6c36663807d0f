/**
 * Writes the report files of a run. CLI-side: file access goes through the
 * runtime adapter `runtime/files.ts`; never reached from `mod.ts`.
 *
 * @module
 */
import { AssayError, writeError } from "../errors.ts";
import type { GateRun } from "../gate/types.ts";
import {
  appendFileText,
  type FileOut,
  openFileOut,
  readFileBytes,
  writeFileBytes,
} from "../runtime/files.ts";
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
  if (kind !== "githubStepSummary") {
    return writeError(LABEL[kind], path, err, `choose a writable path for the ${LABEL[kind]}`);
  }
  const hint = "check that $GITHUB_STEP_SUMMARY names a writable file, or unset it";
  return writeError(LABEL[kind], path, err, hint, hint);
}

/** An I/O failure while writing a report (a failure of rendering is a bug, and is not wrapped). */
class WriteFailure {
  constructor(readonly cause: unknown) {}
}

// Reports are encoded piece by piece into a reused buffer. Most fit in its
// first 64 KiB and go out as one whole-file write: on Bun that needs no
// `node:fs` at all (loading it is about 6 ms of a 90 ms `assay ci`). A
// bigger one (a 10,000-test run's JSON is 7 MB) is never held as one
// string, flattened and encoded whole: it goes out from the buffer, grown
// to 1 MiB, with write(2) as it is encoded. On this kind of machine fresh
// memory is the expensive part (each new page faults, 15-17 us here), so
// the buffer is reused for every report of the process (a call running
// while another holds it gets its own), and starts small: a 1 MiB one
// costs Bun 3 ms just to allocate.
const FIRST_CHUNK = 1 << 16;
const CHUNK = 1 << 20;
let idle: Uint8Array | undefined;
const encoder = new TextEncoder();
const OVERFLOW = Symbol("overflow");

/** The buffer one `writeReports` call encodes into. */
interface EncodeBuffer {
  bytes: Uint8Array;
}

/** The UTF-8 of everything `render` emits, if it fits in the first chunk (a view of the buffer). */
function renderSmall(buffer: EncodeBuffer, render: (emit: Emit) => void): Uint8Array | undefined {
  const buf = buffer.bytes;
  let n = 0;
  try {
    render((piece) => {
      const { read, written } = encoder.encodeInto(piece, buf.subarray(n, FIRST_CHUNK));
      if (read < piece.length) throw OVERFLOW;
      n += written;
    });
  } catch (err) {
    if (err === OVERFLOW) return undefined;
    throw err;
  }
  return buf.subarray(0, n);
}

/**
 * Write what `render` emits to `path`, replacing the file (parent folders
 * are created). Rendering is synchronous; a report too big for the first
 * chunk is rendered again, written as it is encoded.
 */
async function writeReport(
  buffer: EncodeBuffer,
  path: string,
  render: (emit: Emit) => void,
): Promise<void> {
  const small = renderSmall(buffer, render);
  if (small) {
    try {
      await writeFileBytes(path, small);
    } catch (err) {
      throw new WriteFailure(err);
    }
    return;
  }
  let out: FileOut;
  try {
    out = await openFileOut(path);
  } catch (err) {
    throw new WriteFailure(err);
  }
  const writeAll = (bytes: Uint8Array): void => {
    try {
      out.write(bytes);
    } catch (err) {
      throw new WriteFailure(err);
    }
  };
  try {
    const buf = buffer.bytes.length < CHUNK ? (buffer.bytes = new Uint8Array(CHUNK)) : buffer.bytes;
    let n = 0;
    render((piece) => {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      if (piece.length * 3 > buf.length - n) {
        writeAll(buf.subarray(0, n));
        n = 0;
        if (piece.length * 3 > buf.length) return writeAll(encoder.encode(piece));
      }
      n += encoder.encodeInto(piece, buf.subarray(n)).written;
    });
    writeAll(buf.subarray(0, n));
    try {
      out.close();
    } catch (err) {
      throw new WriteFailure(err);
    }
  } catch (err) {
    out.abort();
    throw err;
  }
}

/**
 * Write the requested reports of `run` (parent folders are created) and
 * return the paths written, in the order junit, sarif, json, markdown,
 * step summary. Each file is replaced in place (one whole-file write for
 * most; a half-written one is removed); a failure is an `AssayError` with
 * code `E_IO` naming the first report, in that order, that could not be
 * written (the others are written all the same).
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
  // Each text is rendered once, though a big report is emitted twice.
  let junit: string | undefined;
  let sarif: string | undefined;
  let markdown: string | undefined;
  const whole = [
    ["junit", options.junit, (emit: Emit) => emit(junit ??= renderJunit(run))],
    ["sarif", options.sarif, (emit: Emit) => emit(sarif ??= renderSarif(run))],
    ["json", options.json, (emit: Emit) => emitJson(run, emit)],
    ["markdown", options.markdown, (emit: Emit) => emit(markdown ??= renderMarkdown(run))],
  ] as const;
  // Every report is attempted; the first failure in the order above is the one reported.
  let failure: AssayError | undefined;
  const buffer = { bytes: idle ?? new Uint8Array(FIRST_CHUNK) };
  idle = undefined;
  try {
    for (const [kind, path, render] of whole) {
      if (!path) continue;
      try {
        await writeReport(buffer, path, render);
        written.push(path);
      } catch (err) {
        if (!(err instanceof WriteFailure)) throw err;
        failure ??= ioError(kind, path, err.cause);
      }
    }
  } finally {
    idle = buffer.bytes;
  }
  if (failure) throw failure;
  if (options.githubStepSummary) {
    const path = options.githubStepSummary;
    try {
      const before = await readFileBytes(path).then((b) => new TextDecoder().decode(b), () => "");
      // Other steps may have left a last line without a newline: start on a fresh paragraph.
      const gap = before === ""
        ? ""
        : before.endsWith("\n\n")
        ? ""
        : before.endsWith("\n")
        ? "\n"
        : "\n\n";
      await appendFileText(path, gap + (markdown ?? renderMarkdown(run)));
    } catch (err) {
      throw ioError("githubStepSummary", path, err);
    }
    written.push(path);
  }
  return written;
}
