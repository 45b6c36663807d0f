/**
 * The store's schema as an ordered list of migrations. A released migration
 * is never edited: a change is a new entry with the next version, so a
 * database written by any earlier release upgrades in place on open.
 *
 * Keys are scoped from the run down: a run has an integer key (the same
 * `runId` saved twice makes two rows, so re-running never hits a
 * constraint), episodes belong to a run, steps are keyed
 * `(episode, step_id, occurrence)` and tool calls
 * `(episode, step_id, call_index, occurrence)`; `occurrence` is 0 unless a
 * trace repeats a step id or call index, which the reader allows.
 *
 * @module
 */

/** One schema change. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Every migration, oldest first. The last version is the schema this release writes. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "runs, results, episodes, steps, tool_calls",
    sql: `
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  suite TEXT NOT NULL,
  config_path TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  trace_file TEXT NOT NULL,
  strict INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  verdict TEXT NOT NULL,
  total INTEGER NOT NULL,
  passed INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  errored INTEGER NOT NULL,
  warnings_json TEXT NOT NULL,
  saved_at TEXT NOT NULL
);
CREATE INDEX runs_run_id ON runs (run_id);
CREATE INDEX runs_started_at ON runs (started_at);

CREATE TABLE episodes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_pk INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  episode_id TEXT NOT NULL,
  test_id TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  format TEXT NOT NULL,
  prompt TEXT NOT NULL,
  output TEXT NOT NULL,
  outcome TEXT,
  start_time REAL,
  end_time REAL,
  meta_json TEXT NOT NULL,
  end_meta_json TEXT NOT NULL,
  UNIQUE (run_pk, file, line, episode_id)
);
CREATE INDEX episodes_episode_id ON episodes (episode_id);

CREATE TABLE steps (
  episode_pk INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
  step_id TEXT NOT NULL,
  occurrence INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  content TEXT NOT NULL,
  meta_json TEXT NOT NULL,
  timestamp REAL,
  line INTEGER NOT NULL,
  PRIMARY KEY (episode_pk, step_id, occurrence)
) WITHOUT ROWID;

CREATE TABLE tool_calls (
  episode_pk INTEGER NOT NULL REFERENCES episodes (id) ON DELETE CASCADE,
  step_id TEXT NOT NULL,
  call_index INTEGER NOT NULL,
  occurrence INTEGER NOT NULL,
  position INTEGER NOT NULL,
  tool_call_id TEXT,
  tool_name TEXT NOT NULL,
  args_json TEXT NOT NULL,
  result_json TEXT,
  error TEXT,
  error_type TEXT,
  meta_json TEXT NOT NULL,
  line INTEGER NOT NULL,
  PRIMARY KEY (episode_pk, step_id, call_index, occurrence)
) WITHOUT ROWID;
CREATE INDEX tool_calls_name ON tool_calls (tool_name);

CREATE TABLE results (
  run_pk INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  test_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
  duration_ms REAL NOT NULL,
  error_code TEXT,
  message TEXT,
  episode_pk INTEGER REFERENCES episodes (id) ON DELETE SET NULL,
  result_json TEXT NOT NULL,
  PRIMARY KEY (run_pk, position)
);
CREATE INDEX results_test_id ON results (test_id, run_pk);
`,
  },
];

/** The schema version this release writes. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1].version;
