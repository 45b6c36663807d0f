// JSR readiness: `deno publish --dry-run` passes (license, no slow types in
// the public API) and ships the library, not tests, benchmarks or fixtures.
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";
import { ROOT, runProcess, RUNTIME } from "../_helpers.ts";

const skip = RUNTIME !== "deno" ? "the JSR dry run is checked on the Deno run of the suite" : false;

describe("JSR package", { skip }, () => {
  test(
    "deno publish --dry-run passes and ships only the library",
    { timeout: 120_000 },
    async () => {
      const res = await runProcess(join(ROOT, "node_modules", ".bin", "deno"), [
        "publish",
        "--dry-run",
        "--allow-dirty",
      ], {
        timeoutMs: 110_000,
      });
      // deno-lint-ignore no-control-regex -- strips ANSI colour codes
      const out = (res.stdout + res.stderr).replace(/\x1b\[[0-9;]*m/g, "");
      assert.equal(res.code, 0, out);
      assert.match(out, /Dry run complete/);
      const prefix = pathToFileURL(ROOT).href + "/";
      const files = out.split("\n").map((l) => l.trim()).filter((l) => l.startsWith(prefix)).map((
        l,
      ) => l.slice(prefix.length).replace(/ \([^)]*\)$/, ""));
      assert.ok(files.includes("mod.ts"), out);
      assert.ok(files.includes("LICENSE"));
      assert.ok(files.includes("README.md"));
      for (const f of files) {
        assert.ok(!/^(tests|bench|examples|scripts|dist)\//.test(f), `ships ${f}`);
      }
    },
  );
});
