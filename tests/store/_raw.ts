// Direct SQL access to a store's file for the tests' own checks
// (integrity_check, counts, schema version), on the same drivers the store uses.
import type { SqlBackend } from "../../src/store/_backend.ts";
import type { StoreBackend } from "../../src/store/store.ts";

/** The drivers this runtime has: both on Deno and Bun, only wasm on Node 20. */
export async function availableBackends(): Promise<StoreBackend[]> {
  try {
    await import("node:sqlite");
    return ["node:sqlite", "wasm"];
  } catch {
    return ["wasm"];
  }
}

/** Open `path` directly with `backend`. */
export async function openRaw(path: string, backend: StoreBackend): Promise<SqlBackend> {
  if (backend === "wasm") {
    const { openWasmSqlite } = await import("../../src/store/_wasm_sqlite.ts");
    return openWasmSqlite(path);
  }
  const { openNodeSqlite } = await import("../../src/store/_node_sqlite.ts");
  return openNodeSqlite(await import("node:sqlite"), path);
}

/** Run `fn` on a raw connection to `path`, then close it. */
export async function withRaw<T>(
  path: string,
  backend: StoreBackend,
  fn: (db: SqlBackend) => T,
): Promise<T> {
  const db = await openRaw(path, backend);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
