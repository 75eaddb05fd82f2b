package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/openidv/openidv/internal/idv"
)

func outboxMessage(t *testing.T, sessionID string, delivered *time.Time) idv.OutboxMessage {
	return idv.OutboxMessage{ID: NewID(t), SessionID: sessionID, EventType: "session.created",
		Payload: []byte(`{}`), CreatedAt: base, NextAttemptAt: base, DeliveredAt: delivered}
}

func testDataKeys(t *testing.T, st idv.Store) {
	s := SampleSession(NewID(t), base)
	createSessions(t, st, s)
	ctx := t.Context()
	wrapped := []byte("wrapped key bytes")
	inTx(t, st, func(tx idv.Tx) error { return tx.PutDataKey(ctx, s.ID, wrapped) })
	var got []byte
	inTx(t, st, func(tx idv.Tx) (err error) { got, err = tx.DataKey(ctx, s.ID); return err })
	if !bytes.Equal(got, wrapped) {
		t.Errorf("DataKey: got %q, want %q", got, wrapped)
	}
	err := st.InTx(ctx, func(tx idv.Tx) error { return tx.PutDataKey(ctx, s.ID, []byte("other")) })
	wantCode(t, "second PutDataKey", err, idv.CodeConflict)
	if got, err := st.DataKey(ctx, s.ID); err != nil || string(got) != string(wrapped) {
		t.Errorf("Store.DataKey before delete = %q, %v; want %q", got, err, wrapped)
	}
	inTx(t, st, func(tx idv.Tx) error { return tx.DeleteDataKey(ctx, s.ID) })
	err = st.InTx(ctx, func(tx idv.Tx) error { _, err := tx.DataKey(ctx, s.ID); return err })
	wantCode(t, "DataKey after delete", err, idv.CodeNotFound)
	_, err = st.DataKey(ctx, s.ID)
	wantCode(t, "Store.DataKey after delete", err, idv.CodeNotFound)
	inTx(t, st, func(tx idv.Tx) error { return tx.DeleteDataKey(ctx, s.ID) }) // deleting twice is fine
	if _, err := st.Session(ctx, s.ID); err != nil {
		t.Errorf("Session after key deletion: %v (erasing the key keeps the row)", err)
	}
}

