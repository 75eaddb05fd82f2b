package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/storetest"
)

// open returns a migrated store on a fresh file, closed when t ends.
func open(t testing.TB, opts ...Option) *Store {
	t.Helper()
	st, err := Open(t.Context(), filepath.Join(t.TempDir(), "openidv.db"), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st
}

// TestConformance runs the shared suite (jobs and evidence included) with
// and without group commit.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"GroupCommit", nil},
		{"OneTxPerCall", []Option{WithMaxBatch(1)}},
		{"NoSessionCache", []Option{WithSessionCache(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) idv.Store { return open(t, tc.opts...) })
		})
	}
}

// TestReadyFailsUntilMigrated checks Ready reports pending migrations and
// that Migrate is idempotent.
func TestReadyFailsUntilMigrated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openidv.db")
	st, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ready(t.Context()); err == nil {
		t.Fatalf("Ready before Migrate: got nil, want an error")
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := st.Ready(t.Context()); err != nil {
		t.Errorf("Ready after Migrate: %v", err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Errorf("second Migrate: %v", err)
	}
}

// TestInTxAfterClose checks a closed store refuses work.
func TestInTxAfterClose(t *testing.T) {
	st, err := Open(t.Context(), filepath.Join(t.TempDir(), "openidv.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(t.Context(), func(idv.Tx) error { return nil }); err == nil {
		t.Errorf("InTx after Close: got nil, want an error")
	}
	if err := st.Ready(t.Context()); err == nil {
		t.Errorf("Ready after Close: got nil, want an error")
	}
}

// BenchmarkCreateSessionParallel compares group commit with one
// transaction (and one fsync) per session, on the same workload.
func BenchmarkCreateSessionParallel(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"GroupCommit", nil},
		{"OneTxPerSession", []Option{WithMaxBatch(1)}},
	} {
		b.Run(tc.name, func(b *testing.B) { storetest.BenchmarkCreate(b, open(b, tc.opts...)) })
	}
}

// TestDurabilitySettings checks the pragmas every connection must run with:
// WAL, synchronous=FULL (2), foreign keys on, and the busy timeout.
func TestDurabilitySettings(t *testing.T) {
	st := open(t)
	for _, q := range []querier{st.writer.conn, st.reader} {
		var (
			mode              string
			syncLevel, fk, bt int
		)
		row := q.QueryRowContext(t.Context(), `SELECT * FROM pragma_journal_mode, pragma_synchronous,
			pragma_foreign_keys, pragma_busy_timeout`)
		if err := row.Scan(&mode, &syncLevel, &fk, &bt); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || syncLevel != 2 || fk != 1 || bt != 5000 {
			t.Errorf("got journal_mode %s synchronous %d foreign_keys %d busy_timeout %d; want wal 2 1 5000",
				mode, syncLevel, fk, bt)
		}
	}
}

// TestSubscribeEndsOnClose checks that Close ends a subscription with an
// error and that Subscribe on a closed store fails at once.
func TestSubscribeEndsOnClose(t *testing.T) {
	st, err := Open(t.Context(), filepath.Join(t.TempDir(), "openidv.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- st.Subscribe(t.Context(), func(string) {}) }()
	// Close may run before or after the goroutine registers: either way
	// Subscribe must return an error.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err == nil {
		t.Errorf("Subscribe when the store closed: got nil, want an error")
	}
	if err := st.Subscribe(t.Context(), func(string) {}); err == nil {
		t.Errorf("Subscribe on a closed store: got nil, want an error")
	}
}

// TestFilesArePrivate checks the database and its WAL are owner-only.
func TestFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(t.Context(), filepath.Join(dir, "openidv.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"openidv.db", "openidv.db-wal"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: got mode %v, want 0600", name, got)
		}
	}
}

// TestGroupCommit runs concurrent InTx calls and counts the physical
// transactions: with group commit they share some, without it each call
// has its own.
func TestGroupCommit(t *testing.T) {
	const workers, each = 8, 25
	for _, tc := range []struct {
		name      string
		opts      []Option
		wantFewer bool
	}{
		{"GroupCommit", nil, true},
		{"OneTxPerCall", []Option{WithMaxBatch(1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t, tc.opts...)
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						id := fmt.Sprintf("%d-%d-%s", w, i, storetest.NewID(t))
						err := st.InTx(t.Context(), func(tx idv.Tx) error {
							return storetest.CreateRealistic(t.Context(), tx, id, time.Now())
						})
						if err != nil {
							t.Errorf("InTx: %v", err)
							return
						}
					}
				}()
			}
			wg.Wait()
			got := st.writer.commits.Load()
			if tc.wantFewer && got >= workers*each {
				t.Errorf("got %d transactions for %d calls, want fewer (grouped)", got, workers*each)
			}
			if !tc.wantFewer && got != workers*each {
				t.Errorf("got %d transactions for %d calls, want one each", got, workers*each)
			}
			stats, err := st.Stats(t.Context())
			if err != nil || stats.SessionsByStatus[idv.StatusInProgress] != workers*each {
				t.Errorf("Stats: got %+v, %v; want %d sessions", stats, err, workers*each)
			}
		})
	}
}
