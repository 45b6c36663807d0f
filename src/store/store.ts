/**
 * The SQLite store of `assay ci`: every run, its per-test results and the
 * episodes they used, so a file database keeps history across runs.
 *
 * `node:sqlite` is used where it exists (Deno, Bun, Node >= 22.5); Node 20
 * falls back to a WebAssembly SQLite. Both write the same file format.
 * Every failure is an `AssayError` with code `E_DB` and a fix hint.
 *
 * @example
 * ```ts
 * import { openStore } from "./store.ts";
 * const store = await openStore(":memory:");
 * // await store.saveRun(run, episodes);
 * console.log(store.backend, await store.history("weather_check"));
 * await store.close();
 * ```
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { AssayError } from "../errors.ts";
import { loadBuiltin } from "../runtime/builtin.ts";
import { resultFromJson, resultJsonText } from "../gate/result_json.ts";
import type { GateRun, TestResult } from "../gate/types.ts";
import { canonicalJson } from "../trace/canonical.ts";
import type { Episode } from "../trace/model.ts";
import type { SqlBackend, SqlValue } from "./_backend.ts";
import { type NodeSqliteModule, openNodeSqlite } from "./_node_sqlite.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./_schema.ts";

export { SCHEMA_VERSION } from "./_schema.ts";

type NodeFs = typeof import("node:fs");

/** Which SQLite driver a store uses. */
export type StoreBackend = "node:sqlite" | "wasm";

/** Options of {@linkcode openStore}. */
export interface OpenStoreOptions {
  /**
   * Force a driver. By default `node:sqlite` when the runtime has it, else
   * `wasm`. Asking for `node:sqlite` where it is missing is an `E_DB` error.
   */
  backend?: StoreBackend;
  /**
   * How long to keep retrying while another process holds the database
   * (SQLITE_BUSY), in milliseconds. Default 30,000.
   */
  busyTimeoutMs?: number;
}

/** One past result of a test, as {@linkcode GateStore.history} returns it. */
export interface TestHistoryEntry {
  /** The run's id (`GateRun.runId`). */
  runId: string;
  suite: string;
  /** ISO 8601 start of the run. */
  startedAt: string;
  /** ISO 8601 time the run was saved. */
  savedAt: string;
  configHash: string;
  traceFile: string;
  /**
   * The result as it was saved: everything but its episode signature (the
   * run's episode, step and tool-call rows hold that data).
   */
  result: TestResult;
}

/** A store of gate runs. Open one with {@linkcode openStore}. */
export interface GateStore {
  /** The SQLite driver in use. */
  readonly backend: StoreBackend;
  /** The path given to {@linkcode openStore} (`":memory:"` included). */
  readonly path: string;
  /**
   * Save a run, one result per test, and the episodes the run used (steps and
   * tool calls included), in one transaction. Saving the same run again adds
   * another history entry; it never fails on a constraint.
   */
  saveRun(run: GateRun, episodes: readonly Episode[]): Promise<void>;
  /** Past results of `testId`, newest first (at most `limit`, default 20). */
  history(testId: string, limit?: number): Promise<TestHistoryEntry[]>;
  /** Close the database. Closing twice is harmless. */
  close(): Promise<void>;
}

const DEFAULT_BUSY_TIMEOUT_MS = 30_000;
// SQLite's own wait per statement (node:sqlite); the retry loop adds backoff on top.
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * Open (creating if needed) the store at `path`: `":memory:"` or a file
 * path whose parent folders are created. Applies pending schema migrations;
 * file databases use WAL (on `node:sqlite`) and wait for other writers.
 *
 * @example
 * ```ts
 * import { openStore } from "./store.ts";
 * const store = await openStore(".assay/assay.db");
 * console.log(store.backend); // "node:sqlite" on Deno and Bun, "wasm" on Node 20
 * await store.close();
 * ```
 */
