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
)

func TestContactFlowCompletes(t *testing.T) {
	backends(t, func(t *testing.T, newEnv func(*testing.T, ...option) *env) {
		e := newEnv(t)
		ctx := context.Background()
		cs, tok := e.contactSession(t)
		if got, want := cs.Preflight.Screen.Show, idv.ScreenConsent; got != want {
			t.Fatalf("first screen = %s, want %s", got, want)
		}
		if got, want := cs.ExpiresAt, e.clock.Now().Add(app.DefaultSessionTTL); !got.Equal(want) {
			t.Errorf("expires_at = %v, want %v", got, want)
		}
		pf, err := e.svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		if got, want := pf.Screen.Show, idv.ScreenPhoneStart; got != want {
			t.Fatalf("after consent screen = %s, want %s", got, want)
		}
		_, err = e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "start phone", err, "")
		code := e.inbox.lastCode(t, "+447911123456")
		pf, err = e.svc.CompletePhoneVerification(ctx, tok, cs.SessionID, code)
		wantCode(t, "complete phone", err, "")
		if got, want := pf.Screen.Show, idv.ScreenEmailStart; got != want {
			t.Fatalf("after phone screen = %s, want %s", got, want)
		}
		_, err = e.svc.StartEmailVerification(ctx, tok, cs.SessionID, "Other@Example.org")
		wantCode(t, "start email", err, "")
		code = e.inbox.lastCode(t, "Other@example.org")
		pf, err = e.svc.CompleteEmailVerification(ctx, tok, cs.SessionID, code)
		wantCode(t, "complete email", err, "")
		if got, want := []any{pf.Status, pf.Screen.Show}, []any{idv.StatusCompleted, idv.ScreenCompleted}; !cmp.Equal(got, want) {
			t.Fatalf("final preflight = %v, want %v", got, want)
		}

		v, err := e.svc.Session(ctx, e.private, cs.SessionID)
		wantCode(t, "show", err, "")
		if got, want := v.Applicant.OTPEmail, "Other@example.org"; got != want {
			t.Errorf("otp_email = %q, want %q", got, want)
		}
		for _, st := range v.Steps {
			if st.OTP != nil && st.OTP.CodeMAC != nil {
				t.Errorf("step %s shows its code MAC", st.Kind)
			}
		}
		evs, err := e.svc.Events(ctx, e.private, cs.SessionID)
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
	backends(t, func(t *testing.T, newEnv func(*testing.T, ...option) *env) {
		e := newEnv(t)
		ctx := context.Background()
		cs, tok := e.contactSession(t)
		_, err := e.svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		_, err = e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "start", err, "")
		wrong := "000000"
		if e.inbox.lastCode(t, "+447911123456") == wrong {
			wrong = "111111"
		}
		for i := 1; i <= 3; i++ {
			_, err := e.svc.CompletePhoneVerification(ctx, tok, cs.SessionID, wrong)
			wantCode(t, "wrong code", err, idv.CodeInvalid)
		}
		pf, err := e.svc.Preflight(ctx, tok, cs.SessionID)
		wantCode(t, "preflight", err, "")
		if got, want := []any{pf.Status, pf.Screen.Show}, []any{idv.StatusFailed, idv.ScreenRejected}; !cmp.Equal(got, want) {
			t.Fatalf("after 3 wrong codes preflight = %v, want %v", got, want)
		}
		_, err = e.svc.CompletePhoneVerification(ctx, tok, cs.SessionID, e.inbox.lastCode(t, "+447911123456"))
		wantCode(t, "right code after failure", err, idv.CodeConflict)
	})
}

func TestResendThrottle(t *testing.T) {
	backends(t, func(t *testing.T, newEnv func(*testing.T, ...option) *env) {
		e := newEnv(t)
		ctx := context.Background()
		cs, tok := e.contactSession(t)
		_, err := e.svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		_, err = e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "first send", err, "")
		first := e.inbox.lastCode(t, "+447911123456")
		e.clock.Add(10 * time.Second)
		_, err = e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "early resend", err, idv.CodeRateLimited)
		var ra *app.RetryAfterError
		if !errors.As(err, &ra) || ra.After != 20*time.Second {
			t.Fatalf("early resend: RetryAfterError = %v, want After 20s", ra)
		}
		if got, want := len(e.inbox.all()), 1; got != want {
			t.Fatalf("messages after refused resend = %d, want %d", got, want)
		}
		e.clock.Add(21 * time.Second)
		_, err = e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "resend after the window", err, "")
		second := e.inbox.lastCode(t, "+447911123456")
		if first != second {
			_, err = e.svc.CompletePhoneVerification(ctx, tok, cs.SessionID, first)
			wantCode(t, "superseded code", err, idv.CodeInvalid)
		}
		_, err = e.svc.CompletePhoneVerification(ctx, tok, cs.SessionID, second)
		wantCode(t, "latest code", err, "")
	})
}

