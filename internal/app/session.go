package app

import (
	"context"
	"slices"

	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/seal"
)

// CreateSession starts a verification of level in.KYCLevel. API keys only;
// the session is a sandbox one when the key is. The applicant data is
// validated, normalised and sealed under a new per-session data key.
func (s *Service) CreateSession(ctx context.Context, p Principal, in NewSession) (CreatedSession, error) {
	if p.Kind == PrincipalClientToken {
		return CreatedSession{}, idv.Errorf(idv.CodeForbidden, "Creating a session needs an API key.")
	}
	var fe fieldErrors
	level, ok := s.levels[in.KYCLevel]
	switch {
	case in.KYCLevel == "":
		fe.add("kyc_level", "is required")
	case !ok:
		fe.add("kyc_level", "is not a configured level")
	}
	a := fe.applicant(in.Applicant)
	a.OTPPhone, a.OTPEmail = "", ""
	fe.locale(in.Locale)
	fe.returnURL(in.ReturnURL)
	if err := fe.err(); err != nil {
		return CreatedSession{}, err
	}
	sess, token, dk, wrapped, err := s.newSession(p, level, a, in)
	if err != nil {
		return CreatedSession{}, err
	}
	st, effects := flow.Start(sess.ID, level, sess.CreatedAt, s.ttl, in.ReturnURL)
	st.ApplyTo(&sess, sess.CreatedAt)
	sess.ExpiresAt = st.ExpiresAt
	err = s.store.InTx(ctx, func(tx idv.Tx) error {
		if err := tx.CreateSession(ctx, sess); err != nil {
			return internal("create session", err)
		}
		if err := tx.PutDataKey(ctx, sess.ID, wrapped); err != nil {
			return internal("store data key", err)
		}
		return s.record(ctx, tx, sess, dk, effects, sess.CreatedAt)
	})
	if err != nil {
		return CreatedSession{}, err
	}
	return CreatedSession{SessionID: sess.ID, ClientToken: token, ExpiresAt: sess.ExpiresAt, Preflight: s.preflight(sess)}, nil
}

