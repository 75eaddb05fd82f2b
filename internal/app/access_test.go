package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

func TestAuthenticate(t *testing.T) {
	e := idvtest.NewEnv(t)
	sandbox := e.Key(t, idv.KeyPublic, true)
	if got, want := sandbox, (app.Principal{Kind: app.PrincipalPublicKey, KeyID: sandbox.KeyID, Sandbox: true}); got != want {
		t.Errorf("sandbox principal = %+v, want %+v", got, want)
	}
	good := e.Secrets[string(app.PrincipalPrivateKey)]
	if !strings.HasPrefix(good, "private_") || len(good) < len("private_")+43 {
		t.Fatalf("private key %q: want private_ and at least 256 bits", good[:8])
	}
	tests := []struct {
		name, bearer string
	}{
		{"empty", ""},
		{"no prefix", strings.TrimPrefix(good, "private_")},
		{"wrong kind prefix", "public_" + strings.TrimPrefix(good, "private_")},
		{"sandbox prefix on live key", "private_sandbox_" + strings.TrimPrefix(good, "private_")},
		{"truncated", good[:len(good)-1]},
		{"unknown", "private_" + strings.Repeat("a", len(good)-len("private_"))},
		{"client token", "ct_" + strings.Repeat("a", 52)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Svc.Authenticate(context.Background(), tt.bearer)
			wantCode(t, "Authenticate", err, idv.CodeUnauthorized)
		})
	}
}

func TestEnsureAdminKey(t *testing.T) {
	e := idvtest.NewEnv(t)
	_, created, err := e.Svc.EnsureAdminKey(context.Background())
	if err != nil || created {
		t.Fatalf("EnsureAdminKey with keys = %v, %v; want false, nil", created, err)
	}
}

func TestSessionAccess(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		a, tokA := e.ContactSession(t)
		b, _ := e.ContactSession(t)
		sandboxPriv := e.Key(t, idv.KeyPrivate, true)
		tests := []struct {
			name string
			call func() error
			want idv.Code
		}{
			{"token of A on B", func() error {
				_, err := e.Svc.AuthenticateSession(ctx, a.ClientToken, b.SessionID)
				return err
			}, idv.CodeNotFound},
			{"principal of A on B", func() error { _, err := e.Svc.Preflight(ctx, tokA, b.SessionID); return err }, idv.CodeNotFound},
			{"token A consent on B", func() error { _, err := e.Svc.Consent(ctx, tokA, b.SessionID, true); return err }, idv.CodeNotFound},
			{"garbage token", func() error {
				_, err := e.Svc.AuthenticateSession(ctx, "ct_nope", a.SessionID)
				return err
			}, idv.CodeNotFound},
			{"sandbox key on live session", func() error { _, err := e.Svc.Session(ctx, sandboxPriv, a.SessionID); return err }, idv.CodeNotFound},
			{"unknown session", func() error { _, err := e.Svc.Session(ctx, e.Private, "nope"); return err }, idv.CodeNotFound},
			{"token creates session", func() error {
				_, err := e.Svc.CreateSession(ctx, tokA, app.NewSession{KYCLevel: "contact"})
				return err
			}, idv.CodeForbidden},
			{"public key erases", func() error { return e.Svc.EraseSession(ctx, e.Public, a.SessionID) }, idv.CodeForbidden},
			{"token cancels", func() error { return e.Svc.CancelSession(ctx, tokA, a.SessionID) }, idv.CodeForbidden},
			{"public key reads events", func() error { _, err := e.Svc.Events(ctx, e.Public, a.SessionID); return err }, idv.CodeForbidden},
			{"token reads own session", func() error { _, err := e.Svc.Session(ctx, tokA, a.SessionID); return err }, ""},
			// A public key creates sessions and learns nothing else: the
			// same answer whether the session exists or not.
			{"public key reads a session", func() error { _, err := e.Svc.Session(ctx, e.Public, a.SessionID); return err }, idv.CodeForbidden},
			{"public key reads an unknown session", func() error { _, err := e.Svc.Session(ctx, e.Public, "nope"); return err }, idv.CodeForbidden},
			{"public key reads a preflight", func() error { _, err := e.Svc.PreflightJSON(ctx, e.Public, a.SessionID); return err }, idv.CodeForbidden},
			{"public key consents", func() error { _, err := e.Svc.Consent(ctx, e.Public, a.SessionID, true); return err }, idv.CodeForbidden},
			{"public key submits a phone code", func() error {
				_, err := e.Svc.CompletePhoneVerification(ctx, e.Public, a.SessionID, "123456")
				return err
			}, idv.CodeForbidden},
			{"public key sends a phone code", func() error {
				_, err := e.Svc.StartPhoneVerification(ctx, e.Public, a.SessionID, "+447911123456")
				return err
			}, idv.CodeForbidden},
			{"public key records events", func() error {
				return e.Svc.RecordEvents(ctx, e.Public, a.SessionID, []app.SDKEvent{{Type: "IDNotDetected"}})
			}, idv.CodeForbidden},
			{"private key consents for the applicant", func() error { _, err := e.Svc.Consent(ctx, e.Private, b.SessionID, true); return err }, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.name, tt.call(), tt.want) })
		}
	})
}

