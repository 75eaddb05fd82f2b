package flow

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/idv"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata")

// ttl is the session lifetime in tests.
const ttl = time.Hour

// t0 is the start of every test session.
func t0() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// move is one input of a transcript, applied at t0()+At.
type move struct {
	At time.Duration
	In Input
}

// transcript is a scenario: a shipped level and its inputs.
type transcript struct {
	name  string
	level string
	moves []move
}

func mac(s string) []byte { return []byte("mac-of-" + s) }

func issue(k idv.StepKind, code string) CodeIssued {
	return CodeIssued{Step: k, CodeMAC: mac(code), TTL: 10 * time.Minute}
}

func transcripts() []transcript {
	ok := func(k idv.StepKind) CodeChecked { return CodeChecked{Step: k, Correct: true} }
	wrong := func(k idv.StepKind) CodeChecked { return CodeChecked{Step: k, Correct: false} }
	s := time.Second
	return []transcript{
		{"contact_completed", "contact", []move{
			{1 * s, ConsentGiven{Accepted: true}},
			{2 * s, issue(idv.StepPhone, "1")}, {20 * s, wrong(idv.StepPhone)}, {25 * s, ok(idv.StepPhone)},
			{26 * s, ok(idv.StepPhone)}, // already verified: conflict
			{30 * s, issue(idv.StepEmail, "2")}, {40 * s, ok(idv.StepEmail)},
			{50 * s, Cancel{}}, // completed: conflict
		}},
		{"contact_consent_refused", "contact", []move{
			{1 * s, issue(idv.StepPhone, "1")}, // before consent: conflict
			{2 * s, ConsentGiven{Accepted: false}},
			{3 * s, ConsentGiven{Accepted: true}}, // gone
		}},
		{"contact_three_wrong_codes", "contact", []move{
			{1 * s, ConsentGiven{Accepted: true}},
			{2 * s, CodeChecked{Step: idv.StepPhone, Correct: true}}, // no code yet
			{3 * s, issue(idv.StepPhone, "1")}, {4 * s, wrong(idv.StepPhone)}, {5 * s, wrong(idv.StepPhone)},
			{40 * s, issue(idv.StepPhone, "2")}, // resend keeps the failures
			{41 * s, wrong(idv.StepPhone)},      // third: the step and session fail
			{42 * s, ok(idv.StepPhone)},         // conflict: failed
		}},
		{"contact_resend_throttling", "contact", []move{
			{1 * s, ConsentGiven{Accepted: true}},
			{2 * s, issue(idv.StepPhone, "1")}, {12 * s, issue(idv.StepPhone, "x")}, // too early
			{32 * s, issue(idv.StepPhone, "2")}, {62 * s, issue(idv.StepPhone, "3")},
			{92 * s, issue(idv.StepPhone, "4")}, {122 * s, issue(idv.StepPhone, "5")},
			{152 * s, issue(idv.StepPhone, "6")},        // sixth send: refused for good
			{122*s + 10*time.Minute, ok(idv.StepPhone)}, // expired code: not counted
			{122*s + 9*time.Minute, ok(idv.StepPhone)},
		}},
		{"contact_expired", "contact", []move{
			{1 * s, ConsentGiven{Accepted: true}},
			{2 * s, issue(idv.StepPhone, "1")},
			{ttl, ok(idv.StepPhone)}, // late: expires the session first
			{ttl + s, Expire{}},      // already expired: gone
		}},
		{"contact_canceled", "contact", []move{
			{1 * s, ConsentGiven{Accepted: true}}, {2 * s, ConsentGiven{Accepted: true}}, // consent twice: conflict
			{3 * s, Cancel{}}, {4 * s, issue(idv.StepPhone, "1")},
		}},
		{"basic_unimplemented", "basic", []move{
			{1 * s, ConsentGiven{Accepted: true}},
			{2 * s, issue(idv.StepIDDocument, "1")},                       // not an OTP step
			{3 * s, CodeChecked{Step: idv.StepPhone, Correct: true}},      // not in the level
			{ttl - s, CodeChecked{Step: idv.StepLiveness, Correct: true}}, // not an OTP step
			{ttl + s, Expire{}},
		}},
		{"full_unimplemented", "full", []move{
			{1 * s, ConsentGiven{Accepted: true}},
			{2 * s, issue(idv.StepPhone, "1")}, // current step id_document is not available
			{3 * s, Cancel{}},
		}},
		{"video_expire", "video", []move{
			{1 * s, ConsentGiven{Accepted: true}},
			{2 * s, CodeChecked{Step: idv.StepVideoCall, Correct: true}},
			{3 * s, Expire{}}, // the sweeper may expire early
		}},
	}
}