// newSession makes the ids, token, data key and sealed applicant of a new
// session.
func (s *Service) newSession(p Principal, level idv.Level, a idv.Applicant, in NewSession) (idv.Session, string, seal.DataKey, []byte, error) {
	id, err := s.randomString(16)
	if err != nil {
		return idv.Session{}, "", seal.DataKey{}, nil, internal("session id", err)
	}
	body, err := s.randomString(keySecretBytes)
	if err != nil {
		return idv.Session{}, "", seal.DataKey{}, nil, internal("client token", err)
	}
	token := withChecksum(ClientTokenPrefix + body)
	dk, wrapped, err := s.keys.NewDataKey(id, s.rand)
	if err != nil {
		return idv.Session{}, "", seal.DataKey{}, nil, internal("data key", err)
	}
	sealed, err := sealApplicant(dk, id, a)
	if err != nil {
		return idv.Session{}, "", seal.DataKey{}, nil, err
	}
	now := s.now()
	sess := idv.Session{
		ID: id, Sandbox: p.Sandbox, LevelName: level.Name, LevelVersion: level.Version,
		ClientTokenHash: hashSecret(token), SealedApplicant: sealed,
		ReturnURL: in.ReturnURL, Locale: in.Locale, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	if a.UniqueID != "" {
		sess.UniqueIDHash = s.keys.LookupHash("unique_id", a.UniqueID)
	}
	return sess, token, dk, wrapped, nil
}

// goneError is the answer to reading a cancelled, refused or erased session.
func goneError(sess idv.Session) error {
	if sess.Status == idv.StatusErased {
		return idv.Errorf(idv.CodeGone, "The session has been erased.")
	}
	if sess.Status == idv.StatusCanceled {
		for _, st := range sess.Steps {
			if st.Kind == idv.StepConsent && st.Status == idv.StepRefused {
				return idv.Errorf(idv.CodeGone, "Consent was refused; the session has ended.")
			}
		}
		return idv.Errorf(idv.CodeGone, "The session has been cancelled.")
	}
	return nil
}

// Session shows a session. Personal data only with a private key;
// CodeGone once cancelled, consent refused or erased.
func (s *Service) Session(ctx context.Context, p Principal, id string) (SessionView, error) {
	sess, err := s.load(ctx, p, id, accessApplicant)
	if err != nil {
		return SessionView{}, err
	}
	if err := goneError(sess); err != nil {
		return SessionView{}, err
	}
	v := s.view(sess)
	if p.CanReadPersonalData() {
		dk, err := s.readDataKey(ctx, id)
		if err != nil {
			return SessionView{}, err
		}
		a, err := openApplicant(dk, sess)
		if err != nil {
			return SessionView{}, err
		}
		v.Applicant = applicantView(a, sess.Steps)
	}
	return v, nil
}

// applicantView is the applicant as shown to private keys: once the phone
// or email step has passed, the number or address the applicant proved
// they control (where the last code went) replaces the one given at
// creation, which may have been absent or different.
func applicantView(a idv.Applicant, steps []idv.StepState) *idv.Applicant {
	if st := findStep(steps, idv.StepPhone); st != nil && st.Status == idv.StepPassed && a.OTPPhone != "" {
		a.PhoneNumber = a.OTPPhone
	}
	if st := findStep(steps, idv.StepEmail); st != nil && st.Status == idv.StepPassed && a.OTPEmail != "" {
		a.EmailAddress = a.OTPEmail
	}
	return &a
}

// view renders sess without personal data. An in-progress session past its
// expiry shows as expired. One-time-code MACs never leave the server.
func (s *Service) view(sess idv.Session) SessionView {
	status := sess.Status
	if status == idv.StatusInProgress && !s.now().Before(sess.ExpiresAt) {
		status = idv.StatusExpired
	}
	steps := slices.Clone(sess.Steps)
	for i := range steps {
		if o := steps[i].OTP; o != nil {
			c := *o
			c.CodeMAC = nil
			steps[i].OTP = &c
		}
	}
	return SessionView{
		SessionID: sess.ID, Status: status, KYCLevel: sess.LevelName, LevelVersion: sess.LevelVersion,
		Sandbox: sess.Sandbox, Steps: steps, WebSDKReturnURL: sess.ReturnURL, Locale: sess.Locale,
		CreatedAt: sess.CreatedAt, UpdatedAt: sess.UpdatedAt, ExpiresAt: sess.ExpiresAt,
	}
}

// Preflight returns the next step of a session. Ended sessions answer
// their terminal screen (cancel_screen once cancelled, refused, expired).
func (s *Service) Preflight(ctx context.Context, p Principal, id string) (idv.Preflight, error) {
	sess, err := s.load(ctx, p, id, accessApplicant)
	if err != nil {
		return idv.Preflight{}, err
	}
	return s.preflight(sess), nil
}

// PreflightFor re-reads the preflight of a session for a websocket
// subscriber already authorised for it.
func (s *Service) PreflightFor(ctx context.Context, id string) (idv.Preflight, error) {
	sess, err := s.store.Session(ctx, id)
	if idv.ErrorCode(err) == idv.CodeNotFound {
		return idv.Preflight{}, notFound()
	}
	if err != nil {
		return idv.Preflight{}, internal("read session", err)
	}
	return s.preflight(sess), nil
}

// Consent records the applicant's answer; false ends the session on
// cancel_screen.
func (s *Service) Consent(ctx context.Context, p Principal, id string, accepted bool) (idv.Preflight, error) {
	sess, err := s.advance(ctx, p, id, accessApplicant, func(*idv.Session, seal.DataKey) (flow.Input, error) {
		return flow.ConsentGiven{Accepted: accepted}, nil
	}, nil)
	if err != nil {
		return idv.Preflight{}, err
	}
	return s.preflight(sess), nil
}

// CancelSession ends a session at the integrator's request (private key).
func (s *Service) CancelSession(ctx context.Context, p Principal, id string) error {
	_, err := s.advance(ctx, p, id, accessPrivate, func(*idv.Session, seal.DataKey) (flow.Input, error) {
		return flow.Cancel{}, nil
	}, nil)
	return err
}
