// `assay replay` as a subprocess: it re-runs an agent script offline against
// its recorded trace and fails, with a readable diff, when the agent drifted.
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, runCliProcess, runProcess, scriptCommand, tempDir } from "../_helpers.ts";

const AGENT = join(ROOT, "tests", "data", "replay", "agent.ts");

async function runScript(script: string, cwd: string, env: Record<string, string> = {}) {
  const { cmd, args } = scriptCommand(script);
  const res = await runProcess(cmd, args, { cwd, env: { OPENAI_API_KEY: "", ...env } });
  assert.equal(res.code, 0, `${script} failed:\n${res.stderr}\n${res.stdout}`);
  return res;
}

/** `assay replay [flags] -- <script on this runtime>`. */
function replay(flags: string[], script: string, cwd: string, env: Record<string, string> = {}) {
  const { cmd, args } = scriptCommand(script);
  return runCliProcess(["replay", ...flags, "--", cmd, ...args], {
    cwd,
    env: { OPENAI_API_KEY: "", ...env },
  });
}

describe("assay replay", () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let recorded: string;

  before(async () => {
    dir = await tempDir("assay-cli-replay-");
    await runScript(AGENT, dir.path);
    await runScript(AGENT, dir.path, {
      AGENT_VARIANT: "one_round",
      AGENT_TRACE: "traces/one_round.jsonl",
    });
    recorded = await readFile(join(dir.path, "traces", "agent.jsonl"), "utf8");
  });
  after(() => dir.cleanup());

  const strict = (variant: string, trace = "traces/agent.jsonl") =>
    replay(["--trace", trace, "--strict"], AGENT, dir.path, { AGENT_VARIANT: variant });

  test("passes on the unchanged agent, offline, and leaves the recorded trace as it was", async () => {
    const res = await strict("base");
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /answer: It is 22C in Tokyo\./);
    assert.match(
      res.stderr,
      /1 episode\(s\), 2 model round\(s\) compared, 0 difference\(s\): replay passed/,
    );
    assert.equal(await readFile(join(dir.path, "traces", "agent.jsonl"), "utf8"), recorded);
    const out = await readFile(join(dir.path, ".assay", "replay", "agent.replay.jsonl"), "utf8");
    assert.equal(out.split("\n").length, recorded.split("\n").length);
  });

  test("a changed system prompt exits 1 with episode, round, path, recorded and now", async () => {
    const res = await strict("system_prompt");
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stderr,
      /\[E_REPLAY_DIFF\] episode "weather_demo" round 0: request differs at \/rounds\/0\/request\/messages\/0\/content\n {2}recorded: "You are a weather assistant\."\n {2}now: +"You are terse\."/,
    );
    assert.match(res.stderr, /replay FAILED/);
  });

  test("a changed tool schema exits 1 naming the schema path", async () => {
    const res = await strict("tool_schema");
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stderr,
      /episode "weather_demo" round 0: request differs at \/rounds\/0\/request\/tools\/0\/function\/parameters\/properties\/unit\n {2}recorded: \(absent\)\n {2}now: +\{"type":"string"\}/,
    );
  });

  test("changed argument handling exits 1 on the tool's result and the request it feeds", async () => {
    const res = await strict("arg_handling");
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stderr,
      /episode "weather_demo" round 0: tool "GetWeather" result differs at \/rounds\/0\/tool_calls\/0\/result\/location\n {2}recorded: "Tokyo"\n {2}now: +"TOKYO"/,
    );
    assert.match(
      res.stderr,
      /round 1: request differs at \/rounds\/1\/request\/messages\/3\/content/,
    );
  });

  test("a tool returning a different result exits 1 with both values, also in the JSON report", async () => {
    const res = await replay(
      ["--trace", "traces/agent.jsonl", "--strict", "--json", "reports/replay.json"],
      AGENT,
      dir.path,
      { AGENT_VARIANT: "tool_result" },
    );
    const report = JSON.parse(await readFile(join(dir.path, "reports", "replay.json"), "utf8"));
    assert.equal(report.verdict, "fail");
    assert.equal(report.exitCode, 0);
    assert.deepEqual(
      report.differences.map((
        d: Record<string, unknown>,
      ) => [d.kind, d.round, d.path, d.recorded, d.now]),
      [
        ["tool", 0, "/rounds/0/tool_calls/0/result/temp", "22", "30"],
        [
          "request",
          1,
          "/rounds/1/request/messages/3/content",
          '"{\\"location\\":\\"Tokyo\\",\\"temp\\":22}"',
          '"{\\"location\\":\\"Tokyo\\",\\"temp\\":30}"',
        ],
      ],
    );
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stderr,
      /round 0: tool "GetWeather" result differs at \/rounds\/0\/tool_calls\/0\/result\/temp\n {2}recorded: 22\n {2}now: +30/,
    );
  });

  test("an agent that stops early exits 1 naming the missing round", async () => {
    const res = await strict("one_round");
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stderr,
      /episode "weather_demo" round 1: the agent stopped early .* \/rounds\/1\n {2}recorded: \{"content":"It is 22C in Tokyo\.","tool_calls":\[\]\}\n {2}now: +\(absent\)/,
    );
  });

  test("an extra model round exits 1: the command fails and the outcome names the round", async () => {
    const res = await strict("base", "traces/one_round.jsonl");
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stderr,
      /episode "weather_demo": outcome differs at \/outcome\n {2}recorded: "pass"\n {2}now: +"error: replay: episode \\"weather_demo\\" round 1: the agent asks for model call 2, but the trace/,
    );
    assert.match(res.stderr, /the command failed \(exit code [1-9]/);
  });

  test("--tool-mode replay serves the recorded tool results, so a changed tool passes", async () => {
    const res = await replay(
      ["--trace", "traces/agent.jsonl", "--strict", "--tool-mode", "replay"],
      AGENT,
      dir.path,
      { AGENT_VARIANT: "tool_result" },
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /0 difference\(s\): replay passed/);
  });

  test("without --strict, differences are warnings and the run passes", async () => {
    const res = await replay(["--trace", "traces/agent.jsonl"], AGENT, dir.path, {
      AGENT_VARIANT: "tool_result",
    });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /warning: episode "weather_demo" round 0: tool "GetWeather" result/);
    assert.match(res.stderr, /difference\(s\): replay passed/);
  });

  test("a command that writes the recorded trace anyway fails, and the trace is restored", async () => {
    const copy = join(dir.path, "traces", "copy.jsonl");
    await writeFile(copy, recorded);
    const res = await runCliProcess([
      ...["replay", "--trace", "traces/copy.jsonl", "--"],
      ...["node", "-e", "require('node:fs').writeFileSync('traces/copy.jsonl', 'live\\n')"],
    ], { cwd: dir.path });
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stderr,
      /the command wrote to the recorded trace traces\/copy\.jsonl instead of replaying it \(the trace was restored\)\n {2}fix: the command did not see ASSAY_MODE=replay/,
    );
    assert.equal(await readFile(copy, "utf8"), recorded);
  });

  test("usage and trace errors exit 2 with a fix", async () => {
    const noTrace = await runCliProcess(["replay", "--", "true"], { cwd: dir.path });
    assert.equal(noTrace.code, 2);
    assert.match(noTrace.stderr, /\[E_USAGE\] --trace is required/);
    const noCommand = await runCliProcess(["replay", "--trace", "traces/agent.jsonl"], {
      cwd: dir.path,
    });
    assert.equal(noCommand.code, 2);
    assert.match(
      noCommand.stderr,
      /\[E_USAGE\] no command to replay\n {2}fix: put the agent's command after --/,
    );
    const missing = await runCliProcess(["replay", "--trace", "nope.jsonl", "--", "true"], {
      cwd: dir.path,
    });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /\[E_PATH_NOT_FOUND\] trace file not found/);
    const same = await runCliProcess(
      ["replay", "--trace", "traces/agent.jsonl", "--out", "traces/agent.jsonl", "--", "true"],
      { cwd: dir.path },
    );
    assert.equal(same.code, 2);
    assert.match(same.stderr, /--out "traces\/agent\.jsonl" is the recorded trace itself/);
  });

  test("an --out or --json that cannot be written exits 3 with E_IO naming it, before the command runs", async () => {
    const run = (flags: string[]) =>
      runCliProcess(["replay", "--trace", "traces/agent.jsonl", ...flags, "--", "touch", "ran"], {
        cwd: dir.path,
      });
    const out = await run(["--out", "traces/agent.jsonl/replayed.jsonl"]);
    assert.equal(out.code, 3, out.stderr);
    assert.match(
      out.stderr,
      /^\[E_IO\] cannot write the replayed trace to "traces\/agent\.jsonl\/replayed\.jsonl": .*\n {2}fix: choose a writable path for --out/m,
    );
    const json = await run(["--json", "traces"]);
    assert.equal(json.code, 3, json.stderr);
    assert.match(
      json.stderr,
      /^\[E_IO\] cannot write the JSON report to "traces": it is a folder\n {2}fix: /m,
    );
    await assert.rejects(stat(join(dir.path, "ran")), { code: "ENOENT" });
    assert.equal(await readFile(join(dir.path, "traces", "agent.jsonl"), "utf8"), recorded);
  });
});

