// Baselines: a changed tool argument, a changed tool sequence or a score drop fails the test.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { buildBaseline, diffValues, parseBaseline } from "../../src/gate/baseline.ts";
import { parseConfig } from "../../src/gate/config.ts";
import { runGate } from "../../src/gate/run.ts";
import { readTraceFile } from "../../src/runtime/file_source.ts";
import { fileChunks } from "../../src/runtime/file_source.ts";
import { FrozenClock } from "../../src/trace/clock.ts";
import { EpisodeRecorder } from "../../src/trace/recorder.ts";
import { TraceWriter } from "../../src/trace/writer.ts";
import { withTempDir } from "../_helpers.ts";
import { traceLines } from "./_episodes.ts";

const CONFIG = `tests:\n  - id: weather_check\n    input: {prompt: "Weather in Tokyo?"}\n` +
  `    expected: {type: must_contain, must_contain: "22C"}\n`;

async function record(path: string, args: unknown, tools = ["GetWeather"]): Promise<void> {
  const writer = new TraceWriter(path, { mode: "truncate" });
  await EpisodeRecorder.run(
    { writer, episodeId: "weather_demo", testId: "weather_check", clock: new FrozenClock() },
    async (rec) => {
      await rec.start({ prompt: "Weather in Tokyo?" });
      const step = await rec.modelStep({ content: "" });
      for (const name of tools) {
        await rec.toolCall({ stepId: step, toolName: name, args, result: { temp: 22 } });
      }
      await rec.modelStep({ content: "It is 22C in Tokyo." });
    },
  );
  await writer.close();
}

describe("baselines", () => {
  test("signatures are on by default, can be turned off, and are always made to compare with a baseline", async () => {
    await withTempDir(async (dir) => {
      const config = await parseConfig(CONFIG);
      const first = join(dir.path, "first.jsonl");
      await record(first, { location: "Tokyo" });
      const on = await runGate(config, await fileChunks(first), { strict: true });
      assert.equal(on.run.results[0].signature?.toolCalls[0].args, '{"location":"Tokyo"}');
      const off = await runGate(config, await fileChunks(first), {
        strict: true,
        signatures: false,
      });
      assert.equal(off.run.results[0].signature, undefined);
      assert.equal(off.run.results[0].status, "pass");
      const baseline = parseBaseline(JSON.stringify(buildBaseline(on.run)), "baseline.json");
      const second = join(dir.path, "second.jsonl");
      await record(second, { location: "Osaka" });
      const compared = await runGate(config, await fileChunks(second), {
        strict: true,
        baseline,
        signatures: false,
      });
      assert.equal(compared.run.results[0].status, "fail");
      assert.match(compared.run.results[0].message ?? "", /location/);
    });
  });

  test("a re-recorded trace with one changed tool argument fails with path, old and new value", async () => {
    await withTempDir(async (dir) => {
      const config = await parseConfig(CONFIG);
      const first = join(dir.path, "first.jsonl");
      await record(first, { location: "Tokyo", units: { temp: "C" } });
      const { run } = await runGate(config, await fileChunks(first), { strict: true });
      assert.equal(run.verdict, "pass");
      const baseline = parseBaseline(JSON.stringify(buildBaseline(run)), "baseline.json");
      assert.equal(
        baseline.tests.weather_check.signature.toolCalls[0].args,
        '{"location":"Tokyo","units":{"temp":"C"}}',
      );

      const same = await runGate(config, await fileChunks(first), { strict: true, baseline });
      assert.equal(same.run.verdict, "pass");

      const second = join(dir.path, "second.jsonl");
      await record(second, { location: "Tokyo", units: { temp: "F" } });
      const { run: again } = await runGate(config, await fileChunks(second), {
        strict: true,
        baseline,
      });
      const r = again.results[0];
      assert.equal(r.status, "fail");
      assert.equal(r.errorCode, "E_BASE_MISMATCH");
      assert.equal(
        r.message,
        'tool arguments changed against the baseline: GetWeather call #1 args.units.temp: "C" -> "F"',
      );
      assert.ok((await readFile(second, "utf8")).includes('"temp":"F"'));
      let episodes = 0;
      for await (const _ of readTraceFile(second)) episodes++;
      assert.equal(episodes, 1);
    });
  });

  test("a changed tool sequence fails against the baseline", async () => {
    await withTempDir(async (dir) => {
      const config = await parseConfig(CONFIG);
      const a = join(dir.path, "a.jsonl");
      await record(a, { location: "Tokyo" });
      const baseline = buildBaseline(
        (await runGate(config, await fileChunks(a), { strict: true })).run,
      );
      const b = join(dir.path, "b.jsonl");
      await record(b, { location: "Tokyo" }, ["GetWeather", "GetTime"]);
      const { run } = await runGate(config, await fileChunks(b), { strict: true, baseline });
      assert.equal(
        run.results[0].message,
        "tool sequence changed against the baseline: was [GetWeather], now [GetWeather, GetTime]",
      );
    });
  });

  test("a score that drops by more than max_drop fails; a smaller drop passes", async () => {
    const config = await parseConfig(
      `settings: {max_drop: 0.05}\ntests:\n  - id: t\n    expected: {type: relevance, min_score: 0.5}\n`,
    );
    const trace = (score: number) =>
      traceLines({ id: "t", endMeta: { "assay.judge": { relevance: score } } });
    const baseline = buildBaseline((await runGate(config, trace(0.9), { strict: true })).run);
    assert.deepEqual(baseline.tests.t.scores, { relevance: 0.9 });
    assert.equal(
      (await runGate(config, trace(0.86), { strict: true, baseline })).run.verdict,
      "pass",
    );
    const { run } = await runGate(config, trace(0.7), { strict: true, baseline });
    assert.equal(
      run.results[0].message,
      "score relevance dropped from 0.900 to 0.700 (more than max_drop 0.05)",
    );
  });

  test("diffValues reports added, removed and changed leaves with their paths", () => {
    assert.deepEqual(diffValues({ a: 1, b: [1, 2], c: "x" }, { a: 1, b: [1, 3], d: true }), [
      { path: "b[1]", old: "2", new: "3" },
      { path: "c", old: '"x"' },
      { path: "d", new: "true" },
    ]);
  });

  test("a file that is not a baseline is refused", () => {
    assert.throws(() => parseBaseline("{}", "b.json"), /"b\.json" is not an Assay baseline/);
    assert.throws(() => parseBaseline("nope", "b.json"), /not valid JSON/);
  });
});
