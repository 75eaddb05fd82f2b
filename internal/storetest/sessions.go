package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/idv"
)

func testSessionRoundTrip(t *testing.T, st idv.Store) {
	full := SampleSession(NewID(t), base)
	bare := idv.Session{ID: NewID(t), LevelName: "basic", Status: idv.StatusInProgress,
		CreatedAt: base, UpdatedAt: base, ExpiresAt: base.Add(time.Hour), Version: 1}
	createSessions(t, st, full, bare)
	for _, want := range []idv.Session{full, bare} {
		got, err := st.Session(t.Context(), want.ID)
		if err != nil {
			t.Fatalf("Session(%s): %v", want.ID, err)
		}
		if diff := cmp.Diff(canonical(want), got, opts); diff != "" {
			t.Errorf("Session(%s) mismatch (-want +got):\n%s", want.ID, diff)
		}
		var locked idv.Session
		inTx(t, st, func(tx idv.Tx) error {
			locked, err = tx.SessionForUpdate(t.Context(), want.ID)
			return err
		})
		if diff := cmp.Diff(canonical(want), locked, opts); diff != "" {
			t.Errorf("SessionForUpdate(%s) mismatch (-want +got):\n%s", want.ID, diff)
		}
	}
}

func testTimestamps(t *testing.T, st idv.Store) {
	s := SampleSession(NewID(t), base)
	createSessions(t, st, s)
	got, err := st.Session(t.Context(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		got, sent time.Time
	}{
		{"CreatedAt", got.CreatedAt, s.CreatedAt},
		{"UpdatedAt", got.UpdatedAt, s.UpdatedAt},
		{"ExpiresAt", got.ExpiresAt, s.ExpiresAt},
	} {
		if tc.got.Location() != time.UTC {
			t.Errorf("%s: got location %v, want UTC", tc.name, tc.got.Location())
		}
		if want := stored(tc.sent); !tc.got.Equal(want) || tc.got.Nanosecond()%1000 != 0 {
			t.Errorf("%s: got %v, want %v (microsecond precision)", tc.name, tc.got, want)
		}
	}
}

func testCreateSessionTwice(t *testing.T, st idv.Store) {
	s := SampleSession(NewID(t), base)
	createSessions(t, st, s)
	err := st.InTx(t.Context(), func(tx idv.Tx) error { return tx.CreateSession(t.Context(), s) })
	wantCode(t, "second CreateSession", err, idv.CodeConflict)
}

func testUpdateSession(t *testing.T, st idv.Store) {
	s := SampleSession(NewID(t), base)
	createSessions(t, st, s)
	next := s
	next.Status, next.Version, next.UpdatedAt = idv.StatusCompleted, 2, base.Add(time.Minute)
	next.Steps = append([]idv.StepState(nil), s.Steps...)
	next.Steps[0].Attempts = 7
	tests := []struct {
		name string
		in   idv.Session
		want idv.Code // "" for success
	}{
		{"next version", next, ""},
		{"same version again", next, idv.CodeConflict},
		{"version skipped", func() idv.Session { x := next; x.Version = 9; return x }(), idv.CodeConflict},
		{"unknown session", func() idv.Session { x := next; x.ID = NewID(t); return x }(), idv.CodeNotFound},
	}
	for _, tc := range tests {
		err := st.InTx(t.Context(), func(tx idv.Tx) error { return tx.UpdateSession(t.Context(), tc.in) })
		if tc.want == "" {
			if err != nil {
				t.Fatalf("%s: UpdateSession: %v", tc.name, err)
			}
			continue
		}
		wantCode(t, tc.name, err, tc.want)
	}
	got, err := st.Session(t.Context(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(canonical(next), got, opts); diff != "" {
		t.Errorf("after updates (-want +got):\n%s", diff)
	}
}

func testNotFound(t *testing.T, st idv.Store) {
	id := NewID(t)
	ctx := t.Context()
	inTxErr := func(fn func(idv.Tx) error) error { return st.InTx(ctx, fn) }
	tests := []struct {
		name string
		call func() error
	}{
		{"Session", func() error { _, err := st.Session(ctx, id); return err }},
		{"APIKeyByHash", func() error { _, err := st.APIKeyByHash(ctx, []byte(id)); return err }},
		{"SessionForUpdate", func() error {
			return inTxErr(func(tx idv.Tx) error { _, err := tx.SessionForUpdate(ctx, id); return err })
		}},
		{"UpdateSession", func() error {
			return inTxErr(func(tx idv.Tx) error { return tx.UpdateSession(ctx, SampleSession(id, base)) })
		}},
		{"DataKey", func() error {
			return inTxErr(func(tx idv.Tx) error { _, err := tx.DataKey(ctx, id); return err })
		}},
		{"PutDataKey of unknown session", func() error {
			return inTxErr(func(tx idv.Tx) error { return tx.PutDataKey(ctx, id, []byte("k")) })
		}},
		{"AppendEvents of unknown session", func() error {
			return inTxErr(func(tx idv.Tx) error {
				return tx.AppendEvents(ctx, idv.Event{ID: NewID(t), SessionID: id, Type: "success", CreatedAt: base})
			})
		}},
		{"FinishIdempotent", func() error {
			return inTxErr(func(tx idv.Tx) error { return tx.FinishIdempotent(ctx, id, 200, nil) })
		}},
	}
	for _, tc := range tests {
		wantCode(t, tc.name, tc.call(), idv.CodeNotFound)
	}
	events, err := st.Events(ctx, id, idv.EventCursor{}, 100)
	if err != nil || len(events) != 0 {
		t.Errorf("Events(unknown): got %v, %v; want none, nil", events, err)
	}
}

// testForUpdateSerialises increments a counter from n goroutines, each in
// its own transaction: a lost update shows as a count below n.
func testForUpdateSerialises(t *testing.T, st idv.Store) {
	const n = 16
	s := SampleSession(NewID(t), base)
	createSessions(t, st, s)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- st.InTx(t.Context(), func(tx idv.Tx) error {
				cur, err := tx.SessionForUpdate(t.Context(), s.ID)
				if err != nil {
					return err
				}
				cur.Steps[0].Attempts++
				cur.Version++
				cur.UpdatedAt = base.Add(time.Duration(i) * time.Second)
				return tx.UpdateSession(t.Context(), cur)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("increment: %v", err)
		}
	}
	got, err := st.Session(t.Context(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Steps[0].Attempts != n || got.Version != 1+n {
		t.Errorf("got attempts %d version %d, want %d and %d", got.Steps[0].Attempts, got.Version, n, 1+n)
	}
}

func testExpiry(t *testing.T, st idv.Store) {
	at := func(name string, status idv.SessionStatus, expires time.Duration) idv.Session {
		s := SampleSession(name+"-"+NewID(t), base.Add(-48*time.Hour))
		s.Status, s.ExpiresAt = status, base.Add(expires)
		return s
	}
	a := at("a", idv.StatusInProgress, -3*time.Hour)
	b := at("b", idv.StatusInProgress, -time.Hour)
	c := at("c", idv.StatusCompleted, -2*time.Hour)
	d := at("d", idv.StatusInProgress, time.Hour)
	e := at("e", idv.StatusInProgress, 0)
	createSessions(t, st, d, c, b, e, a)
	for _, tc := range []struct {
		limit int
		want  []string
	}{{10, []string{a.ID, b.ID}}, {1, []string{a.ID}}} {
		var got []string
		inTx(t, st, func(tx idv.Tx) (err error) {
			got, err = tx.SessionIDsExpiringBefore(t.Context(), base, tc.limit)
			return err
		})
		if diff := cmp.Diff(tc.want, got, opts); diff != "" {
			t.Errorf("SessionIDsExpiringBefore(limit %d) (-want +got):\n%s", tc.limit, diff)
		}
	}
}

func testRetention(t *testing.T, st idv.Store) {
	at := func(name string, status idv.SessionStatus, created time.Duration) idv.Session {
		s := SampleSession(name+"-"+NewID(t), base.Add(created))
		s.Status = status
		return s
	}
	a := at("a", idv.StatusInProgress, -3*time.Hour)
	b := at("b", idv.StatusErased, -2*time.Hour)
	c := at("c", idv.StatusCompleted, -time.Hour)
	d := at("d", idv.StatusCompleted, time.Hour)
	createSessions(t, st, d, c, b, a)
	for _, tc := range []struct {
		limit int
		want  []string
	}{{10, []string{a.ID, c.ID}}, {1, []string{a.ID}}} {
		var got []string
		inTx(t, st, func(tx idv.Tx) (err error) {
			got, err = tx.SessionIDsCreatedBefore(t.Context(), base, tc.limit)
			return err
		})
		if diff := cmp.Diff(tc.want, got, opts); diff != "" {
			t.Errorf("SessionIDsCreatedBefore(limit %d) (-want +got):\n%s", tc.limit, diff)
		}
	}
}

func testStats(t *testing.T, st idv.Store) {
	var ss []idv.Session
	for i, status := range []idv.SessionStatus{idv.StatusInProgress, idv.StatusInProgress,
		idv.StatusCompleted, idv.StatusErased} {
		s := SampleSession(fmt.Sprintf("%d-%s", i, NewID(t)), base)
		s.Status = status
		ss = append(ss, s)
	}
	createSessions(t, st, ss...)
	createEndpoint(t, st, SampleEndpoint(t, false, "https://receiver.example"))
	inTx(t, st, func(tx idv.Tx) error {
		return tx.EnqueueOutbox(t.Context(),
			outboxMessage(t, ss[0].ID, nil), outboxMessage(t, ss[1].ID, nil), outboxMessage(t, ss[2].ID, nil))
	})
	cs := claim(t, st, base, time.Minute, 1)
	if err := st.FinishWebhookAttempts(t.Context(), []idv.AttemptResult{result(cs[0], idv.DeliveryDelivered, base, 200)}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := idv.StoreStats{
		SessionsByStatus: map[idv.SessionStatus]int{idv.StatusInProgress: 2, idv.StatusCompleted: 1, idv.StatusErased: 1},
		OutboxBacklog:    2,
	}
	if diff := cmp.Diff(want, got, opts); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func testReady(t *testing.T, st idv.Store) {
	if err := st.Ready(t.Context()); err != nil {
		t.Errorf("Ready on a migrated store: %v", err)
	}
}
