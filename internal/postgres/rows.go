package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/openidv/openidv/internal/idv"
)

// querier is what reads and writes need: the pool and a transaction both
// provide it.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ts is a time as stored: UTC, microseconds (PostgreSQL would round).
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func tsPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := ts(*t)
	return &v
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}

// mapErr turns driver errors into domain errors: no rows → idv.ErrNotFound,
// unique violations → CodeConflict, a missing referenced session →
// CodeNotFound. Anything else is wrapped with what was being done.
func mapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var de *idv.Error
	if errors.As(err, &de) {
		return err // already mapped (a queued write's error, reported again)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return idv.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return &idv.Error{Code: idv.CodeConflict, Message: what + ": already exists", Err: err}
		case "23503": // foreign_key_violation
			return &idv.Error{Code: idv.CodeNotFound, Message: what + ": session not found", Err: err}
		}
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

const sessionColumns = `id, sandbox, level_name, level_version, status, steps,
	client_token_hash, unique_id_hash, sealed_applicant, return_url, locale,
	created_at, updated_at, expires_at, version`

func readSession(ctx context.Context, q querier, query string, id string) (idv.Session, error) {
	var (
		s     idv.Session
		steps []byte
	)
	err := q.QueryRow(ctx, query, id).Scan(&s.ID, &s.Sandbox, &s.LevelName, &s.LevelVersion, &s.Status, &steps,
		&s.ClientTokenHash, &s.UniqueIDHash, &s.SealedApplicant, &s.ReturnURL, &s.Locale,
		&s.CreatedAt, &s.UpdatedAt, &s.ExpiresAt, &s.Version)
	if err != nil {
		return idv.Session{}, mapErr("read session", err)
	}
	if err := json.Unmarshal(steps, &s.Steps); err != nil {
		return idv.Session{}, fmt.Errorf("postgres: decode session steps: %w", err)
	}
	s.CreatedAt, s.UpdatedAt, s.ExpiresAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC(), s.ExpiresAt.UTC()
	return s, nil
}

// sessionArgs are the values of sessionColumns, in order.
func sessionArgs(s idv.Session) ([]any, error) {
	steps, err := json.Marshal(s.Steps)
	if err != nil {
		return nil, fmt.Errorf("postgres: encode session steps: %w", err)
	}
	return []any{s.ID, s.Sandbox, s.LevelName, s.LevelVersion, string(s.Status), string(steps),
		s.ClientTokenHash, s.UniqueIDHash, s.SealedApplicant, s.ReturnURL, s.Locale,
		ts(s.CreatedAt), ts(s.UpdatedAt), ts(s.ExpiresAt), s.Version}, nil
}

func readIDs(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, mapErr("list sessions", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, mapErr("list sessions", err)
}
