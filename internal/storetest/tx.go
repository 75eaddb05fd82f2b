package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/idv"
)

// CreateRealistic writes what creating a session writes: the session row,
// its data key, one timeline event, one outbox message and a notice.
func CreateRealistic(ctx context.Context, tx idv.Tx, id string, now time.Time) error {
	s := SampleSession(id, now)
	if err := tx.CreateSession(ctx, s); err != nil {
		return err
	}
	if err := tx.PutDataKey(ctx, id, []byte("wrapped-data-key-0123456789abcdef0123456789abcdef")); err != nil {
		return err
	}
	err := tx.AppendEvents(ctx, idv.Event{ID: id + "-e1", SessionID: id, Type: "session.created",
		Source: idv.SourceServer, SealedPayload: []byte("sealed"), CreatedAt: now})
	if err != nil {
		return err
	}
	err = tx.EnqueueOutbox(ctx, idv.OutboxMessage{ID: id + "-o1", SessionID: id, EventType: "session.created",
		Payload: []byte(`{"session_id":"` + id + `","status":"in_progress"}`), CreatedAt: now, NextAttemptAt: now})
	if err != nil {
		return err
	}
	return tx.NotifySession(ctx, id)
}

func testRollbackLeavesNothing(t *testing.T, st idv.Store) {
	ch := subscribe(t, st)
	gone := NewID(t)
	err := st.InTx(t.Context(), func(tx idv.Tx) error {
		if err := CreateRealistic(t.Context(), tx, gone, base); err != nil {
			return err
		}
		return fmt.Errorf("after writing: %w", errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx: got %v, want errBoom", err)
	}
	if _, err := st.Session(t.Context(), gone); idv.ErrorCode(err) != idv.CodeNotFound {
		t.Errorf("Session of rolled back: got %v, want not found", err)
	}
	if ev, err := st.Events(t.Context(), gone, idv.EventCursor{}, 100); err != nil || len(ev) != 0 {
		t.Errorf("Events of rolled back: got %v, %v; want none", ev, err)
	}
	err = st.InTx(t.Context(), func(tx idv.Tx) error { _, err := tx.DataKey(t.Context(), gone); return err })
	wantCode(t, "DataKey of rolled back", err, idv.CodeNotFound)
	if s, err := st.Stats(t.Context()); err != nil || s.OutboxBacklog != 0 {
		t.Errorf("outbox backlog after rollback: got %+v, %v; want 0", s, err)
	}
	// Notices arrive in commit order: a later committed marker proves the
	// rolled-back one was never sent.
	marker := NewID(t)
	inTx(t, st, func(tx idv.Tx) error { return CreateRealistic(t.Context(), tx, marker, base) })
	if before := waitFor(t, ch, marker); slices.Contains(before, gone) {
		t.Errorf("got a notice for a rolled-back transaction")
	}
}

// testFailingCallRollsBackOnlyItself runs concurrent transactions, every
// other one failing after its writes: each caller gets its own outcome
// (with group commit they share a physical transaction).
func testFailingCallRollsBackOnlyItself(t *testing.T, st idv.Store) {
	const n = 24
	createEndpoint(t, st, SampleEndpoint(t, false, "https://receiver.example")) // one delivery per message
	ids := make([]string, n)
	errs := make([]error, n)
	mine := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		ids[i] = NewID(t)
		mine[i] = fmt.Errorf("call %d: %w", i, errBoom)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = st.InTx(t.Context(), func(tx idv.Tx) error {
				if err := CreateRealistic(t.Context(), tx, ids[i], base); err != nil {
					return err
				}
				if i%2 == 1 {
					return mine[i]
				}
				return nil
			})
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		_, err := st.Session(t.Context(), ids[i])
		if i%2 == 1 {
			if errs[i] != mine[i] {
				t.Errorf("call %d: got error %v, want its own %v", i, errs[i], mine[i])
			}
			wantCode(t, fmt.Sprintf("Session of failed call %d", i), err, idv.CodeNotFound)
			continue
		}
		if errs[i] != nil || err != nil {
			t.Errorf("call %d: InTx %v, Session %v; want both nil", i, errs[i], err)
		}
	}
	if s, err := st.Stats(t.Context()); err != nil || s.OutboxBacklog != n/2 {
		t.Errorf("outbox backlog: got %+v, %v; want %d", s, err, n/2)
	}
}

func testPanicRollsBack(t *testing.T, st idv.Store) {
	id := NewID(t)
	got := func() (p any) {
		defer func() { p = recover() }()
		_ = st.InTx(t.Context(), func(tx idv.Tx) error {
			if err := CreateRealistic(t.Context(), tx, id, base); err != nil {
				return err
			}
			panic("fn panicked")
		})
		return nil
	}()
	if got != "fn panicked" {
		t.Fatalf("recovered %v, want the fn's panic", got)
	}
	if _, err := st.Session(t.Context(), id); idv.ErrorCode(err) != idv.CodeNotFound {
		t.Errorf("Session after panic: got %v, want not found", err)
	}
	createSessions(t, st, SampleSession(NewID(t), base)) // the store still works
}

// testGoexitRollsBack ends fn with runtime.Goexit (as t.FailNow does):
// its writes must be undone and the store must keep working.
func testGoexitRollsBack(t *testing.T, st idv.Store) {
	id := NewID(t)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		_ = st.InTx(t.Context(), func(tx idv.Tx) error {
			if err := CreateRealistic(t.Context(), tx, id, base); err != nil {
				return err
			}
			if _, err := tx.DataKey(t.Context(), id); err != nil { // a read: the writes reach the database
				return err
			}
			runtime.Goexit()
			return nil
		})
	}()
	<-ended
	if _, err := st.Session(t.Context(), id); idv.ErrorCode(err) != idv.CodeNotFound {
		t.Errorf("Session after Goexit: got %v, want not found", err)
	}
	// The same id again: this blocks forever if the transaction was left open.
	createSessions(t, st, SampleSession(id, base))
}

