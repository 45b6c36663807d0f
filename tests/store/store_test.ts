import assert from "node:assert/strict";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { AssayError } from "../../src/errors.ts";
import { openStore, SCHEMA_VERSION } from "../../src/store/store.ts";
import { ROOT, runProcess, RUNTIME, tempDir } from "../_helpers.ts";
import { makeEpisode, makeEpisodes, makeRun } from "./_data.ts";
import { availableBackends, openRaw, withRaw } from "./_raw.ts";

const backends = await availableBackends();
let dir: { path: string; cleanup: () => Promise<void> };
let n = 0;
const freshPath = (): string => join(dir.path, `db${n++}`, "assay.db");

before(async () => {
  dir = await tempDir("assay-store-");
});
after(async () => {
  await dir.cleanup();
});

function assertDbError(err: unknown, pattern: RegExp): true {
  assert.ok(err instanceof AssayError, `expected AssayError, got ${err}`);
  assert.equal(err.code, "E_DB");
  assert.match(err.message, pattern);
  assert.ok(!/\n\s+at /.test(err.message), `message carries a stack trace: ${err.message}`);
  assert.ok(err.hint && err.hint.length > 10, "E_DB error without a hint");
  return true;
}

test("the default driver is node:sqlite where the runtime has it, else wasm", async () => {
  const store = await openStore(":memory:");
  assert.equal(store.backend, backends[0]);
  await store.close();
});

