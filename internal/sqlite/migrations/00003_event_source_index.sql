-- Counting a session's SDK events (the per-session cap) reads this index
-- instead of the timeline. Same version in internal/postgres/migrations.

-- +goose Up
CREATE INDEX events_source ON events (session_id, source);

-- +goose Down
DROP INDEX events_source;