func TestSendFailureKeepsChallenge(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cs, tok := e.contactSession(t)
	_, err := e.svc.Consent(ctx, tok, cs.SessionID, true)
	wantCode(t, "consent", err, "")
	e.inbox.fail = errors.New("provider down")
	_, err = e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
	wantCode(t, "failed send", err, idv.CodeUnavailable)
	e.inbox.fail = nil
	e.clock.Add(31 * time.Second)
	_, err = e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
	wantCode(t, "resend", err, "")
	_, err = e.svc.CompletePhoneVerification(ctx, tok, cs.SessionID, e.inbox.lastCode(t, "+447911123456"))
	wantCode(t, "code", err, "")
}

func TestConcurrentCorrectCodesSucceedOnce(t *testing.T) {
	backends(t, func(t *testing.T, newEnv func(*testing.T, ...option) *env) {
		e := newEnv(t)
		ctx := context.Background()
		cs, tok := e.contactSession(t)
		_, err := e.svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent", err, "")
		_, err = e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
		wantCode(t, "start", err, "")
		code := e.inbox.lastCode(t, "+447911123456")
		const n = 50
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { _, errs[i] = e.svc.CompletePhoneVerification(ctx, tok, cs.SessionID, code) })
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
	e := newEnv(t)
	ctx := context.Background()
	cs, tok := e.contactSession(t)
	pf, err := e.svc.Consent(ctx, tok, cs.SessionID, false)
	wantCode(t, "refuse", err, "")
	if got, want := pf.Screen.Show, idv.ScreenCancel; got != want {
		t.Errorf("screen = %s, want %s", got, want)
	}
	_, err = e.svc.Session(ctx, e.private, cs.SessionID)
	wantCode(t, "show refused", err, idv.CodeGone)
	_, err = e.svc.StartPhoneVerification(ctx, tok, cs.SessionID, "")
	wantCode(t, "phone after refusal", err, idv.CodeGone)
}

func TestExpiry(t *testing.T) {
	backends(t, func(t *testing.T, newEnv func(*testing.T, ...option) *env) {
		e := newEnv(t, func(d *app.Deps) { d.SessionTTL = time.Hour })
		ctx := context.Background()
		cs, tok := e.contactSession(t)
		e.clock.Add(time.Hour)
		pf, err := e.svc.Preflight(ctx, tok, cs.SessionID)
		wantCode(t, "preflight", err, "")
		if got, want := []any{pf.Status, pf.Screen.Show}, []any{idv.StatusExpired, idv.ScreenCancel}; !cmp.Equal(got, want) {
			t.Fatalf("unswept expired preflight = %v, want %v", got, want)
		}
		n, err := e.svc.ExpireDue(ctx)
		if err != nil || n != 1 {
			t.Fatalf("ExpireDue = %d, %v; want 1, nil", n, err)
		}
		if n, err := e.svc.ExpireDue(ctx); err != nil || n != 0 {
			t.Fatalf("second ExpireDue = %d, %v; want 0, nil", n, err)
		}
		v, err := e.svc.Session(ctx, e.private, cs.SessionID)
		wantCode(t, "show", err, "")
		if v.Status != idv.StatusExpired {
			t.Errorf("status = %s, want expired", v.Status)
		}
		_, err = e.svc.Consent(ctx, tok, cs.SessionID, true)
		wantCode(t, "consent after expiry", err, idv.CodeGone)
	})
}

func TestSessionOutlivesItsLevel(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cs, tok := e.contactSession(t)
	e.restart(t, []idv.Level{{Name: "other", Version: "v1", Steps: []idv.LevelStep{{Kind: idv.StepConsent}}}})
	_, err := e.svc.CreateSession(ctx, e.private, app.NewSession{KYCLevel: "contact"})
	wantCode(t, "create with a removed level", err, idv.CodeInvalid)
	pf, err := e.svc.Consent(ctx, tok, cs.SessionID, true)
	wantCode(t, "consent on the old level", err, "")
	if got, want := pf.Screen.Show, idv.ScreenPhoneStart; got != want {
		t.Errorf("screen = %s, want %s (the pinned steps)", got, want)
	}
	v, err := e.svc.Session(ctx, e.private, cs.SessionID)
	wantCode(t, "show", err, "")
	if v.KYCLevel != "contact" || v.LevelVersion == "" {
		t.Errorf("pinned level = %q %q, want contact and its version", v.KYCLevel, v.LevelVersion)
	}
}
