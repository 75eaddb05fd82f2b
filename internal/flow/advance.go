package flow

import (
	"errors"
	"fmt"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// Advance applies one input to a session and returns the next state, the
// effects to commit with it, and the answer for the caller.
//
// Commit rule: whenever len(effects) > 0 the caller commits the returned
// state and effects, even when err is not nil (a wrong code counts as a
// failure and returns an error; a late input first expires the session and
// returns CodeGone). When effects is empty nothing changed and the state
// equals s. Advance never modifies s.
//
// Errors are *idv.Error: CodeGone for a cancelled, refused, expired or
// erased session; CodeConflict for a completed or failed session, an input
// for a step that is not the current one, or a code for a step that already
// passed; CodeInvalid for an input the session's level cannot take, a wrong
// or expired code; CodeRateLimited for a refused resend (wrapping a
// *RetryAfter when a later send will be allowed).
func Advance(s State, in Input, now time.Time) (State, []Effect, error) {
	st := s
	st.Steps = idv.CloneSteps(s.Steps)
	r := &recorder{st: &st}
	if st.Status == idv.StatusInProgress && !now.Before(st.ExpiresAt) {
		r.expire()
		if _, ok := in.(Expire); ok {
			return st, r.effects, nil
		}
		return st, r.effects, idv.Errorf(idv.CodeGone, "The session has expired.")
	}
	if cc, ok := in.(CodeChecked); ok {
		if i := st.find(cc.Step); i >= 0 && st.Steps[i].Status == idv.StepPassed {
			return s, nil, idv.Errorf(idv.CodeConflict, "The %s step has already been verified.", cc.Step)
		}
	}
	if st.Status.Ended() {
		return s, nil, endedError(st)
	}
	var err error
	switch v := in.(type) {
	case ConsentGiven:
		err = r.consent(v, now)
	case CodeIssued:
		err = r.codeIssued(v, now)
	case CodeChecked:
		err = r.codeChecked(v, now)
	case Cancel:
		st.Status = idv.StatusCanceled
		r.both("session.canceled", "")
	case Expire:
		r.expire()
	default:
		err = idv.Errorf(idv.CodeInternal, "flow: unknown input %T", in)
	}
	if len(r.effects) == 0 {
		return s, nil, err
	}
	return st, r.effects, err
}

// RetryAfter is wrapped by the CodeRateLimited error of a refused resend:
// a new code may be sent at At. Use RetryAt to read it.
type RetryAfter struct {
	At time.Time
}

// Error says when to retry.
func (e *RetryAfter) Error() string {
	return "retry after " + e.At.UTC().Format(time.RFC3339)
}

// RetryAt returns the time from which a refused resend will be allowed, and
// false when err does not say (no more sends at all, or another error).
// HTTP sets Retry-After to the seconds from its clock's now to that time.
func RetryAt(err error) (time.Time, bool) {
	var ra *RetryAfter
	if errors.As(err, &ra) {
		return ra.At, true
	}
	return time.Time{}, false
}

// endedError is the answer to any input for a session that has ended.
func endedError(st State) error {
	switch st.Status {
	case idv.StatusCanceled:
		if i := st.find(idv.StepConsent); i >= 0 && st.Steps[i].Status == idv.StepRefused {
			return idv.Errorf(idv.CodeGone, "Consent was refused; the session has ended.")
		}
		return idv.Errorf(idv.CodeGone, "The session has been cancelled.")
	case idv.StatusExpired:
		return idv.Errorf(idv.CodeGone, "The session has expired.")
	case idv.StatusErased:
		return idv.Errorf(idv.CodeGone, "The session has been erased.")
	case idv.StatusCompleted:
		return idv.Errorf(idv.CodeConflict, "The session is already completed.")
	case idv.StatusFailed:
		return idv.Errorf(idv.CodeConflict, "The session has failed and accepts no more input.")
	}
	return idv.Errorf(idv.CodeConflict, "The session is %s and accepts no more input.", st.Status)
}

// expire ends the session as expired.
func (r *recorder) expire() {
	r.st.Status = idv.StatusExpired
	r.both("session.expired", "")
}

// stepFor returns the index of the step of kind k if it is the current one
// and can take input; otherwise an error and no change.
func (r *recorder) stepFor(k idv.StepKind, wantOTP bool) (int, error) {
	i := r.st.find(k)
	if i < 0 {
		return -1, idv.Errorf(idv.CodeInvalid, "This session's level has no %s step.", k)
	}
	if wantOTP && !IsOTP(k) {
		return -1, idv.Errorf(idv.CodeInvalid, "The %s step does not take one-time codes.", k)
	}
	if !Implemented(k) {
		return -1, idv.Errorf(idv.CodeInvalid, "The %s step is not available yet.", k)
	}
	if r.st.Steps[i].Status == idv.StepPassed {
		return -1, idv.Errorf(idv.CodeConflict, "The %s step has already passed.", k)
	}
	if cur := r.st.current(); cur != i {
		c := r.st.Steps[cur].Kind
		if !Implemented(c) {
			return -1, idv.Errorf(idv.CodeConflict, "The current step is %s, which is not available yet; %s cannot start.", c, k)
		}
		return -1, idv.Errorf(idv.CodeConflict, "The current step is %s; finish it before %s.", c, k)
	}
	return i, nil
}

func (r *recorder) consent(in ConsentGiven, now time.Time) error {
	i := r.st.find(idv.StepConsent)
	if i >= 0 && r.st.Steps[i].Status == idv.StepPassed {
		return idv.Errorf(idv.CodeConflict, "Consent has already been given.")
	}
	i, err := r.stepFor(idv.StepConsent, false)
	if err != nil {
		return err
	}
	step := &r.st.Steps[i]
	step.UpdatedAt = now
	if !in.Accepted {
		step.Status = idv.StepRefused
		r.st.Status = idv.StatusCanceled
		r.both("session.consent.rejected", "")
		return nil
	}
	step.Status = idv.StepPassed
	r.both("session.consent.accepted", "")
	r.completeIfDone()
	return nil
}

// completeIfDone completes the session when every step passed.
func (r *recorder) completeIfDone() {
	if r.st.current() < 0 {
		r.complete()
	}
}

func (r *recorder) codeIssued(in CodeIssued, now time.Time) error {
	i, err := r.stepFor(in.Step, true)
	if err != nil {
		return err
	}
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
	tag := mustInfo(in.Step).webhookTag
	r.timeline("session."+tag+".code_sent", map[string]any{
		"step": in.Step, "send": sends + 1, "max_sends": MaxSends,
	})
	return nil
}

func (r *recorder) codeChecked(in CodeChecked, now time.Time) error {
	i, err := r.stepFor(in.Step, true)
	if err != nil {
		return err
	}
	step := &r.st.Steps[i]
	o := step.OTP
	if o == nil || len(o.CodeMAC) == 0 {
		return idv.Errorf(idv.CodeConflict, "No code has been sent for the %s step yet. Request a code first.", in.Step)
	}
	if !now.Before(o.ExpiresAt) {
		return &idv.Error{Code: idv.CodeInvalid, Message: "The code has expired. Request a new code.",
			Fields: []idv.FieldError{{Name: "code", Message: "expired; request a new code"}}}
	}
	tag := mustInfo(in.Step).webhookTag
	step.UpdatedAt = now
	if in.Correct {
		step.Status = idv.StepPassed
		step.LastError = nil
		o.CodeMAC = nil
		r.timeline(idv.TimelineOTPSuccess, map[string]any{"message": "Correct OTP.", "step": in.Step})
		r.both("session."+tag+".verified", in.Step)
		r.completeIfDone()
		return nil
	}
	o.Failures++
	step.Attempts = o.Failures
	if step.MaxAttempts <= 0 {
		step.MaxAttempts = defaultMaxAttempts(in.Step)
	}
	left := step.MaxAttempts - o.Failures
	if left > 0 {
		msg := fmt.Sprintf("Invalid code. %d attempt(s) left.", left)
		step.LastError = &idv.StepError{Reason: "otpFailure", Message: msg}
		r.timeline(idv.TimelineAttemptFailed, map[string]any{
			"step": in.Step, "reason": "otpFailure", "message": msg,
			"attemptNumber": o.Failures, "max_attempts": step.MaxAttempts,
		})
		return &idv.Error{Code: idv.CodeInvalid, Message: msg, Fields: []idv.FieldError{{Name: "code", Message: "invalid code"}}}
	}
	step.Status = idv.StepFailed
	step.LastError = &idv.StepError{Reason: "otpFailure", Message: "Invalid OTP. No attempts left."}
	o.CodeMAC = nil
	r.st.Status = idv.StatusFailed
	r.timeline(idv.TimelineOTPFailure, map[string]any{"message": "Invalid OTP.", "step": in.Step})
	r.both("session."+tag+".failed", in.Step)
	return &idv.Error{Code: idv.CodeInvalid, Message: "Invalid code. No attempts left: the verification has failed.",
		Fields: []idv.FieldError{{Name: "code", Message: "invalid code"}}}
}

// mustInfo returns the description of a kind already known to exist.
func mustInfo(k idv.StepKind) stepInfo {
	i, _ := info(k)
	return i
}