// entry is one line of a golden transcript.
type entry struct {
	At        string           `json:"at"`
	Input     map[string]any   `json:"input,omitempty"`
	Error     *errorJSON       `json:"error"`
	State     stateJSON        `json:"state"`
	Effects   []map[string]any `json:"effects"`
	Preflight idv.Preflight    `json:"preflight"`
}

type errorJSON struct {
	Code    idv.Code         `json:"code"`
	Message string           `json:"message"`
	Fields  []idv.FieldError `json:"fields,omitempty"`
	RetryAt *time.Time       `json:"retry_at,omitempty"`
}

type stateJSON struct {
	Status    idv.SessionStatus `json:"status"`
	Steps     []idv.StepState   `json:"steps"`
	ExpiresAt time.Time         `json:"expires_at"`
}

func inputJSON(in Input) map[string]any {
	m := map[string]any{"type": fmt.Sprintf("%T", in)}
	b, _ := json.Marshal(in)
	var fields map[string]any
	_ = json.Unmarshal(b, &fields)
	for k, v := range fields {
		m[k] = v
	}
	return m
}

func effectsJSON(effects []Effect) []map[string]any {
	out := []map[string]any{}
	for _, e := range effects {
		switch e := e.(type) {
		case TimelineEvent:
			out = append(out, map[string]any{"timeline": e.Type, "source": e.Source, "payload": e.Payload})
		case WebhookEvent:
			out = append(out, map[string]any{"webhook": e.Type, "payload": e.Payload})
		}
	}
	return out
}

func errJSON(t *testing.T, err error) *errorJSON {
	if err == nil {
		return nil
	}
	var e *idv.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *idv.Error", err)
	}
	j := &errorJSON{Code: e.Code, Message: e.Message, Fields: e.Fields}
	if at, ok := RetryAt(err); ok {
		j.RetryAt = &at
	}
	return j
}

func levelNamed(t *testing.T, name string) idv.Level {
	t.Helper()
	l, ok := FindLevel(DefaultLevels(), name)
	if !ok {
		t.Fatalf("no default level %q", name)
	}
	return l
}

// run plays a transcript and checks the commit rule on the way.
func (tr transcript) run(t *testing.T) []entry {
	st, effects := Start("ses_"+tr.name, levelNamed(t, tr.level), t0(), ttl, "https://example.com/back")
	log := []entry{{At: "+0s", State: stateJSON{st.Status, st.Steps, st.ExpiresAt},
		Effects: effectsJSON(effects), Preflight: View(st, t0())}}
	for _, m := range tr.moves {
		now := t0().Add(m.At)
		before := FromSession(idv.Session{ID: st.SessionID, Status: st.Status, Steps: st.Steps, ExpiresAt: st.ExpiresAt, ReturnURL: st.ReturnURL})
		next, effects, err := Advance(st, m.In, now)
		if diff := cmp.Diff(before, st); diff != "" {
			t.Fatalf("Advance modified its input (-before +after):\n%s", diff)
		}
		if len(effects) == 0 {
			if diff := cmp.Diff(st, next); diff != "" {
				t.Fatalf("Advance(%T) changed the state without effects:\n%s", m.In, diff)
			}
		}
		st = next
		log = append(log, entry{At: "+" + m.At.String(), Input: inputJSON(m.In), Error: errJSON(t, err),
			State: stateJSON{st.Status, st.Steps, st.ExpiresAt}, Effects: effectsJSON(effects), Preflight: View(st, now)})
	}
	return log
}

func TestGoldenTranscripts(t *testing.T) {
	for _, tr := range transcripts() {
		t.Run(tr.name, func(t *testing.T) {
			got, err := json.MarshalIndent(tr.run(t), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", tr.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/flow -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("transcript %s differs from %s (-want +got):\n%s", tr.name, path, diff)
			}
		})
	}
}
