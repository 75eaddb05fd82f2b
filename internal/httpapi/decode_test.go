package httpapi

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
)

// checkJSON is checkJSONShape for any shape: the checks every request
// body passes whatever it decodes into.
func checkJSON(b []byte) error { return checkJSONShape(b, nil) }

// errSummary reduces an error to what the client sees.
type errSummary struct {
	Code   idv.Code
	Fields []idv.FieldError
}

func summarize(err error) *errSummary {
	if err == nil {
		return nil
	}
	var e *idv.Error
	if !errors.As(err, &e) {
		return &errSummary{Code: "not an *idv.Error: " + idv.Code(err.Error())}
	}
	return &errSummary{Code: e.Code, Fields: e.Fields}
}

func invalid(field, msg string) *errSummary {
	s := &errSummary{Code: idv.CodeInvalid}
	if field != "" {
		s.Fields = []idv.FieldError{{Name: field, Message: msg}}
	}
	return s
}

func TestCheckJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *errSummary
	}{
		{"object", `{"a":1,"b":[1,{"c":null}]}`, nil},
		{"scalar", `true`, nil},
		{"empty", ``, invalid("", "")},
		{"spaces", "  \n", invalid("", "")},
		{"invalid utf8", "{\"a\":\"\xff\"}", invalid("", "")},
		{"truncated", `{"a":`, invalid("", "")},
		{"two values", `{} {}`, invalid("", "")},
		{"trailing garbage", `{}x`, invalid("", "")},
		{"duplicate key", `{"status":"a","status":"b"}`, invalid("status", "appears more than once")},
		{"duplicate nested key", `{"p":{"x":1,"x":2}}`, invalid("x", "appears more than once")},
		{"same key in siblings", `[{"x":1},{"x":2}]`, nil},
		{"NUL in string", `{"a":"x\u0000y"}`, invalid("", "")},
		{"NUL in key", `{"a\u0000":1}`, invalid("", "")},
		{"huge number", `{"a":1e999}`, invalid("", "")},
		{"deep", strings.Repeat("[", 33) + strings.Repeat("]", 33), invalid("", "")},
		{"deep enough", strings.Repeat("[", 32) + strings.Repeat("]", 32), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarize(checkJSON([]byte(tt.in)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("checkJSON(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestDecodeCreateSession(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    app.NewSession
		wantErr *errSummary
	}{
		{
			name: "full",
			in: `{"kyc_level":"basic","unique_id":"u1","first_name":"Ada","last_name":"L","email_address":"a@b.c",
			      "phone_number":"+3312","phone_country":"FR","i18n":"fr","vendor_data":"v","return_url":"https://r","generate_qr":true}`,
			want: app.NewSession{KYCLevel: "basic", Locale: "fr", ReturnURL: "https://r", GenerateQR: true,
				Applicant: idv.Applicant{UniqueID: "u1", FirstName: "Ada", LastName: "L", EmailAddress: "a@b.c",
					PhoneNumber: "+3312", PhoneCountry: "FR", VendorData: "v"}},
		},
		{
			name: "empty strings are absent",
			in:   `{"kyc_level":"basic","first_name":"","phone_country":"","vendor_data":""}`,
			want: app.NewSession{KYCLevel: "basic"},
		},
		{name: "level missing", in: `{"first_name":"Ada"}`, wantErr: invalid("kyc_level", "is required: the name of a configured level")},
		{name: "level empty", in: `{"kyc_level":""}`, wantErr: invalid("kyc_level", "is required: the name of a configured level")},
		{name: "unknown field", in: `{"kyc_level":"basic","status":"approved"}`, wantErr: invalid("status", "is not a known field")},
		{name: "qr not bool", in: `{"kyc_level":"basic","generate_qr":"yes"}`, wantErr: invalid("generate_qr", "must be true or false")},
		{name: "level not string", in: `{"kyc_level":3}`, wantErr: invalid("kyc_level", "must be a string")},
		{name: "vendor_data object", in: `{"kyc_level":"b","vendor_data":{}}`, wantErr: invalid("vendor_data", "must be a string")},
		{name: "array body", in: `[]`, wantErr: invalid("", "")},
		{name: "malformed", in: `{"kyc_level":`, wantErr: invalid("", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeCreateSession([]byte(tt.in))
			if diff := cmp.Diff(tt.wantErr, summarize(err)); diff != "" {
				t.Fatalf("error mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decodeCreateSession mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestDecodeUpdateSession(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    app.SessionUpdate
		wantErr *errSummary
	}{
		{name: "some", in: `{"first_name":"Ada","last_name":"","i18n":"de","phone_number":null}`,
			want: app.SessionUpdate{FirstName: ptr("Ada"), Locale: ptr("de")}},
		{name: "empty object", in: `{}`, want: app.SessionUpdate{}},
		{name: "level", in: `{"kyc_level":"other"}`, wantErr: invalid("kyc_level", "cannot be changed; cancel the session and create a new one")},
		{name: "mass assignment", in: `{"status":"approved"}`, wantErr: invalid("status", "is not a known field")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeUpdateSession([]byte(tt.in))
			if diff := cmp.Diff(tt.wantErr, summarize(err)); diff != "" {
				t.Fatalf("error mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decodeUpdateSession mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeSmallBodies(t *testing.T) {
	type fn func([]byte) (any, error)
	consent := func(b []byte) (any, error) { return decodeConsent(b) }
	phone := func(b []byte) (any, error) { return decodePhoneStart(b) }
	email := func(b []byte) (any, error) { return decodeEmailStart(b) }
	code := func(b []byte) (any, error) { return decodeCode(b) }
	tests := []struct {
		name    string
		f       fn
		in      string
		want    any
		wantErr *errSummary
	}{
		{"consent true", consent, `{"consent":true}`, true, nil},
		{"consent false", consent, `{"consent":false}`, false, nil},
		{"consent missing", consent, `{}`, false, invalid("consent", "is required: true or false")},
		{"consent string", consent, `{"consent":"true"}`, false, invalid("consent", "must be true or false")},
		{"phone", phone, `{"phone_number":"+33612345678"}`, "+33612345678", nil},
		{"phone empty", phone, `{"phone_number":""}`, "", invalid("phone_number", "is required")},
		{"phone number type", phone, `{"phone_number":33612345678}`, "", invalid("phone_number", "must be a string")},
		{"phone other field", phone, `{"phone":"1"}`, "", invalid("phone", "is not a known field")},
		{"email", email, `{"email_address":"a@b.c"}`, "a@b.c", nil},
		{"email missing", email, `{}`, "", invalid("email_address", "is required")},
		{"code", code, `{"code":"123456"}`, "123456", nil},
		{"code null", code, `{"code":null}`, "", invalid("code", "is required")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f([]byte(tt.in))
			if diff := cmp.Diff(tt.wantErr, summarize(err)); diff != "" {
				t.Fatalf("error mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decode mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeEvents(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []app.SDKEvent
		wantErr *errSummary
	}{
		{name: "one", in: `{"type":"tooFar","payload":{"message":"move closer"}}`,
			want: []app.SDKEvent{{Type: "tooFar", Payload: json.RawMessage(`{"message":"move closer"}`)}}},
		{name: "no payload", in: `{"type":"manualCaptureOn"}`,
			want: []app.SDKEvent{{Type: "manualCaptureOn", Payload: json.RawMessage(`{}`)}}},
		{name: "array", in: ` [{"type":"a","payload":null},{"type":"b","payload":{}}]`,
			want: []app.SDKEvent{{Type: "a", Payload: json.RawMessage(`{}`)}, {Type: "b", Payload: json.RawMessage(`{}`)}}},
		{name: "empty array", in: `[]`, wantErr: invalid("", "")},
		{name: "missing type", in: `{"payload":{}}`, wantErr: invalid("type", "is required")},
		{name: "missing type in array", in: `[{"type":"a"},{"payload":{}}]`, wantErr: invalid("events[1].type", "is required")},
		{name: "payload not object", in: `{"type":"a","payload":[1]}`, wantErr: invalid("payload", "must be a JSON object")},
		{name: "unknown field", in: `{"type":"a","source":"server"}`, wantErr: invalid("source", "is not a known field")},
		{name: "too many", in: "[" + strings.Repeat(`{"type":"a"},`, 100) + `{"type":"a"}]`, wantErr: invalid("", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeEvents([]byte(tt.in))
			if diff := cmp.Diff(tt.wantErr, summarize(err)); diff != "" {
				t.Fatalf("error mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("decodeEvents mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// fuzzDecoder checks that a decoder never panics and only refuses input
// with invalid_request.
func fuzzDecoder(f *testing.F, decode func([]byte) error) {
	for _, s := range []string{`{}`, `[]`, `{"kyc_level":"basic"}`, `{"consent":true}`, `{"type":"x","payload":{}}`,
		`[{"type":"x"}]`, `{"code":"1"}`, "{\"a\":\"\xff\"}", `{"a":1e999}`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := decode(b)
		if err == nil {
			return
		}
		if c := idv.ErrorCode(err); c != idv.CodeInvalid {
			t.Fatalf("decode(%q) = code %q, want invalid_request (%v)", b, c, err)
		}
	})
}

func FuzzDecodeCreateSession(f *testing.F) {
	fuzzDecoder(f, func(b []byte) error { _, err := decodeCreateSession(b); return err })
}

func FuzzDecodeUpdateSession(f *testing.F) {
	fuzzDecoder(f, func(b []byte) error { _, err := decodeUpdateSession(b); return err })
}

func FuzzDecodeConsent(f *testing.F) {
	fuzzDecoder(f, func(b []byte) error { _, err := decodeConsent(b); return err })
}

func FuzzDecodeEvents(f *testing.F) {
	fuzzDecoder(f, func(b []byte) error { _, err := decodeEvents(b); return err })
}

func FuzzDecodeOTP(f *testing.F) {
	fuzzDecoder(f, func(b []byte) error {
		_, e1 := decodePhoneStart(b)
		_, e2 := decodeEmailStart(b)
		_, e3 := decodeCode(b)
		return errors.Join(e1, e2, e3)
	})
}
