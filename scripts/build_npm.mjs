#!/usr/bin/env node
// Builds the npm package into dist/ from the same TypeScript source with tsc.
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
rmSync(join(root, "dist"), { recursive: true, force: true });
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
const res = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
if (res.status !== 0) process.exit(res.status ?? 1);
const cli = join(root, "dist", "cli.js");
const text = readFileSync(cli, "utf8");
writeFileSync(cli, text.startsWith("#!") ? text : `#!/usr/bin/env node\n${text}`);
chmodSync(cli, 0o755);
console.log("built dist/");
