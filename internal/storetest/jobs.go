package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/openidv/openidv/internal/idv"
)

// RunJobs runs the job queue's conformance suite (idv.JobStore and
// idv.JobTx); open is as for Run.
func RunJobs(t *testing.T, open func(t *testing.T) idv.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, st idv.Store)
	}{
		{"EnqueueAndClaim", testJobEnqueueAndClaim},
		{"ClaimsAreExclusive", testJobClaimsAreExclusive},
		{"LeaseExpiryReclaims", testJobLeaseExpiry},
		{"LostLeaseCompletesNothing", testJobLostLease},
		{"GroupOrder", testJobGroupOrder},
		{"UniqueKey", testJobUniqueKey},
		{"Settle", testJobSettle},
		{"MaxAttempts", testJobMaxAttempts},
		{"StatsAndPurge", testJobStatsAndPurge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

const (
	kindA = "test.a"
	kindB = "test.b"
)

var jobLease = time.Minute

// sampleJob returns a job of kind created at base.
func sampleJob(t testing.TB, kind string) idv.Job {
	return idv.Job{ID: "job_" + NewID(t), Kind: kind, Args: []byte(`{"n":1}`), CreatedAt: base}
}

func enqueueJobs(t *testing.T, st idv.Store, jobs ...idv.Job) {
	t.Helper()
	inTx(t, st, func(tx idv.Tx) error {
		for _, j := range jobs {
			if err := tx.EnqueueJob(t.Context(), j); err != nil {
				return err
			}
		}
		return nil
	})
}

// claimJobs claims up to limit jobs of kindA and kindB at now.
func claimJobs(t *testing.T, st idv.Store, now time.Time, limit int) []idv.ClaimedJob {
	t.Helper()
	got, err := st.ClaimJobs(t.Context(), idv.JobClaim{Kinds: []string{kindA, kindB}, Now: now,
		LeaseUntil: now.Add(jobLease), Limit: limit})
	if err != nil {
		t.Fatalf("ClaimJobs: %v", err)
	}
	return got
}

func jobIDs(js []idv.ClaimedJob) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.ID
	}
	return out
}

func completeJob(t *testing.T, st idv.Store, j idv.ClaimedJob) {
	t.Helper()
	inTx(t, st, func(tx idv.Tx) error { return tx.CompleteJob(t.Context(), j.ID, j.Lease) })
}

func jobByID(t *testing.T, st idv.Store, id string) idv.JobRecord {
	t.Helper()
	j, err := st.JobByID(t.Context(), id)
	if err != nil {
		t.Fatalf("JobByID(%s): %v", id, err)
	}
	return j
}

func testJobEnqueueAndClaim(t *testing.T, st idv.Store) {
	j := sampleJob(t, kindA)
	j.Group, j.UniqueKey = "g-"+NewID(t), "u-"+NewID(t)
	later := sampleJob(t, kindA)
	later.RunAt = base.Add(30 * time.Second)
	other := sampleJob(t, "test.unwanted")
	enqueueJobs(t, st, j, later, other)

	want := idv.JobRecord{Job: j, State: idv.JobAvailable}
	want.MaxAttempts, want.RunAt, want.CreatedAt = idv.DefaultJobMaxAttempts, stored(base), stored(base)
	if diff := cmp.Diff(want, jobByID(t, st, j.ID), opts); diff != "" {
		t.Errorf("stored job (-want +got):\n%s", diff)
	}
	got := claimJobs(t, st, base, 10)
	if len(got) != 1 || got[0].ID != j.ID {
		t.Fatalf("claim at base: got %v, want only %s (not the later one, not the unwanted kind)", jobIDs(got), j.ID)
	}
	want.State, want.Attempt, want.LeaseUntil = idv.JobRunning, 1, stored(base.Add(jobLease))
	if diff := cmp.Diff(want, got[0].JobRecord, opts); diff != "" {
		t.Errorf("claimed job (-want +got):\n%s", diff)
	}
	if got[0].Lease == "" {
		t.Errorf("claimed job has no lease token")
	}
	if got := claimJobs(t, st, later.RunAt, 10); len(got) != 1 || got[0].ID != later.ID {
		t.Errorf("claim at RunAt: got %v, want %s", jobIDs(got), later.ID)
	}
	completeJob(t, st, got[0])
	completeJob(t, st, got[0]) // the same lease again: already done, fine
	if r := jobByID(t, st, j.ID); r.State != idv.JobCompleted || r.FinishedAt.IsZero() {
		t.Errorf("after CompleteJob: state %s finished %v, want completed with a time", r.State, r.FinishedAt)
	}
	if _, err := st.JobByID(t.Context(), "job_missing"); !errors.Is(err, idv.ErrNotFound) {
		t.Errorf("JobByID(missing): got %v, want ErrNotFound", err)
	}
}

