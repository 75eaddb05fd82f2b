package flow

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// consentKind is the consent step: the applicant accepts or refuses the
// processing of their data, once. It is the first step of every level, and
// the only one whose title and text a level may set.
type consentKind struct{}

func (consentKind) info() kindInfo {
	return kindInfo{
		requirement: "consent", screen: idv.ScreenConsent, webhookTag: "consent",
		passed: "accepted", failed: "rejected", implemented: true,
		answeredOnce: true, displayText: true,
	}
}

// advance takes ConsentGiven: accepted passes the step (and completes a
// session with no other step); refused cancels the session.
func (c consentKind) advance(r *recorder, i int, in stepInput, now time.Time) error {
	v, ok := in.(ConsentGiven)
	if !ok {
		return refused(idv.StepConsent, in)
	}
	if r.st.Steps[i].Status == idv.StepPassed {
		return idv.Errorf(idv.CodeConflict, "Consent has already been given.")
	}
	if err := r.ready(i); err != nil {
		return err
	}
	step := &r.st.Steps[i]
	step.UpdatedAt = now
	if !v.Accepted {
		step.Status = idv.StepRefused
		r.st.Status = idv.StatusCanceled
		r.both(c.info().outcome(false), "")
		return nil
	}
	step.Status = idv.StepPassed
	r.both(c.info().outcome(true), "")
	r.completeIfDone()
	return nil
}

// parameters: the consent screen has only the common title and text,
// which WithLevelText fills from the level.
func (consentKind) parameters(map[string]any, idv.StepState, time.Time) {}
