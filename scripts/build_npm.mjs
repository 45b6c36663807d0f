#!/usr/bin/env node
// Builds the npm package into dist/ from the same TypeScript source:
// - tsc: the modules (dist/mod.js, ...) and the CLI (dist/cli.js) for Node;
// - Bun's bundler: the CLI as one CommonJS file with its bytecode precompiled
//   (dist/bun/assay.cjs and .jsc), which Bun loads without parsing: its
//   start-up is mostly parsing the ~40 modules a gate run needs;
// - dist/assay.js, the `assay` bin: that bundle under Bun, dist/cli.js elsewhere.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const run = (cmd, args) => {
  const res = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (res.status !== 0) process.exit(res.status ?? 1);
};
rmSync(join(root, "dist"), { recursive: true, force: true });
run(process.execPath, [
  join(root, "node_modules", "typescript", "bin", "tsc"),
  "-p",
  "tsconfig.build.json",
]);

const cli = join(root, "dist", "cli.js");
const text = readFileSync(cli, "utf8");
writeFileSync(cli, text.startsWith("#!") ? text : `#!/usr/bin/env node\n${text}`);
chmodSync(cli, 0o755);

// The bytecode is tied to the Bun version that built it; another version
// finds it stale and parses the bundle instead (slower start, same result).
const bun = join(root, "node_modules", ".bin", process.platform === "win32" ? "bun.exe" : "bun");
if (!existsSync(bun)) {
  console.error(`build_npm: ${bun} not found: run npm ci (bun is a dev dependency)`);
  process.exit(1);
}
run(bun, [
  "build",
  "cli.ts",
  "--target=bun",
  "--format=cjs",
  "--bytecode",
  "--outdir=dist/bun",
  "--entry-naming=assay.cjs",
  // Loaded only by the commands that need them, from the installed packages.
  ...["openai", "zod", "yaml", "node-sqlite3-wasm"].flatMap((p) => ["--external", p]),
]);

const bin = join(root, "dist", "assay.js");
writeFileSync(
  bin,
  `#!/usr/bin/env node
// The \`assay\` bin: under Bun the bundled CLI with precompiled bytecode
// (./bun/assay.cjs), elsewhere the tsc build (./cli.js).
if (typeof Bun !== "undefined") await import("./bun/assay.cjs");
else await import("./cli.js");
`,
);
chmodSync(bin, 0o755);
console.log("built dist/");
