-- The durable job queue (internal/job). Same version in
-- internal/sqlite/migrations.

-- +goose Up
CREATE TABLE jobs (
    seq          BIGSERIAL   NOT NULL PRIMARY KEY, -- enqueue order
    id           TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL,
    args         BYTEA   NOT NULL,
    grp          TEXT    NOT NULL,             -- '' = no group
    unique_key   TEXT,                         -- NULL = none; NULLs never collide
    state        TEXT    NOT NULL,             -- available running completed cancelled discarded
    attempt      INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    run_at       TIMESTAMPTZ NOT NULL,
    lease        TEXT    NOT NULL,             -- the holder's token; kept after completion
    lease_until  TIMESTAMPTZ NOT NULL,
    last_error   TEXT    NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key);
CREATE INDEX jobs_available ON jobs (run_at, seq) WHERE state = 'available';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_group ON jobs (grp, seq) WHERE state IN ('available', 'running') AND grp <> '';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- +goose Down
DROP TABLE jobs;