func testEvents(t *testing.T, st idv.Store) {
	a, b := SampleSession(NewID(t), base), SampleSession(NewID(t), base)
	createSessions(t, st, a, b)
	ev := func(session, typ string, at time.Time) idv.Event {
		return idv.Event{ID: NewID(t), SessionID: session, Type: typ, Source: idv.SourceSDK,
			SealedPayload: []byte(typ), CreatedAt: at}
	}
	late := ev(a.ID, "successCapture", base.Add(time.Second))
	first := ev(a.ID, "permissionDenied", base)
	second := ev(a.ID, "noAttemps", base) // same time: insertion order decides
	other := ev(b.ID, "tooFar", base)
	ctx := t.Context()
	inTx(t, st, func(tx idv.Tx) error { return tx.AppendEvents(ctx, late, first) })
	inTx(t, st, func(tx idv.Tx) error { return tx.AppendEvents(ctx, second, other) })
	got, err := st.Events(ctx, a.ID, idv.EventCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []idv.Event{first, second, late}
	for i := range want {
		want[i].CreatedAt = stored(want[i].CreatedAt)
	}
	if diff := cmp.Diff(want, got, opts, cmpopts.IgnoreFields(idv.Event{}, "Seq")); diff != "" {
		t.Errorf("Events (-want +got):\n%s", diff)
	}
	err = st.InTx(ctx, func(tx idv.Tx) error { return tx.AppendEvents(ctx, first) })
	wantCode(t, "AppendEvents with a known id", err, idv.CodeConflict)
}

func testIdempotency(t *testing.T, st idv.Store) {
	ctx := t.Context()
	rec := idv.IdempotencyRecord{Scope: "key1:" + NewID(t), RequestHash: []byte("hash-1"), CreatedAt: base}
	begin := func(r idv.IdempotencyRecord) (got idv.IdempotencyRecord, fresh bool) {
		t.Helper()
		inTx(t, st, func(tx idv.Tx) (err error) { got, fresh, err = tx.BeginIdempotent(ctx, r); return err })
		return got, fresh
	}
	check := func(step string, got idv.IdempotencyRecord, fresh bool, want idv.IdempotencyRecord, wantFresh bool) {
		t.Helper()
		want.CreatedAt = stored(want.CreatedAt)
		if fresh != wantFresh {
			t.Errorf("%s: got fresh %v, want %v", step, fresh, wantFresh)
		}
		if diff := cmp.Diff(want, got, opts); diff != "" {
			t.Errorf("%s (-want +got):\n%s", step, diff)
		}
	}
	got, fresh := begin(rec)
	check("first begin", got, fresh, rec, true)
	again := rec
	again.RequestHash, again.CreatedAt = []byte("hash-2"), base.Add(time.Second)
	got, fresh = begin(again)
	check("begin while running", got, fresh, rec, false)

	inTx(t, st, func(tx idv.Tx) error { return tx.FinishIdempotent(ctx, rec.Scope, 201, []byte(`{"ok":true}`)) })
	done := rec
	done.Status, done.Body = 201, []byte(`{"ok":true}`)
	got, fresh = begin(again)
	check("begin after finish", got, fresh, done, false)

	inTx(t, st, func(tx idv.Tx) error { return tx.DeleteIdempotent(ctx, rec.Scope) })
	got, fresh = begin(again)
	check("begin after delete", got, fresh, again, true)

	old := idv.IdempotencyRecord{Scope: "key1:" + NewID(t), RequestHash: []byte("h"), CreatedAt: base.Add(-48 * time.Hour)}
	begin(old)
	inTx(t, st, func(tx idv.Tx) error { return tx.PurgeIdempotentBefore(ctx, base.Add(-24*time.Hour)) })
	if _, fresh := begin(old); !fresh {
		t.Errorf("record older than the purge time survived")
	}
	if _, fresh := begin(again); fresh {
		t.Errorf("record newer than the purge time was purged")
	}
}

func testAPIKeys(t *testing.T, st idv.Store) {
	ctx := t.Context()
	revoked := base.Add(time.Hour)
	live := idv.APIKey{ID: NewID(t), Kind: idv.KeyPrivate, Hash: []byte("hash-live"), Hint: "private_…abcd", CreatedAt: base}
	gone := idv.APIKey{ID: NewID(t), Kind: idv.KeyPublic, Sandbox: true, Hash: []byte("hash-gone"),
		Hint: "public_sandbox_…wxyz", CreatedAt: base, RevokedAt: &revoked}
	if n, err := st.CountAPIKeys(ctx); err != nil || n != 0 {
		t.Fatalf("CountAPIKeys on an empty store: got %d, %v; want 0", n, err)
	}
	inTx(t, st, func(tx idv.Tx) error {
		if err := tx.CreateAPIKey(ctx, live); err != nil {
			return err
		}
		return tx.CreateAPIKey(ctx, gone)
	})
	for _, want := range []idv.APIKey{live, gone} {
		got, err := st.APIKeyByHash(ctx, want.Hash)
		if err != nil {
			t.Fatalf("APIKeyByHash(%s): %v", want.Hash, err)
		}
		want.CreatedAt = stored(want.CreatedAt)
		if want.RevokedAt != nil {
			r := stored(*want.RevokedAt)
			want.RevokedAt = &r
		}
		if diff := cmp.Diff(want, got, opts); diff != "" {
			t.Errorf("APIKeyByHash(%s) (-want +got):\n%s", want.Hash, diff)
		}
	}
	if n, err := st.CountAPIKeys(ctx); err != nil || n != 2 {
		t.Errorf("CountAPIKeys: got %d, %v; want 2", n, err)
	}
	dupHash := live
	dupHash.ID = NewID(t)
	err := st.InTx(ctx, func(tx idv.Tx) error { return tx.CreateAPIKey(ctx, dupHash) })
	wantCode(t, "CreateAPIKey with a known hash", err, idv.CodeConflict)
}
