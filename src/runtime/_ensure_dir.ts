/**
 * Folder creation over any runtime's file API (`node:fs`, `Deno.*`).
 *
 * @module
 */
import { dirname } from "node:path";

/** The two file operations folder creation needs; errors carry Node's `code`. */
export interface DirOps {
  /** Whether `path` is a folder (false for a file); throws `ENOENT`/`ENOTDIR` when it is missing. */
  isDirectory(path: string): boolean;
  /** Create the one folder `path`; throws `EEXIST` when something is there. */
  mkdir(path: string): void;
}

/**
 * Create `dir` and its missing parents. Unlike a recursive mkdir, which
 * spins forever on Node 20 below a root that refuses new entries (such as
 * /proc) and says "File exists" on Deno when a parent is a file, this
 * creates one level at a time and throws the first error, `ENOTDIR` naming
 * the file in the way.
 */
export function ensureDirWith(ops: DirOps, dir: string): void {
  const missing: string[] = [];
  let current = dir;
  for (;;) {
    let isDir: boolean;
    try {
      isDir = ops.isDirectory(current);
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
      ops.mkdir(path);
    } catch (err) {
      // Another process (a second `assay ci`) may have created it meanwhile.
      if ((err as { code?: string }).code !== "EEXIST" || !ops.isDirectory(path)) throw err;
    }
  }
}
