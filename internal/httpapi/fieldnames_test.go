package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/idv"
)

// TestFieldNamesOverHTTP: a field name matches exactly and once; the
// letter-case variants encoding/json would have taken as the same field
// (last one winning) are refused before any use case runs.
func TestFieldNamesOverHTTP(t *testing.T) {
	f := newFake()
	_, ts := newTestServer(t, f, Options{})
	tests := []struct {
		name   string
		method string
		path   string
		auth   string
		body   string
		fields []idv.FieldError
	}{
		{"case variant after", "POST", "/v1/sessions", "public_test", `{"kyc_level":"contact","KYC_LEVEL":"full"}`,
			[]idv.FieldError{{Name: "KYC_LEVEL", Message: `appears more than once (as "kyc_level"; names differing only in letter case are the same field)`}}},
		{"case variant before", "POST", "/v1/sessions", "public_test", `{"KYC_LEVEL":"full","kyc_level":"contact"}`,
			[]idv.FieldError{{Name: "KYC_LEVEL", Message: "is not a known field"}}},
		{"case variant alone", "POST", "/v1/sessions", "public_test", `{"Kyc_Level":"full"}`,
			[]idv.FieldError{{Name: "Kyc_Level", Message: "is not a known field"}}},
		{"kelvin sign alone", "POST", "/v1/sessions", "public_test", `{"\u212Ayc_level":"full"}`,
			[]idv.FieldError{{Name: "\u212Ayc_level", Message: "is not a known field"}}},
		{"kelvin sign after", "POST", "/v1/sessions", "public_test", `{"kyc_level":"contact","\u212Ayc_level":"full"}`,
			[]idv.FieldError{{Name: "\u212Ayc_level", Message: `appears more than once (as "kyc_level"; names differing only in letter case are the same field)`}}},
		{"escaped exact duplicate", "POST", "/v1/sessions", "public_test", `{"kyc_level":"basic","unique_id":"a","uniqu\u0065_id":"b"}`,
			[]idv.FieldError{{Name: "unique_id", Message: "appears more than once"}}},
		{"exact duplicate", "POST", "/v1/sessions", "public_test", `{"kyc_level":"contact","kyc_level":"full"}`,
			[]idv.FieldError{{Name: "kyc_level", Message: "appears more than once"}}},
		{"consent case variant", "PATCH", "/v1/sessions/ses_1/consent", "tok_ses_1", `{"consent":false,"CONSENT":true}`,
			[]idv.FieldError{{Name: "CONSENT", Message: `appears more than once (as "consent"; names differing only in letter case are the same field)`}}},
		{"consent upper alone", "PATCH", "/v1/sessions/ses_1/consent", "tok_ses_1", `{"CONSENT":true}`,
			[]idv.FieldError{{Name: "CONSENT", Message: "is not a known field"}}},
		{"event case variant", "POST", "/v1/sessions/ses_1/events", "tok_ses_1", `[{"type":"tooFar","Type":"success"}]`,
			[]idv.FieldError{{Name: "Type", Message: `appears more than once (as "type"; names differing only in letter case are the same field)`}}},
		{"payload case variant", "POST", "/v1/sessions/ses_1/events", "tok_ses_1", `{"type":"tooFar","payload":{"reason":"a","REASON":"b"}}`,
			[]idv.FieldError{{Name: "REASON", Message: `appears more than once (as "reason"; names differing only in letter case are the same field)`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := do(t, ts, tt.method, tt.path, tt.auth, tt.body)
			if status != 400 {
				t.Fatalf("status = %d, want 400 (%s)", status, body)
			}
			env := envelope(t, body)
			if env.Type != idv.CodeInvalid {
				t.Errorf("type = %q, want invalid_request", env.Type)
			}
			if diff := cmp.Diff(tt.fields, env.Fields); diff != "" {
				t.Errorf("fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.creates != 0 || f.consent != nil || len(f.events) != 0 {
		t.Errorf("a use case ran: creates=%d consent=%v events=%d", f.creates, f.consent, len(f.events))
	}
}

// TestFieldNamesAccepted: exact names still decode, in any order, and
// sibling objects may repeat a key.
func TestFieldNamesAccepted(t *testing.T) {
	f := newFake()
	_, ts := newTestServer(t, f, Options{})
	for _, tc := range []struct{ method, path, auth, body string }{
		{"POST", "/v1/sessions", "public_test", `{"first_name":"Ada","kyc_level":"basic","email_address":""}`},
		{"PATCH", "/v1/sessions/ses_1/consent", "tok_ses_1", `{"consent":true}`},
		{"POST", "/v1/sessions/ses_1/events", "tok_ses_1", `[{"type":"tooFar","payload":{"Reason":"x"}},{"type":"tooFar"}]`},
	} {
		if status, _, body := do(t, ts, tc.method, tc.path, tc.auth, tc.body); status >= 300 {
			t.Errorf("%s %s %s = %d %s", tc.method, tc.path, tc.body, status, body)
		}
	}
}

func TestFoldKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{"kyc_level", "KYC_LEVEL"},
		{"kyc_level", "\u212Ayc_level"},
		{"unique_id", "uniqu\u0045_ID"},
		{"status", "\u017Ftatus"}, // long s
		{"\u00e9t\u00e9", "\u00c9T\u00c9"},
		{"\u03c3", "\u03c2"}, // sigma and final sigma
	}
	for _, tt := range tests {
		if foldKey(tt.a) != foldKey(tt.b) {
			t.Errorf("foldKey(%q) = %q, foldKey(%q) = %q: want equal", tt.a, foldKey(tt.a), tt.b, foldKey(tt.b))
		}
	}
	if got := testing.AllocsPerRun(100, func() { _ = foldKey("email_address") }); got != 0 {
		t.Errorf("foldKey of a snake_case key allocates %v times, want 0", got)
	}
}

// FuzzFoldKey: foldKey agrees with strings.EqualFold, the equivalence
// encoding/json matches field names with.
func FuzzFoldKey(f *testing.F) {
	f.Add("kyc_level", "KYC_LEVEL")
	f.Add("kyc_level", "\u212Ayc_level")
	f.Add("\u03c3", "\u03a3")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !utf8ValidBoth(a, b) {
			return
		}
		if got, want := foldKey(a) == foldKey(b), strings.EqualFold(a, b); got != want {
			t.Fatalf("foldKey(%q) == foldKey(%q) is %v, strings.EqualFold says %v", a, b, got, want)
		}
	})
}

func utf8ValidBoth(a, b string) bool { return utf8.ValidString(a) && utf8.ValidString(b) }

// FuzzDecodeExactNames: whatever decodeCreateSession accepts has, at its
// top level, only exact field names of the request, each at most once
// under case folding, so encoding/json's case-insensitive matching never
// picked a field.
func FuzzDecodeExactNames(f *testing.F) {
	for _, s := range []string{`{"kyc_level":"contact","KYC_LEVEL":"full"}`, `{"consent":false,"CONSENT":true}`,
		"{\"\u212Ayc_level\":\"full\"}", `{"kyc_level":"a","kyc_level":"b"}`, `{"kyc_level":"basic","first_name":"Ada"}`,
		`{"Kyc_level":"basic"}`, `{"kyc_level":"basic","generate_qr":true,"i18n":"en"}`} {
		f.Add([]byte(s))
	}
	names := map[string]bool{}
	rt := reflect.TypeFor[createSessionRequest]()
	for i := range rt.NumField() {
		tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		names[tag] = true
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := decodeCreateSession(b); err != nil {
			return
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(b, &top); err != nil {
			t.Fatalf("accepted %q, which is not an object: %v", b, err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		seen := map[string]bool{}
		_, _ = dec.Token() // {
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			key := tok.(string)
			if !names[key] {
				t.Fatalf("accepted %q with key %q, not an exact field name", b, key)
			}
			if seen[strings.ToLower(key)] {
				t.Fatalf("accepted %q with key %q twice", b, key)
			}
			seen[strings.ToLower(key)] = true
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				t.Fatal(err)
			}
		}
	})
}
