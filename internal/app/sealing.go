package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/seal"
)

// applicantAAD binds a sealed applicant to its session.
func applicantAAD(sessionID string) []byte { return seal.AAD("session", sessionID, "applicant") }

// eventAAD binds a sealed event payload to its session and event.
func eventAAD(sessionID, eventID string) []byte {
	return seal.AAD("session", sessionID, "event", eventID)
}

// dataKey unwraps the session's data key inside tx. An erased session has
// none: CodeGone.
func (s *Service) dataKey(ctx context.Context, tx idv.Tx, sessionID string) (seal.DataKey, error) {
	wrapped, err := tx.DataKey(ctx, sessionID)
	return s.unwrap(sessionID, wrapped, err)
}

// readDataKey unwraps the session's data key for a read, outside any
// transaction.
func (s *Service) readDataKey(ctx context.Context, sessionID string) (seal.DataKey, error) {
	wrapped, err := s.store.DataKey(ctx, sessionID)
	return s.unwrap(sessionID, wrapped, err)
}

// unwrap turns a stored wrapped key (or the error reading it) into the
// session's data key; a missing key means the data was erased.
func (s *Service) unwrap(sessionID string, wrapped []byte, err error) (seal.DataKey, error) {
	if errors.Is(err, idv.ErrNotFound) || idv.ErrorCode(err) == idv.CodeNotFound {
		return seal.DataKey{}, idv.Errorf(idv.CodeGone, "The session's personal data has been erased.")
	}
	if err != nil {
		return seal.DataKey{}, internal("read data key", err)
	}
	dk, err := s.keys.Unwrap(sessionID, wrapped)
	if err != nil {
		return seal.DataKey{}, internal("unwrap data key", err)
	}
	return dk, nil
}

// sealApplicant encrypts a under dk for the session.
func sealApplicant(dk seal.DataKey, sessionID string, a idv.Applicant) ([]byte, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, internal("encode applicant", err)
	}
	out, err := dk.Seal(b, applicantAAD(sessionID))
	if err != nil {
		return nil, internal("seal applicant", err)
	}
	return out, nil
}

// openApplicant decrypts the applicant of sess; no data gives a zero value.
func openApplicant(dk seal.DataKey, sess idv.Session) (idv.Applicant, error) {
	var a idv.Applicant
	if len(sess.SealedApplicant) == 0 {
		return a, nil
	}
	b, err := dk.Open(sess.SealedApplicant, applicantAAD(sess.ID))
	if err != nil {
		return a, internal("open applicant", err)
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, internal("decode applicant", fmt.Errorf("applicant JSON: %w", err))
	}
	return a, nil
}
