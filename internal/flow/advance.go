package flow

import (
	"errors"
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
// passed; CodeInvalid for an input the session's level cannot take (a code
// for a step that takes none, media for a step that takes none, any input
// for a step that is not available yet), a wrong or expired code;
// CodeRateLimited for a refused resend (wrapping a *RetryAfter when a later
// send will be allowed).
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
	if err := alreadyVerified(st, in); err != nil {
		return s, nil, err
	}
	if st.Status.Ended() {
		return s, nil, endedError(st)
	}
	var err error
	switch v := in.(type) {
	case Cancel:
		st.Status = idv.StatusCanceled
		r.both("session.canceled", "")
	case Expire:
		r.expire()
	case stepInput:
		err = r.toStep(v, now)
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

// completeIfDone completes the session when every step passed.
func (r *recorder) completeIfDone() {
	if r.st.current() < 0 {
		r.complete()
	}
}