describe("the quickstart with replay", () => {
  const quickstart = (file: string) => join(ROOT, "examples", "quickstart", file);
  const config = quickstart("assay.yaml");

  test("record, gate and replay pass; after the drift both the baseline and strict replay fail", async () => {
    const dir = await tempDir("assay-quickstart-replay-");
    try {
      await runScript(quickstart("record.ts"), dir.path);
      const gate = await runCliProcess([
        ...["ci", "--config", config, "--trace-file", "traces/quickstart.jsonl"],
        ...["--replay-strict", "--db", ":memory:", "--export-baseline", "baseline.json"],
      ], { cwd: dir.path });
      assert.equal(gate.code, 0, gate.stderr);
      const same = await replay(
        ["--trace", "traces/quickstart.jsonl", "--strict"],
        quickstart("record.ts"),
        dir.path,
      );
      assert.equal(same.code, 0, same.stderr);

      await runScript(quickstart("record_drift.ts"), dir.path);
      const base = await runCliProcess([
        ...["ci", "--config", config, "--trace-file", "traces/quickstart_drift.jsonl"],
        ...["--replay-strict", "--db", ":memory:", "--baseline", "baseline.json"],
      ], { cwd: dir.path });
      assert.equal(base.code, 1, base.stderr);
      assert.match(
        base.stderr,
        /\[E_BASE_MISMATCH\] baseline: tool arguments changed against the baseline: GetWeather call #1 args\.unit: added "celsius"/,
      );
      const drift = await replay(
        ["--trace", "traces/quickstart.jsonl", "--strict"],
        quickstart("record_drift.ts"),
        dir.path,
      );
      assert.equal(drift.code, 1, drift.stderr);
      assert.match(
        drift.stderr,
        /\[E_REPLAY_DIFF\] episode "weather_demo" round 0: request differs at \/rounds\/0\/request\/tools\/0\/function\/parameters\/properties\/unit\n {2}recorded: \(absent\)\n {2}now: +\{"type":"string"\}/,
      );
    } finally {
      await dir.cleanup();
    }
  });

  test("the drift demo (npm run quickstart:drift) succeeds only because both gates fail", async () => {
    const dir = await tempDir("assay-quickstart-drift-");
    try {
      const { cmd, args } = scriptCommand(quickstart("drift.ts"));
      const res = await runProcess(cmd, args, { cwd: dir.path, env: { OPENAI_API_KEY: "" } });
      const output = res.stdout + res.stderr;
      assert.equal(res.code, 0, output);
      assert.match(output, /GetWeather call #1 args\.unit: added "celsius"/);
      assert.match(
        output,
        /request differs at \/rounds\/0\/request\/tools\/0\/function\/parameters\/properties\/unit/,
      );
      assert.match(output, /drift demo: both gates caught the changed tool/);
    } finally {
      await dir.cleanup();
    }
  });
});