func TestSandboxIsolation(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		sbPub := e.Key(t, idv.KeyPublic, true)
		sbPriv := e.Key(t, idv.KeyPrivate, true)
		cs, tok := e.Create(t, sbPub, app.NewSession{KYCLevel: "basic"})
		if !tok.Sandbox {
			t.Errorf("client token of a sandbox session is not sandbox")
		}
		_, err := e.Svc.Session(ctx, e.Private, cs.SessionID)
		wantCode(t, "live key on sandbox session", err, idv.CodeNotFound)
		v, err := e.Svc.Session(ctx, sbPriv, cs.SessionID)
		wantCode(t, "sandbox key on sandbox session", err, "")
		if !v.Sandbox {
			t.Errorf("view.Sandbox = false, want true")
		}
	})
}

func TestPersonalDataNeedsPrivateKey(t *testing.T) {
	e := idvtest.NewEnv(t)
	ctx := context.Background()
	cs, tok := e.Create(t, e.Public, app.NewSession{KYCLevel: "contact", Applicant: idv.Applicant{
		FirstName: "Grace", VendorData: "crm-42", EmailAddress: "grace@example.org",
	}})
	_, err := e.Svc.Session(ctx, e.Public, cs.SessionID)
	wantCode(t, "public", err, idv.CodeForbidden)
	v, err := e.Svc.Session(ctx, tok, cs.SessionID)
	wantCode(t, "token", err, "")
	if v.Applicant != nil {
		t.Errorf("the client token sees the applicant")
	}
	v, err = e.Svc.Session(ctx, e.Private, cs.SessionID)
	wantCode(t, "private", err, "")
	want := &idv.Applicant{FirstName: "Grace", VendorData: "crm-42", EmailAddress: "grace@example.org"}
	if diff := cmp.Diff(want, v.Applicant); diff != "" {
		t.Errorf("applicant (-want +got):\n%s", diff)
	}
}

