/**
 * What a CLI command may touch: output streams, environment and working
 * folder. `cli.ts` passes the real process's; tests pass their own.
 *
 * @module
 */

/** The CLI's view of the outside world. */
export interface CliIo {
  /** Write text to standard output (no newline added). */
  stdout(text: string): void;
  /** Write text to standard error (no newline added). */
  stderr(text: string): void;
  /** Environment variables. */
  env: Record<string, string | undefined>;
  /** The working folder that relative paths start from. */
  cwd: string;
  /** Whether stderr is a terminal (colour, progress). */
  stderrIsTTY?: boolean;
}

/** A subcommand module: `run` returns the exit code. */
export interface Command {
  run(args: string[], io: CliIo): Promise<number>;
}
