// Shared benchmark helpers: runtime detection, child runs, peak RSS, tables.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import process from "node:process";

/** The runtime running this script. */
export const RUNTIME: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

/** Peak resident set size of this process in MiB (Linux VmHWM), or NaN. */
export function peakRssMiB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Run `script` with `args` in a fresh process of the same runtime and parse its last stdout line as JSON. */
export function runChild<T>(
  script: string,
  args: string[],
  options: { maxHeapMiB?: number } = {},
): T {
  const heap = options.maxHeapMiB;
  const pre = RUNTIME === "deno"
    ? ["run", "-A", ...(heap ? [`--v8-flags=--max-old-space-size=${heap}`] : [])]
    : RUNTIME === "bun"
    ? ["run"]
    : [...(heap ? [`--max-old-space-size=${heap}`] : []), "--import", "tsx"];
  const res = spawnSync(process.execPath, [...pre, script, ...args], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (res.status !== 0) throw new Error(`child failed (${res.status}): ${res.stderr}`);
  const lines = res.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as T;
}

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Print rows as a Markdown table. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/**
 * The floor any JSONL reader pays: 1 MiB chunks, a streaming TextDecoder,
 * indexOf("\n") splitting and JSON.parse of every line. Only a line that
 * straddles two chunks is concatenated (joining whole chunks builds rope
 * strings that some engines flatten slowly, which would flatter the
 * readers compared with it). Returns the number of lines.
 */
export async function splitAndParse(path: string): Promise<number> {
  const { createReadStream } = await import("node:fs");
  const decoder = new TextDecoder();
  let rest = "";
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = decoder.decode(chunk as Uint8Array, { stream: true });
    let nl = text.indexOf("\n");
    if (nl < 0) {
      rest += text;
      continue;
    }
    JSON.parse(rest + text.slice(0, nl));
    lines++;
    let start = nl + 1;
    while ((nl = text.indexOf("\n", start)) >= 0) {
      JSON.parse(text.slice(start, nl));
      lines++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  return lines;
}
