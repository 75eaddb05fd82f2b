package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// Evidence records: media rows and their check results. Writes run on the
// single writer inside InTx; reads use the read pool.

const mediaColumns = `id, session_id, step, app_screen, side, content_type, size, sha256, blob_key,
	status, attempt, created_at, checked_at`

func scanMedia(row scanner) (idv.Media, error) {
	var (
		m       idv.Media
		created int64
		checked sql.NullInt64
	)
	err := row.Scan(&m.ID, &m.SessionID, &m.Step, &m.AppScreen, &m.Side, &m.ContentType, &m.Size, &m.SHA256,
		&m.BlobKey, &m.Status, &m.Attempt, &created, &checked)
	if err != nil {
		return idv.Media{}, mapErr("read media", err)
	}
	m.CreatedAt = fromMicros(created)
	if checked.Valid {
		m.CheckedAt = fromMicros(checked.Int64)
	}
	return m, nil
}

// zeroMicros stores a zero time as NULL.
func zeroMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return micros(t)
}

// PutMedia inserts m.
func (t *tx) PutMedia(ctx context.Context, m idv.Media) error {
	_, err := t.exec(ctx, "store media", `INSERT INTO media (`+mediaColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		m.ID, m.SessionID, string(m.Step), string(m.AppScreen), m.Side, m.ContentType, m.Size, nonNil(m.SHA256),
		m.BlobKey, string(m.Status), m.Attempt, micros(m.CreatedAt), zeroMicros(m.CheckedAt))
	return err
}

// SetMediaStatus moves a media from one status to another.
func (t *tx) SetMediaStatus(ctx context.Context, id string, from, to idv.MediaStatus, at time.Time) error {
	var checked any
	if to.Final() {
		checked = micros(at)
	}
	n, err := t.exec(ctx, "set media status", `UPDATE media SET status = $3, checked_at = $4
		WHERE id = $1 AND status = $2`, id, string(from), string(to), checked)
	if err != nil || n == 1 {
		return err
	}
	c, err := t.begin(ctx)
	if err != nil {
		return err
	}
	var status string
	err = t.q.QueryRowContext(c, `SELECT status FROM media WHERE id = $1`, id).Scan(&status)
	if err != nil {
		return mapErr("set media status", err)
	}
	return idv.Errorf(idv.CodeConflict, "media is %s, not %s", status, from)
}

// PutCheckResult inserts a media's only check result.
func (t *tx) PutCheckResult(ctx context.Context, r idv.CheckResult) error {
	scores, keys, err := checkResultJSON(r)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, "store check result", `INSERT INTO check_results (media_id, outcome, reason, code,
		sealed_data, scores, blob_keys, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.MediaID, string(r.Outcome), r.Reason, r.Code, r.SealedData, scores, keys, micros(r.CreatedAt))
	if idv.ErrorCode(err) == idv.CodeNotFound {
		return &idv.Error{Code: idv.CodeNotFound, Message: "store check result: media not found", Err: err}
	}
	return err
}

// checkResultJSON encodes the result's scores and derived blob keys.
func checkResultJSON(r idv.CheckResult) (scores, keys string, err error) {
	s, err := json.Marshal(r.Scores)
	if err != nil {
		return "", "", fmt.Errorf("encode check scores: %w", err)
	}
	k, err := json.Marshal(r.BlobKeys)
	return string(s), string(k), err
}

// DeleteEvidenceOfSession deletes a session's check results and media and
// returns every blob key they named.
func (t *tx) DeleteEvidenceOfSession(ctx context.Context, sessionID string) ([]string, error) {
	c, err := t.begin(ctx)
	if err != nil {
		return nil, err
	}
	derived, err := deleteReturning(c, t.q, "delete check results", `DELETE FROM check_results
		WHERE media_id IN (SELECT id FROM media WHERE session_id = $1) RETURNING blob_keys`, sessionID)
	if err != nil {
		return nil, err
	}
	keys, err := deleteReturning(c, t.q, "delete media",
		`DELETE FROM media WHERE session_id = $1 RETURNING blob_key`, sessionID)
	if err != nil {
		return nil, err
	}
	for _, js := range derived {
		var more []string
		if err := json.Unmarshal([]byte(js), &more); err != nil {
			return nil, fmt.Errorf("sqlite: decode check result blob keys: %w", err)
		}
		keys = append(keys, more...)
	}
	return keys, nil
}

// deleteReturning runs a DELETE … RETURNING of one text column.
func deleteReturning(ctx context.Context, q querier, what, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(what, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, mapErr(what, err)
		}
		out = append(out, v)
	}
	return out, mapErr(what, rows.Err())
}

// MediaByID reads a media from the read pool.
func (s *Store) MediaByID(ctx context.Context, id string) (idv.Media, error) {
	return scanMedia(s.reads.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = $1`, id))
}

// MediaOfSession lists a session's media in upload order.
func (s *Store) MediaOfSession(ctx context.Context, sessionID string) ([]idv.Media, error) {
	rows, err := s.reads.QueryContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE session_id = $1
		ORDER BY created_at, seq`, sessionID)
	if err != nil {
		return nil, mapErr("list media", err)
	}
	defer rows.Close()
	var out []idv.Media
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, mapErr("list media", rows.Err())
}

// CheckResultOf reads a media's check result from the read pool.
func (s *Store) CheckResultOf(ctx context.Context, mediaID string) (idv.CheckResult, error) {
	var (
		r            idv.CheckResult
		scores, keys string
		created      int64
	)
	err := s.reads.QueryRowContext(ctx, `SELECT media_id, outcome, reason, code, sealed_data, scores, blob_keys,
		created_at FROM check_results WHERE media_id = $1`, mediaID).
		Scan(&r.MediaID, &r.Outcome, &r.Reason, &r.Code, &r.SealedData, &scores, &keys, &created)
	if err != nil {
		return idv.CheckResult{}, mapErr("read check result", err)
	}
	r.CreatedAt = fromMicros(created)
	if err := errors.Join(json.Unmarshal([]byte(scores), &r.Scores), json.Unmarshal([]byte(keys), &r.BlobKeys)); err != nil {
		return idv.CheckResult{}, fmt.Errorf("sqlite: decode check result: %w", err)
	}
	return r, nil
}
