// `assay ci` end to end: the real CLI as a subprocess on this runtime.
import assert from "node:assert/strict";
import { copyFile, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import {
  cliCommand,
  PY_FIXTURES,
  ROOT,
  runCliProcess,
  runProcess,
  tempDir,
  withTempDir,
} from "../_helpers.ts";
import { quickstartProject, recordQuickstart } from "./_gate_fixtures.ts";

// The seed's command; a test changes a flag by repeating it (the last one wins).
const QUICKSTART = [
  "ci",
  "--config",
  "assay.yaml",
  "--trace-file",
  "traces/quickstart.jsonl",
  "--replay-strict",
  "--db",
  ":memory:",
];
const DATA = join(ROOT, "tests", "data", "gate");

let dir: { path: string; cleanup: () => Promise<void> };
before(async () => {
  dir = await tempDir("assay-ci-");
  await quickstartProject(dir.path);
});
after(() => dir.cleanup());

function noStack(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `stack trace in:\n${stderr}`);
}

describe("assay ci", () => {
  test("the seed quickstart (its assay.yaml verbatim) passes with exit 0 and writes the reports", async () => {
    const r = await runCliProcess(QUICKSTART, {
      cwd: dir.path,
      env: { GITHUB_STEP_SUMMARY: join(dir.path, "summary.md") },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^PASS +weather_check \([\d.]+ ms\)$/m);
    assert.match(r.stderr, /^Summary: 1 passed, 0 failed, 0 errors \(1 test\)/m);
    assert.equal(r.stdout, "");
    assert.ok(!r.stderr.includes("\u001b["), "no colour without a TTY");
    for (const f of ["junit.xml", "assay.sarif", "run.json", "summary.md"]) {
      assert.ok((await stat(join(dir.path, ".assay", "reports", f))).size > 0, f);
    }
    const json = JSON.parse(
      await readFile(join(dir.path, ".assay", "reports", "run.json"), "utf8"),
    );
    assert.equal(json.verdict, "pass");
    assert.ok((await stat(join(dir.path, "summary.md"))).size > 0);
  });

  test("a failing expectation exits 1 and says what was expected and what the trace had", async () => {
    await writeFile(
      join(dir.path, "fail.yaml"),
      `version: 1\ntests:\n  - id: weather_check\n    expected: {type: must_contain, must_contain: Osaka}\n` +
        `    assertions: [{type: trace_must_not_call_tool, tool: GetWeather}]\n`,
    );
    const r = await runCliProcess([...QUICKSTART, "--config", "fail.yaml"], { cwd: dir.path });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /expected the output to contain "Osaka"; the output was "It is 22C in Tokyo\."/,
    );
    assert.match(r.stderr, /1 failed/);
  });

  test("16_duplicate_rerun is E_TRACE_EPISODE_AMBIGUOUS under --replay-strict and 'latest wins' without", async () => {
    const base = [
      "ci",
      "--config",
      join(DATA, "16_duplicate_rerun.yaml"),
      "--trace-file",
      join(PY_FIXTURES, "16_duplicate_rerun.jsonl"),
      "--db",
      ":memory:",
      "--json",
      join(dir.path, "dup.json"),
    ];
    const strict = await runCliProcess([...base, "--replay-strict"], { cwd: dir.path });
    assert.equal(strict.code, 1, strict.stderr);
    assert.match(
      strict.stderr,
      /Duplicate prompt in strict replay: 2 episodes in the trace match test id "weather_check"/,
    );
    const result = JSON.parse(await readFile(join(dir.path, "dup.json"), "utf8"));
    assert.equal(JSON.stringify(result).includes("E_TRACE_EPISODE_AMBIGUOUS"), true);
    const loose = await runCliProcess(base, { cwd: dir.path });
    assert.equal(loose.code, 0, loose.stderr);
    assert.match(
      loose.stderr,
      /2 episodes match test id "weather_check" \(lines 1, 7\): using the latest \(line 7\)/,
    );
  });

  test("a test id not in the trace is E_TRACE_EPISODE_MISSING with the closest ids", async () => {
    await writeFile(
      join(dir.path, "missing.yaml"),
      `tests:\n  - id: weather_chek\n    expected: {type: regex_match, pattern: x}\n`,
    );
    const r = await runCliProcess(
      [...QUICKSTART, "--config", "missing.yaml", "--json", "missing.json"],
      { cwd: dir.path },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /no episode in the trace for test "weather_chek" .*closest test ids in the trace: "weather_check"/,
    );
    assert.ok(
      (await readFile(join(dir.path, "missing.json"), "utf8")).includes("E_TRACE_EPISODE_MISSING"),
    );
  });

  test("config errors exit 2 with [E_CFG_SCHEMA] file:line:col, did-you-mean and no stack trace", async () => {
    await writeFile(
      join(dir.path, "typo.yaml"),
      `version: 1\ntests:\n  - id: t\n    expectd: {type: regex_match, pattern: x}\n`,
    );
    const r = await runCliProcess([
      "ci",
      "--config",
      "typo.yaml",
      "--trace-file",
      "traces/quickstart.jsonl",
    ], { cwd: dir.path });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /^\[E_CFG_SCHEMA\] typo\.yaml:4:5: tests\[0\]\.expectd: unknown key "expectd" \(did you mean "expected"\?\)/,
    );
    assert.match(r.stderr, /fix: /);
    noStack(r.stderr);
  });

  test("a missing trace file exits 2 with E_PATH_NOT_FOUND", async () => {
    const r = await runCliProcess(["ci", "--trace-file", "traces/nope.jsonl", "--db", ":memory:"], {
      cwd: dir.path,
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^\[E_PATH_NOT_FOUND\] trace file not found: ".*nope\.jsonl"/);
    noStack(r.stderr);
  });

  test("a config, trace or baseline path that is a folder exits 2 with E_PATH_NOT_FOUND saying so", async () => {
    const trace = await runCliProcess([...QUICKSTART, "--trace-file", "traces"], { cwd: dir.path });
    assert.equal(trace.code, 2, trace.stderr);
    assert.match(
      trace.stderr,
      /^\[E_PATH_NOT_FOUND\] trace file ".*traces" is a folder, not a file/,
    );
    const config = await runCliProcess([...QUICKSTART, "--config", "traces"], { cwd: dir.path });
    assert.equal(config.code, 2, config.stderr);
    assert.match(
      config.stderr,
      /^\[E_PATH_NOT_FOUND\] config file "traces" is a folder, not a file/,
    );
    const baseline = await runCliProcess([...QUICKSTART, "--baseline", "traces"], {
      cwd: dir.path,
    });
    assert.equal(baseline.code, 2, baseline.stderr);
    assert.match(baseline.stderr, /^\[E_PATH_NOT_FOUND\] baseline file "traces" is a folder/m);
    noStack(trace.stderr + config.stderr + baseline.stderr);
  });

  test("a baseline that cannot be written exits 3 with E_IO naming it, after the reports", async () => {
    const r = await runCliProcess([...QUICKSTART, "--export-baseline", "traces"], {
      cwd: dir.path,
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /^\[E_IO\] cannot write the baseline to "traces": .*\n {2}fix: the path is a folder: give a file name for the baseline/m,
    );
    assert.ok((await stat(join(dir.path, ".assay", "reports", "run.json"))).size > 0);
    noStack(r.stderr);
  });

  test("an invalid trace line exits 2 with E_TRACE_INVALID and its line and column", async () => {
    const bad = join(dir.path, "traces", "bad.jsonl");
    await copyFile(join(dir.path, "traces", "quickstart.jsonl"), bad);
    await writeFile(bad, (await readFile(bad, "utf8")) + '{"type": "step", oops}\n');
    const r = await runCliProcess(["ci", "--trace-file", "traces/bad.jsonl", "--db", ":memory:"], {
      cwd: dir.path,
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^\[E_TRACE_INVALID\] traces\/bad\.jsonl:6:\d+: invalid JSON/);
    noStack(r.stderr);
  });

  test("a database that cannot be opened exits 3 with E_DB, and the reports are still written", async () => {
    const r = await runCliProcess(
      [
        "ci",
        "--trace-file",
        "traces/quickstart.jsonl",
        "--db",
        join(dir.path, "assay.yaml", "sub", "x.db"),
        "--json",
        "db_failed.json",
      ],
      { cwd: dir.path },
    );
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /\[E_DB\] /);
    noStack(r.stderr);
    // The reports are written all the same (they are written while the run is saved).
    const json = JSON.parse(await readFile(join(dir.path, "db_failed.json"), "utf8"));
    assert.equal(json.verdict, "pass");
  });

  test("usage errors exit 2: a misspelt flag and a missing --trace-file", async () => {
    const typo = await runCliProcess(["ci", "--trace-fle", "x.jsonl"], { cwd: dir.path });
    assert.equal(typo.code, 2);
    assert.match(
      typo.stderr,
      /^\[E_USAGE\] Unknown option '--trace-fle'.*did you mean --trace-file/,
    );
    const missing = await runCliProcess(["ci"], { cwd: dir.path });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /\[E_USAGE\] --trace-file is required/);
  });

  test("a misspelt :memory: or an empty --db is a usage error (exit 2) before any work, and no file is left", async () => {
    const typo = await runCliProcess([...QUICKSTART, "--db", ":memory"], { cwd: dir.path });
    assert.equal(typo.code, 2, typo.stderr);
    assert.match(
      typo.stderr,
      /^\[E_USAGE\] --db ":memory" is not :memory:\n {2}fix: .*--db \.\/:memory/m,
    );
    await assert.rejects(stat(join(dir.path, ":memory")), { code: "ENOENT" });
    const empty = await runCliProcess([...QUICKSTART, "--db", ""], { cwd: dir.path });
    assert.equal(empty.code, 2, empty.stderr);
    assert.match(empty.stderr, /^\[E_USAGE\] --db is empty/m);
    noStack(typo.stderr + empty.stderr);
  });

  test("a baseline catches one changed tool argument in a re-recorded trace (path, old, new)", async () => {
    const exported = await runCliProcess([...QUICKSTART, "--export-baseline", "baseline.json"], {
      cwd: dir.path,
    });
    assert.equal(exported.code, 0, exported.stderr);
    const baseline = JSON.parse(await readFile(join(dir.path, "baseline.json"), "utf8"));
    assert.equal(baseline.tests.weather_check.signature.toolCalls[0].args, '{"location":"Tokyo"}');
    await recordQuickstart(join(dir.path, "traces", "rerecorded.jsonl"), { location: "Tokyo, JP" });
    const r = await runCliProcess(
      [
        "ci",
        "--trace-file",
        "traces/rerecorded.jsonl",
        "--replay-strict",
        "--db",
        ":memory:",
        "--baseline",
        "baseline.json",
      ],
      { cwd: dir.path },
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /GetWeather call #1 args\.location: "Tokyo" -> "Tokyo, JP"/);
  });

  test("--db :memory: keeps no history: the run writes its reports and no database", async () => {
    await withTempDir(async ({ path }) => {
      await quickstartProject(path);
      const r = await runCliProcess(QUICKSTART, { cwd: path });
      assert.equal(r.code, 0, r.stderr);
      const files = (await readdir(path, { recursive: true })).map((f) => f.replaceAll("\\", "/"));
      assert.deepEqual(files.sort(), [
        ".assay",
        ".assay/reports",
        ".assay/reports/assay.sarif",
        ".assay/reports/junit.xml",
        ".assay/reports/run.json",
        ".assay/reports/summary.md",
        "assay.yaml",
        "traces",
        "traces/quickstart.jsonl",
      ]);
    });
  });

  test("a history database file keeps several runs without constraint errors", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await runCliProcess([...QUICKSTART, "--db", ".assay/history.db"], {
        cwd: dir.path,
      });
      assert.equal(r.code, 0, r.stderr);
    }
    assert.ok((await stat(join(dir.path, ".assay", "history.db"))).size > 0);
  });

  test("thousands of output lines all reach a pipe before the process exits, with the right exit code", async () => {
    // Node exits explicitly (no heap teardown) only once stdout and stderr are flushed.
    const n = 3000;
    const trace: string[] = [];
    const cfg = ["version: 1", "tests:"];
    for (let i = 0; i < n; i++) {
      trace.push(JSON.stringify({ prompt: `q${i}`, response: `answer ${i}`, episode_id: `e${i}` }));
      cfg.push(
        `  - id: e${i}`,
        `    expected: { type: must_contain, must_contain: "answer ${i}" }`,
      );
    }
    cfg.push(
      "  - id: e0_again",
      "    input: { prompt: q0 }",
      "    expected: { type: must_contain, must_contain: nope }",
    );
    trace.push(JSON.stringify({ prompt: "q0", response: "answer 0", episode_id: "e0_again" }));
    await writeFile(join(dir.path, "many.jsonl"), trace.join("\n") + "\n");
    await writeFile(join(dir.path, "many.yaml"), cfg.join("\n") + "\n");
    const r = await runCliProcess(
      ["ci", "--config", "many.yaml", "--trace-file", "many.jsonl", "--db", ":memory:"],
      { cwd: dir.path },
    );
    assert.equal(r.code, 1, r.stderr.slice(-2000));
    const lines = r.stderr.split("\n");
    assert.equal(lines.filter((l) => /^PASS +e\d+ /.test(l)).length, n);
    assert.equal(lines.filter((l) => /^FAIL +e0_again /.test(l)).length, 1);
    assert.match(
      r.stderr,
      /\nSummary: 3000 passed, 1 failed, 0 errors \(3001 tests\) in [\d.]+ ms: FAIL\n$/,
    );
  });

  test("a config with a BOM is read as on every runtime; config_hash is the SHA-256 of the file's bytes", async () => {
    const text = await readFile(join(dir.path, "assay.yaml"));
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...text]);
    await writeFile(join(dir.path, "bom.yaml"), bytes);
    const r = await runCliProcess([...QUICKSTART, "--config", "bom.yaml", "--json", "bom.json"], {
      cwd: dir.path,
    });
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(await readFile(join(dir.path, "bom.json"), "utf8"));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    assert.equal(
      json.config_hash,
      Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    );
    // The test's location is the same as without the BOM (line 4, column 5 of the seed config).
    assert.deepEqual(json.tests[0].location, { file: "bom.yaml", line: 4, column: 5 });
  });

  test("a trace piped in (--trace-file /dev/stdin) is streamed and gated", {
    skip: process.platform === "win32",
  }, async () => {
    const { cmd, args } = cliCommand();
    // Through a shell pipe: a real pipe, as in `cat t.jsonl | assay ci ...`.
    const r = await runProcess(
      "sh",
      [
        "-c",
        'cat traces/quickstart.jsonl | "$@"',
        "sh",
        cmd,
        ...args,
        ...QUICKSTART,
        "--trace-file",
        "/dev/stdin",
      ],
      { cwd: dir.path },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^PASS +weather_check /m);
  });
});