func TestCreateValidation(t *testing.T) {
	e := idvtest.NewEnv(t)
	ctx := context.Background()
	tests := []struct {
		name       string
		in         app.NewSession
		wantFields []string
	}{
		{"empty strings are absent", app.NewSession{KYCLevel: "basic", Applicant: idv.Applicant{
			FirstName: "", PhoneCountry: "", VendorData: "", PhoneNumber: "", EmailAddress: ""}}, nil},
		{"missing level", app.NewSession{}, []string{"kyc_level"}},
		{"unknown level", app.NewSession{KYCLevel: "gold"}, []string{"kyc_level"}},
		{"everything wrong", app.NewSession{KYCLevel: "gold", ReturnURL: "javascript:alert(1)", Locale: "en us",
			Applicant: idv.Applicant{PhoneNumber: "12", EmailAddress: "a@b.com\r\nBcc:x", PhoneCountry: "XYZ",
				FirstName: strings.Repeat("x", 201)}},
			[]string{"kyc_level", "first_name", "phone_country", "phone_number", "email_address", "i18n", "return_url"}},
		{"bidi and invisible characters", app.NewSession{KYCLevel: "basic", Applicant: idv.Applicant{
			FirstName: "Ada\u202E", LastName: "Love\u200Blace", UniqueID: "u\u2066-1", VendorData: "crm\uFEFF",
			EmailAddress: "\u0430da@ex\u0430mple.com"}},
			[]string{"unique_id", "first_name", "last_name", "vendor_data", "email_address"}},
		{"names may mix scripts", app.NewSession{KYCLevel: "basic", Applicant: idv.Applicant{
			FirstName: "Ada", LastName: "李 Lovelace", EmailAddress: "\u0430\u0434\u0430@example.com"}}, nil},
		{"national number with country", app.NewSession{KYCLevel: "contact", Applicant: idv.Applicant{
			PhoneNumber: "07911 123456", PhoneCountry: "gb"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Svc.CreateSession(ctx, e.Private, tt.in)
			if tt.wantFields == nil {
				wantCode(t, "create", err, "")
				return
			}
			wantCode(t, "create", err, idv.CodeInvalid)
			var got []string
			for _, f := range err.(*idv.Error).Fields {
				got = append(got, f.Name)
			}
			if diff := cmp.Diff(tt.wantFields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpdateSession(t *testing.T) {
	e := idvtest.NewEnv(t)
	ctx := context.Background()
	cs, tok := e.ContactSession(t)
	name, phone := "Augusta", "07911 123457"
	_, err := e.Svc.UpdateSession(ctx, tok, cs.SessionID, app.SessionUpdate{FirstName: &name})
	wantCode(t, "token updates", err, idv.CodeForbidden)
	bad := "nope"
	_, err = e.Svc.UpdateSession(ctx, e.Private, cs.SessionID, app.SessionUpdate{EmailAddress: &bad})
	wantCode(t, "bad email", err, idv.CodeInvalid)
	gb := "GB"
	v, err := e.Svc.UpdateSession(ctx, e.Private, cs.SessionID, app.SessionUpdate{FirstName: &name, PhoneNumber: &phone, PhoneCountry: &gb})
	wantCode(t, "update", err, "")
	if got, want := []string{v.Applicant.FirstName, v.Applicant.PhoneNumber, v.Applicant.LastName}, []string{"Augusta", "+447911123457", "Lovelace"}; !cmp.Equal(got, want) {
		t.Errorf("applicant after update = %v, want %v", got, want)
	}
}

func TestEraseMakesApplicantUnreadable(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		cs, tok := e.ContactSession(t)
		_, err := e.Svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		wantCode(t, "erase", e.Svc.EraseSession(ctx, e.Private, cs.SessionID), "")
		wantCode(t, "erase twice", e.Svc.EraseSession(ctx, e.Private, cs.SessionID), "")
		_, err = e.Svc.Session(ctx, e.Private, cs.SessionID)
		wantCode(t, "show erased", err, idv.CodeGone)
		_, err = e.Svc.AuthenticateSession(ctx, cs.ClientToken, cs.SessionID)
		wantCode(t, "token after erasure", err, idv.CodeNotFound)
		raw, err := e.Store.Session(ctx, cs.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		if raw.SealedApplicant != nil || raw.Status != idv.StatusErased {
			t.Errorf("stored session after erase: status %s, %d sealed applicant bytes; want erased, 0", raw.Status, len(raw.SealedApplicant))
		}
		err = e.Store.InTx(ctx, func(tx idv.Tx) error { _, err := tx.DataKey(ctx, cs.SessionID); return err })
		wantCode(t, "data key after erase", err, idv.CodeNotFound)
		evs, err := e.Svc.Events(ctx, e.Private, cs.SessionID)
		wantCode(t, "events", err, "")
		for _, ev := range evs {
			if string(ev.Payload) != "null" {
				t.Errorf("event %s payload = %s after erasure, want null", ev.Type, ev.Payload)
			}
		}
	})
}

func TestPurgeRetention(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t, func(d *app.Deps) { d.Retention = 30 * 24 * time.Hour })
		ctx := context.Background()
		old, _ := e.ContactSession(t)
		e.Clock.Add(20 * 24 * time.Hour)
		young, _ := e.ContactSession(t)
		e.Clock.Add(11 * 24 * time.Hour)
		n, err := e.Svc.PurgeRetention(ctx)
		if err != nil || n != 1 {
			t.Fatalf("PurgeRetention = %d, %v; want 1, nil", n, err)
		}
		_, err = e.Svc.Session(ctx, e.Private, old.SessionID)
		wantCode(t, "old session", err, idv.CodeGone)
		_, err = e.Svc.Session(ctx, e.Private, young.SessionID)
		wantCode(t, "young session", err, "")
	})
}

func TestRecordEvents(t *testing.T) {
	e := idvtest.NewEnv(t)
	ctx := context.Background()
	cs, tok := e.ContactSession(t)
	err := e.Svc.RecordEvents(ctx, tok, cs.SessionID, []app.SDKEvent{{Type: "bogusEvent"}})
	wantCode(t, "unknown type", err, idv.CodeInvalid)
	err = e.Svc.RecordEvents(ctx, tok, cs.SessionID, []app.SDKEvent{{Type: "tooFar", Payload: []byte(`{"message":"Move closer"}`)}, {Type: "noAttemps"}})
	wantCode(t, "record", err, "")
	evs, err := e.Svc.Events(ctx, e.Private, cs.SessionID)
	wantCode(t, "events", err, "")
	var got []string
	for _, ev := range evs {
		if ev.Source == idv.SourceSDK {
			got = append(got, ev.Type+" "+string(ev.Payload))
		}
	}
	if diff := cmp.Diff([]string{`tooFar {"message":"Move closer"}`, "noAttemps {}"}, got); diff != "" {
		t.Errorf("sdk events (-want +got):\n%s", diff)
	}
}

func TestIdempotency(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		rec, err := e.Svc.BeginIdempotent(ctx, "key_1:abc", []byte("h1"))
		if err != nil || rec != nil {
			t.Fatalf("first Begin = %v, %v; want nil, nil", rec, err)
		}
		_, err = e.Svc.BeginIdempotent(ctx, "key_1:abc", []byte("h1"))
		wantCode(t, "in flight", err, idv.CodeConflict)
		_, err = e.Svc.BeginIdempotent(ctx, "key_1:abc", []byte("h2"))
		wantCode(t, "other body", err, idv.CodeUnprocessable)
		wantCode(t, "finish", e.Svc.FinishIdempotent(ctx, "key_1:abc", 201, []byte(`{"ok":true}`)), "")
		rec, err = e.Svc.BeginIdempotent(ctx, "key_1:abc", []byte("h1"))
		if err != nil || rec == nil || rec.Status != 201 || string(rec.Body) != `{"ok":true}` {
			t.Fatalf("replay = %+v, %v; want status 201 and the body", rec, err)
		}
		e.Clock.Add(app.IdempotencyWindow)
		rec, err = e.Svc.BeginIdempotent(ctx, "key_1:abc", []byte("h2"))
		if err != nil || rec != nil {
			t.Fatalf("Begin after the window = %v, %v; want nil, nil", rec, err)
		}
		wantCode(t, "abort", e.Svc.AbortIdempotent(ctx, "key_1:abc"), "")
		rec, err = e.Svc.BeginIdempotent(ctx, "key_1:abc", []byte("h3"))
		if err != nil || rec != nil {
			t.Fatalf("Begin after abort = %v, %v; want nil, nil", rec, err)
		}
		wantCode(t, "purge", e.Svc.PurgeIdempotency(ctx), "")
	})
}
