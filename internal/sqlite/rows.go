package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// querier is what reads and writes need: the writer's *sql.Conn and the
// read pool's *sql.DB both provide it.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// micros converts a time to the stored form: Unix microseconds, UTC.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts a stored time back.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func microsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromMicrosPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// mapErr turns driver errors into domain errors: no rows → idv.ErrNotFound,
// unique violations → CodeConflict, a missing referenced session →
// CodeNotFound. Anything else is wrapped with what was being done.
func mapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return idv.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &idv.Error{Code: idv.CodeConflict, Message: what + ": already exists", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &idv.Error{Code: idv.CodeNotFound, Message: what + ": session not found", Err: err}
		}
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

const sessionColumns = `id, sandbox, level_name, level_version, status, steps,
	client_token_hash, unique_id_hash, sealed_applicant, return_url, locale,
	created_at, updated_at, expires_at, version`

func scanSession(row *sql.Row) (idv.Session, error) {
	var (
		s                         idv.Session
		sandbox                   int64
		steps                     string
		created, updated, expires int64
	)
	err := row.Scan(&s.ID, &sandbox, &s.LevelName, &s.LevelVersion, &s.Status, &steps,
		&s.ClientTokenHash, &s.UniqueIDHash, &s.SealedApplicant, &s.ReturnURL, &s.Locale,
		&created, &updated, &expires, &s.Version)
	if err != nil {
		return idv.Session{}, mapErr("read session", err)
	}
	if err := json.Unmarshal([]byte(steps), &s.Steps); err != nil {
		return idv.Session{}, fmt.Errorf("sqlite: decode session steps: %w", err)
	}
	s.Sandbox = sandbox != 0
	s.CreatedAt, s.UpdatedAt, s.ExpiresAt = fromMicros(created), fromMicros(updated), fromMicros(expires)
	return s, nil
}

func readSession(ctx context.Context, q querier, id string) (idv.Session, error) {
	return scanSession(q.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
}

// sessionArgs are the values of sessionColumns, in order.
func sessionArgs(s idv.Session) ([]any, error) {
	steps, err := json.Marshal(s.Steps)
	if err != nil {
		return nil, fmt.Errorf("sqlite: encode session steps: %w", err)
	}
	return []any{s.ID, boolInt(s.Sandbox), s.LevelName, s.LevelVersion, string(s.Status), string(steps),
		s.ClientTokenHash, s.UniqueIDHash, s.SealedApplicant, s.ReturnURL, s.Locale,
		micros(s.CreatedAt), micros(s.UpdatedAt), micros(s.ExpiresAt), s.Version}, nil
}

func readIDs(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr("list sessions", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr("list sessions", err)
		}
		ids = append(ids, id)
	}
	return ids, mapErr("list sessions", rows.Err())
}
