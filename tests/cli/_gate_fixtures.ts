// Files for the CLI gate tests: the seed quickstart trace and config in a temp folder.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FrozenClock } from "../../src/trace/clock.ts";
import { EpisodeRecorder } from "../../src/trace/recorder.ts";
import { TraceWriter } from "../../src/trace/writer.ts";

/** The seed README's quickstart `assay.yaml`, verbatim (no `suite` key). */
export const SEED_CONFIG = `version: 1
model: "trace"
tests:
  - id: weather_check
    input:
      prompt: "Weather in Tokyo?" # Matches the recorded prompt
    expected:
      type: regex_match
      pattern: ".*" # Pass if any content returned (baseline check)
`;

/** Record the quickstart episode (the seed's record.py) into `path`. */
export async function recordQuickstart(
  path: string,
  options: { location?: string; testId?: string } = {},
): Promise<void> {
  const writer = new TraceWriter(path, { mode: "truncate" });
  await EpisodeRecorder.run(
    {
      writer,
      episodeId: "weather_demo",
      testId: options.testId ?? "weather_check",
      clock: new FrozenClock(),
    },
    async (rec) => {
      await rec.start({ prompt: "Weather in Tokyo?" });
      const step = await rec.modelStep({
        content: "",
        meta: { "gen_ai.request.model": "gpt-4o", round: 0 },
      });
      const location = options.location ?? "Tokyo";
      await rec.toolCall({
        stepId: step,
        toolName: "GetWeather",
        args: { location },
        result: { temp: 22, location },
        toolCallId: "call_1",
      });
      await rec.modelStep({
        content: "It is 22C in Tokyo.",
        meta: { "gen_ai.request.model": "gpt-4o", round: 1 },
      });
    },
  );
  await writer.close();
}

/** A temp project with `assay.yaml` (the seed's) and `traces/quickstart.jsonl`. */
export async function quickstartProject(dir: string, config = SEED_CONFIG): Promise<void> {
  await mkdir(join(dir, "traces"), { recursive: true });
  await writeFile(join(dir, "assay.yaml"), config);
  await recordQuickstart(join(dir, "traces", "quickstart.jsonl"));
}