export async function openStore(path: string, options: OpenStoreOptions = {}): Promise<GateStore> {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(
      `openStore: path must be ":memory:" or a file path, got ${JSON.stringify(path)}`,
    );
  }
  const memory = path === ":memory:";
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const file = memory ? path : resolve(path);
  if (!memory) {
    try {
      // Loaded only for a file: an in-memory store never needs node:fs.
      (await import("../runtime/dirs.ts")).ensureDirSync(dirname(file));
    } catch (err) {
      throw new AssayError(
        "E_DB",
        `cannot create the folder ${JSON.stringify(dirname(file))} for the database ${
          JSON.stringify(path)
        }: ${reason(err)}`,
        {
          cause: err,
          hint: "pass a --db path in a writable folder, or --db :memory: to keep no history",
        },
      );
    }
  }
  const db = await connect(file, path, options.backend);
  const retry: RetryPolicy = { timeoutMs: busyTimeoutMs };
  if (db.name === "wasm" && !memory) {
    const fs = await loadBuiltin<NodeFs>("node:fs", () => import("node:fs"));
    retry.whenBusy = () => removeStaleLock(fs, `${file}.lock`);
  }
  try {
    await withRetry(
      retry,
      () => configure(db, memory, Math.min(SQLITE_BUSY_TIMEOUT_MS, busyTimeoutMs)),
    );
    await withRetry(retry, () => migrate(db, path));
  } catch (err) {
    db.close();
    throw toDbError(err, `cannot prepare the database ${JSON.stringify(path)}`, path);
  }
  return new SqliteGateStore(db, path, retry);
}

async function connect(
  file: string,
  label: string,
  wanted: StoreBackend | undefined,
): Promise<SqlBackend> {
  let nodeSqlite: NodeSqliteModule | undefined;
  if (wanted !== "wasm") {
    try {
      // import() fails on Node 20, which has no node:sqlite.
      nodeSqlite = await loadBuiltin<NodeSqliteModule>("node:sqlite", () => import("node:sqlite"));
    } catch (err) {
      // Only a missing module is a reason to fall back (Node 20); errors from
      // opening the database below must surface, never switch drivers.
      if (wanted === "node:sqlite") {
        throw new AssayError(
          "E_DB",
          `node:sqlite is not available in this runtime: ${reason(err)}`,
          {
            cause: err,
            hint: "use Deno, Bun or Node >= 22.5, or let assay pick the WebAssembly SQLite",
          },
        );
      }
    }
  }
  try {
    if (nodeSqlite) {
      return openNodeSqlite(nodeSqlite, file);
    }
    const { openWasmSqlite } = await import("./_wasm_sqlite.ts");
    return await openWasmSqlite(file);
  } catch (err) {
    throw toDbError(err, `cannot open the SQLite database ${JSON.stringify(label)}`, label);
  }
}

