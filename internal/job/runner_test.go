package job

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/postgres"
	"github.com/openidv/openidv/internal/postgres/pgtest"
	"github.com/openidv/openidv/internal/sqlite"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// testStore is a migrated store that the test closes.
type testStore interface {
	idv.Store
	Migrate(ctx context.Context) error
}

// stores runs fn on SQLite and, when configured, PostgreSQL.
func stores(t *testing.T, fn func(t *testing.T, st idv.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "openidv.db"))
		if err != nil {
			t.Fatal(err)
		}
		fn(t, migrated(t, st))
	})
	t.Run("postgres", func(t *testing.T) {
		st, err := postgres.Open(t.Context(), pgtest.Database(t, "openidv_job"))
		if err != nil {
			t.Fatal(err)
		}
		fn(t, migrated(t, st))
	})
}

// migrated migrates st and closes it when the test (or benchmark) ends.
func migrated(t testing.TB, st testStore) idv.Store {
	t.Helper()
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return st
}

// fast is a config that retries at once and polls often.
func fast(cfg Config) Config {
	cfg.Backoff = func(int) time.Duration { return 0 }
	cfg.PollInterval = 10 * time.Millisecond
	cfg.Registerer = prometheus.NewRegistry()
	return cfg
}

// start runs a runner until the test ends or stop is called (which waits
// for Run to return).
func start(t *testing.T, st Store, reg *Registry, cfg Config) (*Runner, func()) {
	t.Helper()
	r, err := New(st, reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx)
	}()
	stop := func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return r, stop
}

