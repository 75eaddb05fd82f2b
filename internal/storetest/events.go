package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// testEventPages reads a timeline page by page with the cursor of each
// page's last event: every event comes once, in (CreatedAt, Seq) order,
// and no page is longer than its limit.
func testEventPages(t *testing.T, st idv.Store) {
	a, b := SampleSession(NewID(t), base), SampleSession(NewID(t), base)
	createSessions(t, st, a, b)
	ctx := t.Context()
	var want []string
	var batch []idv.Event
	for i := range 7 {
		// Three events share each time: the sequence orders them.
		e := idv.Event{ID: fmt.Sprintf("%s-%02d", a.ID, i), SessionID: a.ID, Type: "tooFar",
			Source: idv.SourceSDK, CreatedAt: base.Add(time.Duration(i/3) * time.Second)}
		want = append(want, e.ID)
		batch = append(batch, e, idv.Event{ID: NewID(t), SessionID: b.ID, Type: "tooFar", CreatedAt: base})
	}
	inTx(t, st, func(tx idv.Tx) error { return tx.AppendEvents(ctx, batch...) })

	var got []string
	var after idv.EventCursor
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatalf("more than %d pages: the cursor does not advance", len(want))
		}
		page, err := st.Events(ctx, a.ID, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 3 {
			t.Fatalf("page of %d events, want at most the limit 3", len(page))
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.Seq <= 0 {
				t.Errorf("event %s has Seq %d, want the stored sequence", e.ID, e.Seq)
			}
			got = append(got, e.ID)
		}
		after = idv.CursorAfter(page[len(page)-1])
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events read by pages = %v, want %v", got, want)
	}
	if evs, err := st.Events(ctx, a.ID, idv.EventCursor{}, 0); err != nil || len(evs) != 0 {
		t.Errorf("Events with limit 0 = %d events, %v; want none", len(evs), err)
	}
}

// testCountEvents counts one session's events of one source.
func testCountEvents(t *testing.T, st idv.Store) {
	a, b := SampleSession(NewID(t), base), SampleSession(NewID(t), base)
	createSessions(t, st, a, b)
	ctx := t.Context()
	ev := func(session string, src idv.EventSource) idv.Event {
		return idv.Event{ID: NewID(t), SessionID: session, Type: "tooFar", Source: src, CreatedAt: base}
	}
	inTx(t, st, func(tx idv.Tx) error {
		return tx.AppendEvents(ctx, ev(a.ID, idv.SourceSDK), ev(a.ID, idv.SourceSDK),
			ev(a.ID, idv.SourceServer), ev(b.ID, idv.SourceSDK))
	})
	tests := []struct {
		session string
		source  idv.EventSource
		want    int
	}{
		{a.ID, idv.SourceSDK, 2},
		{a.ID, idv.SourceServer, 1},
		{b.ID, idv.SourceSDK, 1},
		{"ses_unknown", idv.SourceSDK, 0},
	}
	for _, tc := range tests {
		var got int
		inTx(t, st, func(tx idv.Tx) (err error) { got, err = tx.CountEvents(ctx, tc.session, tc.source); return err })
		if got != tc.want {
			t.Errorf("CountEvents(%s, %s) = %d, want %d", tc.session, tc.source, got, tc.want)
		}
	}
}
