package app_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
)

// TestNoPersonalDataAtRest reads the raw SQLite file and its WAL and finds
// none of the applicant's data, codes or secrets in clear.
func TestNoPersonalDataAtRest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	canaries := map[string]string{
		"first name":  "Zebulonia",
		"last name":   "Quixotically",
		"email":       "canary.mailbox@example.org",
		"phone":       "+447400123456",
		"vendor data": "vendor-canary-7f3a9",
		"unique id":   "uid-canary-5521",
	}
	cs, tok := e.create(t, e.private, app.NewSession{KYCLevel: "contact", Applicant: idv.Applicant{
		UniqueID: canaries["unique id"], FirstName: canaries["first name"], LastName: canaries["last name"],
		EmailAddress: canaries["email"], PhoneNumber: canaries["phone"], VendorData: canaries["vendor data"],
	}})
	if _, err := e.svc.Consent(ctx, tok, cs.SessionID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, ""); err != nil {
		t.Fatal(err)
	}
	canaries["otp code"] = e.inbox.lastCode(t, canaries["phone"])
	if err := e.svc.RecordEvents(ctx, tok, cs.SessionID, []app.SDKEvent{
		{Type: "attemptFailed", Payload: []byte(`{"message":"` + canaries["last name"] + `"}`)},
	}); err != nil {
		t.Fatal(err)
	}
	canaries["client token"] = cs.ClientToken
	canaries["api key"] = e.secrets[string(app.PrincipalPrivateKey)]
	canaries["national phone"] = "7400123456"

	check := func(stage string) {
		t.Helper()
		found := 0
		for _, path := range []string{e.dbPath, e.dbPath + "-wal"} {
			b, err := os.ReadFile(path)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			found++
			for name, c := range canaries {
				if bytes.Contains(b, []byte(c)) {
					t.Errorf("%s: %s %q found in clear in %s", stage, name, c, path)
				}
			}
		}
		if found == 0 {
			t.Fatalf("%s: no database file read", stage)
		}
	}
	check("live")
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed")
}
