// Shared by the CLI commands: flag parsing, error printing, file helpers.
import { isAbsolute, resolve } from "node:path";
import { AssayError, TraceSyntaxError } from "../errors.ts";
import { readFileBytes } from "../runtime/files.ts";
import { didYouMean } from "../gate/_suggest.ts";
import type { CliIo } from "./io.ts";
import { EXIT } from "./run.ts";

/** A flag of a command. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  /** One line for `--help`; `value` names the argument. */
  help: string;
  value?: string;
}

/** `--config`, read by ci, validate and trace verify. */
export const CONFIG_FLAG: FlagSpec = {
  type: "string",
  short: "c",
  value: "FILE",
  help: "the config (default assay.yaml)",
};

/** Bad command-line usage: printed as `[E_USAGE]`, exit 2. */
export class UsageError extends Error {
  constructor(message: string, readonly hint = "run the command with --help") {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parse `args` against `flags` (plus `-h, --help`), the way POSIX/GNU tools
 * do: `--name value`, `--name=value`, `-n value`, `-nvalue`, bundled short
 * booleans (`-hf`), positionals anywhere, and `--` ending the options (all
 * that follows is positional). A repeated flag keeps its last value.
 * Unknown flags, a boolean given a value, and a missing value are
 * `UsageError`s; an unknown long flag gets a "did you mean".
 *
 * (Written here rather than `node:util` parseArgs: that module costs Bun
 * about 5 ms of start-up, 5 % of a whole `assay ci`.)
 */
export function parseFlags(
  args: string[],
  flags: Record<string, FlagSpec>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const all: Record<string, Pick<FlagSpec, "type" | "short" | "value">> = {
    ...flags,
    help: { type: "boolean", short: "h" },
  };
  const byShort = new Map<string, string>();
  for (const name in all) {
    const short = all[name].short;
    if (short) byShort.set(short, name);
  }
  const values: Record<string, string | boolean | undefined> = {};
  const positionals: string[] = [];
  const unknown = (shown: string): UsageError => {
    const hint = shown.startsWith("--")
      ? didYouMean(shown.slice(2), Object.keys(all)).replace(/"/g, "").replace(
        "(did you mean ",
        "(did you mean --",
      )
      : "";
    return new UsageError(`Unknown option '${shown}'${hint}`);
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      for (let k = i + 1; k < args.length; k++) positionals.push(args[k]);
      break;
    }
    if (arg.length < 2 || arg[0] !== "-") {
      positionals.push(arg);
      continue;
    }
    let name: string;
    let shown: string;
    let inline: string | undefined;
    if (arg[1] === "-") {
      const eq = arg.indexOf("=");
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
      shown = `--${name}`;
      if (!Object.hasOwn(all, name)) throw unknown(shown);
    } else {
      // -c FILE, -cFILE, -h; a run of short booleans: -hx is -h -x.
      let k = 1;
      for (;;) {
        shown = `-${arg[k]}`;
        const found = byShort.get(arg[k]);
        if (found === undefined) throw unknown(shown);
        name = found;
        if (all[name].type === "string" || k === arg.length - 1) break;
        values[name] = true;
        k++;
      }
      if (k < arg.length - 1) inline = arg.slice(k + 1);
    }
    const spec = all[name];
    if (spec.type === "boolean") {
      if (inline !== undefined) {
        throw new UsageError(`option ${shown} takes no value (got ${JSON.stringify(inline)})`);
      }
      values[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      // A following flag is not taken as the value: that is almost always a forgotten value.
      if (next === undefined || (next.length > 1 && next[0] === "-")) {
        const usage = `${shown} ${spec.value ?? "VALUE"}`;
        throw new UsageError(
          `option ${shown} needs a value (${usage})`,
          next === undefined
            ? `give it as ${usage}`
            : `give it as ${usage}; a value that starts with "-" goes after "=": --${name}=${next}`,
        );
      }
      value = next;
      i++;
    }
    values[name] = value;
  }
  return { values, positionals };
}

/** The `--help` text of a command. */
export function commandHelp(
  usage: string,
  summary: string,
  flags: Record<string, FlagSpec>,
): string {
  const rows = Object.entries(flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : "    "}--${name}${
      f.type === "string" ? ` ${f.value ?? "VALUE"}` : ""
    }`;
    return `  ${left.padEnd(30)} ${f.help}`;
  });
  return [
    `Usage: ${usage}`,
    "",
    summary,
    "",
    "Options:",
    ...rows,
    `  ${"-h, --help".padEnd(30)} show this help`,
    "",
  ].join(
    "\n",
  );
}

/** Resolve a user path against the CLI's working folder. */
export function resolvePath(io: CliIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

// UTF-8 as Node's readFile(path, "utf8") decodes it on every runtime: a BOM
// is kept (Bun's own text() drops it), invalid bytes become U+FFFD.
export const UTF8: TextDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Read a text file; a missing one is `E_PATH_NOT_FOUND`. */
export async function readText(io: CliIo, path: string, what: string): Promise<string> {
  return UTF8.decode(await readBytes(io, path, what));
}

/** Read a file's bytes; a missing one is `E_PATH_NOT_FOUND`. */
export async function readBytes(io: CliIo, path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFileBytes(resolvePath(io, path));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") {
      const folder = code === "EISDIR";
      throw new AssayError(
        "E_PATH_NOT_FOUND",
        folder
          ? `${what} ${JSON.stringify(path)} is a folder, not a file`
          : `${what} not found: ${JSON.stringify(path)}`,
        {
          cause: err,
          hint: folder
            ? `give the path of the ${what} itself`
            : what === "config file"
            ? "pass --config PATH, or create one with assay init"
            : "check the path (relative paths start at the current folder)",
        },
      );
    }
    throw err;
  }
}

const USAGE_CODES = new Set([
  "E_CFG_PARSE",
  "E_CFG_SCHEMA",
  "E_PATH_NOT_FOUND",
  "E_TRACE_INVALID",
  "E_BASE_MISMATCH",
]);

/**
 * Print an expected error as `[E_CODE] message` plus a fix hint (never a
 * stack trace) and return its exit code; `undefined` for unexpected errors
 * (bugs), which the caller rethrows.
 */
export function reportError(io: CliIo, err: unknown): number | undefined {
  if (err instanceof UsageError) {
    io.stderr(`[E_USAGE] ${err.message}\n  fix: ${err.hint}\n`);
    return EXIT.usage;
  }
  if (err instanceof TraceSyntaxError) {
    const issues = (err as {
      issues?: { path: string; message: string; line: number; column: number; code: string }[];
    })
      .issues;
    if (issues) {
      for (const i of issues) {
        io.stderr(`[${i.code}] ${err.file}:${i.line}:${i.column}: ${i.path}: ${i.message}\n`);
      }
    } else {
      io.stderr(`[${err.code}] ${err.message}\n`);
      if (err.excerpt) io.stderr(`  | ${err.excerpt}\n`);
    }
    if (err.hint) io.stderr(`  fix: ${err.hint}\n`);
    return EXIT.usage;
  }
  if (err instanceof AssayError) {
    io.stderr(`[${err.code}] ${err.message}\n${err.hint ? `  fix: ${err.hint}\n` : ""}`);
    return USAGE_CODES.has(err.code) ? EXIT.usage : EXIT.infra;
  }
  const code = (err as { code?: unknown })?.code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
    // An operating-system I/O error (EACCES, ENOSPC, ...): infrastructure.
    io.stderr(
      `[E_IO] ${
        (err as Error).message
      }\n  fix: check permissions and free space of the paths given\n`,
    );
    return EXIT.infra;
  }
  return undefined;
}

/** Whether colours may be used on stderr. */
export function useColor(io: CliIo): boolean {
  return !io.env.NO_COLOR && io.stderrIsTTY === true;
}
