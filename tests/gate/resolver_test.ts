// The one episode resolver: test id, then exact prompt; missing, ambiguous and mismatched prompts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseConfig } from "../../src/gate/config.ts";
import { EpisodeIndex } from "../../src/gate/resolver.ts";
import { runGate } from "../../src/gate/run.ts";
import { episode, traceLines } from "./_episodes.ts";

describe("episode resolver", () => {
  test("a test resolves by test id before prompt", async () => {
    const index = new EpisodeIndex([{ id: "weather_check", prompt: "Weather in Tokyo?" }]);
    index.add(await episode({ id: "other", prompt: "Weather in Tokyo?" }));
    index.add(await episode({ id: "e2", testId: "weather_check", prompt: "Weather in Tokyo?" }));
    const r = index.resolve({ id: "weather_check", prompt: "Weather in Tokyo?" }, { strict: true });
    assert.ok(r.ok);
    assert.equal(r.episode.episodeId, "e2");
    assert.equal(r.by, "test_id");
  });

  test("without a matching id a test resolves by its exact prompt", async () => {
    const index = new EpisodeIndex([{ id: "t", prompt: "Weather in Tokyo?" }]);
    index.add(await episode({ id: "weather_demo", prompt: "Weather in Tokyo?" }));
    const r = index.resolve({ id: "t", prompt: "Weather in Tokyo?" }, { strict: true });
    assert.ok(r.ok);
    assert.equal(r.by, "prompt");
  });

  test("a test id not in the trace is E_TRACE_EPISODE_MISSING with the closest ids and prompts", async () => {
    const index = new EpisodeIndex([{ id: "weather_chek", prompt: "Weather in Tokio?" }]);
    for (const id of ["weather_check", "time_check", "unrelated_thing"]) {
      index.add(
        await episode({ id, prompt: id === "weather_check" ? "Weather in Tokyo?" : "Time?" }),
      );
    }
    const r = index.resolve({ id: "weather_chek", prompt: "Weather in Tokio?" }, { strict: true });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.code, "E_TRACE_EPISODE_MISSING");
    assert.equal(
      r.message,
      'no episode in the trace for test "weather_chek" (no test id and no prompt "Weather in Tokio?" match); ' +
        'closest test ids in the trace: "weather_check"; closest prompts: "Weather in Tokyo?"',
    );
    assert.match(r.hint, /test_id "weather_chek"/);
  });

  test("suggestions name each id once, however often the trace repeats it, and see later episodes", async () => {
    const index = new EpisodeIndex([{ id: "weather_chek" }], { sampleLimit: 6 });
    for (let i = 0; i < 4; i++) index.addUnused("weather_check", "Weather in Tokyo?");
    index.addUnused("weather_checks", "Weather?");
    const first = index.resolve({ id: "weather_chek" }, { strict: true });
    assert.ok(!first.ok);
    assert.match(
      first.message,
      /closest test ids in the trace: "weather_check", "weather_checks"$/,
    );
    index.add(await episode({ id: "weather_chec", prompt: "x" }));
    index.addUnused("weather_checkz", "Weather?"); // past the sample limit: not remembered
    const again = index.resolve({ id: "weather_chek" }, { strict: true });
    assert.ok(!again.ok);
    assert.match(
      again.message,
      /closest test ids in the trace: "weather_chec", "weather_check", "weather_checks"$/,
    );
  });

  test("only episodes a test can resolve to are kept", async () => {
    const index = new EpisodeIndex([{ id: "keep" }]);
    for (let i = 0; i < 50; i++) index.add(await episode({ id: `other_${i}`, prompt: `p${i}` }));
    index.add(await episode({ id: "keep" }));
    assert.equal(index.total, 51);
    assert.equal(index.unmatched, 50);
    assert.deepEqual(index.kept().map((e) => e.episodeId), ["keep"]);
  });

  test("a prompt that differs from input.prompt fails the test with a diff", async () => {
    const config = await parseConfig(
      `tests:\n  - id: w\n    input: {prompt: "Weather in Tokyo?"}\n    expected: {type: regex_match, pattern: ".*"}\n`,
    );
    const { run } = await runGate(config, traceLines({ id: "w", prompt: "Weather in Osaka?" }), {
      strict: true,
    });
    const r = run.results[0];
    assert.equal(r.status, "fail");
    assert.equal(
      r.message,
      'the episode\'s recorded prompt differs from input.prompt: expected "Weather in Tokyo?", the trace has "Weather in Osaka?"; ' +
        'first difference at character 12: "Weather in Tokyo?" vs "Weather in Osaka?"',
    );
  });
});

describe("incomplete episodes", () => {
  const config = `tests:\n  - id: cut\n    expected: {type: regex_match, pattern: ".*"}\n`;
  const cut = traceLines({ id: "cut" }).split("\n").slice(0, -2).join("\n") + "\n";

  test("an episode without episode_end is an error under strict replay", async () => {
    const { run } = await runGate(await parseConfig(config), cut, { strict: true });
    assert.equal(run.results[0].status, "error");
    assert.equal(run.results[0].errorCode, "E_REPLAY_STRICT_MISSING");
    assert.match(run.results[0].message!, /has no episode_end: the recording was interrupted/);
  });

  test("without strict replay it is gated with a warning", async () => {
    const { run } = await runGate(await parseConfig(config), cut, { strict: false });
    assert.equal(run.results[0].status, "pass");
    assert.match(run.results[0].warnings[0], /has no episode_end/);
  });
});
