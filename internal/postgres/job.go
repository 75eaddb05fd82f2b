package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openidv/openidv/internal/idv"
)

// The job queue. A claim locks the rows it takes with FOR UPDATE SKIP
// LOCKED, so replicas claiming at the same moment never share a job.

const jobColumns = `id, kind, args, grp, unique_key, state, attempt, max_attempts, run_at, lease,
	lease_until, last_error, created_at, finished_at`

// epoch is lease_until of a job nobody holds.
var epoch = time.Unix(0, 0).UTC()

// jobRow is one row of jobColumns being scanned.
type jobRow struct {
	j          idv.ClaimedJob
	unique     *string
	state      string
	leaseUntil time.Time
	finished   *time.Time
}

func (r *jobRow) dest() []any {
	j := &r.j
	return []any{&j.ID, &j.Kind, &j.Args, &j.Group, &r.unique, &r.state, &j.Attempt, &j.MaxAttempts, &j.RunAt,
		&j.Lease, &r.leaseUntil, &j.LastError, &j.CreatedAt, &r.finished}
}

func (r *jobRow) job() idv.ClaimedJob {
	j := r.j
	j.Args = append([]byte(nil), j.Args...)
	j.State = idv.JobState(r.state)
	j.UniqueKey = ""
	if r.unique != nil {
		j.UniqueKey = *r.unique
	}
	j.RunAt, j.CreatedAt = j.RunAt.UTC(), j.CreatedAt.UTC()
	j.LeaseUntil, j.FinishedAt = time.Time{}, time.Time{}
	if j.State == idv.JobRunning {
		j.LeaseUntil = r.leaseUntil.UTC()
	}
	if r.finished != nil {
		j.FinishedAt = r.finished.UTC()
	}
	return j
}

// EnqueueJob queues the insert of j; a taken UniqueKey makes it a no-op.
func (t *tx) EnqueueJob(ctx context.Context, j idv.Job) error {
	var unique *string
	if j.UniqueKey != "" {
		unique = &j.UniqueKey
	}
	if j.MaxAttempts < 1 {
		j.MaxAttempts = idv.DefaultJobMaxAttempts
	}
	if j.RunAt.IsZero() {
		j.RunAt = j.CreatedAt
	}
	return t.write(ctx, "enqueue job", `INSERT INTO jobs (`+jobColumns+`)
		VALUES ($1, $2, $3, $4, $5, 'available', 0, $6, $7, '', $8, '', $9, NULL)
		ON CONFLICT (unique_key) DO NOTHING`,
		j.ID, j.Kind, nonNilBytes(j.Args), j.Group, unique, j.MaxAttempts, ts(j.RunAt), epoch, ts(j.CreatedAt))
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// CompleteJob marks the job completed if lease still holds it; finished_at
// is the transaction's time.
func (t *tx) CompleteJob(ctx context.Context, id, lease string) error {
	n, err := t.exec(ctx, "complete job", `UPDATE jobs SET state = 'completed', finished_at = now()
		WHERE id = $1 AND lease = $2 AND state = 'running'`, id, lease)
	if err != nil || n == 1 {
		return err
	}
	var one int
	err = t.queryRow(ctx, `SELECT 1 FROM jobs WHERE id = $1 AND lease = $2 AND state = 'completed'`,
		id, lease).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return idv.ErrLeaseLost
	}
	return mapErr("complete job", err)
}

// ClaimJobs leases up to c.Limit due jobs in one statement. dead discards
// the running jobs whose last attempt's lease ended; picked takes due jobs
// that head their group, skipping rows another claim holds locked.
func (s *Store) ClaimJobs(ctx context.Context, c idv.JobClaim) ([]idv.ClaimedJob, error) {
	if c.Limit < 1 || len(c.Kinds) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `WITH dead AS (
			UPDATE jobs SET state = 'discarded', finished_at = $1,
				last_error = 'the lease of the last attempt ended (the worker stopped)'
			WHERE state = 'running' AND lease_until <= $1 AND attempt >= max_attempts
		), picked AS (
			SELECT seq FROM jobs j WHERE kind = ANY($2)
				AND ((state = 'available' AND run_at <= $1)
					OR (state = 'running' AND lease_until <= $1 AND attempt < max_attempts))
				AND (grp = '' OR NOT EXISTS (SELECT 1 FROM jobs o
					WHERE o.grp = j.grp AND o.grp <> '' AND o.seq < j.seq AND o.state IN ('available', 'running')))
			ORDER BY seq LIMIT $5
			FOR UPDATE SKIP LOCKED
		)
		UPDATE jobs SET state = 'running', attempt = attempt + 1, lease = $3, lease_until = $4
		FROM picked WHERE jobs.seq = picked.seq
		RETURNING `+prefixed("jobs.", jobColumns),
		ts(c.Now), c.Kinds, newClaim(), ts(c.LeaseUntil), c.Limit)
	if err != nil {
		return nil, mapErr("claim jobs", err)
	}
	var (
		r   jobRow
		out []idv.ClaimedJob
	)
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		out = append(out, r.job())
		return nil
	})
	return out, mapErr("claim jobs", err)
}

// SettleJob records an attempt that did not complete.
func (s *Store) SettleJob(ctx context.Context, st idv.JobSettlement) error {
	var finished *time.Time
	if st.State != idv.JobAvailable {
		at := ts(st.At)
		finished = &at
	}
	back := 0
	if st.Snoozed {
		back = 1
	}
	tag, err := s.pool.Exec(ctx, `UPDATE jobs SET state = $3, run_at = $4, attempt = attempt - $5,
		last_error = CASE WHEN $6 = '' THEN last_error ELSE $6 END, finished_at = $7, lease = '', lease_until = $8
		WHERE id = $1 AND lease = $2 AND state = 'running'`,
		st.ID, st.Lease, string(st.State), ts(st.RunAt), back, st.Error, finished, epoch)
	if err != nil {
		return mapErr("settle job", err)
	}
	if tag.RowsAffected() == 0 {
		return idv.ErrLeaseLost
	}
	return nil
}

// JobByID reads one job.
func (s *Store) JobByID(ctx context.Context, id string) (idv.JobRecord, error) {
	var r jobRow
	if err := s.pool.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id).Scan(r.dest()...); err != nil {
		return idv.JobRecord{}, mapErr("read job", err)
	}
	return r.job().JobRecord, nil
}

// PurgeJobs deletes up to limit final jobs finished before t.
func (s *Store) PurgeJobs(ctx context.Context, before time.Time, limit int) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs
		WHERE finished_at < $1 ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED)`, ts(before), limit)
	if err != nil {
		return 0, mapErr("purge jobs", err)
	}
	return int(tag.RowsAffected()), nil
}

// JobStats counts the unfinished jobs by kind and state.
func (s *Store) JobStats(ctx context.Context) (idv.JobStats, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind, state, count(*) FROM jobs
		WHERE state IN ('available', 'running') GROUP BY kind, state`)
	if err != nil {
		return idv.JobStats{}, mapErr("job stats", err)
	}
	st := idv.JobStats{Available: map[string]int{}, Running: map[string]int{}}
	var (
		kind, state string
		n           int
	)
	_, err = pgx.ForEachRow(rows, []any{&kind, &state, &n}, func() error {
		if state == string(idv.JobRunning) {
			st.Running[kind] = n
		} else {
			st.Available[kind] = n
		}
		return nil
	})
	if err != nil {
		return idv.JobStats{}, mapErr("job stats", err)
	}
	return st, nil
}