function configure(db: SqlBackend, memory: boolean, sqliteBusyMs: number): void {
  if (!memory && db.name === "node:sqlite") {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(sqliteBusyMs))}`);
    // WAL lets readers and one writer work at once; NORMAL sync is durable in WAL.
    db.all("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
  }
  db.exec("PRAGMA foreign_keys = ON");
}

function migrate(db: SqlBackend, label: string): void {
  db.transaction(() => {
    db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
    const current = Number(
      db.all("SELECT coalesce(max(version), 0) AS v FROM schema_version")[0].v,
    );
    if (current > SCHEMA_VERSION) {
      throw new AssayError(
        "E_DB",
        `the database ${
          JSON.stringify(label)
        } has schema version ${current}, newer than this assay supports (${SCHEMA_VERSION})`,
        { hint: "upgrade assay, or pass another --db path" },
      );
    }
    // Checked inside the write transaction, so two processes opening a new file never both migrate.
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.run("INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)", [
        migration.version,
        migration.description,
        new Date().toISOString(),
      ]);
    }
  });
}

class SqliteGateStore implements GateStore {
  readonly backend: StoreBackend;
  readonly path: string;
  #db: SqlBackend | undefined;
  #retry: RetryPolicy;

  constructor(db: SqlBackend, path: string, retry: RetryPolicy) {
    this.#db = db;
    this.backend = db.name;
    this.path = path;
    this.#retry = retry;
  }

  #open(action: string): SqlBackend {
    if (!this.#db) {
      throw new AssayError(
        "E_DB",
        `cannot ${action}: the store ${JSON.stringify(this.path)} is closed`,
        {
          hint: "open a new store with openStore()",
        },
      );
    }
    return this.#db;
  }

  async saveRun(run: GateRun, episodes: readonly Episode[]): Promise<void> {
    const action = `save run ${JSON.stringify(run.runId)}`;
    const db = this.#open(action);
    const savedAt = new Date().toISOString();
    try {
      await withRetry(
        this.#retry,
        () => db.transaction(() => insertRun(db, run, episodes, savedAt)),
      );
    } catch (err) {
      throw toDbError(err, `cannot ${action} to ${JSON.stringify(this.path)}`, this.path);
    }
  }

  async history(testId: string, limit = 20): Promise<TestHistoryEntry[]> {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`history: limit must be a positive integer, got ${limit}`);
    }
    const action = `read the history of test ${JSON.stringify(testId)}`;
    const db = this.#open(action);
    try {
      const rows = await withRetry(this.#retry, () =>
        db.all(
          `SELECT r.run_id, r.suite, r.started_at, r.saved_at, r.config_hash, r.trace_file, x.result_json
           FROM results x JOIN runs r ON r.id = x.run_pk
           WHERE x.test_id = ?
           ORDER BY r.started_at DESC, r.id DESC, x.position ASC
           LIMIT ?`,
          [testId, limit],
        ));
      return rows.map((row) => ({
        runId: String(row.run_id),
        suite: String(row.suite),
        startedAt: String(row.started_at),
        savedAt: String(row.saved_at),
        configHash: String(row.config_hash),
        traceFile: String(row.trace_file),
        result: resultFromJson(JSON.parse(String(row.result_json))),
      }));
    } catch (err) {
      throw toDbError(err, `cannot ${action} from ${JSON.stringify(this.path)}`, this.path);
    }
  }

  close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    if (db) {
      try {
        db.close();
      } catch (err) {
        return Promise.reject(
          toDbError(err, `cannot close the database ${JSON.stringify(this.path)}`, this.path),
        );
      }
    }
    return Promise.resolve();
  }
}

/** A table the run's rows go to. */
interface Table {
  name: string;
  columns: readonly string[];
}

// Rows per INSERT statement. One statement per row pays the driver's fixed
// cost per statement (reset, step, rowid) 30,000 times for a 10,000-test run;
// batching saves 10-25 % of a save, the same from 25 to 100 rows. 50 rows of
// the widest table (15 columns) stay under 999 parameters, the limit of
// SQLite builds older than 3.32.
const ROWS_PER_INSERT = 50;

const EPISODES: Table = {
  name: "episodes",
  columns: [
    "id",
    "run_pk",
    "episode_id",
    "test_id",
    "file",
    "line",
    "end_line",
    "format",
    "prompt",
    "output",
    "outcome",
    "start_time",
    "end_time",
    "meta_json",
    "end_meta_json",
  ],
};
const STEPS: Table = {
  name: "steps",
  columns: [
    "episode_pk",
    "step_id",
    "occurrence",
    "idx",
    "kind",
    "name",
    "content",
    "meta_json",
    "timestamp",
    "line",
  ],
};
const TOOL_CALLS: Table = {
  name: "tool_calls",
  columns: [
    "episode_pk",
    "step_id",
    "call_index",
    "occurrence",
    "position",
    "tool_call_id",
    "tool_name",
    "args_json",
    "result_json",
    "error",
    "error_type",
    "meta_json",
    "line",
  ],
};
const RESULTS: Table = {
  name: "results",
  columns: [
    "run_pk",
    "episode_pk",
    "position",
    "test_id",
    "status",
    "duration_ms",
    "error_code",
    "message",
    "result_json",
  ],
};

// Only anonymous `?` parameters: node:sqlite in some Node releases binds
// positional arguments to unnamed parameters only, skipping `?NNN`.
const insertSql = (table: Table, rows: number): string => {
  const row = `(${table.columns.map(() => "?").join(", ")})`;
  return `INSERT INTO ${table.name} (${table.columns.join(", ")}) VALUES ${
    Array.from({ length: rows }, () => row).join(", ")
  }`;
};

/**
 * The stored episodes of a run that share one id. Ids are nearly always
 * unique, so places (file and line) are only indexed once an id repeats.
 */
interface SameId {
  first: { index: number; file: string; line: number };
  /** The index of the last one stored. */
  last: number;
  /** Index by `file\0line`, once a second episode has this id. */
  byPlace?: Map<string, number>;
}

const place = (file: string, line: number): string => `${file}\u0000${line}`;

/** The index of the stored episode with this id, file and line, if any. */
function indexAt(same: SameId, file: string, line: number): number | undefined {
  if (same.byPlace) return same.byPlace.get(place(file, line));
  return same.first.line === line && same.first.file === file ? same.first.index : undefined;
}

/**
 * The index of the stored episode a result used: the one with its id, file
 * and line, else the last stored with its id, else null.
 */
function episodeIndex(
  byId: Map<string, SameId>,
  ref: { episodeId: string; file: string; line: number } | undefined,
): number | null {
  const same = ref && byId.get(ref.episodeId);
  if (!same) return null;
  return indexAt(same, ref.file, ref.line) ?? same.last;
}

/** The INSERT statement of `rows` rows into `table`, built on first use. */
function insertStatement(table: Table, rows: number): string {
  let byRows = INSERTS.get(table);
  if (!byRows) INSERTS.set(table, byRows = []);
  return byRows[rows] ??= insertSql(table, rows);
}
const INSERTS = new Map<Table, string[]>();

/**
 * The rows of one table on their way into the database: written into a
 * buffer of {@linkcode ROWS_PER_INSERT} rows, inserted by one statement
 * whenever it is full. Rows are serialised as they are inserted, so what is
 * built for them dies young instead of living until the whole run is
 * serialised (which cost Node 20 copying GCs of every result's JSON).
 * A child table's rows are inserted after the parent's rows they name, so
 * every foreign key holds when its row goes in.
 */
class Inserter {
  readonly params: SqlValue[];
  readonly #db: SqlBackend;
  readonly #table: Table;
  readonly #width: number;
  readonly #parent: Inserter | undefined;
  #at = 0;

  constructor(db: SqlBackend, table: Table, parent?: Inserter) {
    this.#db = db;
    this.#table = table;
    this.#width = table.columns.length;
    this.#parent = parent;
    this.params = new Array(this.#width * ROWS_PER_INSERT);
  }

  /** The offset in {@linkcode params} where the next row's values go. */
  row(): number {
    if (this.#at === this.params.length) this.flush();
    const at = this.#at;
    this.#at += this.#width;
    return at;
  }

  /** Insert the rows in the buffer (after the parent's). */
  flush(): void {
    if (this.#at === 0) return;
    this.#parent?.flush();
    const full = this.#at === this.params.length;
    this.#db.run(
      insertStatement(this.#table, this.#at / this.#width),
      full ? this.params : this.params.slice(0, this.#at),
    );
    this.#at = 0;
  }
}

/**
 * Insert a run, its episodes (each once), their steps and tool calls, and its
 * results, inside the caller's transaction.
 */
function insertRun(
  db: SqlBackend,
  run: GateRun,
  episodes: readonly Episode[],
  savedAt: string,
): void {
  const runPk = db.run(
    `INSERT INTO runs (run_id, suite, config_path, config_hash, trace_file, strict, started_at, duration_ms,
       verdict, total, passed, failed, errored, warnings_json, saved_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      run.runId,
      run.suite,
      run.configPath,
      run.configHash,
      run.traceFile,
      run.strict ? 1 : 0,
      run.startedAt,
      run.durationMs,
      run.verdict,
      run.counts.total,
      run.counts.passed,
      run.counts.failed,
      run.counts.errored,
      JSON.stringify(run.warnings),
      savedAt,
    ],
  ).lastInsertRowid;
  // Episode keys are given here, not left to SQLite, so that many rows go in one
  // statement and steps, tool calls and results can name theirs: counted from
  // above every key the table has used (AUTOINCREMENT never reuses one), while
  // the write lock keeps every other writer out.
  const firstPk = episodes.length === 0 ? 0 : Number(
    db.all(
      `SELECT max(coalesce((SELECT max(id) FROM episodes), 0),
         coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'episodes'), 0)) + 1 AS pk`,
    )[0].pk,
  );
  const epRows = new Inserter(db, EPISODES);
  const stepRows = new Inserter(db, STEPS, epRows);
  const callRows = new Inserter(db, TOOL_CALLS, epRows);
  const e = epRows.params;
  const s = stepRows.params;
  const c = callRows.params;
  let index = 0;
  const byId = new Map<string, SameId>();
  // Arguments and results are canonical JSON so equal calls compare equal in SQL
  // across runs; metadata is only read back, so plain JSON (faster) is enough.
  for (const ep of episodes) {
    // The same episode can back several tests: store it once per run.
    const same = byId.get(ep.episodeId);
    if (!same) {
      byId.set(ep.episodeId, { first: { index, file: ep.file, line: ep.line }, last: index });
    } else {
      if (indexAt(same, ep.file, ep.line) !== undefined) continue;
      same.byPlace ??= new Map([[place(same.first.file, same.first.line), same.first.index]]);
      same.byPlace.set(place(ep.file, ep.line), index);
      same.last = index;
    }
    const pk = firstPk + index;
    let o = epRows.row();
    e[o++] = pk;
    e[o++] = runPk;
    e[o++] = ep.episodeId;
    e[o++] = ep.testId;
    e[o++] = ep.file;
    e[o++] = ep.line;
    e[o++] = ep.endLine;
    e[o++] = ep.format;
    e[o++] = ep.prompt;
    e[o++] = ep.output;
    e[o++] = ep.outcome;
    e[o++] = ep.startTime;
    e[o++] = ep.endTime;
    e[o++] = JSON.stringify(ep.meta);
    e[o++] = JSON.stringify(ep.endMeta);
    // A trace may repeat a step id or call index: count occurrences only then.
    const stepSeen = ep.steps.length > 1 ? new Map<string, number>() : undefined;
    for (const step of ep.steps) {
      const occurrence = stepSeen?.get(step.stepId) ?? 0;
      stepSeen?.set(step.stepId, occurrence + 1);
      o = stepRows.row();
      s[o++] = pk;
      s[o++] = step.stepId;
      s[o++] = occurrence;
      s[o++] = step.idx;
      s[o++] = step.kind;
      s[o++] = step.name;
      s[o++] = step.content;
      s[o++] = JSON.stringify(step.meta);
      s[o++] = step.timestamp;
      s[o++] = step.line;
    }
    const callSeen = ep.toolCalls.length > 1 ? new Map<string, number>() : undefined;
    for (let position = 0; position < ep.toolCalls.length; position++) {
      const call = ep.toolCalls[position];
      const callKey = callSeen && `${call.stepId}\u0000${call.callIndex}`;
      const occurrence = callKey ? callSeen.get(callKey) ?? 0 : 0;
      if (callKey) callSeen.set(callKey, occurrence + 1);
      o = callRows.row();
      c[o++] = pk;
      c[o++] = call.stepId;
      c[o++] = call.callIndex;
      c[o++] = occurrence;
      c[o++] = position;
      c[o++] = call.toolCallId;
      c[o++] = call.toolName;
      c[o++] = canonicalJson(call.args ?? null);
      c[o++] = call.result === null || call.result === undefined
        ? null
        : canonicalJson(call.result);
      c[o++] = call.error;
      c[o++] = call.errorType;
      c[o++] = JSON.stringify(call.meta);
      c[o++] = call.line;
    }
    index++;
  }
  stepRows.flush();
  callRows.flush();
  epRows.flush();
  const resultRows = new Inserter(db, RESULTS);
  const r = resultRows.params;
  for (let position = 0; position < run.results.length; position++) {
    const result = run.results[position];
    const i = episodeIndex(byId, result.episode);
    let o = resultRows.row();
    r[o++] = runPk;
    r[o++] = i === null ? null : firstPk + i;
    r[o++] = position;
    r[o++] = result.testId;
    r[o++] = result.status;
    r[o++] = result.durationMs;
    r[o++] = result.errorCode ?? null;
    r[o++] = result.message ?? null;
    r[o++] = resultJsonText(result);
  }
  resultRows.flush();
}

