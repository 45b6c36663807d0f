/**
 * The `node:sqlite` backend (`DatabaseSync`): Deno, Bun and Node >= 22.5.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { runTransaction, type SqlBackend, type SqlRow, type SqlValue } from "./_backend.ts";

/** The part of the `node:sqlite` module this backend uses. */
export interface NodeSqliteModule {
  DatabaseSync: new (path: string) => DatabaseSync;
}

/** Open `path` (or `":memory:"`) with `node:sqlite`. Throws the driver's error. */
export function openNodeSqlite(mod: NodeSqliteModule, path: string): SqlBackend {
  const db = new mod.DatabaseSync(path);
  // Preparing is the expensive part of a small statement: keep each one.
  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const exec = (sql: string): void => db.exec(sql);
  return {
    name: "node:sqlite",
    exec,
    run(sql, params = []) {
      const res = prepare(sql).run(...(params as SqlValue[]));
      return { lastInsertRowid: Number(res.lastInsertRowid) };
    },
    all(sql, params = []) {
      return prepare(sql).all(...(params as SqlValue[])) as SqlRow[];
    },
    transaction: (fn) => runTransaction(exec, fn),
    close() {
      statements.clear();
      db.close();
    },
  };
}
