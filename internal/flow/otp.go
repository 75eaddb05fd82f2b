package flow

import (
	"fmt"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// The limits of one-time-code steps. They are constants of the engine, not
// settings: a resend never resets the count of wrong codes.
const (
	// ResendInterval is the least time between two codes sent for one step.
	ResendInterval = 30 * time.Second
	// MaxSends is the most codes that can be sent for one step.
	MaxSends = 5
)

// otpKind is a one-time-code step: phone or email. The caller makes the
// code, sends it once Advance accepts CodeIssued, and compares the code the
// applicant types with the step's MAC; the engine counts sends and wrong
// codes.
type otpKind struct {
	kind idv.StepKind // idv.StepPhone or idv.StepEmail
}

func (o otpKind) info() kindInfo {
	i := kindInfo{passed: "verified", failed: "failed", otp: true, implemented: true}
	if o.kind == idv.StepEmail {
		i.requirement, i.screen, i.webhookTag = "email_verification", idv.ScreenEmailStart, "email"
	} else {
		i.requirement, i.screen, i.webhookTag = "phone_verification", idv.ScreenPhoneStart, "phone"
	}
	return i
}

// advance takes CodeIssued and CodeChecked.
func (o otpKind) advance(r *recorder, i int, in stepInput, now time.Time) error {
	switch v := in.(type) {
	case CodeIssued:
		if err := r.ready(i); err != nil {
			return err
		}
		return o.codeIssued(r, i, v, now)
	case CodeChecked:
		if err := r.ready(i); err != nil {
			return err
		}
		return o.codeChecked(r, i, v, now)
	}
	return refused(o.kind, in)
}

// alreadyVerified answers a code checked for an OTP step that passed, even
// after the session ended (a double submit of the right code).
func alreadyVerified(st State, in Input) error {
	if cc, ok := in.(CodeChecked); ok {
		if i := st.find(cc.Step); i >= 0 && st.Steps[i].Status == idv.StepPassed {
			return idv.Errorf(idv.CodeConflict, "The %s step has already been verified.", cc.Step)
		}
	}
	return nil
}

func (o otpKind) codeIssued(r *recorder, i int, in CodeIssued, now time.Time) error {
	if len(in.CodeMAC) == 0 || in.TTL <= 0 {
		return idv.Errorf(idv.CodeInternal, "flow: CodeIssued needs a code MAC and a positive TTL")
	}
	step := &r.st.Steps[i]
	var sends, failures int
	if o := step.OTP; o != nil {
		if o.Sends >= MaxSends {
			return idv.Errorf(idv.CodeRateLimited, "No more codes can be sent for this step.")
		}
		if next := o.SentAt.Add(ResendInterval); now.Before(next) {
			secs := int(next.Sub(now).Round(time.Second) / time.Second)
			return &idv.Error{
				Code:    idv.CodeRateLimited,
				Message: fmt.Sprintf("A code was sent moments ago. Wait %d seconds before asking for a new one.", max(secs, 1)),
				Err:     &RetryAfter{At: next},
			}
		}
		sends, failures = o.Sends, o.Failures
	}
	step.OTP = &idv.OTPState{
		CodeMAC:   append([]byte(nil), in.CodeMAC...),
		SentAt:    now,
		ExpiresAt: now.Add(in.TTL),
		Sends:     sends + 1,
		Failures:  failures,
	}
	step.Status = idv.StepAwaitingCode
	step.LastError = nil
	step.UpdatedAt = now
	r.timeline("session."+o.info().webhookTag+".code_sent", map[string]any{
		"step": in.Step, "send": sends + 1, "max_sends": MaxSends,
	})
	return nil
}

func (o otpKind) codeChecked(r *recorder, i int, in CodeChecked, now time.Time) error {
	step := &r.st.Steps[i]
	otp := step.OTP
	if otp == nil || len(otp.CodeMAC) == 0 {
		return idv.Errorf(idv.CodeConflict, "No code has been sent for the %s step yet. Request a code first.", in.Step)
	}
	if !now.Before(otp.ExpiresAt) {
		return &idv.Error{Code: idv.CodeInvalid, Message: "The code has expired. Request a new code.",
			Fields: []idv.FieldError{{Name: "code", Message: "expired; request a new code"}}}
	}
	kind := o.info()
	step.UpdatedAt = now
	if in.Correct {
		step.Status = idv.StepPassed
		step.LastError = nil
		otp.CodeMAC = nil
		r.timeline(idv.TimelineOTPSuccess, map[string]any{"message": "Correct OTP.", "step": in.Step})
		r.both(kind.outcome(true), in.Step)
		r.completeIfDone()
		return nil
	}
	otp.Failures++
	step.Attempts = otp.Failures
	if step.MaxAttempts <= 0 {
		step.MaxAttempts = defaultMaxAttempts(in.Step)
	}
	left := step.MaxAttempts - otp.Failures
	if left > 0 {
		msg := fmt.Sprintf("Invalid code. %d attempt(s) left.", left)
		step.LastError = &idv.StepError{Reason: "otpFailure", Message: msg}
		r.timeline(idv.TimelineAttemptFailed, map[string]any{
			"step": in.Step, "reason": "otpFailure", "message": msg,
			"attemptNumber": otp.Failures, "max_attempts": step.MaxAttempts,
		})
		return &idv.Error{Code: idv.CodeInvalid, Message: msg, Fields: []idv.FieldError{{Name: "code", Message: "invalid code"}}}
	}
	step.Status = idv.StepFailed
	step.LastError = &idv.StepError{Reason: "otpFailure", Message: "Invalid OTP. No attempts left."}
	otp.CodeMAC = nil
	r.st.Status = idv.StatusFailed
	r.timeline(idv.TimelineOTPFailure, map[string]any{"message": "Invalid OTP.", "step": in.Step})
	r.both(kind.outcome(false), in.Step)
	return &idv.Error{Code: idv.CodeInvalid, Message: "Invalid code. No attempts left: the verification has failed.",
		Fields: []idv.FieldError{{Name: "code", Message: "invalid code"}}}
}

// parameters say whether a code was sent, until when it is valid, and
// when a resend is allowed. They never include the destination.
func (otpKind) parameters(p map[string]any, step idv.StepState, now time.Time) {
	o := step.OTP
	p["code_sent"] = o != nil && len(o.CodeMAC) > 0
	p["code_expires_at"], p["code_expired"] = nil, false
	p["resend_available_at"], p["resend_allowed"], p["sends_left"] = nil, true, MaxSends
	if o == nil {
		return
	}
	p["sends_left"] = max(MaxSends-o.Sends, 0)
	if len(o.CodeMAC) > 0 {
		p["code_expires_at"] = o.ExpiresAt.UTC().Format(time.RFC3339)
		p["code_expired"] = !now.Before(o.ExpiresAt)
	}
	p["resend_allowed"] = false
	if o.Sends < MaxSends {
		next := o.SentAt.Add(ResendInterval)
		p["resend_available_at"] = next.UTC().Format(time.RFC3339)
		p["resend_allowed"] = !now.Before(next)
	}
}
