package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

func TestContactFlowCompletes(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		cs, tok := e.ContactSession(t)
		if got, want := cs.Preflight.Screen.Show, idv.ScreenConsent; got != want {
			t.Fatalf("first screen = %s, want %s", got, want)
		}
		if got, want := cs.ExpiresAt, e.Clock.Now().Add(app.DefaultSessionTTL); !got.Equal(want) {
			t.Errorf("expires_at = %v, want %v", got, want)
		}
		pf, err := e.Svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		if got, want := pf.Screen.Show, idv.ScreenPhoneStart; got != want {
			t.Fatalf("after consent screen = %s, want %s", got, want)
		}
		_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "start phone", err, "")
		code := e.Inbox.LastCode(t, "+447911123456")
		pf, err = e.Svc.CompletePhoneVerification(ctx, tok, cs.SessionID, code)
		wantCode(t, "complete phone", err, "")
		if got, want := pf.Screen.Show, idv.ScreenEmailStart; got != want {
			t.Fatalf("after phone screen = %s, want %s", got, want)
		}
		_, err = e.Svc.StartEmailVerification(ctx, tok, cs.SessionID, "Other@Example.org")
		wantCode(t, "start email", err, "")
		code = e.Inbox.LastCode(t, "Other@example.org")
		pf, err = e.Svc.CompleteEmailVerification(ctx, tok, cs.SessionID, code)
		wantCode(t, "complete email", err, "")
		if got, want := []any{pf.Status, pf.Screen.Show}, []any{idv.StatusCompleted, idv.ScreenCompleted}; !cmp.Equal(got, want) {
			t.Fatalf("final preflight = %v, want %v", got, want)
		}

		v, err := e.Svc.Session(ctx, e.Private, cs.SessionID)
		wantCode(t, "show", err, "")
		if got, want := v.Applicant.OTPEmail, "Other@example.org"; got != want {
			t.Errorf("otp_email = %q, want %q", got, want)
		}
		for _, st := range v.Steps {
			if st.OTP != nil && st.OTP.CodeMAC != nil {
				t.Errorf("step %s shows its code MAC", st.Kind)
			}
		}
		evs, err := e.Svc.Events(ctx, e.Private, cs.SessionID)
		wantCode(t, "events", err, "")
		var types []string
		for _, ev := range evs {
			types = append(types, ev.Type)
		}
		want := []string{"session.created", "session.consent.accepted", "session.phone.code_sent", "otpSuccess",
			"session.phone.verified", "session.email.code_sent", "otpSuccess", "session.email.verified",
			"session.completed"}
		if diff := cmp.Diff(want, types); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
	})
}

func TestWrongCodesFailTheSession(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		cs, tok := e.ContactSession(t)
		_, err := e.Svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "start", err, "")
		wrong := "000000"
		if e.Inbox.LastCode(t, "+447911123456") == wrong {
			wrong = "111111"
		}
		for i := 1; i <= 3; i++ {
			_, err := e.Svc.CompletePhoneVerification(ctx, tok, cs.SessionID, wrong)
			wantCode(t, "wrong code", err, idv.CodeInvalid)
		}
		pf, err := e.Svc.Preflight(ctx, tok, cs.SessionID)
		wantCode(t, "preflight", err, "")
		if got, want := []any{pf.Status, pf.Screen.Show}, []any{idv.StatusFailed, idv.ScreenRejected}; !cmp.Equal(got, want) {
			t.Fatalf("after 3 wrong codes preflight = %v, want %v", got, want)
		}
		_, err = e.Svc.CompletePhoneVerification(ctx, tok, cs.SessionID, e.Inbox.LastCode(t, "+447911123456"))
		wantCode(t, "right code after failure", err, idv.CodeConflict)
	})
}

func TestResendThrottle(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		cs, tok := e.ContactSession(t)
		_, err := e.Svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "first send", err, "")
		first := e.Inbox.LastCode(t, "+447911123456")
		e.Clock.Add(10 * time.Second)
		_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "early resend", err, idv.CodeRateLimited)
		var ra *app.RetryAfterError
		if !errors.As(err, &ra) || ra.After != 20*time.Second {
			t.Fatalf("early resend: RetryAfterError = %v, want After 20s", ra)
		}
		if got, want := len(e.Inbox.Messages()), 1; got != want {
			t.Fatalf("messages after refused resend = %d, want %d", got, want)
		}
		e.Clock.Add(21 * time.Second)
		_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "resend after the window", err, "")
		second := e.Inbox.LastCode(t, "+447911123456")
		if first != second {
			_, err = e.Svc.CompletePhoneVerification(ctx, tok, cs.SessionID, first)
			wantCode(t, "superseded code", err, idv.CodeInvalid)
		}
		_, err = e.Svc.CompletePhoneVerification(ctx, tok, cs.SessionID, second)
		wantCode(t, "latest code", err, "")
	})
}

