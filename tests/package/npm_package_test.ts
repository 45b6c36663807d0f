// The npm package, built from the same source with tsc, works in a fresh
// Node 20 project: pack, install the tarball, import it, run its bin.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import { ROOT, runProcess, RUNTIME, tempDir } from "../_helpers.ts";

// Packing and installing takes ~20 s: do it once, on the Node run of the suite.
const skip = RUNTIME !== "node" ? "the npm package is checked on the Node run of the suite" : false;

describe("npm package", { skip }, () => {
  test("packs, installs into a temporary Node 20 project, imports, and runs the assay bin", {
    timeout: 240_000,
  }, async () => {
    const dir = await tempDir("assay-npm-");
    try {
      const npm = join(process.execPath, "..", "npm");
      const packed = await runProcess(npm, ["pack", "--pack-destination", dir.path, "--silent"], {
        timeoutMs: 180_000,
      });
      assert.equal(packed.code, 0, packed.stderr + packed.stdout);
      const tgz = readdirSync(dir.path).find((f) => f.endsWith(".tgz"));
      assert.ok(tgz, `no tarball in ${dir.path}: ${packed.stdout}`);

      const project = join(dir.path, "project");
      await mkdir(project, { recursive: true });
      await writeFile(
        join(project, "package.json"),
        JSON.stringify({ name: "consumer", private: true, type: "module" }),
      );
      const installed = await runProcess(
        npm,
        [
          "install",
          join(dir.path, tgz),
          "--prefer-offline",
          "--no-audit",
          "--no-fund",
          "--ignore-scripts",
        ],
        { cwd: project, timeoutMs: 180_000 },
      );
      assert.equal(installed.code, 0, installed.stderr + installed.stdout);

      const script = `
        import { EpisodeRecorder, FrozenClock, TraceWriter, readTraceFile, canonicalJson } from "@assay-it/sdk";
        const writer = new TraceWriter("out/t.jsonl", { mode: "truncate" });
        await EpisodeRecorder.run({ writer, episodeId: "e1", testId: "t1", clock: new FrozenClock(0, 1) }, async (rec) => {
          await rec.start({ prompt: "hi" });
          await rec.modelStep({ content: "hello" });
        });
        await writer.close();
        const eps = [];
        for await (const ep of readTraceFile("out/t.jsonl")) eps.push([ep.testId, ep.output, ep.outcome]);
        console.log(JSON.stringify({ eps, canon: canonicalJson({ "9": 1, "10": 2 }) }));
      `;
      await writeFile(join(project, "use.mjs"), script);
      const used = await runProcess(process.execPath, ["use.mjs"], { cwd: project });
      assert.equal(used.code, 0, used.stderr);
      assert.deepEqual(JSON.parse(used.stdout), {
        eps: [["t1", "hello", "pass"]],
        canon: '{"10":2,"9":1}',
      });

      const help = await runProcess(join(project, "node_modules", ".bin", "assay"), ["--help"], {
        cwd: project,
      });
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /Usage: assay <command>/);
      const version = await runProcess(join(project, "node_modules", ".bin", "assay"), [
        "--version",
      ], { cwd: project });
      assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);

      // The gate through the installed bin on Node 20 (WebAssembly SQLite for the file DB).
      await writeFile(
        join(project, "assay.yaml"),
        'version: 1\nmodel: "trace"\ntests:\n  - id: t1\n    input:\n      prompt: "hi"\n    expected:\n      type: must_contain\n      must_contain: ["hello"]\n',
      );
      const gateArgs = [
        "ci",
        "--config",
        "assay.yaml",
        "--trace-file",
        "out/t.jsonl",
        "--replay-strict",
        "--db",
        ".assay/history.db",
      ];
      const gate = await runProcess(join(project, "node_modules", ".bin", "assay"), gateArgs, {
        cwd: project,
      });
      assert.equal(gate.code, 0, gate.stderr);
      assert.match(gate.stderr, /PASS {2}t1/);
      assert.match(gate.stderr, /Summary: 1 passed, 0 failed/);

      // Under Bun the same bin runs the bundled CLI with its precompiled bytecode.
      const sdk = join(project, "node_modules", "@assay-it", "sdk", "dist");
      assert.ok(existsSync(join(sdk, "bun", "assay.cjs")), "dist/bun/assay.cjs is packed");
      assert.ok(existsSync(join(sdk, "bun", "assay.cjs.jsc")), "its bytecode is packed");
      const bun = join(ROOT, "node_modules", ".bin", "bun");
      const assayBin = join(project, "node_modules", ".bin", "assay");
      const onBun = (args: string[]) => runProcess(bun, [assayBin, ...args], { cwd: project });
      const bunVersion = await onBun(["--version"]);
      assert.equal(bunVersion.code, 0, bunVersion.stderr);
      assert.equal(bunVersion.stdout, version.stdout);
      const bunGate = await onBun([...gateArgs, "--json", "bun-run.json"]);
      assert.equal(bunGate.code, 0, bunGate.stderr);
      assert.match(bunGate.stderr, /Summary: 1 passed, 0 failed/);
      assert.equal(
        JSON.parse(readFileSync(join(project, "bun-run.json"), "utf8")).verdict,
        "pass",
      );
      await writeFile(
        join(project, "bad.yaml"),
        "tests:\n  - id: t1\n    expected: { type: regex_match, pattren: x }\n",
      );
      const bad = await onBun(["ci", "--config", "bad.yaml", "--trace-file", "out/t.jsonl"]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /bad\.yaml:3:\d+/);
      assert.match(bad.stderr, /did you mean "pattern"/);
      await writeFile(
        join(project, "fail.yaml"),
        "tests:\n  - id: t1\n    expected: { type: must_contain, must_contain: [goodbye] }\n",
      );
      const failed = await onBun([
        "ci",
        "--config",
        "fail.yaml",
        "--trace-file",
        "out/t.jsonl",
        "--db",
        ":memory:",
      ]);
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, /FAIL {2}t1/);

      // The shipped type declarations compile in a consumer project.
      await writeFile(
        join(project, "check.ts"),
        `import { TraceWriter, type Episode } from "@assay-it/sdk";\nconst w: TraceWriter = new TraceWriter("x.jsonl");\nconst e: Episode | null = null;\nexport { w, e };\n`,
      );
      const tsc = await runProcess(
        process.execPath,
        [
          join(ROOT, "node_modules", "typescript", "bin", "tsc"),
          "--noEmit",
          "--strict",
          "--module",
          "nodenext",
          "--moduleResolution",
          "nodenext",
          "--target",
          "es2022",
          "--skipLibCheck",
          "--types",
          "node",
          "--typeRoots",
          join(ROOT, "node_modules", "@types"),
          "check.ts",
        ],
        { cwd: project },
      );
      assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);
    } finally {
      await dir.cleanup();
    }
  });
});
