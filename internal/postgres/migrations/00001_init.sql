-- OpenIDV schema, PostgreSQL dialect. SQLite has the same version numbers in
-- internal/sqlite/migrations. Timestamps are supplied by the application in
-- UTC with microsecond precision (never now() in SQL).

-- +goose Up
CREATE TABLE sessions (
    id                TEXT        NOT NULL PRIMARY KEY,
    sandbox           BOOLEAN     NOT NULL,
    level_name        TEXT        NOT NULL,
    level_version     TEXT        NOT NULL,
    status            TEXT        NOT NULL,
    steps             JSONB       NOT NULL, -- array of idv.StepState
    client_token_hash BYTEA,
    unique_id_hash    BYTEA,                -- keyed hash of unique_id
    sealed_applicant  BYTEA,
    return_url        TEXT        NOT NULL,
    locale            TEXT        NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL,
    version           BIGINT      NOT NULL
);
CREATE INDEX sessions_unique_id_hash ON sessions (unique_id_hash) WHERE unique_id_hash IS NOT NULL;
CREATE INDEX sessions_status_expires ON sessions (status, expires_at);
CREATE INDEX sessions_created ON sessions (created_at);

-- One row per session: deleting it crypto-shreds everything sealed with it.
CREATE TABLE data_keys (
    session_id TEXT  NOT NULL PRIMARY KEY REFERENCES sessions (id),
    wrapped    BYTEA NOT NULL
);

CREATE TABLE events (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             TEXT        NOT NULL UNIQUE,
    session_id     TEXT        NOT NULL REFERENCES sessions (id),
    type           TEXT        NOT NULL,
    source         TEXT        NOT NULL,
    sealed_payload BYTEA,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_session ON events (session_id, created_at, seq);

CREATE TABLE outbox (
    id              TEXT        NOT NULL PRIMARY KEY,
    session_id      TEXT        NOT NULL,
    event_type      TEXT        NOT NULL,
    payload         BYTEA       NOT NULL,
    sandbox         BOOLEAN     NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    attempts        INTEGER     NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

CREATE TABLE api_keys (
    id         TEXT        NOT NULL PRIMARY KEY,
    kind       TEXT        NOT NULL,
    sandbox    BOOLEAN     NOT NULL,
    hash       BYTEA       NOT NULL UNIQUE,
    hint       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE idempotency (
    scope        TEXT        NOT NULL PRIMARY KEY,
    request_hash BYTEA,
    status       INTEGER     NOT NULL,
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX idempotency_created ON idempotency (created_at);

-- +goose Down
DROP TABLE idempotency;
DROP TABLE api_keys;
DROP TABLE outbox;
DROP TABLE events;
DROP TABLE data_keys;
DROP TABLE sessions;
