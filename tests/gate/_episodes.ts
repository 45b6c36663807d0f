// Builds small traces and episodes for the gate tests.
import { parseConfig } from "../../src/gate/config.ts";
import type { TestSpec } from "../../src/gate/config.ts";
import { readTraceAll } from "../../src/trace/reader.ts";
import type { Episode } from "../../src/trace/model.ts";

/** What one test episode holds. */
export interface EpisodeSpec {
  id?: string;
  testId?: string;
  prompt?: string;
  output?: string;
  /** Tool calls `[name, args, result?]`, all in the first step. */
  tools?: [string, unknown, unknown?][];
  /** Extra steps after the first. */
  extraSteps?: number;
  startMeta?: Record<string, unknown>;
  endMeta?: Record<string, unknown>;
}

/** The JSONL lines of one episode. */
export function traceLines(spec: EpisodeSpec): string {
  const id = spec.id ?? "ep1";
  const lines: unknown[] = [{
    type: "episode_start",
    episode_id: id,
    timestamp: 0,
    input: { prompt: spec.prompt ?? "Weather in Tokyo?" },
    meta: { ...(spec.testId ? { test_id: spec.testId } : {}), ...spec.startMeta },
  }];
  const steps = 1 + (spec.extraSteps ?? 0);
  for (let i = 0; i < steps; i++) {
    const stepId = `step_00${i + 1}`;
    lines.push({
      type: "step",
      episode_id: id,
      timestamp: 1,
      step_id: stepId,
      idx: i,
      kind: "model",
      name: "openai",
      content: i === steps - 1 ? spec.output ?? "It is 22C in Tokyo." : "",
      meta: {},
    });
    if (i === 0) {
      (spec.tools ?? []).forEach(([name, args, result], k) =>
        lines.push({
          type: "tool_call",
          episode_id: id,
          timestamp: 2,
          step_id: stepId,
          call_index: k,
          tool_name: name,
          args,
          result: result ?? null,
          error: null,
          meta: {},
        })
      );
    }
  }
  lines.push({
    type: "episode_end",
    episode_id: id,
    timestamp: 3,
    outcome: "pass",
    meta: spec.endMeta ?? {},
  });
  return lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
}

/** One parsed episode. */
export async function episode(spec: EpisodeSpec = {}): Promise<Episode> {
  const { episodes } = await readTraceAll(traceLines(spec));
  return episodes[0];
}

/** The first test of a config given as YAML lines under `tests:`. */
export async function testSpec(yaml: string, file = "assay.yaml"): Promise<TestSpec> {
  const config = await parseConfig(`version: 1\ntests:\n${yaml}`, { file });
  return config.tests[0];
}
