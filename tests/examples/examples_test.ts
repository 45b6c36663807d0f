// Every example runs, offline, on the runtime running the suite.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { readTraceAll } from "../../mod.ts";
import { ROOT, runCliProcess, runProcess, scriptCommand, tempDir } from "../_helpers.ts";

async function runExample(rel: string, cwd: string): Promise<string> {
  const { cmd, args } = scriptCommand(join(ROOT, "examples", rel));
  const res = await runProcess(cmd, args, { cwd, env: { OPENAI_API_KEY: "" } });
  assert.equal(res.code, 0, `${rel} failed:\n${res.stderr}\n${res.stdout}`);
  return res.stdout;
}

async function episodes(path: string) {
  return (await readTraceAll(await readFile(path, "utf8"), { strict: true })).episodes;
}

describe("examples", () => {
  test("quickstart/record.ts records weather_check and the seed's config passes it", async () => {
    const dir = await tempDir();
    try {
      const out = await runExample("quickstart/record.ts", dir.path);
      assert.match(out, /Agent Final Answer: It is 22C in Tokyo\./);
      const [ep] = await episodes(join(dir.path, "traces", "quickstart.jsonl"));
      assert.equal(ep.testId, "weather_check");
      assert.deepEqual(ep.toolCalls.map((c) => [c.toolName, c.args, c.result]), [
        ["GetWeather", { location: "Tokyo" }, { temp: 22, location: "Tokyo" }],
      ]);
      const gate = await runCliProcess([
        "ci",
        "--config",
        join(ROOT, "examples", "quickstart", "assay.yaml"),
        "--trace-file",
        "traces/quickstart.jsonl",
        "--replay-strict",
        "--db",
        ":memory:",
      ], { cwd: dir.path });
      assert.equal(gate.code, 0, gate.stderr);
    } finally {
      await dir.cleanup();
    }
  });

  test("streaming/stream.ts streams and records the answer with its usage", async () => {
    const dir = await tempDir();
    try {
      const out = await runExample("streaming/stream.ts", dir.path);
      assert.match(out, /usage: 18 tokens/);
      const [ep] = await episodes(join(dir.path, "traces", "stream.jsonl"));
      assert.equal(ep.output, "Hello! You asked: Say hello");
      assert.deepEqual(ep.steps[0].meta["gen_ai.usage"], {
        prompt_tokens: 12,
        completion_tokens: 6,
        total_tokens: 18,
      });
    } finally {
      await dir.cleanup();
    }
  });

  test("streaming/stream_with_tools.ts runs two streamed rounds with a tool between them", async () => {
    const dir = await tempDir();
    try {
      const out = await runExample("streaming/stream_with_tools.ts", dir.path);
      assert.match(out, /\[calling GetWeather\]It is 19C in Osaka\./);
      const [ep] = await episodes(join(dir.path, "traces", "stream_tools.jsonl"));
      assert.equal(ep.steps.length, 2);
      assert.deepEqual(ep.toolCalls[0].result, { temp: 19, location: "Osaka" });
    } finally {
      await dir.cleanup();
    }
  });

  test("redaction/redact.ts keeps the API key out of the trace", async () => {
    const dir = await tempDir();
    try {
      const out = await runExample("redaction/redact.ts", dir.path);
      assert.match(out, /the key is not in the trace/);
      const text = await readFile(join(dir.path, "traces", "secure.jsonl"), "utf8");
      assert.ok(!/sk-[A-Za-z0-9]{20,}/.test(text));
      assert.match(text, /"api_key":"\[REDACTED\]"/);
    } finally {
      await dir.cleanup();
    }
  });

  test("context_writer/context.ts records three concurrent agents as three episodes", async () => {
    const dir = await tempDir();
    try {
      await runExample("context_writer/context.ts", dir.path);
      const eps = await episodes(join(dir.path, "traces", "context.jsonl"));
      assert.deepEqual(eps.map((e) => e.testId).sort(), [
        "weather_lima",
        "weather_paris",
        "weather_tokyo",
      ]);
      for (const ep of eps) {
        assert.equal(
          ep.toolCalls[0].args &&
            (ep.toolCalls[0].args as { location: string }).location.toLowerCase(),
          ep.testId.slice(8),
        );
      }
    } finally {
      await dir.cleanup();
    }
  });

  test("manual_recorder/manual.ts records a hand-written agent", async () => {
    const dir = await tempDir();
    try {
      await runExample("manual_recorder/manual.ts", dir.path);
      const [ep] = await episodes(join(dir.path, "traces", "manual.jsonl"));
      assert.deepEqual(ep.toolCalls[0].result, { value: "denied" });
    } finally {
      await dir.cleanup();
    }
  });
});

describe("examples/github_actions", () => {
  test("the workflow and config are exactly what assay init writes", async () => {
    const dir = await tempDir();
    try {
      const res = await runCliProcess([
        "init",
        "--config",
        "assay.yaml",
        "--workflow",
        "wf/assay.yml",
      ], { cwd: dir.path });
      assert.equal(res.code, 0, res.stderr);
      for (const [made, shipped] of [["wf/assay.yml", "assay.yml"], ["assay.yaml", "assay.yaml"]]) {
        assert.equal(
          await readFile(join(dir.path, made), "utf8"),
          await readFile(join(ROOT, "examples", "github_actions", shipped), "utf8"),
          `examples/github_actions/${shipped} is out of date: regenerate it with assay init`,
        );
      }
    } finally {
      await dir.cleanup();
    }
  });
});
