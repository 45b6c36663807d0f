// The README stays a complete manual: every export, error code, command
// and flag it must document is named in it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ROOT } from "./_helpers.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

function exportsOf(file: string): string[] {
  const code = readFileSync(join(ROOT, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const names: string[] = [];
  for (const m of code.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    names.push(...m[1].split(",").map((s) => s.trim().split(/\s+as\s+/).pop()!).filter(Boolean));
  }
  return names;
}

describe("README", () => {
  test("starts with the two commands for a machine with only Node and npm", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    assert.match(firstBlock, /npm ci && npm run quickstart/);
    assert.match(firstBlock, /npm ci && npm test/);
    assert.ok(
      readme.indexOf("npm ci && npm run quickstart") < readme.indexOf("## "),
      "the commands come first",
    );
  });

  for (const entry of ["mod.ts", "gate.ts", "testing.ts"]) {
    test(`documents every export of ${entry}`, () => {
      const missing = exportsOf(entry).filter((name) =>
        !readme.includes(`\`${name}`) && !readme.includes(` ${name}`)
      );
      assert.deepEqual(missing, []);
    });
  }

  test("explains every error code in the troubleshooting section", () => {
    const errors = readFileSync(join(ROOT, "src", "errors.ts"), "utf8");
    const union = /export type AssayErrorCode =([\s\S]*?);/.exec(errors)![1];
    const codes = [...union.matchAll(/"(E_[A-Z_]+)"/g)].map((m) => m[1]);
    assert.ok(codes.length >= 10);
    const trouble = readme.slice(readme.indexOf("## Troubleshooting"));
    assert.deepEqual(codes.filter((c) => !trouble.includes(`\`${c}\``)), []);
  });

  test("covers the seed's two troubleshooting cases", () => {
    assert.match(readme, /### `E_TRACE_EPISODE_MISSING`/);
    assert.match(readme, /Duplicate prompt in strict replay/);
  });

  test("documents every CLI command and flag", () => {
    const cliDir = join(ROOT, "src", "cli");
    const run = readFileSync(join(cliDir, "run.ts"), "utf8");
    const commands = [...run.matchAll(/^ {2}(\w+): \{\n {4}summary:/gm)].map((m) => m[1]);
    assert.ok(commands.includes("ci"));
    for (const c of commands) assert.ok(readme.includes(`assay ${c}`), `assay ${c}`);
    const flags = new Set<string>();
    for (const c of commands) {
      const src = readFileSync(join(cliDir, `${c}.ts`), "utf8");
      for (const m of src.matchAll(/^ {2}(?:"([a-z-]+)"|([a-z][a-z-]*)): \{$/gm)) {
        flags.add(m[1] ?? m[2]);
      }
    }
    assert.ok(flags.has("trace-file"), [...flags].join(","));
    assert.deepEqual([...flags].filter((f) => !readme.includes(`--${f}`)), []);
  });
});
