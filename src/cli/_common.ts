// Shared by the CLI commands: flag parsing, error printing, file helpers.
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import { AssayError, TraceSyntaxError } from "../errors.ts";
import type { GateConfig } from "../gate/config.ts";
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

/** Parse `args` against `flags`; unknown flags are a `UsageError` with "did you mean". */
export function parseFlags(
  args: string[],
  flags: Record<string, FlagSpec>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, f] of Object.entries(flags)) {
    options[name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  }
  options.help = { type: "boolean", short: "h" };
  try {
    const { values, positionals } = parseArgs({
      args,
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (err) {
    const msg = (err as Error).message;
    const m = /option '(-{1,2}[^' ]+)/.exec(msg);
    const opt = m?.[1] ?? "";
    const hint = opt.startsWith("--")
      ? didYouMean(opt.slice(2), Object.keys(options)).replace(/"/g, "")
      : "";
    throw new UsageError(
      msg.replace(/\. To specify a positional argument.*$/s, "") +
        hint.replace("(did you mean ", "(did you mean --"),
    );
  }
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

/** Read a text file; a missing one is `E_PATH_NOT_FOUND`. */
export async function readText(io: CliIo, path: string, what: string): Promise<string> {
  try {
    return await readFile(resolvePath(io, path), "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") {
      throw new AssayError("E_PATH_NOT_FOUND", `${what} not found: ${JSON.stringify(path)}`, {
        cause: err,
        hint: what === "config file"
          ? "pass --config PATH, or create one with assay init"
          : "check the path (relative paths start at the current folder)",
      });
    }
    throw err;
  }
}

/** Read and validate a config file (schema files relative to it). */
export async function loadConfig(
  io: CliIo,
  path: string,
): Promise<{ config: GateConfig; bytes: Uint8Array }> {
  const [text, { parseConfig }] = await Promise.all([
    readText(io, path, "config file"),
    import("../gate/config.ts"),
  ]);
  const dir = dirname(resolvePath(io, path));
  const config = await parseConfig(text, {
    file: path,
    readSchemaFile: (p) => readFile(isAbsolute(p) ? p : resolve(dir, p), "utf8"),
  });
  return { config, bytes: new TextEncoder().encode(text) };
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
  return io.stderrIsTTY === true && !io.env.NO_COLOR;
}
