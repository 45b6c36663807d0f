// `assay validate`, `assay trace verify`, `assay init` and the help, as subprocesses.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { parseConfig } from "../../src/gate/config.ts";
import {
  cliCommand,
  PY_FIXTURES,
  ROOT,
  runCliProcess,
  runProcess,
  RUNTIME,
  tempDir,
} from "../_helpers.ts";

const DATA = join(ROOT, "tests", "data", "gate");
let dir: { path: string; cleanup: () => Promise<void> };
before(async () => {
  dir = await tempDir("assay-cmd-");
});
after(() => dir.cleanup());

/** `assay ci` on a passing Python fixture, nothing kept. */
const GATE_04 = [
  "ci",
  "--config",
  join(DATA, "04_loop_parallel.yaml"),
  "--trace-file",
  join(PY_FIXTURES, "04_loop_parallel.jsonl"),
  "--db",
  ":memory:",
];

/**
 * Run the CLI with its stdout (and with `closeStderr` its stderr) a pipe
 * whose reader is gone before the CLI writes, as in `assay ci | head`.
 */
function runWithClosedPipe(
  args: string[],
  closeStderr: boolean,
): Promise<{ code: number | null; stderr: string }> {
  const { cmd, args: pre } = cliCommand();
  const child = spawn(cmd, [...pre, ...args], {
    cwd: dir.path,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  child.stdout.destroy();
  if (closeStderr) child.stderr.destroy();
  let stderr = "";
  if (!closeStderr) child.stderr.on("data", (d) => stderr += d);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("assay commands", () => {
  test("output to a pipe closed by its reader (assay --help | true) is dropped: no crash, no stack trace, the real exit code", async () => {
    const help = await runWithClosedPipe(["--help"], false);
    assert.equal(help.stderr, "");
    assert.equal(help.code, 0);
    const ci = await runWithClosedPipe(GATE_04, true);
    assert.equal(ci.code, 0);
  });

  test("on Deno the gate needs no environment permission: only what the run reads and writes", {
    skip: RUNTIME !== "deno",
  }, async () => {
    for (const env of ["--allow-env=NO_COLOR", undefined]) {
      const r = await runProcess(process.execPath, [
        "run",
        "--allow-read",
        "--allow-write",
        ...(env ? [env] : []),
        join(ROOT, "cli.ts"),
        ...GATE_04,
      ], { cwd: dir.path });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Summary: 1 passed, 0 failed/);
    }
  });

  test("--help lists ci, validate, trace and init", async () => {
    const r = await runCliProcess(["--help"]);
    assert.equal(r.code, 0);
    for (const c of ["ci", "validate", "trace", "init"]) {
      assert.match(r.stdout, new RegExp(`^  ${c} `, "m"));
    }
  });

  test("validate reports a valid config and checks the trace resolves", async () => {
    const r = await runCliProcess([
      "validate",
      "--config",
      join(DATA, "04_loop_parallel.yaml"),
      "--trace-file",
      join(PY_FIXTURES, "04_loop_parallel.jsonl"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /is valid: suite "04_loop_parallel", 1 test, 2 expectations, 1 assertion/,
    );
    assert.match(
      r.stdout,
      /^ok {5}parallel_check -> episode "parallel_demo" \(.*04_loop_parallel\.jsonl:1, by test id\)$/m,
    );
  });

  test("validate exits 2 on a YAML syntax error and on an alias bomb, with line and column", async () => {
    await writeFile(
      join(dir.path, "syntax.yaml"),
      `tests:\n  - id: t\n    expected: {type: regex_match, pattern: x\n`,
    );
    const syntax = await runCliProcess(["validate", "--config", "syntax.yaml"], { cwd: dir.path });
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /^\[E_CFG_PARSE\] syntax\.yaml:4:1: \(root\): YAML syntax error: /);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [name, prev] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"]]) {
      bomb.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    await writeFile(join(dir.path, "bomb.yaml"), bomb.join("\n") + "\ntests: *e\n");
    const b = await runCliProcess(["validate", "--config", "bomb.yaml"], { cwd: dir.path });
    assert.equal(b.code, 2);
    assert.match(b.stderr, /^\[E_CFG_PARSE\] bomb\.yaml:2:8: .*alias bombs are refused/);
  });

  test("validate exits 2 on a wrong type, a missing pattern, an invalid regex and duplicate ids", async () => {
    await writeFile(
      join(dir.path, "many.yaml"),
      [
        "tests:",
        "  - id: a",
        "    expected: {type: must_contain, must_contain: 3}",
        "  - id: b",
        "    expected: {type: regex_match}",
        "  - id: c",
        '    expected: {type: regex_not_match, pattern: "(x"}',
        "  - id: a",
        "    assertions: [{type: trace_max_steps, max: 2}]",
        "",
      ].join("\n"),
    );
    const r = await runCliProcess(["validate", "--config", "many.yaml"], { cwd: dir.path });
    assert.equal(r.code, 2);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("["));
    assert.equal(
      lines[0],
      "[E_CFG_SCHEMA] many.yaml:3:50: tests[0].expected.must_contain: expected a string or a list of strings, got the number 3",
    );
    assert.equal(
      lines[1],
      'many.yaml:5:15: tests[1].expected.pattern: missing required key "pattern" (string)'.replace(
        /^/,
        "[E_CFG_SCHEMA] ",
      ),
    );
    assert.equal(
      lines.length,
      2,
      "schema errors come first; semantic checks run on a schema-valid config",
    );
    await writeFile(
      join(dir.path, "semantic.yaml"),
      'tests:\n  - id: c\n    expected: {type: regex_not_match, pattern: "(x"}\n  - id: c\n    assertions: [{type: trace_max_steps, max: 2}]\n',
    );
    const s = await runCliProcess(["validate", "--config", "semantic.yaml"], { cwd: dir.path });
    assert.equal(s.code, 2);
    assert.match(
      s.stderr,
      /^\[E_CFG_SCHEMA\] semantic\.yaml:3:48: tests\[0\]\.expected\.pattern: invalid regex "\(x"/m,
    );
    assert.match(
      s.stderr,
      /^\[E_CFG_SCHEMA\] semantic\.yaml:4:9: tests\[1\]\.id: duplicate test id "c"/m,
    );
  });

  test("validate reads a schema_file relative to the config and reports a missing one at its line", async () => {
    await mkdir(join(dir.path, "cfg", "schemas"), { recursive: true });
    await writeFile(
      join(dir.path, "cfg", "schemas", "answer.json"),
      '{"type": "object", "required": ["temp"]}',
    );
    const body = (file: string) =>
      `tests:\n  - id: t\n    expected:\n      type: json_schema\n      schema_file: ${file}\n`;
    await writeFile(join(dir.path, "cfg", "ok.yaml"), body("schemas/answer.json"));
    const ok = await runCliProcess(["validate", "--config", "cfg/ok.yaml"], { cwd: dir.path });
    assert.equal(ok.code, 0, ok.stderr);
    await writeFile(join(dir.path, "cfg", "missing.yaml"), body("schemas/nope.json"));
    const missing = await runCliProcess(["validate", "--config", "cfg/missing.yaml"], {
      cwd: dir.path,
    });
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /^\[E_PATH_NOT_FOUND\] cfg\/missing\.yaml:5:20: tests\[0\]\.expected\.schema_file: cannot read "schemas\/nope\.json": /,
    );
  });

  test("trace verify passes when every test resolves and exits 1 on a duplicate episode", async () => {
    const ok = await runCliProcess([
      "trace",
      "verify",
      "--config",
      join(DATA, "15_two_episodes.yaml"),
      join(PY_FIXTURES, "15_two_episodes.jsonl"),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /2\/2 tests resolve to exactly one episode \(2 episodes in /);
    const dup = await runCliProcess([
      "trace",
      "verify",
      "--config",
      join(DATA, "16_duplicate_rerun.yaml"),
      join(PY_FIXTURES, "16_duplicate_rerun.jsonl"),
    ]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /^\[E_TRACE_EPISODE_AMBIGUOUS\] Duplicate prompt in strict replay/m);
  });

  test("init writes a valid starter config and a workflow, and refuses to overwrite without --force", async () => {
    const r = await runCliProcess(["init"], { cwd: dir.path });
    assert.equal(r.code, 0, r.stderr);
    const config = await parseConfig(await readFile(join(dir.path, "assay.yaml"), "utf8"));
    assert.equal(config.tests[0].id, "weather_check");
    const workflow = parse(
      await readFile(join(dir.path, ".github", "workflows", "assay.yml"), "utf8"),
    );
    const steps: { run?: string; uses?: string; with?: Record<string, string> }[] =
      workflow.jobs.gate.steps;
    assert.match(
      steps.find((s) => s.run)!.run!,
      /assay ci --config assay\.yaml --trace-file traces\/quickstart\.jsonl --replay-strict --db :memory: --junit \.assay\/reports\/junit\.xml --sarif \.assay\/reports\/assay\.sarif/,
    );
    assert.ok(
      steps.some((s) =>
        s.uses?.startsWith("github/codeql-action/upload-sarif") &&
        s.with?.sarif_file === ".assay/reports/assay.sarif"
      ),
    );
    assert.ok(
      steps.some((s) =>
        s.uses?.startsWith("actions/upload-artifact") && s.with?.path.includes("junit.xml")
      ),
    );

    await writeFile(join(dir.path, "assay.yaml"), "# mine\n");
    const again = await runCliProcess(["init"], { cwd: dir.path });
    assert.equal(again.code, 2);
    assert.match(
      again.stderr,
      /^\[E_USAGE\] assay\.yaml and \.github\/workflows\/assay\.yml already exist; nothing was written/,
    );
    assert.equal(await readFile(join(dir.path, "assay.yaml"), "utf8"), "# mine\n");
    const forced = await runCliProcess(["init", "--force"], { cwd: dir.path });
    assert.equal(forced.code, 0);
    assert.match(await readFile(join(dir.path, "assay.yaml"), "utf8"), /trace_must_call_tool/);
  });
});