for (const backend of backends) {
  describe(`store on ${backend}`, () => {
    test("an in-memory store saves a run and returns each test's result", async () => {
      const store = await openStore(":memory:", { backend });
      assert.equal(store.backend, backend);
      await store.saveRun(makeRun("run-1", 5), makeEpisodes(5));
      const history = await store.history("t4");
      assert.equal(history.length, 1);
      assert.equal(history[0].runId, "run-1");
      assert.equal(history[0].result.status, "fail");
      assert.deepEqual(history[0].result, makeRun("run-1", 5).results[4]);
      assert.deepEqual(await store.history("no-such-test"), []);
      await store.close();
    });

    test("a file store creates its parent folders and starts at the current schema version", async () => {
      const path = freshPath();
      const store = await openStore(path, { backend });
      await store.close();
      await withRaw(path, backend, (db) => {
        const versions = db.all("SELECT version, description FROM schema_version ORDER BY version");
        assert.deepEqual(versions.map((v) => Number(v.version)), [SCHEMA_VERSION]);
        const tables = db.all("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
          .map((r) => r.name);
        for (const t of ["episodes", "results", "runs", "schema_version", "steps", "tool_calls"]) {
          assert.ok(tables.includes(t), `missing table ${t}`);
        }
        const mode = String(db.all("PRAGMA journal_mode")[0].journal_mode);
        // WAL needs shared memory, which the WebAssembly file layer does not have.
        assert.equal(mode, backend === "node:sqlite" ? "wal" : "delete");
      });
    });

    test("an empty file is migrated to the current schema, and reopening applies nothing twice", async () => {
      const path = freshPath();
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, "");
      for (let i = 0; i < 2; i++) {
        const store = await openStore(path, { backend });
        await store.saveRun(makeRun(`run-${i}`, 2), makeEpisodes(2));
        await store.close();
      }
      await withRaw(path, backend, (db) => {
        assert.equal(db.all("SELECT count(*) AS n FROM schema_version")[0].n, 1);
        assert.equal(db.all("SELECT count(*) AS n FROM runs")[0].n, 2);
      });
    });

    test("a database with a newer schema version is refused with E_DB", async () => {
      const path = freshPath();
      await (await openStore(path, { backend })).close();
      await withRaw(path, backend, (db) => {
        db.run("INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)", [
          SCHEMA_VERSION + 1,
          "from the future",
          "2030-01-01T00:00:00Z",
        ]);
      });
      await assert.rejects(
        openStore(path, { backend }),
        (err) => assertDbError(err, new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer`)),
      );
    });

    test("a path below a regular file is E_DB with a message and hint, not a stack trace", async () => {
      const blocker = join(dir.path, `blocker-${backend.replace(":", "")}`);
      writeFileSync(blocker, "not a folder");
      await assert.rejects(
        openStore(join(blocker, "sub", "assay.db"), { backend }),
        (err) =>
          assertDbError(err, /cannot create the folder .*blocker.*: .*(ENOTDIR|not a directory)/i),
      );
    });

    test("a path in a root the process cannot write is E_DB", {
      skip: process.platform !== "linux",
    }, async () => {
      // /proc refuses new entries even to root, unlike permission bits.
      await assert.rejects(
        openStore("/proc/assay-test/assay.db", { backend }),
        (err) => assertDbError(err, /\/proc\/assay-test/),
      );
    });

    test("a file that is not a SQLite database is E_DB with a hint to pick another path", async () => {
      const path = join(dir.path, `notes-${backend.replace(":", "")}.db`);
      writeFileSync(path, "these are my notes, not a database\n".repeat(200));
      await assert.rejects(openStore(path, { backend }), (err) => {
        assertDbError(err, /not a database/);
        assert.match((err as AssayError).hint!, /another --db path/);
        return true;
      });
    });

    test("saving the same run twice keeps both entries and never hits a constraint", async () => {
      const path = freshPath();
      const store = await openStore(path, { backend });
      const run = makeRun("same-run", 3, { startedAt: "2026-01-01T00:00:00.000Z" });
      await store.saveRun(run, makeEpisodes(3));
      await store.saveRun(run, makeEpisodes(3));
      const history = await store.history("t1");
      assert.equal(history.length, 2);
      assert.deepEqual(history.map((h) => h.runId), ["same-run", "same-run"]);
      await store.close();
      await withRaw(path, backend, (db) => {
        assert.equal(db.all("SELECT count(*) AS n FROM episodes")[0].n, 6);
        assert.equal(db.all("SELECT count(*) AS n FROM steps")[0].n, 12);
        assert.equal(db.all("SELECT count(*) AS n FROM tool_calls")[0].n, 12);
      });
    });

    test("steps and tool calls are keyed per episode so equal ids in other files, episodes and runs never collide", async () => {
      const path = freshPath();
      const store = await openStore(path, { backend });
      const a = makeEpisode("ep", { file: "a.jsonl", line: 1 });
      const b = makeEpisode("ep", { file: "b.jsonl", line: 1 });
      // The reader keeps a step id or call index that a trace repeats: both must be stored.
      const repeated = makeEpisode("ep", { file: "a.jsonl", line: 50 });
      repeated.steps.push({ ...repeated.steps[0] });
      repeated.toolCalls.push({ ...repeated.toolCalls[0], toolCallId: "other" });
      const run = makeRun("r", 1);
      await store.saveRun(run, [a, b, repeated, a]);
      await store.saveRun(run, [a, b, repeated]);
      await store.close();
      await withRaw(path, backend, (db) => {
        assert.equal(db.all("SELECT count(*) AS n FROM episodes")[0].n, 6);
        assert.equal(db.all("SELECT count(*) AS n FROM steps")[0].n, 2 * (2 + 2 + 3));
        const calls = db.all(
          `SELECT e.file, e.line, c.step_id, c.call_index, c.occurrence, c.tool_name, c.args_json
           FROM tool_calls c JOIN episodes e ON e.id = c.episode_pk
           WHERE e.run_pk = (SELECT min(id) FROM runs) ORDER BY e.file, e.line, c.position`,
        );
        assert.equal(calls.length, 7);
        assert.deepEqual(calls.filter((c) => c.line === 50).map((c) => c.occurrence), [0, 0, 1]);
        assert.deepEqual({ ...calls[0] }, {
          file: "a.jsonl",
          line: 1,
          step_id: "step_0",
          call_index: 0,
          occurrence: 0,
          tool_name: "GetWeather",
          args_json: '{"city":"Tokyo","day":0}',
        });
      });
    });

    test("a result is linked to the episode it used", async () => {
      const path = freshPath();
      const store = await openStore(path, { backend });
      await store.saveRun(makeRun("r", 3), makeEpisodes(3));
      await store.close();
      await withRaw(path, backend, (db) => {
        const rows = db.all(
          `SELECT x.test_id, e.episode_id, e.line FROM results x JOIN episodes e ON e.id = x.episode_pk
           ORDER BY x.position`,
        );
        assert.deepEqual(rows.map((r) => [r.test_id, r.episode_id, r.line]), [
          ["t0", "t0", 1],
          ["t1", "t1", 11],
          ["t2", "t2", 21],
        ]);
      });
    });

    test("a run of several INSERT batches keeps every row and links each one to its run and episode", async () => {
      // 111 tests: two full batches of 50 rows and 11 rows inserted one by one, per table.
      const path = freshPath();
      const store = await openStore(path, { backend });
      for (const id of ["first", "second"]) {
        await store.saveRun(makeRun(id, 111), makeEpisodes(111));
      }
      assert.deepEqual((await store.history("t109")).map((h) => h.result), [
        makeRun("x", 111).results[109],
        makeRun("x", 111).results[109],
      ]);
      await store.close();
      await withRaw(path, backend, (db) => {
        const count = (sql: string) => Number(db.all(sql)[0].n);
        assert.equal(count("SELECT count(*) AS n FROM results"), 222);
        assert.equal(count("SELECT count(*) AS n FROM episodes"), 222);
        assert.equal(count("SELECT count(*) AS n FROM steps"), 444);
        assert.equal(count("SELECT count(*) AS n FROM tool_calls"), 444);
        // Each result's episode is the one of its own test, saved with its own run.
        assert.equal(
          count(
            `SELECT count(*) AS n FROM results x JOIN episodes e ON e.id = x.episode_pk
             WHERE e.episode_id = x.test_id AND e.run_pk = x.run_pk AND e.line = 1 + x.position * 10`,
          ),
          222,
        );
        // Each step and tool call belongs to the episode it was read from.
        for (const table of ["steps", "tool_calls"]) {
          assert.equal(
            count(
              `SELECT count(*) AS n FROM ${table} c JOIN episodes e ON e.id = c.episode_pk
               WHERE e.line + 1 + 2 * cast(substr(c.step_id, 6) AS INTEGER) <= c.line
                 AND c.line <= e.end_line`,
            ),
            444,
          );
        }
        assert.deepEqual(db.all("PRAGMA foreign_key_check"), []);
      });
    });

    test("episode keys are never reused, even after the newest episodes were deleted", async () => {
      const path = freshPath();
      let store = await openStore(path, { backend });
      await store.saveRun(makeRun("old", 3), makeEpisodes(3));
      await store.close();
      const oldMax = await withRaw(path, backend, (db) => {
        const max = Number(db.all("SELECT max(id) AS n FROM episodes")[0].n);
        for (const table of ["steps", "tool_calls", "results", "episodes", "runs"]) {
          db.exec(`DELETE FROM ${table}`);
        }
        return max;
      });
      store = await openStore(path, { backend });
      await store.saveRun(makeRun("new", 2), makeEpisodes(2));
      await store.close();
      await withRaw(path, backend, (db) => {
        const ids = db.all("SELECT id FROM episodes ORDER BY id").map((r) => Number(r.id));
        assert.deepEqual(ids, [oldMax + 1, oldMax + 2]);
        const linked = db.all(
          `SELECT x.test_id, e.episode_id FROM results x JOIN episodes e ON e.id = x.episode_pk
           ORDER BY x.position`,
        );
        assert.deepEqual(linked.map((r) => [r.test_id, r.episode_id]), [["t0", "t0"], [
          "t1",
          "t1",
        ]]);
      });
    });

    test("a result is linked by episode id when its file differs, and to nothing when its episode was not saved", async () => {
      const path = freshPath();
      const store = await openStore(path, { backend });
      const elsewhere = makeEpisode("t0", { file: "other.jsonl", line: 1 });
      const exact = makeEpisodes(2)[1];
      await store.saveRun(makeRun("r", 3), [elsewhere, exact]);
      await store.close();
      await withRaw(path, backend, (db) => {
        const rows = db.all(
          `SELECT x.test_id, e.file, e.line FROM results x LEFT JOIN episodes e ON e.id = x.episode_pk
           ORDER BY x.position`,
        );
        assert.deepEqual(rows.map((r) => [r.test_id, r.file, r.line]), [
          ["t0", "other.jsonl", 1],
          ["t1", "traces/t.jsonl", 11],
          ["t2", null, null],
        ]);
      });
    });

    test("many runs in a row keep their history, newest first and cut at the limit", async () => {
      const store = await openStore(freshPath(), { backend });
      for (let i = 0; i < 25; i++) {
        const startedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
        await store.saveRun(
          makeRun(`run-${String(i).padStart(2, "0")}`, 3, { startedAt }),
          makeEpisodes(3),
        );
      }
      const all = await store.history("t0", 100);
      assert.equal(all.length, 25);
      assert.equal(all[0].runId, "run-24");
      assert.equal(all[24].runId, "run-00");
      assert.deepEqual((await store.history("t0", 3)).map((h) => h.runId), [
        "run-24",
        "run-23",
        "run-22",
      ]);
      assert.equal((await store.history("t0")).length, 20);
      await assert.rejects(store.history("t0", 0), RangeError);
      await store.close();
    });

    test("a run that fails half-way is rolled back whole", async () => {
      const path = freshPath();
      const store = await openStore(path, { backend });
      const bad = makeRun("bad", 3);
      (bad.results[2] as { status: string }).status = "maybe";
      await assert.rejects(
        store.saveRun(bad, makeEpisodes(3)),
        (err) => assertDbError(err, /cannot save run "bad".*CHECK constraint/),
      );
      await store.saveRun(makeRun("good", 3), makeEpisodes(3));
      await store.close();
      await withRaw(path, backend, (db) => {
        assert.deepEqual(db.all("SELECT run_id FROM runs").map((r) => r.run_id), ["good"]);
        assert.equal(db.all("SELECT count(*) AS n FROM episodes")[0].n, 3);
        assert.equal(db.all("SELECT count(*) AS n FROM results")[0].n, 3);
      });
    });

    test("a transaction whose COMMIT fails is rolled back, leaving the connection usable", async () => {
      const db = await openRaw(":memory:", backend);
      try {
        db.exec("PRAGMA foreign_keys = ON");
        db.exec(
          "CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent (id))",
        );
        assert.throws(
          () =>
            db.transaction(() => {
              // A foreign key checked at COMMIT makes the COMMIT fail.
              db.exec("PRAGMA defer_foreign_keys = ON");
              db.run("INSERT INTO child (p) VALUES (?)", [42]);
            }),
          /FOREIGN KEY constraint failed/,
        );
        assert.equal(db.all("SELECT count(*) AS n FROM child")[0].n, 0);
        db.transaction(() => db.run("INSERT INTO parent (id) VALUES (?)", [42]));
        assert.equal(db.all("SELECT count(*) AS n FROM parent")[0].n, 1);
      } finally {
        db.close();
      }
    });

    test("a closed store refuses work with E_DB and closing twice is harmless", async () => {
      const store = await openStore(":memory:", { backend });
      await store.close();
      await store.close();
      await assert.rejects(
        store.saveRun(makeRun("r", 1), []),
        (err) => assertDbError(err, /store ":memory:" is closed/),
      );
    });

    test(
      "two writer processes on one file, then ten in a row, leave an intact file with every run",
      { timeout: 120_000 },
      async () => {
        const path = freshPath();
        const writer = join(ROOT, "tests", "store", "_writer.ts");
        const pre = RUNTIME === "deno"
          ? ["run", "-A"]
          : RUNTIME === "bun"
          ? ["run"]
          : ["--import", "tsx"];
        const spawnWriter = (prefix: string, count: number) =>
          runProcess(process.execPath, [
            ...pre,
            writer,
            path,
            backend,
            prefix,
            String(count),
            "40",
          ]);
        const concurrent = await Promise.all([spawnWriter("a", 5), spawnWriter("b", 5)]);
        for (const res of concurrent) assert.equal(res.code, 0, res.stderr);
        for (let i = 0; i < 10; i++) {
          const res = await spawnWriter(`seq${i}`, 1);
          assert.equal(res.code, 0, res.stderr);
          assert.match(res.stdout, new RegExp(`saved 1 runs with ${backend}`));
        }
        await withRaw(path, backend, (db) => {
          assert.deepEqual(db.all("PRAGMA integrity_check").map((r) => ({ ...r })), [{
            integrity_check: "ok",
          }]);
          assert.deepEqual(db.all("PRAGMA foreign_key_check"), []);
          const ids = db.all("SELECT run_id FROM runs ORDER BY run_id").map((r) =>
            String(r.run_id)
          );
          const expected = [
            ...["a", "b"].flatMap((p) => [0, 1, 2, 3, 4].map((i) => `${p}-${i}`)),
            ...Array.from({ length: 10 }, (_, i) => `seq${i}-0`),
          ].sort();
          assert.deepEqual(ids, expected);
          assert.equal(db.all("SELECT count(*) AS n FROM results")[0].n, 20 * 40);
          assert.equal(db.all("SELECT count(*) AS n FROM tool_calls")[0].n, 20 * 40 * 2);
        });
      },
    );
  });
}

test("a lock folder left by a crashed WebAssembly writer is removed once it is stale", async () => {
  const path = freshPath();
  await (await openStore(path, { backend: "wasm" })).close();
  mkdirSync(`${path}.lock`);
  const old = new Date(Date.now() - 5 * 60_000);
  utimesSync(`${path}.lock`, old, old);
  const store = await openStore(path, { backend: "wasm", busyTimeoutMs: 10_000 });
  await store.saveRun(makeRun("after-crash", 1), makeEpisodes(1));
  await store.close();
  assert.equal(existsSync(`${path}.lock`), false);
});

test("a database another writer keeps locked past the busy timeout is E_DB saying so", async () => {
  for (const backend of backends) {
    const path = freshPath();
    await (await openStore(path, { backend })).close();
    const holder = await openRaw(path, backend);
    const store = await openStore(path, { backend, busyTimeoutMs: 300 });
    holder.exec("BEGIN EXCLUSIVE");
    try {
      await assert.rejects(store.saveRun(makeRun("blocked", 1), makeEpisodes(1)), (err) => {
        assertDbError(err, /cannot save run "blocked".*database is locked/);
        assert.match((err as AssayError).hint!, /locked for too long/);
        return true;
      });
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    await store.saveRun(makeRun("unblocked", 1), makeEpisodes(1));
    assert.equal((await store.history("t0")).length, 1);
    await store.close();
  }
});

test(
  "a file last written by node:sqlite in WAL mode opens with the wasm driver and keeps its history",
  { skip: !backends.includes("node:sqlite") && "node:sqlite is not available here" },
  async () => {
    const path = freshPath();
    const first = await openStore(path, { backend: "node:sqlite" });
    await first.saveRun(makeRun("from-node-sqlite", 2), makeEpisodes(2));
    await first.close();
    const second = await openStore(path, { backend: "wasm" });
    await second.saveRun(makeRun("from-wasm", 2), makeEpisodes(2));
    assert.deepEqual((await second.history("t0")).map((h) => h.runId).sort(), [
      "from-node-sqlite",
      "from-wasm",
    ]);
    await second.close();
    const third = await openStore(path, { backend: "node:sqlite" });
    assert.equal((await third.history("t1")).length, 2);
    await third.close();
  },
);
