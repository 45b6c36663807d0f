import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AssayError } from "../../src/errors.ts";
import { renderJson } from "../../src/report/json.ts";
import { renderSarif } from "../../src/report/sarif.ts";
import { renderJunit } from "../../src/report/junit.ts";
import { renderMarkdown } from "../../src/report/markdown.ts";
import { writeReports } from "../../src/report/write_reports.ts";
import { tempDir } from "../_helpers.ts";
import { fixedRun } from "./_fixture.ts";

describe("writeReports", () => {
  test("writes every requested report, creating parent folders, and returns the paths", async () => {
    const dir = await tempDir();
    try {
      const run = fixedRun();
      const paths = {
        junit: join(dir.path, "a", "b", "junit.xml"),
        sarif: join(dir.path, "reports", "assay.sarif"),
        json: join(dir.path, "reports", "summary.json"),
        markdown: join(dir.path, "reports", "summary.md"),
      };
      const written = await writeReports(run, paths);
      assert.deepEqual(written, [paths.junit, paths.sarif, paths.json, paths.markdown]);
      assert.equal(await readFile(paths.junit, "utf8"), renderJunit(run));
      assert.equal(JSON.parse(await readFile(paths.json, "utf8")).verdict, "fail");
      assert.equal(JSON.parse(await readFile(paths.sarif, "utf8")).version, "2.1.0");
      assert.equal(await readFile(paths.markdown, "utf8"), renderMarkdown(run));
      assert.deepEqual(await writeReports(run, {}), []);
    } finally {
      await dir.cleanup();
    }
  });

  test("the Markdown is appended to an existing step summary, never overwriting it", async () => {
    const dir = await tempDir();
    try {
      const summary = join(dir.path, "step_summary.md");
      await writeFile(summary, "# Build\nearlier step output");
      const run = fixedRun();
      assert.deepEqual(await writeReports(run, { githubStepSummary: summary }), [summary]);
      await writeReports(run, { githubStepSummary: summary });
      const md = renderMarkdown(run);
      assert.equal(await readFile(summary, "utf8"), `# Build\nearlier step output\n\n${md}\n${md}`);
    } finally {
      await dir.cleanup();
    }
  });

  test("an unwritable path is E_IO naming the report, the path and a fix", async () => {
    const dir = await tempDir();
    try {
      const blocker = join(dir.path, "file");
      await writeFile(blocker, "x");
      await assert.rejects(
        writeReports(fixedRun(), { junit: join(blocker, "junit.xml") }),
        (err) => {
          assert.ok(err instanceof AssayError);
          assert.equal(err.code, "E_IO");
          assert.match(
            err.message,
            /cannot write the JUnit report to ".*file\/junit.xml": .*ENOTDIR/,
          );
          assert.match(err.hint!, /writable path for the JUnit report/);
          return true;
        },
      );
      // Every report is attempted: the first in order that fails is named, the others are written.
      const json = join(dir.path, "ok", "summary.json");
      await assert.rejects(
        writeReports(fixedRun(), {
          junit: join(dir.path, "ok", "junit.xml"),
          sarif: join(blocker, "a.sarif"),
          json,
          markdown: join(blocker, "summary.md"),
        }),
        (err) => {
          assert.match((err as AssayError).message, /cannot write the SARIF report to ".*a.sarif"/);
          return true;
        },
      );
      assert.equal(JSON.parse(await readFile(json, "utf8")).verdict, "fail");
      assert.equal(
        await readFile(join(dir.path, "ok", "junit.xml"), "utf8"),
        renderJunit(fixedRun()),
      );
      await assert.rejects(writeReports(fixedRun(), { json: dir.path }), (err) => {
        assert.equal((err as AssayError).code, "E_IO");
        assert.match((err as AssayError).hint!, /the path is a folder/);
        return true;
      });
    } finally {
      await dir.cleanup();
    }
  });

  test("big reports go out through the reused buffer byte for byte: multi-byte text across chunk edges, pieces bigger than the buffer, no other files left", async () => {
    const dir = await tempDir();
    try {
      const base = fixedRun();
      const results = [];
      // About 3 MiB of results whose messages mix 1- to 4-byte UTF-8, so pieces
      // end at every offset of the 1 MiB buffer; one result is bigger than it.
      for (let i = 0; i < 4000; i++) {
        const r = structuredClone(base.results[i % base.results.length]);
        r.testId = `t_${i}_${"é€😀".repeat(i % 7)}`;
        r.message = `ünïcödé ${i} ${"日本語".repeat(i % 50)} \u2028 "quoted" \\`;
        results.push(r);
      }
      results[1234].message = "x€".repeat(600_000);
      const run = {
        ...base,
        results,
        counts: { total: 4000, passed: 0, failed: 4000, errored: 0 },
      };
      const json = join(dir.path, "r", "run.json");
      const junit = join(dir.path, "r", "junit.xml");
      await writeReports(run, { json, junit });
      assert.equal(await readFile(json, "utf8"), renderJson(run));
      assert.equal(await readFile(junit, "utf8"), renderJunit(run));
      assert.deepEqual((await readdir(join(dir.path, "r"))).sort(), ["junit.xml", "run.json"]);
    } finally {
      await dir.cleanup();
    }
  });

  test("reports on either side of the 64 KiB first chunk (one whole-file write, or written as encoded) come out byte for byte, replacing the old file", async () => {
    const dir = await tempDir();
    try {
      const base = fixedRun();
      const paths = {
        junit: join(dir.path, "junit.xml"),
        sarif: join(dir.path, "assay.sarif"),
        json: join(dir.path, "run.json"),
        markdown: join(dir.path, "summary.md"),
      };
      // A long report first, so every later (shorter) one must truncate it.
      for (const size of [200_000, 65_536, 60_000, 40_000, 21_000, 10]) {
        const run = structuredClone(base);
        // Multi-byte text: the UTF-8 crosses 64 KiB while the UTF-16 length does not.
        run.results[1].message = "é".repeat(Math.floor(size / 4)) + "x".repeat(size % 7);
        await writeReports(run, paths);
        assert.equal(await readFile(paths.junit, "utf8"), renderJunit(run), `junit ${size}`);
        assert.equal(await readFile(paths.sarif, "utf8"), renderSarif(run), `sarif ${size}`);
        assert.equal(await readFile(paths.json, "utf8"), renderJson(run), `json ${size}`);
        assert.equal(await readFile(paths.markdown, "utf8"), renderMarkdown(run), `md ${size}`);
      }
      assert.deepEqual((await readdir(dir.path)).sort(), [
        "assay.sarif",
        "junit.xml",
        "run.json",
        "summary.md",
      ]);
    } finally {
      await dir.cleanup();
    }
  });

  test("calls running at once each write their own reports whole (the encoding buffer is never shared)", async () => {
    const dir = await tempDir();
    try {
      const runs = [0, 1, 2, 3].map((k) => {
        const run = structuredClone(fixedRun());
        run.results[1].message = `run ${k} ` + "€".repeat(k * 9_000);
        return run;
      });
      const paths = runs.map((_, k) => ({
        junit: join(dir.path, `${k}`, "junit.xml"),
        json: join(dir.path, `${k}`, "run.json"),
        markdown: join(dir.path, `${k}`, "summary.md"),
      }));
      await Promise.all(runs.map((run, k) => writeReports(run, paths[k])));
      for (const [k, run] of runs.entries()) {
        assert.equal(await readFile(paths[k].junit, "utf8"), renderJunit(run));
        assert.equal(await readFile(paths[k].json, "utf8"), renderJson(run));
        assert.equal(await readFile(paths[k].markdown, "utf8"), renderMarkdown(run));
      }
    } finally {
      await dir.cleanup();
    }
  });

  test("a failed write is E_IO and a device is never removed (/dev/full: no space left)", {
    skip: !existsSync("/dev/full"),
  }, async () => {
    for (const json of ["/dev/full"]) {
      await assert.rejects(writeReports(fixedRun(), { json }), (err) => {
        assert.ok(err instanceof AssayError);
        assert.equal(err.code, "E_IO");
        assert.match(
          err.message,
          /cannot write the JSON summary to "\/dev\/full": .*(ENOSPC|No space left)/,
        );
        return true;
      });
      assert.ok(statSync(json).isCharacterDevice());
    }
    // A big report fails the same way, written piece by piece.
    const run = fixedRun();
    run.results[1].message = "x".repeat(300_000);
    await assert.rejects(writeReports(run, { junit: "/dev/full" }), /ENOSPC|No space left/);
    assert.ok(statSync("/dev/full").isCharacterDevice());
  });
});