func TestSendFailureKeepsChallenge(t *testing.T) {
	e := idvtest.NewEnv(t)
	ctx := context.Background()
	cs, tok := e.ContactSession(t)
	_, err := e.Svc.Consent(ctx, tok, cs.SessionID, true)
	wantCode(t, "consent", err, "")
	e.Inbox.Fail(errors.New("provider down"))
	_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
	wantCode(t, "failed send", err, idv.CodeUnavailable)
	e.Inbox.Fail(nil)
	e.Clock.Add(31 * time.Second)
	_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
	wantCode(t, "resend", err, "")
	_, err = e.Svc.CompletePhoneVerification(ctx, tok, cs.SessionID, e.Inbox.LastCode(t, "+447911123456"))
	wantCode(t, "code", err, "")
}

func TestConcurrentCorrectCodesSucceedOnce(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		cs, tok := e.ContactSession(t)
		_, err := e.Svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "start", err, "")
		code := e.Inbox.LastCode(t, "+447911123456")
		const n = 50
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { _, errs[i] = e.Svc.CompletePhoneVerification(ctx, tok, cs.SessionID, code) })
		}
		wg.Wait()
		got := map[idv.Code]int{}
		for _, err := range errs {
			if err == nil {
				got["ok"]++
				continue
			}
			got[idv.ErrorCode(err)]++
		}
		if diff := cmp.Diff(map[idv.Code]int{"ok": 1, idv.CodeConflict: n - 1}, got); diff != "" {
			t.Errorf("outcomes (-want +got):\n%s", diff)
		}
	})
}

func TestConsentRefusedIsGone(t *testing.T) {
	e := idvtest.NewEnv(t)
	ctx := context.Background()
	cs, tok := e.ContactSession(t)
	pf, err := e.Svc.Consent(ctx, tok, cs.SessionID, false)
	wantCode(t, "refuse", err, "")
	if got, want := pf.Screen.Show, idv.ScreenCancel; got != want {
		t.Errorf("screen = %s, want %s", got, want)
	}
	_, err = e.Svc.Session(ctx, e.Private, cs.SessionID)
	wantCode(t, "show refused", err, idv.CodeGone)
	_, err = e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
	wantCode(t, "phone after refusal", err, idv.CodeGone)
}

func TestExpiry(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t, func(d *app.Deps) { d.SessionTTL = time.Hour })
		ctx := context.Background()
		cs, tok := e.ContactSession(t)
		e.Clock.Add(time.Hour)
		pf, err := e.Svc.Preflight(ctx, tok, cs.SessionID)
		wantCode(t, "preflight", err, "")
		if got, want := []any{pf.Status, pf.Screen.Show}, []any{idv.StatusExpired, idv.ScreenCancel}; !cmp.Equal(got, want) {
			t.Fatalf("unswept expired preflight = %v, want %v", got, want)
		}
		n, err := e.Svc.ExpireDue(ctx)
		if err != nil || n != 1 {
			t.Fatalf("ExpireDue = %d, %v; want 1, nil", n, err)
		}
		if n, err := e.Svc.ExpireDue(ctx); err != nil || n != 0 {
			t.Fatalf("second ExpireDue = %d, %v; want 0, nil", n, err)
		}
		v, err := e.Svc.Session(ctx, e.Private, cs.SessionID)
		wantCode(t, "show", err, "")
		if v.Status != idv.StatusExpired {
			t.Errorf("status = %s, want expired", v.Status)
		}
		_, err = e.Svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent after expiry", err, idv.CodeGone)
	})
}

func TestSessionOutlivesItsLevel(t *testing.T) {
	e := idvtest.NewEnv(t)
	ctx := context.Background()
	cs, tok := e.ContactSession(t)
	e.Restart(t, []idv.Level{{Name: "other", Version: "v1", Steps: []idv.LevelStep{{Kind: idv.StepConsent}}}})
	_, err := e.Svc.CreateSession(ctx, e.Private, app.NewSession{KYCLevel: "contact"})
	wantCode(t, "create with a removed level", err, idv.CodeInvalid)
	pf, err := e.Svc.Consent(ctx, tok, cs.SessionID, true)
	wantCode(t, "consent on the old level", err, "")
	if got, want := pf.Screen.Show, idv.ScreenPhoneStart; got != want {
		t.Errorf("screen = %s, want %s (the pinned steps)", got, want)
	}
	v, err := e.Svc.Session(ctx, e.Private, cs.SessionID)
	wantCode(t, "show", err, "")
	if v.KYCLevel != "contact" || v.LevelVersion == "" {
		t.Errorf("pinned level = %q %q, want contact and its version", v.KYCLevel, v.LevelVersion)
	}
}
