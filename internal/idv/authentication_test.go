package idv

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func ptr[T any](v T) *T { return &v }

// TestAuthenticationCompletedGolden encodes the seed's examples as the
// full authentication.completed webhook body and compares them with the
// golden files (run with -update to rewrite them).
func TestAuthenticationCompletedGolden(t *testing.T) {
	none := &[]string{}
	tests := []struct {
		name string
		data AuthenticationResult
	}{
		{"pass", AuthenticationResult{CustomerID: "67460a9995516d9a553aa95b", Token: ptr(""),
			InterviewID: ptr("60000a22b09a35d2ef5aaa99"), InterviewToken: ptr(""), TransactionID: ptr("549994d9r3474bfcbbbdc5a5"),
			FaceMatch: true, SpoofAttempt: ptr(false), SecondFactor: ptr(false), Children: none, HasFaceMask: ptr(false),
			HasLenses: ptr(false), SpoofConfidence: ptr(0.0010233838),
			RecognitionConfidence: RecognitionConfidence{Confidence: ptr(0.93098663), Candidates: none},
			OverallScore:          0.93098663, OverallStatus: AuthenticationPass}},
		{"customer-not-found", AuthenticationResult{CustomerID: "666eab5555888d45ba7a999a", Children: none,
			OverallStatus: AuthenticationFail, Error: "Non existing customer", ErrorCode: AuthCustomerNotFound,
			ErrorMessage: "Can't find customer by any criteria."}},
		{"spoof", AuthenticationResult{CustomerID: "67dda40e4089f4769f3ed2e6", TransactionID: ptr("e59ee5a064e24d129d1beed9"),
			SpoofAttempt: ptr(true), Children: none, SpoofConfidence: ptr(1.0), OverallStatus: AuthenticationFail,
			Error: "Spoof attempt detected", ErrorCode: AuthSpoofAttempt, ErrorMessage: "Spoof attempt detected. Spoof confidence 1.0"}},
		{"not-recognized", AuthenticationResult{CustomerID: "678057dbb632b29f45a280b5", TransactionID: ptr("18e69943c68a4f5e89d61857"),
			SpoofAttempt: ptr(false), Children: none, SpoofConfidence: ptr(0.00085131516), OverallStatus: AuthenticationFail,
			Error: "User is not recognized", ErrorCode: AuthUserNotRecognized}},
		{"blacklisted", AuthenticationResult{CustomerID: "666eab5555888d45ba7a999a", Children: none,
			OverallStatus: AuthenticationFail, Error: "User blacklisted", ErrorCode: AuthUserBlacklisted}},
		{"lenses", AuthenticationResult{CustomerID: "67dda40e4089f4769f3ed2e6", TransactionID: ptr("0be5f261d076492d9d3b74f6"),
			SpoofAttempt: ptr(false), HasFaceMask: ptr(false), HasLenses: ptr(true),
			RecognitionConfidence: RecognitionConfidence{Confidence: ptr(0.0), Candidates: none}, OverallStatus: AuthenticationFail}},
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			body := struct {
				Type      string          `json:"type"`
				Timestamp time.Time       `json:"timestamp"`
				Data      json.RawMessage `json:"data"`
			}{WebhookAuthenticationDone, at, data}
			got, err := json.MarshalIndent(body, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "authentication-completed-"+tt.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("%s:\ngot  %s\nwant %s", path, got, want)
			}
			if !IsWebhookEventType(WebhookAuthenticationDone) {
				t.Errorf("%s is not in the catalogue", WebhookAuthenticationDone)
			}
		})
	}
}
