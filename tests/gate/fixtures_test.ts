// Every reference trace of the Python SDK, gated by a config that matches its manifest.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseConfig, runGate } from "../../gate.ts";
import { fileChunks } from "../../src/runtime/file_source.ts";
import { PY_FIXTURES, ROOT } from "../_helpers.ts";

const DATA = join(ROOT, "tests", "data", "gate");

interface Case {
  file: string;
  config: string;
  strict: boolean;
  status: string[];
  errorCode?: string;
  message?: string;
  warning?: string;
}

const cases: Case[] = JSON.parse(await readFile(join(DATA, "fixtures.json"), "utf8"));

describe("gating the Python SDK reference traces", () => {
  test("every fixture file has at least one case", async () => {
    const manifest: { file: string }[] = JSON.parse(
      await readFile(join(PY_FIXTURES, "manifest.json"), "utf8"),
    );
    for (const { file } of manifest) assert.ok(cases.some((c) => c.file === file), file);
  });

  for (const c of cases) {
    const label = `${c.file} ${c.strict ? "with" : "without"} --replay-strict gives ${
      c.status.join(", ")
    }`;
    test(label, async () => {
      const config = await parseConfig(await readFile(join(DATA, c.config), "utf8"), {
        file: c.config,
      });
      const { run } = await runGate(config, await fileChunks(join(PY_FIXTURES, c.file)), {
        strict: c.strict,
        traceFile: c.file,
      });
      assert.deepEqual(
        run.results.map((r) => r.status),
        c.status,
        JSON.stringify(run.results, null, 1),
      );
      const first = run.results[0];
      if (c.errorCode) assert.equal(first.errorCode, c.errorCode);
      if (c.message) {
        assert.ok(first.message?.includes(c.message), `${first.message}\n  lacks ${c.message}`);
      }
      if (c.warning) {
        assert.ok(first.warnings.some((w) => w.includes(c.warning!)), first.warnings.join("\n"));
      }
      assert.equal(run.verdict, c.status.every((s) => s === "pass") ? "pass" : "fail");
    });
  }
});
