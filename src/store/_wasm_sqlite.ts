/**
 * The WebAssembly backend (`node-sqlite3-wasm`), used only where
 * `node:sqlite` does not exist (Node 20). Its file system layer has no
 * shared memory, so it cannot use WAL: it keeps the rollback journal and
 * locks with a `<db>.lock` folder.
 *
 * @module
 */
import { closeSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import process from "node:process";
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
  loaded ??= isNode()
    ? Promise.resolve().then(requireLiftoffOnly)
    : import("node-sqlite3-wasm").then(
      (mod) => {
        // The package is CommonJS: its exports arrive as `default` under ESM.
        const m = mod as unknown as { default?: WasmModule } & Partial<WasmModule>;
        return (m.default ?? m) as WasmModule;
      },
    );
  return loaded;
}

const isNode = (): boolean =>
  typeof process?.versions?.node === "string" && !("Deno" in globalThis) && !("Bun" in globalThis);

/**
 * Load the package on Node with its WebAssembly compiled for V8's baseline
 * tier (Liftoff) only. With the default dynamic tiering, V8 recompiles
 * SQLite's hot functions (its huge bytecode interpreter above all) with
 * TurboFan while a save runs; in a short CLI process that costs far more
 * than it returns: saving 30,000 rows takes about 2.3x as long (750 ms
 * against 325 ms on the project's machine), and even at 300,000 rows the
 * optimised code has not paid for its compilation. The flag is read when a
 * module is compiled, which `require` does synchronously here, so it is set
 * for this one module and cleared before any other code can run; a
 * process started with its own Liftoff flags keeps them untouched.
 */
function requireLiftoffOnly(): WasmModule {
  const require = createRequire(import.meta.url);
  const userFlags = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");
  let v8: { setFlagsFromString(flags: string): void } | undefined;
  if (!/liftoff|wasm-tier/.test(userFlags)) {
    try {
      v8 = require("node:v8");
      v8!.setFlagsFromString("--liftoff-only");
    } catch {
      v8 = undefined; // Only a speed-up: load the module with V8's defaults.
    }
  }
  try {
    return require("node-sqlite3-wasm") as WasmModule;
  } finally {
    v8?.setFlagsFromString("--no-liftoff-only");
  }
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
