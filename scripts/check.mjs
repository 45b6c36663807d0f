#!/usr/bin/env node
// The project's one check: format, lint, type check, the test suite on Deno,
// Bun and Node, and the npm build. Prints a closing "N passed, N failed" line.
// Usage: node scripts/check.mjs [--only deno,bun,node] [--quick]
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const args = process.argv.slice(2);
const onlyArg = args.indexOf("--only");
const only = onlyArg >= 0 ? new Set(args[onlyArg + 1].split(",")) : null;
const want = (name) => !only || only.has(name);

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testFiles(p));
    else if (name.endsWith("_test.ts")) out.push(p);
  }
  return out;
}

const totals = { passed: 0, failed: 0 };
const failures = [];

function run(label, cmd, argv, parse) {
  const started = Date.now();
  process.stdout.write(`\n=== ${label}: ${[cmd, ...argv].join(" ")}\n`);
  const res = spawnSync(cmd, argv, {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  // deno ignores NO_COLOR for some output: strip ANSI escapes before parsing.
  const output = ((res.stdout ?? "") + (res.stderr ?? "")).replace(/\x1b\[[0-9;]*m/g, "");
  process.stdout.write(output);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  let counts = parse ? parse(output) : null;
  if (parse && !counts) counts = { passed: 0, failed: 1 };
  if (counts) {
    totals.passed += counts.passed;
    totals.failed += counts.failed;
  }
  const ok = res.status === 0 && (!counts || counts.failed === 0);
  if (!ok) failures.push(label);
  process.stdout.write(
    `=== ${label}: ${ok ? "ok" : "FAILED"} in ${secs}s` +
      (counts ? ` (${counts.passed} passed, ${counts.failed} failed)` : "") + "\n",
  );
}

const last = (re, text) => {
  let m, found = null;
  const g = new RegExp(re.source, "gm");
  while ((m = g.exec(text))) found = m;
  return found;
};
// Deno counts a describe() block as one test with steps: count the steps.
const parseDeno = (out) => {
  const m = last(
    /^(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/,
    out,
  );
  if (!m) return null;
  return { passed: +(m[2] ?? m[1]), failed: +(m[4] ?? m[3]) };
};
const parseBun = (out) => {
  const p = last(/^\s*(\d+) pass$/, out);
  const f = last(/^\s*(\d+) fail$/, out);
  return p && f ? { passed: +p[1], failed: +f[1] } : null;
};
const parseNode = (out) => {
  const p = last(/^[#ℹ] pass (\d+)$/, out);
  const f = last(/^[#ℹ] fail (\d+)$/, out);
  return p && f ? { passed: +p[1], failed: +f[1] } : null;
};

const files = testFiles(join(root, "tests"));
const rel = files.map((f) => f.slice(root.length));

if (want("static")) {
  run("format", bin("deno"), ["fmt", "--check"]);
  run("lint", bin("deno"), ["lint"]);
  run("types", bin("deno"), ["check", "mod.ts", "cli.ts", ...rel]);
}
if (want("deno")) run("deno", bin("deno"), ["test", "-A", "--no-check", ...rel], parseDeno);
if (want("bun")) {
  run("bun", bin("bun"), [
    "test",
    "--timeout",
    "120000",
    ...rel.map((f) => "./" + f),
  ], parseBun);
}
if (want("node")) {
  run(
    "node",
    process.execPath,
    ["--import", "tsx", "--test", "--test-reporter=spec", ...rel],
    parseNode,
  );
}

process.stdout.write(
  `\n${failures.length ? `FAILED steps: ${failures.join(", ")}` : "all steps ok"}\n`,
);
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed\n`);
process.exit(failures.length ? 1 : 0);
