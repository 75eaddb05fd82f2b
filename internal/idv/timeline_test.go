package idv

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// vocabularyRow is one row of the table of docs/events.md.
type vocabularyRow struct {
	timeline, source, webhook string // "" for —
}

// readVocabulary parses the table under "## The vocabulary".
func readVocabulary(t *testing.T) []vocabularyRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "events.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "## The vocabulary\n")
	if !ok {
		t.Fatal(`docs/events.md has no "## The vocabulary" section`)
	}
	cell := func(s string) string {
		s = strings.TrimSpace(s)
		if s == "—" {
			return ""
		}
		return strings.Trim(s, "`")
	}
	var rows []vocabularyRow
	for _, line := range strings.Split(table, "\n") {
		cols := strings.Split(line, "|")
		if len(cols) != 6 || strings.HasPrefix(line, "|---") || strings.Contains(line, "Timeline type") {
			continue
		}
		rows = append(rows, vocabularyRow{cell(cols[1]), cell(cols[2]), cell(cols[4])})
	}
	return rows
}

// TestVocabularyDocumented checks docs/events.md lists exactly the SDK
// event types, the server event types and the webhook types of the code,
// and that a server event paired with a webhook has the webhook's type.
func TestVocabularyDocumented(t *testing.T) {
	var sdk, server, hooks []string
	for _, r := range readVocabulary(t) {
		switch r.source {
		case "sdk":
			sdk = append(sdk, r.timeline)
		case "server":
			server = append(server, r.timeline)
			if r.webhook != "" && r.webhook != r.timeline {
				t.Errorf("server event %s is paired with webhook %s: a session webhook is timelined under its own type",
					r.timeline, r.webhook)
			}
			if IsSessionWebhookType(r.timeline) && r.webhook != r.timeline {
				t.Errorf("server event %s is a webhook type but its row says webhook %q", r.timeline, r.webhook)
			}
		case "":
			if r.timeline != "" {
				t.Errorf("timeline type %s has no source", r.timeline)
			}
		default:
			t.Errorf("row %+v: source %q, want sdk, server or —", r, r.source)
		}
		if r.webhook != "" {
			hooks = append(hooks, r.webhook)
		}
	}
	for _, c := range []struct {
		what      string
		doc, code []string
	}{
		{"SDK event types", sdk, SDKEventTypes()},
		{"server event types", server, ServerEventTypes()},
		{"webhook types", hooks, WebhookEventTypes()},
	} {
		slices.Sort(c.doc)
		slices.Sort(c.code)
		if diff := cmp.Diff(c.code, c.doc); diff != "" {
			t.Errorf("%s: docs/events.md (+) against the code (-):\n%s", c.what, diff)
		}
	}
}

// TestServerEventTypes checks the seed names the server uses are SDK
// types too, and that every session webhook is a server event type.
func TestServerEventTypes(t *testing.T) {
	for _, typ := range []string{TimelineOTPSuccess, TimelineOTPFailure, TimelineAttemptFailed} {
		if _, ok := sdkEventSpec(typ); !ok {
			t.Errorf("%s is not a seed name", typ)
		}
	}
	for _, typ := range WebhookEventTypes() {
		if got, want := IsServerEventType(typ), strings.HasPrefix(typ, "session."); got != want {
			t.Errorf("IsServerEventType(%s) = %v, want %v", typ, got, want)
		}
	}
	for _, typ := range []string{"session.phone.code_rejected", "", "bogus"} {
		if IsServerEventType(typ) {
			t.Errorf("IsServerEventType(%q) = true, want false", typ)
		}
	}
}
