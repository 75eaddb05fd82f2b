package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// eventsPage is GET .../events.
type eventsPage struct {
	Events []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"events"`
	NextCursor *string `json:"next_cursor"`
	HasMore    bool    `json:"has_more"`
}

// errorFields is the part of an error envelope the tests read.
type errorFields struct {
	Error struct {
		Type   string `json:"type"`
		Fields []struct {
			Name string `json:"name"`
		} `json:"fields"`
	} `json:"error"`
}

// TestE2EEventFlood floods one session with SDK events over HTTP with its
// client token, as the attack of issue 11 did: the server keeps the first
// 500 (the default cap) and refuses the rest with 409, refuses an
// oversized payload, and answers the timeline by bounded pages.
func TestE2EEventFlood(t *testing.T) {
	srv := startServer(t, serverOptions{DataDir: filepath.Join(t.TempDir(), "data")})
	admin := newAPIClient(srv.Base, srv.AdminKey)
	cs := createContactSession(t, admin)
	user := newAPIClient(srv.Base, cs.ClientToken)
	path := "/v1/sessions/" + cs.SessionID + "/events"

	batch := make([]map[string]any, 100)
	for i := range batch {
		batch[i] = map[string]any{"type": "tooFar", "payload": map[string]any{"message": strings.Repeat("m", 1000)}}
	}
	accepted, refused := 0, 0
	for range 12 { // 1,200 events offered
		status, raw, err := user.do(t.Context(), http.MethodPost, path, batch)
		if err != nil {
			t.Fatal(err)
		}
		switch status {
		case http.StatusCreated:
			accepted += len(batch)
		case http.StatusConflict:
			refused += len(batch)
			var e errorFields
			if err := json.Unmarshal(raw, &e); err != nil || e.Error.Type != "conflict" {
				t.Fatalf("refused batch answered %s, want a conflict error", raw)
			}
		default:
			t.Fatalf("POST events: status %d, body %s", status, raw)
		}
	}
	if accepted != 500 || refused != 700 {
		t.Errorf("flood of 1200 events: %d accepted, %d refused; want 500 and 700 (the per-session cap)", accepted, refused)
	}

	big := map[string]any{"type": "tooFar", "payload": map[string]any{"message": strings.Repeat("x", 5000)}}
	other := createContactSession(t, admin)
	status, raw, err := newAPIClient(srv.Base, other.ClientToken).do(t.Context(), http.MethodPost,
		"/v1/sessions/"+other.SessionID+"/events", big)
	if err != nil || status != http.StatusBadRequest || !strings.Contains(string(raw), "events[0].payload") {
		t.Errorf("5 KB payload: status %d, %v, body %s; want 400 naming events[0].payload", status, err, raw)
	}

	seen := readTimelineByPages(t, admin, path, 0)
	if len(seen) != 501 { // session.created and the 500 SDK events
		t.Errorf("timeline read by pages has %d events, want 501", len(seen))
	}
	if n := len(readTimelineByPages(t, admin, path, 1000)); n != 501 {
		t.Errorf("timeline read by pages of 1000 has %d events, want 501", n)
	}
	for _, q := range []string{"?limit=0", "?limit=1001", "?limit=x", "?cursor=nope"} {
		status, raw, err := admin.do(t.Context(), http.MethodGet, path+q, nil)
		want := strings.TrimLeft(strings.SplitN(q, "=", 2)[0], "?")
		if err != nil || status != http.StatusBadRequest || !strings.Contains(string(raw), `"name":"`+want+`"`) {
			t.Errorf("GET events%s: status %d, %v, body %s; want 400 naming %s", q, status, err, raw, want)
		}
	}
}

// readTimelineByPages follows next_cursor from the first page (limit 0:
// the default of 100) and returns the ids read, checking each page is
// bounded and no event comes twice.
func readTimelineByPages(t *testing.T, c *apiClient, path string, limit int) map[string]bool {
	t.Helper()
	seen := map[string]bool{}
	want := limit
	if want == 0 {
		want = 100
	}
	q := ""
	if limit > 0 {
		q = fmt.Sprintf("limit=%d&", limit)
	}
	cursor := ""
	for pages := 0; pages < 20; pages++ {
		var page eventsPage
		c.must(t, http.MethodGet, path+"?"+q+"cursor="+cursor, nil, http.StatusOK, &page)
		if len(page.Events) > want {
			t.Fatalf("page of %d events, want at most %d", len(page.Events), want)
		}
		for _, e := range page.Events {
			if seen[e.ID] {
				t.Fatalf("event %s read twice", e.ID)
			}
			seen[e.ID] = true
		}
		if !page.HasMore {
			if page.NextCursor != nil {
				t.Errorf("last page has next_cursor %q, want null", *page.NextCursor)
			}
			return seen
		}
		if page.NextCursor == nil || *page.NextCursor == "" {
			t.Fatal("has_more without next_cursor")
		}
		cursor = *page.NextCursor
	}
	t.Fatal("more than 20 pages")
	return nil
}
