/**
 * Runtime adapter: folder creation on `node:fs`, for the store's database
 * file and the report writer. Imported on demand: a `--db :memory:` run
 * whose reports go out through Bun's or Deno's own file API never loads
 * `node:fs`.
 *
 * @module
 */
import { mkdirSync, statSync } from "node:fs";
import { ensureDirWith } from "./_ensure_dir.ts";

const NODE_OPS = {
  isDirectory: (path: string) => statSync(path).isDirectory(),
  mkdir: (path: string) => void mkdirSync(path),
};

/**
 * Create `dir` and its missing parents, one level at a time (see
 * `ensureDirWith`); the first error is thrown.
 */
export function ensureDirSync(dir: string): void {
  ensureDirWith(NODE_OPS, dir);
}
