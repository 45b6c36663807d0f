/**
 * The WebAssembly backend (`node-sqlite3-wasm`), used only where
 * `node:sqlite` does not exist (Node 20). Its file system layer has no
 * shared memory, so it cannot use WAL: it keeps the rollback journal and
 * locks with a `<db>.lock` folder.
 *
 * @module
 */
import { closeSync, openSync, readSync } from "node:fs";
import { runTransaction, type SqlBackend, type SqlRow, type SqlValue } from "./_backend.ts";

interface WasmStatement {
  run(values?: SqlValue[]): { lastInsertRowid: number | bigint };
  all(values?: SqlValue[]): SqlRow[];
  finalize(): void;
}

interface WasmDatabase {
  exec(sql: string): void;
  prepare(sql: string): WasmStatement;
  all(sql: string): SqlRow[];
  close(): void;
}

interface WasmModule {
  Database: new (path: string) => WasmDatabase;
}

let loaded: Promise<WasmModule> | undefined;

function loadWasm(): Promise<WasmModule> {
  // The package is CommonJS: its exports arrive as `default` under ESM.
  loaded ??= import("node-sqlite3-wasm").then((mod) => {
    const m = mod as unknown as { default?: WasmModule } & Partial<WasmModule>;
    return (m.default ?? m) as WasmModule;
  });
  return loaded;
}

/** Whether the file at `path` is a SQLite database in WAL mode (header bytes 18-19 are 2). */
function isWalFile(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return false;
  }
  try {
    const header = new Uint8Array(20);
    return readSync(fd, header, 0, 20, 0) === 20 && header[18] === 2 && header[19] === 2;
  } finally {
    closeSync(fd);
  }
}

/** Open `path` (or `":memory:"`) with the WebAssembly SQLite. Throws the driver's error. */
export async function openWasmSqlite(path: string): Promise<SqlBackend> {
  const { Database } = await loadWasm();
  const db = new Database(path);
  try {
    if (path !== ":memory:" && isWalFile(path)) {
      // A file last written by node:sqlite is in WAL mode, which this build can
      // only open in exclusive locking mode: switch it back to a rollback journal.
      db.exec("PRAGMA locking_mode=EXCLUSIVE");
      db.exec("PRAGMA journal_mode=DELETE");
      db.exec("PRAGMA locking_mode=NORMAL");
      // The exclusive lock is released at the end of the next access.
      db.all("SELECT 1 FROM sqlite_schema LIMIT 1");
    }
  } catch (err) {
    db.close();
    throw err;
  }
  const statements = new Map<string, WasmStatement>();
  const prepare = (sql: string): WasmStatement => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  // A statement whose last step failed cannot be reset by this driver: drop it.
  const discard = (sql: string): void => {
    const stmt = statements.get(sql);
    statements.delete(sql);
    try {
      stmt?.finalize();
    } catch {
      // finalize() repeats the failed step's error; that error was already thrown.
    }
  };
  const exec = (sql: string): void => db.exec(sql);
  return {
    name: "wasm",
    exec,
    run(sql, params = []) {
      try {
        const res = prepare(sql).run(params as SqlValue[]);
        return { lastInsertRowid: Number(res.lastInsertRowid) };
      } catch (err) {
        discard(sql);
        throw err;
      }
    },
    all(sql, params = []) {
      try {
        return prepare(sql).all(params as SqlValue[]);
      } catch (err) {
        discard(sql);
        throw err;
      }
    },
    transaction: (fn) => runTransaction(exec, fn),
    close() {
      for (const sql of [...statements.keys()]) discard(sql);
      db.close();
    },
  };
}
