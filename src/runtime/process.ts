/**
 * Runtime adapter: the command line's arguments, environment and working
 * folder. On Deno, `Deno.args`, `Deno.env` and `Deno.cwd()`: the first touch
 * of its `process` (the Node compatibility layer) costs Deno about 30 ms, a
 * sixth of a small `assay ci`. Elsewhere Node's `process`.
 *
 * @module
 */

/** What the CLI is started with. */
export interface HostProcess {
  /** The arguments after the program (and script) name. */
  args: string[];
  env: Record<string, string | undefined>;
  /** The working folder. */
  cwd: string;
}

interface DenoLike {
  args: string[];
  env: { toObject(): Record<string, string>; get(key: string): string | undefined };
  cwd(): string;
}

/**
 * Deno's environment as an object: all of it, or, when Deno may read only
 * some variables (`--allow-env=NO_COLOR,...`), each variable read on use,
 * a forbidden one reading as unset.
 */
function denoEnv(deno: DenoLike): Record<string, string | undefined> {
  try {
    return deno.env.toObject();
  } catch {
    return new Proxy({}, {
      get(_target, key) {
        if (typeof key !== "string") return undefined;
        try {
          return deno.env.get(key);
        } catch {
          return undefined;
        }
      },
    });
  }
}

interface NodeLike {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd(): string;
}

/** The running process's arguments, environment and working folder. */
export function hostProcess(): HostProcess {
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (deno) return { args: [...deno.args], env: denoEnv(deno), cwd: deno.cwd() };
  const proc = (globalThis as { process?: NodeLike }).process;
  if (!proc) throw new TypeError("hostProcess: this runtime has neither Deno nor process");
  return { args: proc.argv.slice(2), env: proc.env, cwd: proc.cwd() };
}
