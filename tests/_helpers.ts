// Shared test helpers: temp folders, paths and subprocess runs.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root. */
export const ROOT: string = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The Python SDK's reference traces. */
export const PY_FIXTURES: string = join(ROOT, "..", "shared", "fixtures", "python-sdk");

/** Which runtime runs this test file. */
export const RUNTIME: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

/** A fresh temp folder; remove it with the returned `cleanup`. */
export async function tempDir(
  prefix = "assay-test-",
): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Run `fn` with a fresh temp folder, removed afterwards whatever happens. */
export async function withTempDir<T>(
  fn: (dir: { path: string }) => Promise<T>,
  prefix?: string,
): Promise<T> {
  const dir = await tempDir(prefix);
  try {
    return await fn(dir);
  } finally {
    await dir.cleanup();
  }
}

/** Result of a subprocess run. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion, capturing output. */
export function runProcess(
  cmd: string,
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    input?: string;
    timeoutMs?: number;
  } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1", ...options.env } as Record<string, string>,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    // A child that exits before reading its input closes the pipe: EPIPE there is not a failure.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
  });
}

/** The command that runs the TypeScript file `script` on the runtime running this test. */
export function scriptCommand(script: string): { cmd: string; args: string[] } {
  if (RUNTIME === "deno") return { cmd: process.execPath, args: ["run", "-A", script] };
  if (RUNTIME === "bun") return { cmd: process.execPath, args: ["run", script] };
  // An absolute loader URL: a bare "tsx" would be resolved from the child's cwd (often a temp folder).
  const tsx = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
  return { cmd: process.execPath, args: ["--import", tsx, script] };
}

/** The command that runs `cli.ts` on the runtime running this test. */
export function cliCommand(): { cmd: string; args: string[] } {
  return scriptCommand(join(ROOT, "cli.ts"));
}

/** Run the real CLI as a subprocess on this test's runtime. */
export function runCliProcess(
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const { cmd, args: pre } = cliCommand();
  return runProcess(cmd, [...pre, ...args], options);
}

/**
 * Compare `actual` with the golden file `name` under tests/golden/ byte for
 * byte. `ASSAY_UPDATE_GOLDEN=1` rewrites the golden file instead.
 */
export async function assertGolden(name: string, actual: string): Promise<void> {
  const { readFile, writeFile, mkdir } = await import("node:fs/promises");
  const path = join(ROOT, "tests", "golden", name);
  if (process.env.ASSAY_UPDATE_GOLDEN === "1") {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = await readFile(path, "utf8");
  } catch {
    throw new Error(
      `golden file tests/golden/${name} is missing: run with ASSAY_UPDATE_GOLDEN=1 to create it`,
    );
  }
  if (actual !== expected) {
    const a = actual.split("\n");
    const e = expected.split("\n");
    const i = a.findIndex((line, n) => line !== e[n]);
    throw new Error(
      `output differs from tests/golden/${name} at line ${i + 1}:\n  golden: ${e[i]}\n  actual: ${
        a[i]
      }\n` +
        "(if the change is intended, rerun with ASSAY_UPDATE_GOLDEN=1)",
    );
  }
}
