package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
)

// TestPreflightJSONFollowsTheSession walks a contact session and moves the
// clock across every instant at which the preflight changes by itself (a
// resend becoming allowed, a code expiring, the session expiring): at each
// point the cached encoding must equal a fresh encoding of Preflight, and
// a repeated call must be served from the cache.
func TestPreflightJSONFollowsTheSession(t *testing.T) {
	backends(t, func(t *testing.T, newEnv func(*testing.T, ...option) *env) {
		e := newEnv(t)
		ctx := context.Background()
		cs, tok := e.contactSession(t)
		check := func(what string) {
			t.Helper()
			got, err := e.svc.PreflightJSON(ctx, tok, cs.SessionID)
			if err != nil {
				t.Fatalf("%s: PreflightJSON: %v", what, err)
			}
			pf, err := e.svc.Preflight(ctx, tok, cs.SessionID)
			if err != nil {
				t.Fatalf("%s: Preflight: %v", what, err)
			}
			want, _ := json.Marshal(pf)
			want = append(want, '\n')
			if string(got) != string(want) {
				t.Errorf("%s: PreflightJSON =\n%s\nwant\n%s", what, got, want)
			}
			again, _ := e.svc.PreflightJSON(ctx, tok, cs.SessionID)
			if &again[0] != &got[0] {
				t.Errorf("%s: a repeated call encoded the preflight again", what)
			}
		}
		check("new session")
		_, err := e.svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		check("after consent")
		_, err = e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "send", err, "")
		check("code sent")
		e.clock.Add(flow.ResendInterval - time.Second)
		check("just before a resend is allowed")
		e.clock.Add(time.Second)
		check("resend allowed")
		e.clock.Add(10 * time.Minute)
		check("code expired")
		e.clock.Add(8 * 24 * time.Hour)
		check("session expired")
		if got, _ := e.svc.PreflightJSON(ctx, tok, cs.SessionID); !json.Valid(got) ||
			!strings.Contains(string(got), `"status":"expired"`) || !strings.Contains(string(got), `"show":"cancel_screen"`) {
			t.Errorf("expired session's preflight = %s", got)
		}
		_, other := e.contactSession(t)
		if _, err := e.svc.PreflightJSON(ctx, other, cs.SessionID); idv.ErrorCode(err) != idv.CodeNotFound {
			t.Errorf("another session's token: err = %v, want not_found", err)
		}
	})
}
