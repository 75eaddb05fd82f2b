-- Webhook endpoints, deliveries (one per outbox message and endpoint: the
-- delivery log) and attempts. Same version in internal/sqlite/migrations.

-- +goose Up
CREATE TABLE webhook_endpoints (
    id              TEXT        NOT NULL PRIMARY KEY,
    sandbox         BOOLEAN     NOT NULL,
    url             TEXT        NOT NULL,
    event_types     TEXT        NOT NULL, -- ' a b ' (spaces around each), '' = every event
    enabled         BOOLEAN     NOT NULL,
    disabled_reason TEXT        NOT NULL,
    failing_since   TIMESTAMPTZ,
    wrapped_key     BYTEA       NOT NULL, -- data key wrapped by the master key, bound to id
    sealed_secrets  BYTEA       NOT NULL, -- the whsec_ secrets sealed with it
    source          TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (sandbox, url)
);

CREATE TABLE webhook_deliveries (
    seq             BIGSERIAL   NOT NULL PRIMARY KEY,
    id              TEXT        NOT NULL UNIQUE,
    message_id      TEXT        NOT NULL,
    endpoint_id     TEXT        NOT NULL,
    session_id      TEXT        NOT NULL,
    event_type      TEXT        NOT NULL,
    state           TEXT        NOT NULL,
    attempts        INTEGER     NOT NULL,
    round_attempts  INTEGER     NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL, -- while claimed: the end of the lease
    claim           TEXT        NOT NULL,
    last_status     INTEGER     NOT NULL,
    last_error      TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, seq) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, seq);
CREATE INDEX webhook_deliveries_session ON webhook_deliveries (session_id, seq);

CREATE TABLE webhook_attempts (
    delivery_id TEXT        NOT NULL,
    n           INTEGER     NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    latency_us  BIGINT      NOT NULL,
    status      INTEGER     NOT NULL,
    response    TEXT        NOT NULL,
    error       TEXT        NOT NULL,
    PRIMARY KEY (delivery_id, n)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