/** Whether a driver error means another connection holds the lock. */
function isBusy(err: unknown): boolean {
  const e = err as { errcode?: unknown; message?: unknown } | null;
  if (typeof e?.errcode === "number") {
    const primary = e.errcode & 0xff;
    if (primary === 5 || primary === 6) return true;
  }
  return /database (?:table )?is locked|database is busy|SQLITE_BUSY/i.test(
    String(e?.message ?? ""),
  );
}

/** How long to retry on SQLITE_BUSY, and what to do before each retry. */
interface RetryPolicy {
  timeoutMs: number;
  /** The WebAssembly driver's file databases: clear a lock folder a crash left behind. */
  whenBusy?: () => void;
}

// The WebAssembly driver holds its lock folder only while a statement or
// transaction runs (well under a second); one this old was left by a crash.
const STALE_LOCK_MS = 60_000;

function removeStaleLock(fs: NodeFs, lockDir: string): void {
  try {
    if (Date.now() - fs.statSync(lockDir).mtimeMs > STALE_LOCK_MS) fs.rmdirSync(lockDir);
  } catch {
    // Gone already, or not ours to remove: the retry loop reports the lock if it stays.
  }
}

/**
 * Run `fn`, retrying with jittered exponential backoff while the database is
 * busy, for up to `policy.timeoutMs`. SQLite's own busy handler waits inside
 * a statement; this loop covers what it cannot: the WebAssembly driver has
 * no busy handler, and a busy COMMIT or BEGIN must be retried as a whole.
 */