func testCanceledContext(t *testing.T, st idv.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	id := NewID(t)
	err := st.InTx(ctx, func(tx idv.Tx) error { return CreateRealistic(ctx, tx, id, base) })
	if err == nil {
		t.Fatalf("InTx with a canceled context: got nil error")
	}
	if _, err := st.Session(t.Context(), id); idv.ErrorCode(err) != idv.CodeNotFound {
		t.Errorf("Session after canceled InTx: got %v, want not found", err)
	}
}

// testNoticesAfterCommit checks that every subscriber hears of a change
// and that, when it does, the change is already readable (so the notice
// was not sent before commit).
func testNoticesAfterCommit(t *testing.T, st idv.Store) {
	type heard struct {
		id  string
		err error
	}
	var chans []chan heard
	for range 2 {
		ch := make(chan heard, 64)
		chans = append(chans, ch)
		startSubscriber(t, st, func(id string) {
			_, err := st.Session(background(), id)
			ch <- heard{id, err}
		})
	}
	id := NewID(t)
	inTx(t, st, func(tx idv.Tx) error { return CreateRealistic(t.Context(), tx, id, base) })
	for i, ch := range chans {
		timeout := time.NewTimer(30 * time.Second)
		select {
		case h := <-ch:
			if h.id != id || h.err != nil {
				t.Errorf("subscriber %d: heard %s (read: %v), want %s readable", i, h.id, h.err, id)
			}
		case <-timeout.C:
			t.Fatalf("subscriber %d: no notice", i)
		}
		timeout.Stop()
	}
}

// testFailedWriteRollsBackAll commits writes of which the last fails (an
// event of an unknown session): none of them may stay.
func testFailedWriteRollsBackAll(t *testing.T, st idv.Store) {
	ctx := t.Context()
	id := NewID(t)
	err := st.InTx(ctx, func(tx idv.Tx) error {
		if err := tx.CreateSession(ctx, SampleSession(id, base)); err != nil {
			return err
		}
		if err := tx.PutDataKey(ctx, id, []byte("k")); err != nil {
			return err
		}
		// A store may report this write's error here or from InTx.
		return tx.AppendEvents(ctx, idv.Event{ID: NewID(t), SessionID: NewID(t), Type: "success", CreatedAt: base})
	})
	wantCode(t, "InTx with a failing write", err, idv.CodeNotFound)
	if _, err := st.Session(ctx, id); idv.ErrorCode(err) != idv.CodeNotFound {
		t.Errorf("Session written before the failing write: got %v, want not found", err)
	}
}

// testReadYourWrites reads, inside one transaction, what it just wrote.
func testReadYourWrites(t *testing.T, st idv.Store) {
	ctx := t.Context()
	s := SampleSession(NewID(t), base)
	inTx(t, st, func(tx idv.Tx) error {
		if err := tx.CreateSession(ctx, s); err != nil {
			return err
		}
		if err := tx.PutDataKey(ctx, s.ID, []byte("k1")); err != nil {
			return err
		}
		got, err := tx.SessionForUpdate(ctx, s.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(canonical(s), got, opts); diff != "" {
			t.Errorf("SessionForUpdate after CreateSession (-want +got):\n%s", diff)
		}
		key, err := tx.DataKey(ctx, s.ID)
		if err != nil || string(key) != "k1" {
			t.Errorf("DataKey after PutDataKey: got %q, %v; want k1", key, err)
		}
		if err := tx.DeleteDataKey(ctx, s.ID); err != nil {
			return err
		}
		if _, err := tx.DataKey(ctx, s.ID); idv.ErrorCode(err) != idv.CodeNotFound {
			t.Errorf("DataKey after DeleteDataKey: got %v, want not found", err)
		}
		return nil
	})
}
