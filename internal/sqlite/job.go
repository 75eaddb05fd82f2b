package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// The job queue. Claims, settlements and completions all run on the single
// writer, so a claim is exclusive without row locks: no other transaction
// runs between its read and its update.

const jobColumns = `id, kind, args, grp, unique_key, state, attempt, max_attempts, run_at, lease,
	lease_until, last_error, created_at, finished_at`

// jobDue selects the jobs a claim may take: due, of a wanted kind, not out
// of attempts, and the oldest unfinished job of their group. $1 is now, $2
// the JSON array of kinds.
const jobDue = `kind IN (SELECT value FROM json_each($2))
	AND ((state = 'available' AND run_at <= $1) OR (state = 'running' AND lease_until <= $1 AND attempt < max_attempts))
	AND (grp = '' OR NOT EXISTS (SELECT 1 FROM jobs o
		WHERE o.grp = j.grp AND o.grp <> '' AND o.seq < j.seq AND o.state IN ('available', 'running')))`

func scanJob(row scanner) (idv.ClaimedJob, error) {
	var (
		j                          idv.ClaimedJob
		unique                     sql.NullString
		runAt, leaseUntil, created int64
		finished                   sql.NullInt64
		state                      string
	)
	err := row.Scan(&j.ID, &j.Kind, &j.Args, &j.Group, &unique, &state, &j.Attempt, &j.MaxAttempts, &runAt,
		&j.Lease, &leaseUntil, &j.LastError, &created, &finished)
	if err != nil {
		return idv.ClaimedJob{}, mapErr("read job", err)
	}
	j.UniqueKey, j.State = unique.String, idv.JobState(state)
	j.RunAt, j.CreatedAt = fromMicros(runAt), fromMicros(created)
	if j.State == idv.JobRunning {
		j.LeaseUntil = fromMicros(leaseUntil)
	}
	if finished.Valid {
		j.FinishedAt = fromMicros(finished.Int64)
	}
	return j, nil
}

// EnqueueJob inserts j; a taken UniqueKey makes it a no-op.
func (t *tx) EnqueueJob(ctx context.Context, j idv.Job) error {
	var unique any
	if j.UniqueKey != "" {
		unique = j.UniqueKey
	}
	if j.MaxAttempts < 1 {
		j.MaxAttempts = idv.DefaultJobMaxAttempts
	}
	if j.RunAt.IsZero() {
		j.RunAt = j.CreatedAt
	}
	_, err := t.exec(ctx, "enqueue job", `INSERT INTO jobs (`+jobColumns+`)
		VALUES ($1, $2, $3, $4, $5, 'available', 0, $6, $7, '', 0, '', $8, NULL)
		ON CONFLICT (unique_key) DO NOTHING`,
		j.ID, j.Kind, nonNil(j.Args), j.Group, unique, j.MaxAttempts, micros(j.RunAt), micros(j.CreatedAt))
	return err
}

// CompleteJob marks the job completed if lease still holds it. Its
// finished_at is the store's clock: the commit is what finishes it.
func (t *tx) CompleteJob(ctx context.Context, id, lease string) error {
	c, err := t.begin(ctx)
	if err != nil {
		return err
	}
	return completeJob(c, t.q, id, lease)
}

func completeJob(ctx context.Context, q querier, id, lease string) error {
	res, err := q.ExecContext(ctx, `UPDATE jobs SET state = 'completed', finished_at = $3
		WHERE id = $1 AND lease = $2 AND state = 'running'`, id, lease, micros(time.Now()))
	if err != nil {
		return mapErr("complete job", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return mapErr("complete job", err)
	}
	var one int
	err = q.QueryRowContext(ctx, `SELECT 1 FROM jobs WHERE id = $1 AND lease = $2 AND state = 'completed'`,
		id, lease).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return idv.ErrLeaseLost
	}
	return mapErr("complete job", err)
}

