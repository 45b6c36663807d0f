/**
 * Runtime adapter: folder creation on `node:fs`, for the store's database
 * file and the report writer. Imported on demand: a `--db :memory:` run
 * whose reports go out through Bun's own file API never loads `node:fs`.
 *
 * @module
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Create `dir` and its missing parents. Unlike `mkdirSync(dir, { recursive:
 * true })`, which spins forever on Node 20 below a root that refuses new
 * entries (such as /proc), this creates one level at a time and throws the
 * first error.
 */
export function ensureDirSync(dir: string): void {
  const missing: string[] = [];
  let current = dir;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(current).isDirectory();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
      missing.push(current);
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
      continue;
    }
    if (isDir) break;
    throw Object.assign(new Error(`ENOTDIR: ${JSON.stringify(current)} is a file, not a folder`), {
      code: "ENOTDIR",
    });
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (err) {
      // Another process (a second `assay ci`) may have created it meanwhile.
      if ((err as { code?: string }).code !== "EEXIST" || !statSync(path).isDirectory()) throw err;
    }
  }
}
