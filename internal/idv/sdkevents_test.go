package idv

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seedEventTypes reads the event names of the seed file: each name is the
// line before a "Description:" line (blank lines between are skipped).
func seedEventTypes(t *testing.T) []string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "seeds", "sdk-event-types.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("seed file absent (%v): skipping", err)
	}
	defer f.Close()
	var names []string
	var prev string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if line == "Description:" && prev != "" {
			names = append(names, prev)
		}
		prev = line
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestSDKEventTypesMatchSeed(t *testing.T) {
	want := seedEventTypes(t)
	if len(want) < 30 {
		t.Fatalf("parsed only %d names from the seed: %v", len(want), want)
	}
	if diff := cmp.Diff(want, SDKEventTypes()); diff != "" {
		t.Errorf("SDKEventTypes() differs from the seed (-seed +got):\n%s", diff)
	}
}

func TestSDKEventTypesKeepSeedSpelling(t *testing.T) {
	got := map[string]bool{}
	for _, n := range SDKEventTypes() {
		if got[n] {
			t.Errorf("duplicate event type %q", n)
		}
		got[n] = true
	}
	for _, n := range []string{"noAttemps", "signal-connect", "networkTest-failedTests", "IDNotDetected",
		"OSVersionNotSupported", "InternalServerError", "otpSuccess", "otpFailure", "clientClickedDisconnectOnSupport"} {
		if !got[n] {
			t.Errorf("event type %q missing", n)
		}
	}
}

func TestValidateSDKEvent(t *testing.T) {
	tests := []struct {
		name       string
		typ        string
		payload    string
		wantFields []FieldError // nil: valid
	}{
		{"message ok", "tooFar", `{"message":"Move closer"}`, nil},
		{"empty payload", "manualCaptureOn", ``, nil},
		{"null payload", "manualCaptureOn", `null`, nil},
		{"empty object", "otpSuccess", `{}`, nil},
		{"extra fields allowed", "dontMove", `{"message":"x","extra":[1,2]}`, nil},
		{"null field counts as absent", "tooFar", `{"message":null}`, nil},
		{"attemptFailed seed example", "attemptFailed",
			`{"response":{},"message":"Classification failed","reason":"classificationFailed","attemp":1}`, nil},
		{"attemptFailed table name", "attemptFailed", `{"reason":"glareDetected","attemptNumber":2}`, nil},
		{"attemp wrong type", "attemptFailed", `{"attemp":"1"}`,
			[]FieldError{{Name: "payload.attemp", Message: "must be a number"}}},
		{"skip seed example", "skip", `{"existingUser":true,"liveness":0,"faceMatch":true,"imageBase64":""}`, nil},
		{"skip wrong types", "skip", `{"existingUser":"yes","liveness":true}`, []FieldError{
			{Name: "payload.existingUser", Message: "must be a boolean"},
			{Name: "payload.liveness", Message: "must be a number"},
		}},
		{"signal-connect seed example", "signal-connect", `{"success":true}`, nil},
		{"conferenceClosed seed example", "conferenceClosed",
			`{"sessionFinishedReason":{"selectedOption":{"label":"Interview completed","selected":true}},` +
				`"dataConfirmation":{"name":true},"captureChecks":{"selfie":true}}`, nil},
		{"response must be object", "successCapture", `{"response":"ok"}`,
			[]FieldError{{Name: "payload.response", Message: "must be an object"}}},
		{"message must be string", "otpFailure", `{"message":3}`,
			[]FieldError{{Name: "payload.message", Message: "must be a string"}}},
		{"payload array", "tooFar", `[1]`, []FieldError{{Name: "payload", Message: "must be a JSON object"}}},
		{"payload string", "tooFar", `"x"`, []FieldError{{Name: "payload", Message: "must be a JSON object"}}},
		{"payload broken", "tooFar", `{"message":`, []FieldError{{Name: "payload", Message: "invalid JSON"}}},
		{"unknown type", "nothing", `{}`, []FieldError{{Name: "type", Message: "unknown event type"}}},
		{"case matters", "otpsuccess", `{}`, []FieldError{{Name: "type", Message: "unknown event type"}}},
		{"typo fixed is unknown", "noAttempts", `{}`, []FieldError{{Name: "type", Message: "unknown event type"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSDKEvent(tt.typ, json.RawMessage(tt.payload))
			if tt.wantFields == nil {
				if err != nil {
					t.Fatalf("ValidateSDKEvent(%q, %s) = %v, want nil", tt.typ, tt.payload, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeInvalid {
				t.Fatalf("ValidateSDKEvent(%q, %s) = %v, want *Error with CodeInvalid", tt.typ, tt.payload, err)
			}
			if diff := cmp.Diff(tt.wantFields, e.Fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateSDKEventUnknownListsKnown(t *testing.T) {
	err := ValidateSDKEvent("bogus", nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want *Error", err)
	}
	for _, n := range SDKEventTypes() {
		if !strings.Contains(e.Message, n) {
			t.Errorf("message %q does not list %q", e.Message, n)
		}
	}
}

func TestValidateSDKEventAcceptsEveryType(t *testing.T) {
	for _, n := range SDKEventTypes() {
		if err := ValidateSDKEvent(n, json.RawMessage(`{}`)); err != nil {
			t.Errorf("ValidateSDKEvent(%q, {}) = %v, want nil", n, err)
		}
	}
}

func FuzzValidateSDKEvent(f *testing.F) {
	f.Add("attemptFailed", []byte(`{"reason":"lowSharpness","attemp":1}`))
	f.Add("skip", []byte(`{"existingUser":true}`))
	f.Add("tooFar", []byte(`[`))
	f.Add("x", []byte(``))
	f.Fuzz(func(t *testing.T, typ string, payload []byte) {
		err := ValidateSDKEvent(typ, payload)
		if err == nil {
			if _, ok := sdkEventSpec(typ); !ok {
				t.Fatalf("unknown type %q accepted", typ)
			}
			if p := strings.TrimSpace(string(payload)); p != "" && p != "null" && !json.Valid(payload) {
				t.Fatalf("invalid JSON %q accepted", payload)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeInvalid {
			t.Fatalf("error %v is not an *Error with CodeInvalid", err)
		}
	})
}