// ClaimJobs leases up to c.Limit due jobs on the single writer.
func (s *Store) ClaimJobs(ctx context.Context, c idv.JobClaim) ([]idv.ClaimedJob, error) {
	kinds, err := json.Marshal(c.Kinds)
	if err != nil || c.Limit < 1 || len(c.Kinds) == 0 {
		return nil, err
	}
	var out []idv.ClaimedJob
	err = s.writeTx(ctx, func(ctx context.Context, t *tx) error {
		out = out[:0]
		now := micros(c.Now)
		if _, err := t.q.ExecContext(ctx, `UPDATE jobs SET state = 'discarded', finished_at = $1,
			last_error = 'the lease of the last attempt ended (the worker stopped)'
			WHERE state = 'running' AND lease_until <= $1 AND attempt >= max_attempts`, now); err != nil {
			return mapErr("discard abandoned jobs", err)
		}
		rows, err := t.q.QueryContext(ctx, `UPDATE jobs SET state = 'running', attempt = attempt + 1,
			lease = $3, lease_until = $4
			WHERE seq IN (SELECT seq FROM jobs j WHERE `+jobDue+` ORDER BY seq LIMIT $5)
			RETURNING `+jobColumns, now, string(kinds), newClaim(), micros(c.LeaseUntil), c.Limit)
		if err != nil {
			return mapErr("claim jobs", err)
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return mapErr("claim jobs", rows.Err())
	})
	return out, err
}

// leaseHeld turns an update's row count into ErrLeaseLost when it is 0.
func leaseHeld(n int64, err error) error {
	if err == nil && n == 0 {
		return idv.ErrLeaseLost
	}
	return err
}

// SettleJob records an attempt that did not complete.
func (s *Store) SettleJob(ctx context.Context, st idv.JobSettlement) error {
	var finished any
	if st.State != idv.JobAvailable {
		finished = micros(st.At)
	}
	back := 0
	if st.Snoozed {
		back = 1
	}
	return s.writeTx(ctx, func(ctx context.Context, t *tx) error {
		return leaseHeld(t.exec(ctx, "settle job", `UPDATE jobs SET state = $3, run_at = $4, attempt = attempt - $5,
			last_error = CASE WHEN $6 = '' THEN last_error ELSE $6 END, finished_at = $7, lease = '', lease_until = 0
			WHERE id = $1 AND lease = $2 AND state = 'running'`,
			st.ID, st.Lease, string(st.State), micros(st.RunAt), back, st.Error, finished))
	})
}

// JobByID reads one job.
func (s *Store) JobByID(ctx context.Context, id string) (idv.JobRecord, error) {
	j, err := scanJob(s.reads.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	return j.JobRecord, err
}

// PurgeJobs deletes up to limit final jobs finished before t.
func (s *Store) PurgeJobs(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.writeTx(ctx, func(ctx context.Context, t *tx) error {
		var err error
		n, err = t.exec(ctx, "purge jobs", `DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs
			WHERE finished_at < $1 ORDER BY finished_at LIMIT $2)`, micros(before), limit)
		return err
	})
	return int(n), err
}

// JobStats counts the unfinished jobs by kind and state.
func (s *Store) JobStats(ctx context.Context) (idv.JobStats, error) {
	rows, err := s.reads.QueryContext(ctx, `SELECT kind, state, count(*) FROM jobs
		WHERE state IN ('available', 'running') GROUP BY kind, state`)
	if err != nil {
		return idv.JobStats{}, mapErr("job stats", err)
	}
	defer rows.Close()
	st := idv.JobStats{Available: map[string]int{}, Running: map[string]int{}}
	for rows.Next() {
		var (
			kind, state string
			n           int
		)
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return idv.JobStats{}, mapErr("job stats", err)
		}
		if state == string(idv.JobRunning) {
			st.Running[kind] = n
		} else {
			st.Available[kind] = n
		}
	}
	return st, mapErr("job stats", rows.Err())
}
