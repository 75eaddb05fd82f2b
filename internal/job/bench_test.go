package job

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/postgres"
	"github.com/openidv/openidv/internal/postgres/pgtest"
	"github.com/openidv/openidv/internal/sqlite"
)

// BenchmarkJobs measures, per store, a job's cost through the runner (a
// claim, a no-op handler and the completion's transaction) against the
// baseline a caller pays anyway: one transaction that enqueues it.
func BenchmarkJobs(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		st, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "openidv.db"))
		if err != nil {
			b.Fatal(err)
		}
		benchStore(b, migrated(b, st))
	})
	b.Run("postgres", func(b *testing.B) {
		st, err := postgres.Open(b.Context(), pgtest.Database(b, "openidv_jobbench"))
		if err != nil {
			b.Fatal(err)
		}
		benchStore(b, migrated(b, st))
	})
}

func benchStore(b *testing.B, st idv.Store) {
	enqueueOne := func(ctx context.Context) {
		j := idv.Job{ID: newJobID(), Kind: "noop", CreatedAt: time.Now()}
		if err := st.InTx(ctx, func(tx idv.Tx) error { return tx.EnqueueJob(ctx, j) }); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("enqueue", func(b *testing.B) { // baseline
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				enqueueOne(b.Context())
			}
		})
	})
	b.Run("run", func(b *testing.B) {
		var done atomic.Int64
		all := make(chan struct{})
		reg := NewRegistry()
		if err := reg.Register("noop", Kind{Handler: func(context.Context, idv.ClaimedJob) error {
			if done.Add(1) == int64(b.N) {
				close(all)
			}
			return nil
		}}); err != nil {
			b.Fatal(err)
		}
		drainQueue(b, st)
		for range b.N {
			enqueueOne(b.Context())
		}
		r, err := New(st, reg, Config{PollInterval: 10 * time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		b.ResetTimer()
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			r.Run(ctx)
		}()
		<-all
		b.StopTimer()
		cancel()
		<-finished
	})
}

// drainQueue completes what earlier runs left, so "run" measures its own jobs.
func drainQueue(b *testing.B, st idv.Store) {
	for {
		js, err := st.ClaimJobs(b.Context(), idv.JobClaim{Kinds: []string{"noop"}, Now: time.Now(),
			LeaseUntil: time.Now().Add(time.Minute), Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		if len(js) == 0 {
			return
		}
		for _, j := range js {
			if err := st.InTx(b.Context(), func(tx idv.Tx) error { return tx.CompleteJob(b.Context(), j.ID, j.Lease) }); err != nil {
				b.Fatal(err)
			}
		}
	}
}
