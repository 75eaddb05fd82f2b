package postgres

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/storetest"
)

// queued returns the member a write-only transaction creating session id
// would hand to the committer.
func queued(t *testing.T, st *Store, id string) *groupMember {
	t.Helper()
	tx := &tx{pool: st.pool, channel: st.channel}
	if err := storetest.CreateRealistic(t.Context(), tx, id, time.Now()); err != nil {
		t.Fatalf("queue writes for %s: %v", id, err)
	}
	if tx.tx != nil {
		t.Fatalf("creating %s began a transaction: the test needs a write-only one", id)
	}
	return &groupMember{batch: tx.batch, whats: tx.whats, done: make(chan error, 1)}
}

// sessionExists reports whether session id was committed.
func sessionExists(t *testing.T, st *Store, id string) bool {
	t.Helper()
	_, err := st.Session(t.Context(), id)
	switch {
	case err == nil:
		return true
	case errors.Is(err, idv.ErrNotFound):
		return false
	default:
		t.Fatalf("Session(%s): %v", id, err)
		return false
	}
}

// TestGroupCommitIsolatesAFailingMember commits one group in which one
// member repeats a committed session id: that member alone fails, with a
// conflict, and every other member is committed.
func TestGroupCommitIsolatesAFailingMember(t *testing.T) {
	st := open(t, WithGroupCommit(0))
	taken := storetest.NewID(t)
	if err := st.InTx(t.Context(), func(tx idv.Tx) error {
		return storetest.CreateRealistic(t.Context(), tx, taken, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	ids := []string{storetest.NewID(t), storetest.NewID(t), taken, storetest.NewID(t)}
	group := make([]*groupMember, len(ids))
	for i, id := range ids {
		group[i] = queued(t, st, id)
	}
	c := &committer{pool: st.pool, stop: t.Context()}
	c.flushGroup(group)
	for i, id := range ids {
		err := <-group[i].done
		if id == taken {
			if got := idv.ErrorCode(err); got != idv.CodeConflict {
				t.Errorf("member %d (repeated id): got %v (code %q), want a conflict", i, err, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("member %d: got %v, want nil", i, err)
		}
		if !sessionExists(t, st, id) {
			t.Errorf("member %d: session %s not committed", i, id)
		}
	}
}

// TestGroupCommitUnderConcurrency creates sessions from many goroutines
// through one flusher, so that they are committed in groups, some
// repeating an id: every create that succeeded is there, and each repeated
// id is committed exactly once.
func TestGroupCommitUnderConcurrency(t *testing.T) {
	st := open(t, WithGroupCommit(1))
	const workers, perWorker = 16, 10
	shared := storetest.NewID(t) // every worker also tries to create this one
	var mu sync.Mutex
	var committed []string
	sharedWins, conflicts := 0, 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				id := storetest.NewID(t)
				if i == w%perWorker {
					id = shared
				}
				err := st.InTx(t.Context(), func(tx idv.Tx) error {
					return storetest.CreateRealistic(t.Context(), tx, id, time.Now())
				})
				mu.Lock()
				switch {
				case err == nil && id == shared:
					sharedWins++
				case err == nil:
					committed = append(committed, id)
				case idv.ErrorCode(err) == idv.CodeConflict && id == shared:
					conflicts++
				default:
					t.Errorf("create %s: %v", id, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if sharedWins != 1 || conflicts != workers-1 {
		t.Errorf("repeated id: %d created and %d conflicts, want 1 and %d", sharedWins, conflicts, workers-1)
	}
	if got, want := len(committed), workers*(perWorker-1); got != want {
		t.Errorf("%d distinct creates succeeded, want %d", got, want)
	}
	for _, id := range committed {
		if !sessionExists(t, st, id) {
			t.Errorf("session %s answered success but is not there", id)
		}
	}
}
