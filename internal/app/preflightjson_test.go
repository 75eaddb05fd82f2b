package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

// TestPreflightJSONFollowsTheSession walks a contact session and moves the
// clock across every instant at which the preflight changes by itself (a
// resend becoming allowed, a code expiring, the session expiring): at each
// point the cached encoding must equal a fresh encoding of Preflight, and
// a repeated call must be served from the cache.
func TestPreflightJSONFollowsTheSession(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		cs, tok := e.ContactSession(t)
		check := func(what string) {
			t.Helper()
			got, err := e.Svc.PreflightJSON(ctx, tok, cs.SessionID)
			if err != nil {
				t.Fatalf("%s: PreflightJSON: %v", what, err)
			}
			pf, err := e.Svc.Preflight(ctx, tok, cs.SessionID)
			if err != nil {
				t.Fatalf("%s: Preflight: %v", what, err)
			}
			want, _ := json.Marshal(pf)
			want = append(want, '\n')
			if string(got) != string(want) {
				t.Errorf("%s: PreflightJSON =\n%s\nwant\n%s", what, got, want)
			}
			again, _ := e.Svc.PreflightJSON(ctx, tok, cs.SessionID)
			if &again[0] != &got[0] {
				t.Errorf("%s: a repeated call encoded the preflight again", what)
			}
		}
		check("new session")
		_, err := e.Svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		check("after consent")
		_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "send", err, "")
		check("code sent")
		e.Clock.Add(flow.ResendInterval - time.Second)
		check("just before a resend is allowed")
		e.Clock.Add(time.Second)
		check("resend allowed")
		e.Clock.Add(10 * time.Minute)
		check("code expired")
		e.Clock.Add(8 * 24 * time.Hour)
		check("session expired")
		if got, _ := e.Svc.PreflightJSON(ctx, tok, cs.SessionID); !json.Valid(got) ||
			!strings.Contains(string(got), `"status":"expired"`) || !strings.Contains(string(got), `"show":"cancel_screen"`) {
			t.Errorf("expired session's preflight = %s", got)
		}
		_, other := e.ContactSession(t)
		if _, err := e.Svc.PreflightJSON(ctx, other, cs.SessionID); idv.ErrorCode(err) != idv.CodeNotFound {
			t.Errorf("another session's token: err = %v, want not_found", err)
		}
	})
}
