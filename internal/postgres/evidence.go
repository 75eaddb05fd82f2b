package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openidv/openidv/internal/idv"
)

// Evidence records: media rows and their check results. A media row is a
// queued write (it commits with the job that checks it, in one round trip
// when nothing is read); the writes whose outcome the caller needs run at
// once in the transaction.

const mediaColumns = `id, session_id, step, app_screen, side, content_type, size, sha256, blob_key,
	status, attempt, created_at, checked_at`

func scanMedia(row pgx.Row) (idv.Media, error) {
	var (
		m       idv.Media
		checked *time.Time
	)
	err := row.Scan(&m.ID, &m.SessionID, &m.Step, &m.AppScreen, &m.Side, &m.ContentType, &m.Size, &m.SHA256,
		&m.BlobKey, &m.Status, &m.Attempt, &m.CreatedAt, &checked)
	if err != nil {
		return idv.Media{}, mapErr("read media", err)
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if checked != nil {
		m.CheckedAt = checked.UTC()
	}
	return m, nil
}

// zeroTS stores a zero time as NULL.
func zeroTS(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := ts(t)
	return &v
}

// PutMedia queues the insert of m.
func (t *tx) PutMedia(ctx context.Context, m idv.Media) error {
	return t.write(ctx, "store media", `INSERT INTO media (`+mediaColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		m.ID, m.SessionID, string(m.Step), string(m.AppScreen), m.Side, m.ContentType, m.Size,
		nonNilBytes(m.SHA256), m.BlobKey, string(m.Status), m.Attempt, ts(m.CreatedAt), zeroTS(m.CheckedAt))
}

// SetMediaStatus moves a media from one status to another.
func (t *tx) SetMediaStatus(ctx context.Context, id string, from, to idv.MediaStatus, at time.Time) error {
	var checked *time.Time
	if to.Final() {
		checked = zeroTS(at)
	}
	n, err := t.exec(ctx, "set media status", `UPDATE media SET status = $3, checked_at = $4
		WHERE id = $1 AND status = $2`, id, string(from), string(to), checked)
	if err != nil || n == 1 {
		return err
	}
	var status string
	if err := t.queryRow(ctx, `SELECT status FROM media WHERE id = $1`, id).Scan(&status); err != nil {
		return mapErr("set media status", err)
	}
	return idv.Errorf(idv.CodeConflict, "media is %s, not %s", status, from)
}

// PutCheckResult inserts a media's only check result. A concurrent insert
// for the same media waits for the other transaction, then conflicts.
func (t *tx) PutCheckResult(ctx context.Context, r idv.CheckResult) error {
	scores, err := json.Marshal(r.Scores)
	if err != nil {
		return fmt.Errorf("postgres: encode check scores: %w", err)
	}
	keys, err := json.Marshal(r.BlobKeys)
	if err != nil {
		return fmt.Errorf("postgres: encode check blob keys: %w", err)
	}
	_, err = t.exec(ctx, "store check result", `INSERT INTO check_results (media_id, outcome, reason, code,
		sealed_data, scores, blob_keys, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.MediaID, string(r.Outcome), r.Reason, r.Code, r.SealedData, string(scores), string(keys), ts(r.CreatedAt))
	if idv.ErrorCode(err) == idv.CodeNotFound {
		return &idv.Error{Code: idv.CodeNotFound, Message: "store check result: media not found", Err: err}
	}
	return err
}

// DeleteEvidenceOfSession deletes a session's check results and media and
// returns every blob key they named.
func (t *tx) DeleteEvidenceOfSession(ctx context.Context, sessionID string) ([]string, error) {
	q, err := t.live(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `DELETE FROM check_results
		WHERE media_id IN (SELECT id FROM media WHERE session_id = $1) RETURNING blob_keys`, sessionID)
	if err != nil {
		return nil, mapErr("delete check results", err)
	}
	derived, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, mapErr("delete check results", err)
	}
	rows, err = q.Query(ctx, `DELETE FROM media WHERE session_id = $1 RETURNING blob_key`, sessionID)
	if err != nil {
		return nil, mapErr("delete media", err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, mapErr("delete media", err)
	}
	for _, js := range derived {
		var more []string
		if err := json.Unmarshal([]byte(js), &more); err != nil {
			return nil, fmt.Errorf("postgres: decode check result blob keys: %w", err)
		}
		keys = append(keys, more...)
	}
	return keys, nil
}

// MediaByID reads a media.
func (s *Store) MediaByID(ctx context.Context, id string) (idv.Media, error) {
	return scanMedia(s.pool.QueryRow(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = $1`, id))
}

// MediaOfSession lists a session's media in upload order.
func (s *Store) MediaOfSession(ctx context.Context, sessionID string) ([]idv.Media, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+mediaColumns+` FROM media WHERE session_id = $1
		ORDER BY created_at, seq`, sessionID)
	if err != nil {
		return nil, mapErr("list media", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (idv.Media, error) { return scanMedia(r) })
	return out, mapErr("list media", err)
}

// CheckResultOf reads a media's check result.
func (s *Store) CheckResultOf(ctx context.Context, mediaID string) (idv.CheckResult, error) {
	var (
		r            idv.CheckResult
		scores, keys string
	)
	err := s.pool.QueryRow(ctx, `SELECT media_id, outcome, reason, code, sealed_data, scores, blob_keys,
		created_at FROM check_results WHERE media_id = $1`, mediaID).
		Scan(&r.MediaID, &r.Outcome, &r.Reason, &r.Code, &r.SealedData, &scores, &keys, &r.CreatedAt)
	if err != nil {
		return idv.CheckResult{}, mapErr("read check result", err)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	if err := errors.Join(json.Unmarshal([]byte(scores), &r.Scores), json.Unmarshal([]byte(keys), &r.BlobKeys)); err != nil {
		return idv.CheckResult{}, fmt.Errorf("postgres: decode check result: %w", err)
	}
	return r, nil
}
