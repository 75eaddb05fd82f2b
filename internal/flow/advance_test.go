package flow

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/idv"
)

// played starts a session of the named default level at t0() and applies
// prelude, each input one second after the previous; every one must change
// the state (a wrong code changes it and returns an error).
func played(t *testing.T, level string, prelude ...Input) State {
	t.Helper()
	st, _ := Start("ses_1", levelNamed(t, level), t0(), ttl, "https://example.com/back")
	for i, in := range prelude {
		next, effects, err := Advance(st, in, t0().Add(time.Duration(i+1)*time.Second))
		if len(effects) == 0 {
			t.Fatalf("prelude input %d (%T): %v", i, in, err)
		}
		st = next
	}
	return st
}

// effectTypes names effects as "t:<type>" (timeline) or "w:<type>" (webhook).
func effectTypes(effects []Effect) []string {
	var out []string
	for _, e := range effects {
		switch e := e.(type) {
		case TimelineEvent:
			out = append(out, "t:"+e.Type)
		case WebhookEvent:
			out = append(out, "w:"+e.Type)
		}
	}
	return out
}

// advanceCase is one row of TestAdvance.
type advanceCase struct {
	name        string
	level       string
	prelude     []Input
	in          Input
	at          time.Duration // after t0()
	wantCode    idv.Code      // "" for success
	wantStatus  idv.SessionStatus
	wantEffects []string
}

// advanceCases are the rows of TestAdvance.
func advanceCases() []advanceCase {
	consent := ConsentGiven{Accepted: true}
	phone := issue(idv.StepPhone, "1")
	wrong := CodeChecked{Step: idv.StepPhone}
	right := CodeChecked{Step: idv.StepPhone, Correct: true}
	return []advanceCase{
		{"consent accepted", "contact", nil, consent, time.Minute, "", idv.StatusInProgress,
			[]string{"t:session.consent.accepted", "w:session.consent.accepted"}},
		{"consent refused", "contact", nil, ConsentGiven{}, time.Minute, "", idv.StatusCanceled,
			[]string{"t:session.consent.rejected", "w:session.consent.rejected"}},
		{"consent twice", "contact", []Input{consent}, consent, time.Minute, idv.CodeConflict, idv.StatusInProgress, nil},
		{"code before consent", "contact", nil, phone, time.Minute, idv.CodeConflict, idv.StatusInProgress, nil},
		{"email before phone", "contact", []Input{consent}, issue(idv.StepEmail, "1"), time.Minute,
			idv.CodeConflict, idv.StatusInProgress, nil},
		{"code sent", "contact", []Input{consent}, phone, time.Minute, "", idv.StatusInProgress,
			[]string{"t:session.phone.code_sent"}},
		{"code without MAC", "contact", []Input{consent}, CodeIssued{Step: idv.StepPhone, TTL: time.Minute},
			time.Minute, idv.CodeInternal, idv.StatusInProgress, nil},
		{"resend too early", "contact", []Input{consent, phone}, phone, 10 * time.Second,
			idv.CodeRateLimited, idv.StatusInProgress, nil},
		{"resend after interval", "contact", []Input{consent, phone}, phone, 2*time.Second + ResendInterval,
			"", idv.StatusInProgress, []string{"t:session.phone.code_sent"}},
		{"check without code", "contact", []Input{consent}, right, time.Minute, idv.CodeConflict, idv.StatusInProgress, nil},
		{"wrong code", "contact", []Input{consent, phone}, wrong, time.Minute, idv.CodeInvalid, idv.StatusInProgress,
			[]string{"t:attemptFailed"}},
		{"third wrong code", "contact", []Input{consent, phone, wrong, wrong}, wrong, time.Minute, idv.CodeInvalid,
			idv.StatusFailed, []string{"t:otpFailure", "t:session.phone.failed", "w:session.phone.failed"}},
		{"right code", "contact", []Input{consent, phone, wrong, wrong}, right, time.Minute, "", idv.StatusInProgress,
			[]string{"t:otpSuccess", "t:session.phone.verified", "w:session.phone.verified"}},
		{"right code twice", "contact", []Input{consent, phone, right}, right, time.Minute, idv.CodeConflict,
			idv.StatusInProgress, nil},
		{"expired code", "contact", []Input{consent, phone}, right, 3*time.Second + 10*time.Minute, idv.CodeInvalid,
			idv.StatusInProgress, nil},
		{"last step completes", "contact", []Input{consent, phone, right, issue(idv.StepEmail, "2")},
			CodeChecked{Step: idv.StepEmail, Correct: true}, time.Minute, "", idv.StatusCompleted,
			[]string{"t:otpSuccess", "t:session.email.verified", "w:session.email.verified", "t:session.completed", "w:session.completed"}},
		{"cancel", "contact", []Input{consent}, Cancel{}, time.Minute, "", idv.StatusCanceled,
			[]string{"t:session.canceled", "w:session.canceled"}},
		{"cancel twice", "contact", []Input{Cancel{}}, Cancel{}, time.Minute, idv.CodeGone, idv.StatusCanceled, nil},
		{"input after refusal", "contact", []Input{ConsentGiven{}}, consent, time.Minute, idv.CodeGone, idv.StatusCanceled, nil},
		{"expire", "contact", nil, Expire{}, time.Minute, "", idv.StatusExpired,
			[]string{"t:session.expired", "w:session.expired"}},
		{"late input expires first", "contact", []Input{consent}, Cancel{}, ttl, idv.CodeGone, idv.StatusExpired,
			[]string{"t:session.expired", "w:session.expired"}},
		{"late expire", "contact", nil, Expire{}, ttl + time.Hour, "", idv.StatusExpired,
			[]string{"t:session.expired", "w:session.expired"}},
		{"code for document", "basic", []Input{consent}, issue(idv.StepIDDocument, "1"), time.Minute,
			idv.CodeInvalid, idv.StatusInProgress, nil},
		{"step not in level", "basic", []Input{consent}, phone, time.Minute, idv.CodeInvalid, idv.StatusInProgress, nil},
		{"behind unimplemented step", "full", []Input{consent}, phone, time.Minute, idv.CodeConflict, idv.StatusInProgress, nil},
		{"nil input", "contact", nil, nil, time.Minute, idv.CodeInternal, idv.StatusInProgress, nil},
	}
}