async function withRetry<T>(policy: RetryPolicy, fn: () => T): Promise<T> {
  const deadline = Date.now() + policy.timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!isBusy(err)) throw err;
      policy.whenBusy?.();
      if (Date.now() >= deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * delay));
    delay = Math.min(delay * 2, 200);
  }
}

function reason(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === "string" ? e.message : String(err);
  // Only the first line: driver messages never need their stack in front of a user.
  return message.split("\n")[0];
}

function toDbError(err: unknown, what: string, path: string): AssayError {
  if (err instanceof AssayError && err.code === "E_DB") return err;
  const why = reason(err);
  let hint: string;
  if (isBusy(err)) {
    hint =
      `another process kept ${
        JSON.stringify(path)
      } locked for too long: retry, or pass another --db path` +
      ` (on Node 20 a crashed run can leave a lock folder ${
        JSON.stringify(`${path}.lock`)
      }; assay removes it once it is a minute old, or delete it yourself if no assay runs)`;
  } else if (/not a database|malformed|file is encrypted/i.test(why)) {
    hint = `${
      JSON.stringify(path)
    } is not an Assay database or is damaged: pass another --db path, or delete it (it only holds run history)`;
  } else if (/unable to open|could not open|readonly|read-only|permission|access/i.test(why)) {
    hint =
      "check that the database folder exists and is writable, or pass --db :memory: to keep no history";
  } else if (/disk is full|disk I\/O/i.test(why)) {
    hint = "free disk space or pass another --db path (or --db :memory:)";
  } else {
    hint = "pass --db :memory: to run without history, or another --db path";
  }
  return new AssayError("E_DB", `${what}: ${why}`, { cause: err, hint });
}