func enqueue(t *testing.T, st idv.Store, jobs ...idv.Job) {
	t.Helper()
	err := st.InTx(t.Context(), func(tx idv.Tx) error {
		for _, j := range jobs {
			if err := tx.EnqueueJob(t.Context(), j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func newJob(kind, group string) idv.Job {
	return idv.Job{ID: newJobID(), Kind: kind, Group: group, CreatedAt: time.Now()}
}

// waitState waits until the job reaches a final state and returns it. The
// deadline only guards against a hang.
func waitState(t *testing.T, st idv.Store, id string) idv.JobRecord {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		j, err := st.JobByID(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.FinishedAt != (time.Time{}) || time.Now().After(deadline) {
			return j
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func count(r *Runner, kind, outcome string) int {
	return int(testutil.ToFloat64(r.metrics.attempts.WithLabelValues(kind, outcome)))
}

// TestExactlyOnceInGroupOrder runs N jobs in M groups on 4 workers, the
// first attempt of every fifth failing: every job commits its result once,
// each group's jobs commit in enqueue order, never two of a group at once.
func TestExactlyOnceInGroupOrder(t *testing.T) {
	stores(t, func(t *testing.T, st idv.Store) {
		const n, groups = 60, 6
		var (
			mu       sync.Mutex
			applied  = map[string][]int{} // group → job numbers, in commit order
			running  = map[string]int{}
			attempts = map[int]int{}
			number   = map[string]int{} // job id → number
		)
		reg := NewRegistry()
		err := reg.Register("work", Kind{Handler: func(ctx context.Context, j idv.ClaimedJob) error {
			mu.Lock()
			k := number[j.ID]
			attempts[k]++
			first := attempts[k] == 1
			running[j.Group]++
			if running[j.Group] > 1 {
				t.Errorf("two jobs of group %s run at once", j.Group)
			}
			mu.Unlock()
			defer func() {
				mu.Lock()
				running[j.Group]--
				mu.Unlock()
			}()
			if first && k%5 == 0 {
				return errors.New("transient")
			}
			return st.InTx(ctx, func(tx idv.Tx) error {
				if err := tx.CompleteJob(ctx, j.ID, j.Lease); err != nil {
					return err
				}
				mu.Lock()
				applied[j.Group] = append(applied[j.Group], k)
				mu.Unlock()
				return nil
			})
		}})
		if err != nil {
			t.Fatal(err)
		}
		var jobs []idv.Job
		for k := range n {
			j := newJob("work", fmt.Sprintf("session-%d", k%groups))
			number[j.ID] = k
			jobs = append(jobs, j)
		}
		enqueue(t, st, jobs[:n/2]...)
		r, _ := start(t, st, reg, fast(Config{Workers: 4}))
		enqueue(t, st, jobs[n/2:]...) // while the runner works
		r.Wake()
		for _, j := range jobs {
			if got := waitState(t, st, j.ID); got.State != idv.JobCompleted {
				t.Fatalf("job %d: state %s (%s), want completed", number[j.ID], got.State, got.LastError)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for g := range groups {
			var want []int
			for k := g; k < n; k += groups {
				want = append(want, k)
			}
			if got := applied[fmt.Sprintf("session-%d", g)]; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("group %d applied %v, want %v (each once, in enqueue order)", g, got, want)
			}
		}
		if got := count(r, "work", outcomeError); got != n/5 {
			t.Errorf("failed attempts: got %d, want %d", got, n/5)
		}
	})
}

// TestPanicAndTimeoutFailTheAttempt: a panicking handler and one that
// overruns its timeout (ignoring its context) each fail one attempt, which
// is recorded and retried, and the runner goes on.
func TestPanicAndTimeoutFailTheAttempt(t *testing.T) {
	stores(t, func(t *testing.T, st idv.Store) {
		var panics, slows atomic.Int32
		stuck := make(chan struct{})
		t.Cleanup(func() { close(stuck) })
		reg := NewRegistry()
		must(t, reg.Register("panics", Kind{Handler: func(context.Context, idv.ClaimedJob) error {
			if panics.Add(1) == 1 {
				panic("handler bug")
			}
			return nil
		}}))
		must(t, reg.Register("slow", Kind{Timeout: 50 * time.Millisecond, Handler: func(context.Context, idv.ClaimedJob) error {
			if slows.Add(1) == 1 {
				<-stuck // ignores its context
			}
			return nil
		}}))
		p, s := newJob("panics", ""), newJob("slow", "")
		enqueue(t, st, p, s)
		r, _ := start(t, st, reg, fast(Config{Workers: 1}))
		for _, tc := range []struct {
			id, kind, outcome string
		}{{p.ID, "panics", outcomePanic}, {s.ID, "slow", outcomeTimeout}} {
			got := waitState(t, st, tc.id)
			if got.State != idv.JobCompleted || got.Attempt != 2 || got.LastError == "" {
				t.Errorf("%s: %s attempt %d error %q, want completed at attempt 2 with the first error kept",
					tc.kind, got.State, got.Attempt, got.LastError)
			}
			if n := count(r, tc.kind, tc.outcome); n != 1 {
				t.Errorf("%s: %d attempts with outcome %s, want 1", tc.kind, n, tc.outcome)
			}
		}
	})
}

// TestSnoozeCancelDiscard: a snooze runs again without using an attempt;
// a cancel and a job out of attempts stop for good.
func TestSnoozeCancelDiscard(t *testing.T) {
	stores(t, func(t *testing.T, st idv.Store) {
		var snoozes atomic.Int32
		reg := NewRegistry()
		must(t, reg.Register("snooze", Kind{Handler: func(context.Context, idv.ClaimedJob) error {
			if snoozes.Add(1) <= 2 {
				return idv.JobSnooze(time.Millisecond)
			}
			return nil
		}}))
		must(t, reg.Register("cancel", Kind{Handler: func(context.Context, idv.ClaimedJob) error {
			return idv.JobCancel(errors.New("media erased"))
		}}))
		must(t, reg.Register("fail", Kind{Handler: func(context.Context, idv.ClaimedJob) error {
			return errors.New("always")
		}}))
		sn, ca, fa := newJob("snooze", ""), newJob("cancel", ""), newJob("fail", "")
		fa.MaxAttempts = 3
		enqueue(t, st, sn, ca, fa)
		r, _ := start(t, st, reg, fast(Config{}))
		for _, tc := range []struct {
			id      string
			state   idv.JobState
			attempt int
		}{{sn.ID, idv.JobCompleted, 1}, {ca.ID, idv.JobCancelled, 1}, {fa.ID, idv.JobDiscarded, 3}} {
			if got := waitState(t, st, tc.id); got.State != tc.state || got.Attempt != tc.attempt {
				t.Errorf("job %s: %s attempt %d (%s), want %s attempt %d", tc.id, got.State, got.Attempt,
					got.LastError, tc.state, tc.attempt)
			}
		}
		if got := int(testutil.ToFloat64(r.metrics.discarded.WithLabelValues("fail"))); got != 1 {
			t.Errorf("discarded: got %d, want 1", got)
		}
	})
}

// deadStore is a store of a process that died: nothing it would write
// arrives.
type deadStore struct{ idv.Store }

var errDead = errors.New("the process died")

func (deadStore) SettleJob(context.Context, idv.JobSettlement) error     { return errDead }
func (deadStore) InTx(context.Context, func(idv.Tx) error) error         { return errDead }
func (deadStore) PurgeJobs(context.Context, time.Time, int) (int, error) { return 0, errDead }

// TestShutdownMidRun: a graceful stop releases the job it interrupts at
// once, its attempt not counted; a runner that dies mid-run (nothing of it
// written) leaves its job to be re-claimed once the lease ends, and the
// job then runs to completion once.
func TestShutdownMidRun(t *testing.T) {
	stores(t, func(t *testing.T, st idv.Store) {
		started := make(chan string, 4)
		stuck := make(chan struct{})
		t.Cleanup(func() { close(stuck) })
		var completions atomic.Int32
		handler := func(ctx context.Context, j idv.ClaimedJob) error {
			started <- j.Kind
			if j.Attempt == 1 {
				select {
				case <-ctx.Done(): // the polite kind returns when cancelled
					if j.Kind == "polite" {
						return ctx.Err()
					}
					<-stuck
				case <-stuck:
				}
			}
			completions.Add(1)
			return nil
		}
		reg := NewRegistry()
		must(t, reg.Register("polite", Kind{Handler: handler}))
		must(t, reg.Register("crashing", Kind{Handler: handler}))
		polite, crashing := newJob("polite", ""), newJob("crashing", "")

		enqueue(t, st, polite)
		_, stop := start(t, st, reg, fast(Config{ShutdownGrace: time.Millisecond}))
		<-started
		stop()
		if got, _ := st.JobByID(t.Context(), polite.ID); got.State != idv.JobAvailable || got.Attempt != 0 {
			t.Fatalf("after a graceful stop: %s attempt %d, want available with its attempt given back",
				got.State, got.Attempt)
		}

		enqueue(t, st, crashing)
		_, stop = start(t, deadStore{st}, reg, fast(Config{Workers: 2, ShutdownGrace: time.Millisecond}))
		for range 2 {
			<-started // both jobs run, the polite one again at attempt 1
		}
		stop()
		got, _ := st.JobByID(t.Context(), crashing.ID)
		if got.State != idv.JobRunning {
			t.Fatalf("after a crash: %s, want still running under the dead runner's lease", got.State)
		}
		skip := time.Until(got.LeaseUntil) // a clock at the lease's end
		start(t, st, reg, fast(Config{Now: func() time.Time { return time.Now().Add(skip) }}))
		for _, id := range []string{polite.ID, crashing.ID} {
			if got := waitState(t, st, id); got.State != idv.JobCompleted {
				t.Errorf("job %s: %s (%s), want completed", id, got.State, got.LastError)
			}
		}
		if got, _ := st.JobByID(t.Context(), crashing.ID); got.Attempt != 2 {
			t.Errorf("re-claimed job: attempt %d, want 2", got.Attempt)
		}
		if n := completions.Load(); n != 2 {
			t.Errorf("handlers that ran to the end: %d, want 2 (each job once)", n)
		}
	})
}

// TestPeriodicRunsOncePerPeriod runs two replicas' runners on one store:
// each period's job runs once.
func TestPeriodicRunsOncePerPeriod(t *testing.T) {
	stores(t, func(t *testing.T, st idv.Store) {
		var (
			mu   sync.Mutex
			runs = map[string]int{}
		)
		reg := NewRegistry()
		must(t, reg.Register("tick", Kind{Handler: func(_ context.Context, j idv.ClaimedJob) error {
			mu.Lock()
			defer mu.Unlock()
			runs[j.UniqueKey]++
			return nil
		}}))
		cfg := Config{Periodic: []Periodic{{Kind: "tick", Every: 100 * time.Millisecond}}}
		start(t, st, reg, fast(cfg))
		start(t, st, reg, fast(cfg))
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			n := len(runs)
			mu.Unlock()
			if n >= 4 || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(runs) < 4 {
			t.Fatalf("periods run: %d, want at least 4", len(runs))
		}
		for key, n := range runs {
			if n != 1 {
				t.Errorf("period %s ran %d times, want once", key, n)
			}
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
