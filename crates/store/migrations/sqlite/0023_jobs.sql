-- Background jobs: a queue in the database, so that several app instances share it and a
-- job runs once whoever is up. A periodic job is enqueued under a key naming its time slot
-- (kind and slot, unique), so two schedulers enqueue it once; a worker claims a job by
-- moving it from queued to running with a lease in one UPDATE that re-checks the state, so
-- two workers never both claim it. A lease that runs out (the instance died) lets another
-- instance take the job again, up to its attempt limit.

CREATE TABLE jobs (
    id            TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL,
    dedup_key     TEXT NOT NULL UNIQUE,
    payload       TEXT NOT NULL DEFAULT '{}',
    state         TEXT NOT NULL CHECK (state IN ('queued','running','done','failed')),
    run_after     TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 3,
    locked_by     TEXT,
    locked_until  TEXT,
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT,
    result        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_due_idx ON jobs(state, run_after);
CREATE INDEX jobs_kind_idx ON jobs(kind, finished_at);