func TestAdvance(t *testing.T) {
	tests := advanceCases()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := played(t, tt.level, tt.prelude...)
			got, effects, err := Advance(st, tt.in, t0().Add(tt.at))
			if gotCode := codeOf(err); gotCode != tt.wantCode {
				t.Errorf("error = %v, want code %q", err, tt.wantCode)
			}
			if got.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", got.Status, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantEffects, effectTypes(effects)); diff != "" {
				t.Errorf("effects (-want +got):\n%s", diff)
			}
			if len(effects) == 0 {
				if diff := cmp.Diff(st, got); diff != "" {
					t.Errorf("state changed without effects (-in +out):\n%s", diff)
				}
			}
		})
	}
}

func codeOf(err error) idv.Code {
	if err == nil {
		return ""
	}
	var e *idv.Error
	if !errors.As(err, &e) {
		return "not an *idv.Error"
	}
	return e.Code
}

func TestResendNeverResetsFailures(t *testing.T) {
	st := played(t, "contact", ConsentGiven{Accepted: true}, issue(idv.StepPhone, "1"),
		CodeChecked{Step: idv.StepPhone}, CodeChecked{Step: idv.StepPhone})
	st, _, err := Advance(st, issue(idv.StepPhone, "2"), t0().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	phone := st.Steps[st.find(idv.StepPhone)]
	if got := phone.OTP; got.Failures != 2 || got.Sends != 2 || string(got.CodeMAC) != string(mac("2")) {
		t.Errorf("after resend: OTP = %+v, want failures 2, sends 2, the new MAC", got)
	}
	st, _, _ = Advance(st, CodeChecked{Step: idv.StepPhone}, t0().Add(2*time.Minute))
	if st.Status != idv.StatusFailed {
		t.Errorf("third wrong code across a resend: status %s, want failed", st.Status)
	}
}

func TestRefusedResendSaysWhen(t *testing.T) {
	st := played(t, "contact", ConsentGiven{Accepted: true}, issue(idv.StepPhone, "1")) // sent at t0()+2s
	_, _, err := Advance(st, issue(idv.StepPhone, "2"), t0().Add(12*time.Second))
	at, ok := RetryAt(err)
	if want := t0().Add(2*time.Second + ResendInterval); !ok || !at.Equal(want) {
		t.Errorf("RetryAt(%v) = %v, %v; want %v, true", err, at, ok, want)
	}
	for i := 2; i <= MaxSends; i++ {
		st, _, err = Advance(st, issue(idv.StepPhone, "n"), t0().Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	_, _, err = Advance(st, issue(idv.StepPhone, "n"), t0().Add(time.Hour/2))
	if codeOf(err) != idv.CodeRateLimited {
		t.Fatalf("send %d: error %v, want rate_limited", MaxSends+1, err)
	}
	if at, ok := RetryAt(err); ok {
		t.Errorf("send %d: RetryAt = %v, want none (no more sends)", MaxSends+1, at)
	}
}

// TestConcurrentCorrectCodes models 50 requests with the right code,
// serialised by the store's row lock: exactly one succeeds, the others get
// CodeConflict, and one otpSuccess is recorded.
func TestConcurrentCorrectCodes(t *testing.T) {
	st := played(t, "contact", ConsentGiven{Accepted: true}, issue(idv.StepPhone, "1"))
	var successes, conflicts, otpSuccess int
	for i := 0; i < 50; i++ {
		next, effects, err := Advance(st, CodeChecked{Step: idv.StepPhone, Correct: true}, t0().Add(time.Minute))
		switch codeOf(err) {
		case "":
			successes++
		case idv.CodeConflict:
			conflicts++
		default:
			t.Fatalf("request %d: %v", i, err)
		}
		for _, e := range effectTypes(effects) {
			if e == "t:otpSuccess" {
				otpSuccess++
			}
		}
		if len(effects) > 0 {
			st = next
		}
	}
	if successes != 1 || conflicts != 49 || otpSuccess != 1 {
		t.Errorf("got %d successes, %d conflicts, %d otpSuccess; want 1, 49, 1", successes, conflicts, otpSuccess)
	}
}

func TestStartFlowOrder(t *testing.T) {
	st, effects := Start("ses_1", levelNamed(t, "full"), t0(), ttl, "")
	var got []int
	for _, s := range st.Steps {
		got = append(got, s.FlowOrder)
	}
	if diff := cmp.Diff([]int{100, 200, 300, 400, 500, 600, 700}, got); diff != "" {
		t.Errorf("flow orders (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"t:session.created", "w:session.created"}, effectTypes(effects)); diff != "" {
		t.Errorf("effects (-want +got):\n%s", diff)
	}
	if !st.ExpiresAt.Equal(t0().Add(ttl)) || st.Status != idv.StatusInProgress {
		t.Errorf("Start: status %s, expires %v; want in_progress, %v", st.Status, st.ExpiresAt, t0().Add(ttl))
	}
}

func TestSessionRoundTrip(t *testing.T) {
	st := played(t, "contact", ConsentGiven{Accepted: true}, issue(idv.StepPhone, "1"))
	var sess idv.Session
	sess.ID, sess.ExpiresAt, sess.ReturnURL = st.SessionID, st.ExpiresAt, st.ReturnURL
	st.ApplyTo(&sess, t0())
	if diff := cmp.Diff(st, FromSession(sess)); diff != "" {
		t.Errorf("FromSession(ApplyTo(st)) (-want +got):\n%s", diff)
	}
	sess.Steps[1].OTP.CodeMAC[0] = 'X'
	if st.Steps[1].OTP.CodeMAC[0] == 'X' {
		t.Error("ApplyTo shares the OTP MAC with the state")
	}
}
