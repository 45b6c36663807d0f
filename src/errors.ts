/**
 * The project's error types. Every error a user can meet carries a stable
 * string `code` (documented in the README's troubleshooting section) and,
 * where one exists, a hint saying how to fix it.
 *
 * @module
 */

/** The stable error codes of Assay. */
export type AssayErrorCode =
  | "E_CFG_PARSE"
  | "E_CFG_SCHEMA"
  | "E_PATH_NOT_FOUND"
  | "E_TRACE_INVALID"
  | "E_TRACE_EPISODE_MISSING"
  | "E_TRACE_EPISODE_AMBIGUOUS"
  | "E_TRACE_ASSERT_FAIL"
  | "E_REPLAY_STRICT_MISSING"
  | "E_REPLAY_DIFF"
  | "E_BASE_MISMATCH"
  | "E_DB"
  | "E_IO"
  | "E_WRITER"
  | "E_NO_WRITER"
  | "E_SERIALIZE";

/** Options shared by Assay's error classes. */
export interface AssayErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** One sentence telling the user how to fix the problem. */
  hint?: string;
}

/**
 * The one error class of the project: a message, a stable `code` and an
 * optional fix `hint`.
 *
 * @example
 * ```ts
 * import { AssayError } from "@assay-it/sdk";
 * try {
 *   throw new AssayError("E_WRITER", "trace writer is closed", { hint: "create a new TraceWriter" });
 * } catch (err) {
 *   if (err instanceof AssayError) console.log(err.code); // "E_WRITER"
 * }
 * ```
 */
export class AssayError extends Error {
  /** Stable machine-readable code, such as `E_TRACE_INVALID`. */
  readonly code: AssayErrorCode;
  /** How to fix the problem, when known. */
  readonly hint?: string;

  constructor(code: AssayErrorCode, message: string, options: AssayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AssayError";
    this.code = code;
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

/** Where in a file a parse error happened. */
export interface SourceLocation {
  /** The file name or label of the source (`"<stream>"` when unknown). */
  file: string;
  /** 1-based line number. */
  line: number;
  /** 1-based column number (in characters). */
  column: number;
}

/** Options of {@linkcode TraceSyntaxError}. */
export interface TraceSyntaxErrorOptions extends AssayErrorOptions, SourceLocation {
  /** A short excerpt of the offending line. */
  excerpt?: string;
  /** The error code; `E_TRACE_INVALID` by default. */
  code?: AssayErrorCode;
}

/**
 * A parse error in a trace or config file, located by file, line and column.
 * `message` starts with `file:line:column`.
 *
 * @example
 * ```ts
 * import { TraceSyntaxError } from "@assay-it/sdk";
 * const err = new TraceSyntaxError("invalid JSON", { file: "t.jsonl", line: 3, column: 7 });
 * console.log(err.message); // "t.jsonl:3:7: invalid JSON"
 * ```
 */
export class TraceSyntaxError extends SyntaxError {
  /** Stable machine-readable code. */
  readonly code: AssayErrorCode;
  /** How to fix the problem, when known. */
  readonly hint?: string;
  /** The file name or label. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** A short excerpt of the offending line. */
  readonly excerpt?: string;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(reason: string, options: TraceSyntaxErrorOptions) {
    super(
      `${options.file}:${options.line}:${options.column}: ${reason}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "TraceSyntaxError";
    this.code = options.code ?? "E_TRACE_INVALID";
    this.reason = reason;
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
    if (options.excerpt !== undefined) this.excerpt = options.excerpt;
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

/**
 * `E_IO` for a file that could not be written: what, where, and the first
 * line of why; the hint is `folder` when a folder is in the way (`EISDIR`),
 * else `otherwise`.
 */
export function writeError(
  what: string,
  path: string,
  err: unknown,
  otherwise: string,
  folder = `the path is a folder: give a file name for the ${what}`,
): AssayError {
  const why = String((err as Error)?.message ?? err).split("\n")[0];
  return new AssayError("E_IO", `cannot write the ${what} to ${JSON.stringify(path)}: ${why}`, {
    cause: err,
    hint: (err as { code?: string })?.code === "EISDIR" ? folder : otherwise,
  });
}

/**
 * `JSON.stringify(s)` for a string, as {@linkcode quote} shows strings. The
 * common string (no control character, quote, backslash or surrogate) is
 * quoted without the call: every check of a run quotes the output and its
 * expected values, and cold, `JSON.stringify` of a short string costs
 * several times a scan of it.
 */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Controls, `"`, `\` and surrogates (lone ones are escaped) need the full rules.
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      return JSON.stringify(s);
    }
  }
  return `"${s}"`;
}

/** Quote a value for an error message, truncated to `max` characters. */
export function quote(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === "string" ? jsonString(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
