/**
 * The tiny interface the store needs from a SQLite driver, so the store is
 * written once for `node:sqlite` (Deno, Bun, Node >= 22.5) and the
 * WebAssembly build used on Node 20.
 *
 * @module
 */

/** A value SQLite can bind or return. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** One result row, column name -> value. */
export type SqlRow = Record<string, SqlValue>;

/** A synchronous SQLite connection. Every method throws the driver's error untouched. */
export interface SqlBackend {
  /** Which driver this is. */
  readonly name: "node:sqlite" | "wasm";
  /** Run one or more statements without parameters. */
  exec(sql: string): void;
  /** Run one statement with positional parameters; returns the rowid of an INSERT. */
  run(sql: string, params?: readonly SqlValue[]): { lastInsertRowid: number };
  /** Run one query with positional parameters and return every row. */
  all(sql: string, params?: readonly SqlValue[]): SqlRow[];
  /**
   * Run `fn` inside `BEGIN IMMEDIATE ... COMMIT` (the write lock is taken up
   * front, so two writers wait for each other instead of deadlocking on a
   * lock upgrade); rolls back and rethrows when `fn` throws.
   */
  transaction<T>(fn: () => T): T;
  /** Close the connection; later calls throw. */
  close(): void;
}

/**
 * Run `fn` between BEGIN IMMEDIATE and COMMIT on a connection that only has
 * `exec`. A failed COMMIT (deferred foreign keys, SQLITE_BUSY) leaves the
 * transaction open in SQLite: it is rolled back too, so the connection is
 * never left inside a transaction and a retry starts from BEGIN.
 */
export function runTransaction<T>(exec: (sql: string) => void, fn: () => T): T {
  exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    exec("COMMIT");
    return result;
  } catch (err) {
    try {
      exec("ROLLBACK");
    } catch {
      // SQLite already rolled back (e.g. after SQLITE_FULL); the original error matters.
    }
    throw err;
  }
}
