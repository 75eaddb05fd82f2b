package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/otp"
	"github.com/openidv/openidv/internal/seal"
)

// channel is what differs between the phone and the email step.
type channel struct {
	step     idv.StepKind
	field    string // input field name
	validity time.Duration
	// destination normalises raw (or the applicant's own value when raw is
	// empty) and records it in a.
	destination func(raw string, a *idv.Applicant) (string, error)
	message     func(to, code string) idv.Message
	send        func(ctx context.Context, m idv.Message) error
}

func (s *Service) phoneChannel() channel {
	return channel{
		step: idv.StepPhone, field: "phone_number", validity: otp.SMSValidity,
		destination: func(raw string, a *idv.Applicant) (string, error) {
			if raw == "" {
				raw = a.PhoneNumber
			}
			if raw == "" {
				return "", &idv.Error{Code: idv.CodeInvalid, Message: "phone_number is required.",
					Fields: []idv.FieldError{{Name: "phone_number", Message: "is required"}}}
			}
			n, err := otp.NormalizeMobile(raw, a.PhoneCountry)
			a.OTPPhone = n
			return n, err
		},
		message: otp.PhoneMessage,
		send:    s.sms.SendSMS,
	}
}

func (s *Service) emailChannel() channel {
	return channel{
		step: idv.StepEmail, field: "email_address", validity: otp.EmailValidity,
		destination: func(raw string, a *idv.Applicant) (string, error) {
			if raw == "" {
				raw = a.EmailAddress
			}
			if raw == "" {
				return "", &idv.Error{Code: idv.CodeInvalid, Message: "email_address is required.",
					Fields: []idv.FieldError{{Name: "email_address", Message: "is required"}}}
			}
			e, err := otp.NormalizeEmail(raw)
			a.OTPEmail = e
			return e, err
		},
		message: otp.EmailMessage,
		send:    s.email.SendEmail,
	}
}

// StartPhoneVerification sends a code by SMS to phoneNumber (or the
// session's phone number when empty). See startCode.
func (s *Service) StartPhoneVerification(ctx context.Context, p Principal, id, phoneNumber string) (idv.Preflight, error) {
	return s.startCode(ctx, p, id, phoneNumber, s.phoneChannel())
}

// StartEmailVerification sends a code by email to email (or the session's
// email address when empty). See startCode.
func (s *Service) StartEmailVerification(ctx context.Context, p Principal, id, email string) (idv.Preflight, error) {
	return s.startCode(ctx, p, id, email, s.emailChannel())
}

// CompletePhoneVerification checks a code sent by StartPhoneVerification.
func (s *Service) CompletePhoneVerification(ctx context.Context, p Principal, id, code string) (idv.Preflight, error) {
	return s.checkCode(ctx, p, id, code, idv.StepPhone)
}

// CompleteEmailVerification checks a code sent by StartEmailVerification.
func (s *Service) CompleteEmailVerification(ctx context.Context, p Principal, id, code string) (idv.Preflight, error) {
	return s.checkCode(ctx, p, id, code, idv.StepEmail)
}

// macStep names the code of the n-th send of step, so that an older code
// never checks against a newer send.
func macStep(step idv.StepKind, send int) string { return fmt.Sprintf("%s/%d", step, send) }

// startCode makes a code, commits its MAC through the flow engine (which
// throttles resends) with the sealed destination, and only then sends it.
//
// A failed send is reported as CodeRateLimited with a Retry-After of the
// resend interval: the challenge stays committed (the engine counted the
// send), and the applicant may ask for a new code once the interval has
// passed. Sending after the commit means a crash can lose a message but
// never sends a code the server does not know.
func (s *Service) startCode(ctx context.Context, p Principal, id, raw string, ch channel) (idv.Preflight, error) {
	code, err := otp.NewCode(s.rand)
	if err != nil {
		return idv.Preflight{}, internal("otp code", err)
	}
	var dest string
	build := func(sess *idv.Session, dk seal.DataKey) (flow.Input, error) {
		if sess.Status.Ended() {
			return flow.CodeIssued{Step: ch.step}, nil // the engine answers
		}
		a, err := openApplicant(dk, *sess)
		if err != nil {
			return nil, err
		}
		if dest, err = ch.destination(raw, &a); err != nil {
			return nil, err
		}
		sends := 0
		if st := findStep(sess.Steps, ch.step); st != nil && st.OTP != nil {
			sends = st.OTP.Sends
		}
		mac := otp.MAC(s.otpKey, sess.ID, macStep(ch.step, sends+1), code)
		return flow.CodeIssued{Step: ch.step, CodeMAC: mac, TTL: ch.validity}, nil
	}
	then := func(sess *idv.Session, dk seal.DataKey) error {
		a, err := openApplicant(dk, *sess)
		if err != nil {
			return err
		}
		if ch.step == idv.StepPhone {
			a.OTPPhone = dest
		} else {
			a.OTPEmail = dest
		}
		sess.SealedApplicant, err = sealApplicant(dk, sess.ID, a)
		return err
	}
	sess, err := s.advance(ctx, p, id, accessApplicant, build, then)
	if err != nil {
		return idv.Preflight{}, s.retryAfter(err)
	}
	if err := ch.send(ctx, ch.message(dest, code)); err != nil {
		s.log.ErrorContext(ctx, "one-time code not sent", "session_id", id, "step", string(ch.step),
			"error_type", fmt.Sprintf("%T", err))
		return s.preflight(sess), &idv.Error{
			Code:    idv.CodeUnavailable,
			Message: fmt.Sprintf("The code could not be sent. Try again in %d seconds.", int(flow.ResendInterval.Seconds())),
			Err:     &RetryAfterError{After: flow.ResendInterval},
		}
	}
	return s.preflight(sess), nil
}

// retryAfter adds a RetryAfterError to the engine's refused resend.
func (s *Service) retryAfter(err error) error {
	at, ok := flow.RetryAt(err)
	var de *idv.Error
	if !ok || !errors.As(err, &de) {
		return err
	}
	return &idv.Error{Code: de.Code, Message: de.Message, Fields: de.Fields,
		Err: &RetryAfterError{After: max(at.Sub(s.now()), time.Second)}}
}

// checkCode compares code, in constant time, with the MAC of the step's
// latest send and lets the engine count the result, in the transaction
// that locked the session: of concurrent correct submissions exactly one
// succeeds, the others get CodeConflict.
func (s *Service) checkCode(ctx context.Context, p Principal, id, code string, step idv.StepKind) (idv.Preflight, error) {
	if !otp.ValidCode(code) {
		return idv.Preflight{}, &idv.Error{Code: idv.CodeInvalid, Message: "The code must be 6 digits.",
			Fields: []idv.FieldError{{Name: "code", Message: "must be 6 digits"}}}
	}
	build := func(sess *idv.Session, _ seal.DataKey) (flow.Input, error) {
		correct := false
		if st := findStep(sess.Steps, step); st != nil && st.OTP != nil && len(st.OTP.CodeMAC) > 0 {
			correct = otp.Verify(s.otpKey, sess.ID, macStep(step, st.OTP.Sends), code, st.OTP.CodeMAC)
		}
		return flow.CodeChecked{Step: step, Correct: correct}, nil
	}
	sess, err := s.advance(ctx, p, id, accessApplicant, build, nil)
	if err != nil {
		return idv.Preflight{}, err
	}
	return s.preflight(sess), nil
}

// findStep returns the step of kind k, or nil.
func findStep(steps []idv.StepState, k idv.StepKind) *idv.StepState {
	for i := range steps {
		if steps[i].Kind == k {
			return &steps[i]
		}
	}
	return nil
}
