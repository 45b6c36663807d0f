// Shared parts of the OpenAI recording tests: a real openai client on the
// fake server, tool definitions and executors, and trace reading.
import OpenAI from "openai";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Episode, readTraceAll } from "../../mod.ts";
import { type FakeOpenAI, type FakeResponse, startFakeOpenAI } from "../../testing.ts";
import { tempDir } from "../_helpers.ts";

/** The real openai client pointed at a fake server, without retries. */
export function clientFor(server: FakeOpenAI): OpenAI {
  return new OpenAI({ apiKey: "test", baseURL: server.baseURL, maxRetries: 0 });
}

/** A fake server, a client on it and a temp trace path; `done()` cleans up. */
export async function setup(responses: FakeResponse[] = []): Promise<{
  server: FakeOpenAI;
  client: OpenAI;
  trace: string;
  dir: string;
  done: () => Promise<void>;
}> {
  const server = await startFakeOpenAI({ responses });
  const dir = await tempDir("assay-openai-");
  return {
    server,
    client: clientFor(server),
    trace: join(dir.path, "trace.jsonl"),
    dir: dir.path,
    done: async () => {
      await server.close();
      await dir.cleanup();
    },
  };
}

/** All episodes of a trace file, checked to have no warnings. */
export async function episodesOf(path: string): Promise<Episode[]> {
  const { episodes, warnings } = await readTraceAll(await readFile(path, "utf8"), { file: path });
  if (warnings.length > 0) throw new Error(`unexpected warnings: ${JSON.stringify(warnings)}`);
  return episodes;
}

/** The events of a trace file, one parsed object per line. */
export async function eventsOf(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, "utf8");
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

/** An error class named like the Python one the fixtures record. */
export class ValueError extends Error {
  override name = "ValueError";
}

export const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "GetWeather",
    description: "Current weather for a city",
    parameters: {
      type: "object",
      properties: { location: { type: "string" } },
      required: ["location"],
    },
  },
};

/** The executors of the Python fixtures. */
export const EXECUTORS = {
  GetWeather: (args: { location?: unknown }) => ({ temp: 22, location: args.location ?? null }),
  GetTime: (args: { location?: unknown }) => ({ time: "14:00", location: args.location ?? null }),
  DeleteAccount: () => {
    throw new ValueError("Action Forbidden");
  },
};

/** A promise with its resolve function, for ordering proofs. */
export function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
