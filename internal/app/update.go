package app

import (
	"context"
	"encoding/json"

	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/seal"
)

// UpdateSession changes the applicant data, locale or return URL of a
// session in progress (private key). Nil fields are unchanged; an empty
// string clears a field.
func (s *Service) UpdateSession(ctx context.Context, p Principal, id string, in SessionUpdate) (SessionView, error) {
	var view SessionView
	err := s.store.InTx(ctx, func(tx idv.Tx) error {
		sess, err := loadForUpdate(ctx, tx, p, id, accessPrivate)
		if err != nil {
			return err
		}
		if err := endedForUpdate(sess); err != nil {
			return err
		}
		dk, err := s.dataKey(ctx, tx, id)
		if err != nil {
			return err
		}
		a, err := openApplicant(dk, sess)
		if err != nil {
			return err
		}
		changed := applyUpdate(&a, &sess, in)
		var fe fieldErrors
		a = fe.applicant(a)
		fe.locale(sess.Locale)
		fe.returnURL(sess.ReturnURL)
		if err := fe.err(); err != nil {
			return err
		}
		if sess.SealedApplicant, err = sealApplicant(dk, id, a); err != nil {
			return err
		}
		payload, err := json.Marshal(map[string]any{"fields": changed})
		if err != nil {
			return internal("encode update", err)
		}
		effects := []flow.Effect{flow.TimelineEvent{Type: idv.TimelineUpdated, Source: idv.SourceServer, Payload: payload}}
		if err := s.save(ctx, tx, &sess, dk, effects, s.now()); err != nil {
			return err
		}
		view = s.view(sess)
		view.Applicant = applicantView(a, sess.Steps)
		return nil
	})
	return view, err
}

// endedForUpdate refuses changes to a session that has ended.
func endedForUpdate(sess idv.Session) error {
	if err := goneError(sess); err != nil {
		return err
	}
	if sess.Status.Ended() {
		return idv.Errorf(idv.CodeConflict, "The session is %s and can no longer be changed.", sess.Status)
	}
	return nil
}

// applyUpdate copies the set fields of in and returns their names (never
// their values).
func applyUpdate(a *idv.Applicant, sess *idv.Session, in SessionUpdate) []string {
	var changed []string
	set := func(name string, dst *string, v *string) {
		if v != nil {
			*dst = *v
			changed = append(changed, name)
		}
	}
	set("first_name", &a.FirstName, in.FirstName)
	set("last_name", &a.LastName, in.LastName)
	set("email_address", &a.EmailAddress, in.EmailAddress)
	set("phone_number", &a.PhoneNumber, in.PhoneNumber)
	set("phone_country", &a.PhoneCountry, in.PhoneCountry)
	set("vendor_data", &a.VendorData, in.VendorData)
	set("i18n", &sess.Locale, in.Locale)
	set("return_url", &sess.ReturnURL, in.ReturnURL)
	return changed
}

// EraseSession destroys the session's data key (crypto-shredding its
// applicant data, timeline payloads and evidence), deletes its evidence
// records and marks it erased, keeping a skeleton without personal data;
// after commit it deletes the evidence objects. Private key; erasing twice
// is not an error.
func (s *Service) EraseSession(ctx context.Context, p Principal, id string) error {
	var keys []string
	err := s.store.InTx(ctx, func(tx idv.Tx) error {
		keys = nil // a retried transaction starts afresh
		sess, err := loadForUpdate(ctx, tx, p, id, accessPrivate)
		if err != nil {
			return err
		}
		keys, err = s.erase(ctx, tx, sess)
		return err
	})
	if err != nil {
		return err
	}
	s.deleteBlobs(ctx, keys)
	return nil
}

// deleteBlobs removes the objects of erased evidence; call it only after
// the erasing transaction committed. A failure is logged and not returned:
// the data key is gone, so the bytes are unreadable, and the orphan sweep
// removes what is left. The deletes outlive the caller's cancellation (a
// client that hangs up right after the commit), since the erasure happened.
func (s *Service) deleteBlobs(ctx context.Context, keys []string) {
	if s.blobs == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, k := range keys {
		if err := s.blobs.Delete(ctx, k); err != nil {
			s.log.Warn("evidence object not deleted after erasure", "error", err.Error())
		}
	}
}

// erase crypto-shreds sess inside tx, deletes its evidence records and
// returns the blob keys they named, which the caller deletes after commit.
func (s *Service) erase(ctx context.Context, tx idv.Tx, sess idv.Session) ([]string, error) {
	if sess.Status == idv.StatusErased {
		return nil, nil
	}
	keys, err := tx.DeleteEvidenceOfSession(ctx, sess.ID)
	if err != nil {
		return nil, internal("delete evidence", err)
	}
	if err := tx.DeleteDataKey(ctx, sess.ID); err != nil && idv.ErrorCode(err) != idv.CodeNotFound {
		return nil, internal("delete data key", err)
	}
	sess.Status = idv.StatusErased
	sess.SealedApplicant = nil
	sess.UniqueIDHash = nil
	sess.ClientTokenHash = nil
	sess.ReturnURL = ""
	for i := range sess.Steps {
		if o := sess.Steps[i].OTP; o != nil {
			c := *o
			c.CodeMAC = nil
			sess.Steps[i].OTP = &c
		}
	}
	// The timeline entry has no payload (the key is gone). No webhook:
	// the webhook types (docs/events.md) have no erasure event.
	ev, err := s.event(sess.ID, idv.TimelineErased, idv.SourceServer, nil, seal.DataKey{}, s.now())
	if err != nil {
		return nil, err
	}
	sess.Version++
	sess.UpdatedAt = s.now()
	if err := tx.UpdateSession(ctx, sess); err != nil {
		return nil, internal("update session", err)
	}
	if err := tx.AppendEvents(ctx, ev); err != nil {
		return nil, internal("append events", err)
	}
	if err := tx.NotifySession(ctx, sess.ID); err != nil {
		return nil, internal("notify", err)
	}
	return keys, nil
}
