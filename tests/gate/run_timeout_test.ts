// settings.timeout_seconds: a test waiting on a live judge that never answers
// becomes an error result; the other tests still run.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/gate/config.ts";
import { runGate } from "../../src/gate/run.ts";
import type { Scorer } from "../../src/gate/semantic.ts";

test("a test whose live judge hangs errors after timeout_seconds", async () => {
  const config = await parseConfig(
    "settings: { timeout_seconds: 0.05 }\ntests:\n" +
      "  - id: slow\n    expected: { type: faithfulness, min_score: 0.5 }\n" +
      "  - id: fast\n    expected: { type: must_contain, must_contain: hello }\n",
  );
  const trace = [
    '{"prompt":"q1","response":"hello there","episode_id":"slow"}',
    '{"prompt":"q2","response":"hello","episode_id":"fast"}',
  ].join("\n") + "\n";
  const hang = new Promise<never>(() => {});
  const scorer: Scorer = { embed: () => hang, judge: () => hang };
  const t0 = performance.now();
  const { run } = await runGate(config, trace, { scorer });
  assert.ok(performance.now() - t0 < 5000);
  const [slow, fast] = run.results;
  assert.equal(slow.status, "error");
  assert.match(slow.message ?? "", /did not finish within 0\.05 s/);
  assert.equal(fast.status, "pass");
});
