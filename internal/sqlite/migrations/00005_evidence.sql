-- Evidence records: uploaded media and their check results. The bytes are
-- encrypted objects in the blob store; these rows point to them and hold no
-- personal data in clear (extracted data is sealed with the session's data
-- key). Rows reference their session like events do; erasure deletes them
-- explicitly. Same version in internal/postgres/migrations.

-- +goose Up
CREATE TABLE media (
    seq          INTEGER NOT NULL PRIMARY KEY, -- upload order
    id           TEXT    NOT NULL UNIQUE,
    session_id   TEXT    NOT NULL REFERENCES sessions (id),
    step         TEXT    NOT NULL,
    app_screen   TEXT    NOT NULL,
    side         TEXT    NOT NULL,             -- front back or ''
    content_type TEXT    NOT NULL,             -- sniffed from the bytes
    size         INTEGER NOT NULL,
    sha256       BLOB    NOT NULL,
    blob_key     TEXT    NOT NULL,
    status       TEXT    NOT NULL,             -- received processing accepted rejected failed
    attempt      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    checked_at   INTEGER
) STRICT;
CREATE INDEX media_session ON media (session_id, created_at, seq);

CREATE TABLE check_results (
    media_id    TEXT    NOT NULL PRIMARY KEY REFERENCES media (id), -- one result per media
    outcome     TEXT    NOT NULL,             -- accepted rejected failed
    reason      TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    sealed_data BLOB,
    scores      TEXT    NOT NULL,             -- JSON object of numbers
    blob_keys   TEXT    NOT NULL,             -- JSON array of derived objects
    created_at  INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE check_results;
DROP TABLE media;
