package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

// sdkEvents returns n tooFar events.
func sdkEvents(n int) []app.SDKEvent {
	out := make([]app.SDKEvent, n)
	for i := range out {
		out[i] = app.SDKEvent{Type: "tooFar", Payload: []byte(`{"message":"Move closer"}`)}
	}
	return out
}

// timelineTypes lists the sources and types of a session's timeline.
func timelineTypes(t *testing.T, e *idvtest.Env, id string) []string {
	t.Helper()
	evs, err := e.Svc.Events(context.Background(), e.Private, id)
	wantCode(t, "events", err, "")
	var out []string
	for _, ev := range evs {
		out = append(out, string(ev.Source)+":"+ev.Type)
	}
	return out
}

// TestSDKEventCaps checks the per-session cap counts SDK events only and
// refuses a whole batch that would pass it, that an oversized payload is
// refused, and that server events are still recorded once the cap is met.
func TestSDKEventCaps(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t, func(d *app.Deps) { d.Events = app.EventLimits{MaxPerSession: 5, MaxPayloadBytes: 64} })
		ctx := context.Background()
		cs, tok := e.ContactSession(t)
		steps := []struct {
			what  string
			batch []app.SDKEvent
			want  idv.Code
		}{
			{"3 of 5", sdkEvents(3), ""},
			{"3 more: over the cap", sdkEvents(3), idv.CodeConflict},
			{"2 more: at the cap", sdkEvents(2), ""},
			{"1 more: over the cap", sdkEvents(1), idv.CodeConflict},
		}
		for _, s := range steps {
			wantCode(t, s.what, e.Svc.RecordEvents(ctx, tok, cs.SessionID, s.batch), s.want)
		}
		big := []app.SDKEvent{{Type: "tooFar", Payload: []byte(`{"message":"` + strings.Repeat("x", 60) + `"}`)}}
		err := e.Svc.RecordEvents(ctx, tok, cs.SessionID, big)
		wantCode(t, "payload over 64 bytes", err, idv.CodeInvalid)
		if got := fieldNames(err); !cmp.Equal(got, []string{"events[0].payload"}) {
			t.Errorf("payload error fields = %v, want [events[0].payload]", got)
		}

		_, err = e.Svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent once the SDK cap is met", err, "")
		_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "phone code once the SDK cap is met", err, "")
		want := []string{"server:session.created"}
		for range 5 {
			want = append(want, "sdk:tooFar")
		}
		want = append(want, "server:session.consent.accepted", "server:session.phone.code_sent")
		if diff := cmp.Diff(want, timelineTypes(t, e, cs.SessionID)); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
	})
}

// fieldNames lists the field errors of err.
func fieldNames(err error) []string {
	var out []string
	if e, ok := err.(*idv.Error); ok {
		for _, f := range e.Fields {
			out = append(out, f.Name)
		}
	}
	return out
}

// TestEventPages reads a timeline by pages and checks bad queries.
func TestEventPages(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		cs, tok := e.ContactSession(t)
		wantCode(t, "record", e.Svc.RecordEvents(ctx, tok, cs.SessionID, sdkEvents(9)), "")

		var got []string
		q := app.EventQuery{Limit: 4}
		for pages := 1; ; pages++ {
			page, err := e.Svc.EventPage(ctx, e.Private, cs.SessionID, q)
			wantCode(t, "page", err, "")
			if len(page.Events) > 4 || (page.HasMore != (page.NextCursor != "")) {
				t.Fatalf("page %d: %d events, has_more %v, cursor %q", pages, len(page.Events), page.HasMore, page.NextCursor)
			}
			for _, ev := range page.Events {
				got = append(got, ev.ID)
			}
			if !page.HasMore {
				if pages != 3 {
					t.Errorf("read 10 events in %d pages of 4, want 3", pages)
				}
				break
			}
			q.Cursor = page.NextCursor
		}
		var want []string
		all, err := e.Svc.Events(ctx, e.Private, cs.SessionID)
		wantCode(t, "all events", err, "")
		for _, ev := range all {
			want = append(want, ev.ID)
		}
		if len(want) != 10 || !cmp.Equal(got, want) {
			t.Errorf("paged ids = %v, want the 10 of the timeline %v", got, want)
		}

		bad := []struct {
			q    app.EventQuery
			want []string
		}{
			{app.EventQuery{Limit: -1}, []string{"limit"}},
			{app.EventQuery{Limit: app.MaxEventPageSize + 1}, []string{"limit"}},
			{app.EventQuery{Cursor: "not-a-cursor"}, []string{"cursor"}},
			{app.EventQuery{Limit: -1, Cursor: "bW9v"}, []string{"limit", "cursor"}},
		}
		for _, tc := range bad {
			_, err := e.Svc.EventPage(ctx, e.Private, cs.SessionID, tc.q)
			wantCode(t, "bad query", err, idv.CodeInvalid)
			if got := fieldNames(err); !cmp.Equal(got, tc.want) {
				t.Errorf("EventPage(%+v) fields = %v, want %v", tc.q, got, tc.want)
			}
		}
	})
}
