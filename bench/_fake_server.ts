// The fake OpenAI server in a process of its own, for benchmarks that time
// calls against it: a real model API runs elsewhere, so the server's work
// must not share the client's thread. Started by `startServerProcess()`
// (same runtime as the caller); run directly, it answers every chat
// completion with the JSON body given on the command line, prints its base
// URL, and exits when its stdin closes.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { startFakeOpenAI } from "../testing.ts";
import { RUNTIME } from "./_util.ts";

/** A fake server running in a child process. */
export interface ServerProcess {
  baseURL: string;
  close(): Promise<void>;
}

/** Start the fake server in a child process answering every call with `body`. */
export function startServerProcess(body: unknown): Promise<ServerProcess> {
  const script = fileURLToPath(import.meta.url);
  const pre = RUNTIME === "deno"
    ? ["run", "-A"]
    : RUNTIME === "bun"
    ? ["run"]
    : ["--import", "tsx"];
  const child = spawn(process.execPath, [...pre, script, JSON.stringify(body)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let out = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`fake server exited (${code}) before starting`)));
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      resolve({
        baseURL: out.slice(0, nl).trim(),
        close: () => {
          child.stdin!.end();
          return exited;
        },
      });
    });
  });
}

if (import.meta.main ?? process.argv[1] === fileURLToPath(import.meta.url)) {
  const body = JSON.parse(process.argv[process.argv.length - 1]);
  const server = await startFakeOpenAI({
    keepRequests: false,
    respond: () => ({ kind: "json", body }),
  });
  process.stdout.write(server.baseURL + "\n");
  process.stdin.resume();
  process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
}
