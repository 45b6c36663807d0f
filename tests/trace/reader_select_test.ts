// readTrace's `select`: skipped episodes are not built or returned, but their
// lines are still checked exactly as before.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readTraceAll } from "../../src/trace/reader.ts";
import { TraceSyntaxError } from "../../src/errors.ts";
import type { EpisodeHeader } from "../../src/trace/reader.ts";

const ev = (o: Record<string, unknown>) => JSON.stringify(o);
const episode = (id: string, testId: string, prompt: string, extra: string[] = []) => [
  ev({
    type: "episode_start",
    episode_id: id,
    timestamp: 0,
    input: { prompt },
    meta: { test_id: testId },
  }),
  ev({
    type: "step",
    episode_id: id,
    timestamp: 1,
    step_id: "s1",
    kind: "model",
    content: `answer ${id}`,
  }),
  ev({
    type: "tool_call",
    episode_id: id,
    timestamp: 2,
    step_id: "s1",
    tool_name: "T",
    args: {},
    result: 1,
  }),
  ...extra,
  ev({ type: "episode_end", episode_id: id, timestamp: 3, outcome: "pass" }),
];

describe("readTrace select", () => {
  test("only selected episodes are returned, each header is offered once", async () => {
    const text =
      [...episode("e1", "t1", "p1"), ...episode("e2", "t2", "p2"), ...episode("e3", "t3", "p3")]
        .join("\n") + "\n";
    const seen: EpisodeHeader[] = [];
    const { episodes } = await readTraceAll(text, {
      select: (h) => {
        seen.push(h);
        return h.testId !== "t2";
      },
    });
    assert.deepEqual(episodes.map((e) => e.episodeId), ["e1", "e3"]);
    assert.deepEqual(seen, [
      { episodeId: "e1", testId: "t1", prompt: "p1", line: 1 },
      { episodeId: "e2", testId: "t2", prompt: "p2", line: 5 },
      { episodeId: "e3", testId: "t3", prompt: "p3", line: 9 },
    ]);
    // The selected episodes are the same as without select.
    const all = await readTraceAll(text);
    assert.deepEqual(episodes, [all.episodes[0], all.episodes[2]]);
  });

  test("a bad line inside a skipped episode is still an error at its line", async () => {
    const bad = ev({ type: "step", episode_id: "e2", timestamp: 1, step_id: 7 });
    const text = [...episode("e1", "t1", "p1"), ...episode("e2", "t2", "p2", [bad])].join("\n") +
      "\n";
    await assert.rejects(
      readTraceAll(text, { select: (h) => h.testId === "t1" }),
      (err: unknown) =>
        err instanceof TraceSyntaxError && err.line === 8 && /step_id/.test(err.message),
    );
  });

  test("warnings are the same for skipped episodes (an unfinished one is reported)", async () => {
    const text =
      [...episode("e1", "t1", "p1"), ...episode("e2", "t2", "p2").slice(0, 2)].join("\n") + "\n";
    const { episodes, warnings } = await readTraceAll(text, { select: (h) => h.testId === "t1" });
    assert.deepEqual(episodes.map((e) => e.episodeId), ["e1"]);
    assert.deepEqual(warnings.map((w) => [w.code, w.line]), [["W_INCOMPLETE_EPISODE", 5]]);
  });
});