// testJobClaimsAreExclusive claims from several goroutines at once until
// the queue is empty: every job is handed out exactly once.
func testJobClaimsAreExclusive(t *testing.T, st idv.Store) {
	const n, claimers = 60, 4
	jobs := make([]idv.Job, n)
	for i := range jobs {
		jobs[i] = sampleJob(t, kindA)
		if i%3 == 0 {
			jobs[i].Group = fmt.Sprintf("g%d-%s", i%2, jobs[0].ID) // two groups: one holder each
		}
	}
	enqueueJobs(t, st, jobs...)
	var (
		mu     sync.Mutex
		seen   = map[string]int{}
		groups = map[string]bool{}
		done   int
		wg     sync.WaitGroup
	)
	finished := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return done >= n
	}
	for range claimers {
		wg.Go(func() {
			for !finished() && t.Context().Err() == nil {
				got, err := st.ClaimJobs(t.Context(), idv.JobClaim{Kinds: []string{kindA}, Now: base,
					LeaseUntil: base.Add(jobLease), Limit: 3})
				if err != nil {
					t.Errorf("ClaimJobs: %v", err)
					return
				}
				mu.Lock()
				for _, j := range got {
					seen[j.ID]++
					if j.Group != "" && groups[j.Group] {
						t.Errorf("job %s of group %s claimed while another of its group runs", j.ID, j.Group)
					}
					groups[j.Group] = j.Group != ""
				}
				mu.Unlock()
				for _, j := range got {
					mu.Lock()
					groups[j.Group] = false
					done++
					mu.Unlock()
					if err := st.InTx(t.Context(), func(tx idv.Tx) error { return tx.CompleteJob(t.Context(), j.ID, j.Lease) }); err != nil {
						t.Errorf("CompleteJob: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	for _, j := range jobs {
		if seen[j.ID] != 1 {
			t.Errorf("job %s claimed %d times, want 1", j.ID, seen[j.ID])
		}
	}
}

func testJobLeaseExpiry(t *testing.T, st idv.Store) {
	j := sampleJob(t, kindA)
	enqueueJobs(t, st, j)
	first := claimJobs(t, st, base, 1)
	if len(first) != 1 {
		t.Fatalf("first claim: got %v", jobIDs(first))
	}
	if got := claimJobs(t, st, base.Add(jobLease-time.Second), 1); len(got) != 0 {
		t.Fatalf("claim before the lease ends: got %v, want none", jobIDs(got))
	}
	second := claimJobs(t, st, base.Add(jobLease), 1)
	if len(second) != 1 || second[0].ID != j.ID || second[0].Attempt != 2 || second[0].Lease == first[0].Lease {
		t.Fatalf("claim once the lease ended: got %+v, want %s again, attempt 2, a new lease", second, j.ID)
	}
	completeJob(t, st, second[0])
}

// testJobLostLease completes with a lease that was taken over: the
// transaction fails and nothing of it commits.
func testJobLostLease(t *testing.T, st idv.Store) {
	j := sampleJob(t, kindA)
	enqueueJobs(t, st, j)
	old := claimJobs(t, st, base, 1)[0]
	now := claimJobs(t, st, base.Add(jobLease), 1)[0]
	sess := SampleSession(NewID(t), base)
	err := st.InTx(t.Context(), func(tx idv.Tx) error {
		if err := tx.CreateSession(t.Context(), sess); err != nil {
			return err
		}
		return tx.CompleteJob(t.Context(), j.ID, old.Lease)
	})
	if !errors.Is(err, idv.ErrLeaseLost) {
		t.Fatalf("CompleteJob with the old lease: got %v, want ErrLeaseLost", err)
	}
	if _, err := st.Session(t.Context(), sess.ID); !errors.Is(err, idv.ErrNotFound) {
		t.Errorf("the result committed with a lost lease: Session got %v, want ErrNotFound", err)
	}
	if r := jobByID(t, st, j.ID); r.State != idv.JobRunning || r.Attempt != 2 {
		t.Errorf("job after a lost-lease completion: %s attempt %d, want running attempt 2", r.State, r.Attempt)
	}
	err = st.SettleJob(t.Context(), idv.JobSettlement{ID: j.ID, Lease: old.Lease, State: idv.JobCancelled, At: base})
	if !errors.Is(err, idv.ErrLeaseLost) {
		t.Errorf("SettleJob with the old lease: got %v, want ErrLeaseLost", err)
	}
	completeJob(t, st, now)
}

func testJobGroupOrder(t *testing.T, st idv.Store) {
	g, h := "g-"+NewID(t), "h-"+NewID(t)
	var gs []idv.Job
	for range 3 {
		j := sampleJob(t, kindA)
		j.Group = g
		gs = append(gs, j)
	}
	hj, free := sampleJob(t, kindB), sampleJob(t, kindA)
	hj.Group = h
	enqueueJobs(t, st, gs[0], hj)
	enqueueJobs(t, st, gs[1], free, gs[2])

	got := claimJobs(t, st, base, 10)
	if diff := cmp.Diff([]string{gs[0].ID, hj.ID, free.ID}, jobIDs(got), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Fatalf("first claim: one job per group (-want +got):\n%s", diff)
	}
	if got := claimJobs(t, st, base, 10); len(got) != 0 {
		t.Fatalf("claim while the groups' heads run: got %v, want none", jobIDs(got))
	}
	for _, j := range got {
		completeJob(t, st, j)
	}
	second := claimJobs(t, st, base, 10)
	if len(second) != 1 || second[0].ID != gs[1].ID {
		t.Fatalf("claim after the head completed: got %v, want %s", jobIDs(second), gs[1].ID)
	}
	// A retry later keeps the group waiting: order holds.
	retryAt := base.Add(time.Hour)
	if err := st.SettleJob(t.Context(), idv.JobSettlement{ID: gs[1].ID, Lease: second[0].Lease,
		State: idv.JobAvailable, RunAt: retryAt, Error: "try later", At: base}); err != nil {
		t.Fatal(err)
	}
	if got := claimJobs(t, st, base.Add(time.Minute), 10); len(got) != 0 {
		t.Fatalf("claim while the head waits for its retry: got %v, want none", jobIDs(got))
	}
	third := claimJobs(t, st, retryAt, 10)
	if len(third) != 1 || third[0].ID != gs[1].ID {
		t.Fatalf("claim at the retry: got %v, want %s", jobIDs(third), gs[1].ID)
	}
	completeJob(t, st, third[0])
	if last := claimJobs(t, st, retryAt, 10); len(last) != 1 || last[0].ID != gs[2].ID {
		t.Fatalf("last claim: got %v, want %s", jobIDs(last), gs[2].ID)
	}
}

func testJobUniqueKey(t *testing.T, st idv.Store) {
	key := "media-" + NewID(t)
	a, b := sampleJob(t, kindA), sampleJob(t, kindA)
	a.UniqueKey, b.UniqueKey = key, key
	enqueueJobs(t, st, a)
	enqueueJobs(t, st, b) // skipped, no error
	if _, err := st.JobByID(t.Context(), b.ID); !errors.Is(err, idv.ErrNotFound) {
		t.Errorf("second job with the key: JobByID got %v, want ErrNotFound", err)
	}
	dup := sampleJob(t, kindA)
	dup.ID = a.ID
	err := st.InTx(t.Context(), func(tx idv.Tx) error { return tx.EnqueueJob(t.Context(), dup) })
	wantCode(t, "EnqueueJob with a taken id", err, idv.CodeConflict)

	got := claimJobs(t, st, base, 10)
	completeJob(t, st, got[0])
	if n, err := st.PurgeJobs(t.Context(), time.Now().Add(time.Hour), 10); err != nil || n != 1 {
		t.Fatalf("PurgeJobs: got %d, %v, want 1", n, err)
	}
	enqueueJobs(t, st, b) // the key is free again
	jobByID(t, st, b.ID)
}

func testJobSettle(t *testing.T, st idv.Store) {
	retry, snooze, cancel, discard := sampleJob(t, kindA), sampleJob(t, kindA), sampleJob(t, kindA), sampleJob(t, kindA)
	enqueueJobs(t, st, retry, snooze, cancel, discard)
	held := map[string]idv.ClaimedJob{}
	for _, j := range claimJobs(t, st, base, 10) {
		held[j.ID] = j
	}
	at, next := base.Add(time.Second), base.Add(time.Minute)
	for _, tc := range []struct {
		job     idv.Job
		s       idv.JobSettlement
		attempt int
	}{
		{retry, idv.JobSettlement{State: idv.JobAvailable, RunAt: next, Error: "boom"}, 1},
		{snooze, idv.JobSettlement{State: idv.JobAvailable, RunAt: next, Snoozed: true}, 0},
		{cancel, idv.JobSettlement{State: idv.JobCancelled, Error: "gave up"}, 1},
		{discard, idv.JobSettlement{State: idv.JobDiscarded, Error: "out of attempts"}, 1},
	} {
		tc.s.ID, tc.s.Lease, tc.s.At = tc.job.ID, held[tc.job.ID].Lease, at
		if err := st.SettleJob(t.Context(), tc.s); err != nil {
			t.Fatalf("SettleJob(%+v): %v", tc.s, err)
		}
		got := jobByID(t, st, tc.job.ID)
		if got.State != tc.s.State || got.Attempt != tc.attempt || got.LastError != tc.s.Error {
			t.Errorf("after %+v: state %s attempt %d error %q, want %s %d %q", tc.s, got.State, got.Attempt,
				got.LastError, tc.s.State, tc.attempt, tc.s.Error)
		}
		final := tc.s.State != idv.JobAvailable
		if final != !got.FinishedAt.IsZero() || (!final && !got.RunAt.Equal(stored(next))) {
			t.Errorf("after %+v: finished %v run at %v", tc.s, got.FinishedAt, got.RunAt)
		}
	}
	if got := claimJobs(t, st, next.Add(-time.Microsecond), 10); len(got) != 0 {
		t.Errorf("claim before RunAt: got %v, want none", jobIDs(got))
	}
	got := claimJobs(t, st, next, 10)
	if diff := cmp.Diff([]string{retry.ID, snooze.ID}, jobIDs(got), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("claim at RunAt: the final jobs must stay final (-want +got):\n%s", diff)
	}
}

func testJobMaxAttempts(t *testing.T, st idv.Store) {
	j := sampleJob(t, kindA)
	j.MaxAttempts = 2
	enqueueJobs(t, st, j)
	now := base
	for attempt := 1; attempt <= 2; attempt++ {
		got := claimJobs(t, st, now, 1)
		if len(got) != 1 || got[0].Attempt != attempt {
			t.Fatalf("claim %d: got %+v", attempt, got)
		}
		now = now.Add(jobLease) // the worker died: the lease ends
	}
	if got := claimJobs(t, st, now, 1); len(got) != 0 {
		t.Fatalf("claim after the last attempt's lease ended: got %v, want none", jobIDs(got))
	}
	if r := jobByID(t, st, j.ID); r.State != idv.JobDiscarded || r.LastError == "" {
		t.Errorf("job out of attempts: %s %q, want discarded with a reason", r.State, r.LastError)
	}
}

func testJobStatsAndPurge(t *testing.T, st idv.Store) {
	enqueueJobs(t, st, sampleJob(t, kindA), sampleJob(t, kindA), sampleJob(t, kindB))
	got := claimJobs(t, st, base, 1)
	stats, err := st.JobStats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := idv.JobStats{Available: map[string]int{kindA: 1, kindB: 1}, Running: map[string]int{kindA: 1}}
	if diff := cmp.Diff(want, stats); diff != "" {
		t.Errorf("JobStats (-want +got):\n%s", diff)
	}
	completeJob(t, st, got[0])
	if n, err := st.PurgeJobs(t.Context(), time.Now().Add(-time.Hour), 10); err != nil || n != 0 {
		t.Errorf("PurgeJobs before the completion: got %d, %v, want 0", n, err)
	}
	if n, err := st.PurgeJobs(t.Context(), time.Now().Add(time.Hour), 10); err != nil || n != 1 {
		t.Errorf("PurgeJobs after it: got %d, %v, want 1 (unfinished jobs stay)", n, err)
	}
}
