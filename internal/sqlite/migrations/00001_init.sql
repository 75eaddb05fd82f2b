-- OpenIDV schema, SQLite dialect. PostgreSQL has the same version numbers in
-- internal/postgres/migrations. Timestamps are INTEGER Unix microseconds, UTC,
-- always supplied by the application.

-- +goose Up
CREATE TABLE sessions (
    id                TEXT    NOT NULL PRIMARY KEY,
    sandbox           INTEGER NOT NULL,
    level_name        TEXT    NOT NULL,
    level_version     TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    steps             TEXT    NOT NULL, -- JSON array of idv.StepState
    client_token_hash BLOB,
    unique_id_hash    BLOB,             -- keyed hash of unique_id
    sealed_applicant  BLOB,
    return_url        TEXT    NOT NULL,
    locale            TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_unique_id_hash ON sessions (unique_id_hash) WHERE unique_id_hash IS NOT NULL;
CREATE INDEX sessions_status_expires ON sessions (status, expires_at);
CREATE INDEX sessions_created ON sessions (created_at);

-- One row per session: deleting it crypto-shreds everything sealed with it.
CREATE TABLE data_keys (
    session_id TEXT NOT NULL PRIMARY KEY REFERENCES sessions (id),
    wrapped    BLOB NOT NULL
) STRICT;

CREATE TABLE events (
    seq            INTEGER NOT NULL PRIMARY KEY,
    id             TEXT    NOT NULL UNIQUE,
    session_id     TEXT    NOT NULL REFERENCES sessions (id),
    type           TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    sealed_payload BLOB,
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX events_session ON events (session_id, created_at, seq);

CREATE TABLE outbox (
    id              TEXT    NOT NULL PRIMARY KEY,
    session_id      TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    payload         BLOB    NOT NULL,
    sandbox         INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

CREATE TABLE api_keys (
    id         TEXT    NOT NULL PRIMARY KEY,
    kind       TEXT    NOT NULL,
    sandbox    INTEGER NOT NULL,
    hash       BLOB    NOT NULL UNIQUE,
    hint       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE TABLE idempotency (
    scope        TEXT    NOT NULL PRIMARY KEY,
    request_hash BLOB,
    status       INTEGER NOT NULL,
    body         BLOB,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX idempotency_created ON idempotency (created_at);

-- +goose Down
DROP TABLE idempotency;
DROP TABLE api_keys;
DROP TABLE outbox;
DROP TABLE events;
DROP TABLE data_keys;
DROP TABLE sessions;
