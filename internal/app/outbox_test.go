package app_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idvtest"
)

// outboxRow is one webhook as stored.
type outboxRow struct {
	Type    string
	Sandbox bool
	Body    string
}

// readOutbox reads the outbox table of the SQLite file directly (the idv
// ports have no outbox reader yet), oldest first.
func readOutbox(t *testing.T, e *idvtest.Env) []outboxRow {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+e.DBPath+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT event_type, sandbox, payload FROM outbox ORDER BY created_at, rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		var body []byte
		if err := rows.Scan(&r.Type, &r.Sandbox, &body); err != nil {
			t.Fatal(err)
		}
		r.Body = string(body)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOutboxHoldsIDsAndStatusesOnly(t *testing.T) {
	e := idvtest.NewEnv(t, func(d *app.Deps) { d.SessionTTL = time.Hour })
	ctx := context.Background()
	cs, tok := e.ContactSession(t)
	if _, err := e.Svc.Consent(ctx, tok, cs.SessionID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.CompletePhoneVerification(ctx, tok, cs.SessionID, e.Inbox.LastCode(t, "+447911123456")); err != nil {
		t.Fatal(err)
	}
	e.Clock.Add(time.Hour)
	if n, err := e.Svc.ExpireDue(ctx); err != nil || n != 1 {
		t.Fatalf("ExpireDue = %d, %v; want 1, nil", n, err)
	}
	rows := readOutbox(t, e)
	var types []string
	for _, r := range rows {
		types = append(types, r.Type)
		var body struct {
			Type string `json:"type"`
			Data struct {
				SessionID string `json:"session_id"`
				Status    string `json:"status"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatalf("%s body %q: %v", r.Type, r.Body, err)
		}
		if body.Type != r.Type || body.Data.SessionID != cs.SessionID || body.Data.Status == "" {
			t.Errorf("%s body = %s, want its type, the session id and a status", r.Type, r.Body)
		}
		for _, pii := range []string{"Ada", "Lovelace", "7911", "ada@example.org"} {
			if strings.Contains(r.Body, pii) {
				t.Errorf("%s body holds personal data %q: %s", r.Type, pii, r.Body)
			}
		}
	}
	want := []string{"session.created", "session.consent.accepted", "session.phone.verified", "session.expired"}
	if diff := cmp.Diff(want, types); diff != "" {
		t.Errorf("outbox types (-want +got):\n%s", diff)
	}
}
