package flow

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// View renders the preflight payload (DESIGN.md §1.2) of a session at now.
// A session past its ExpiresAt is shown as expired even before an Expire
// input is committed.
//
// Screens: the current step's screen while in progress; completed_screen
// when every step passed; cancel_screen when cancelled, consent refused or
// expired; rejected_screen when a step failed for good. web_sdk_return_url
// is the return URL on terminal screens and null otherwise.
func View(s State, now time.Time) idv.Preflight {
	status := s.Status
	if status == idv.StatusInProgress && !now.Before(s.ExpiresAt) {
		status = idv.StatusExpired
	}
	p := idv.Preflight{SessionID: s.SessionID, Status: status}
	cur := s.current()
	p.Screen = idv.ScreenView{Show: terminalScreen(status), Parameters: map[string]any{}}
	if cur >= 0 {
		step := s.Steps[cur]
		p.Requirement = &idv.Requirement{
			RequirementType: RequirementType(step.Kind),
			Status:          requirementStatus(step),
			FlowOrder:       step.FlowOrder,
		}
		if step.Kind != idv.StepConsent {
			p.Attempts = &idv.Attempts{Used: step.Attempts, Max: step.MaxAttempts}
		}
		if step.LastError != nil {
			e := *step.LastError
			p.LastError = &e
		}
		if status == idv.StatusInProgress {
			p.Screen = idv.ScreenView{Show: StepScreen(step.Kind), Parameters: screenParameters(step, now)}
		}
	}
	p.ProofOfAddress = documentProgress(s, idv.StepProofOfAddress)
	p.ProofOfFunds = documentProgress(s, idv.StepProofOfFunds)
	if p.Screen.Show.Terminal() && s.ReturnURL != "" {
		u := s.ReturnURL
		p.WebSDKReturnURL = &u
	}
	return p
}

// terminalScreen is the screen of a session that is not in progress (and
// the fallback of one that is).
func terminalScreen(status idv.SessionStatus) idv.Screen {
	switch status {
	case idv.StatusCompleted:
		return idv.ScreenCompleted
	case idv.StatusFailed:
		return idv.ScreenRejected
	}
	return idv.ScreenCancel
}

// screenParameters are the client settings of the current step's screen.
func screenParameters(step idv.StepState, now time.Time) map[string]any {
	p := map[string]any{"title": nil, "text": nil, "available": Implemented(step.Kind)}
	switch step.Kind {
	case idv.StepIDDocument:
		p["camera"], p["camera_quality"], p["allow_manual_upload"], p["multipage"] = "back", "high", true, false
	case idv.StepLiveness, idv.StepVideoCall:
		p["camera"], p["camera_quality"] = "front", "high"
		if step.Kind == idv.StepLiveness {
			p["allow_manual_upload"] = false
		}
	case idv.StepProofOfAddress, idv.StepProofOfFunds:
		p["camera"], p["camera_quality"], p["allow_manual_upload"], p["multipage"] = "back", "high", true, true
		p["accepted_types"] = []string{"application/pdf", "image/jpeg", "image/png"}
	case idv.StepNFC:
		p["data_groups"] = []string{"DG1", "DG2", "DG14", "DG15", "SOD"}
	case idv.StepPhone, idv.StepEmail:
		otpParameters(p, step, now)
	}
	return p
}

// otpParameters say whether a code was sent, until when it is valid, and
// when a resend is allowed. They never include the destination.
func otpParameters(p map[string]any, step idv.StepState, now time.Time) {
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

// requirementStatus is requirement.status: an OTP step waiting for its code
// is pending, or needs_resubmission after a wrong code; other statuses show
// as they are.
func requirementStatus(step idv.StepState) idv.StepStatus {
	if step.Status != idv.StepAwaitingCode {
		return step.Status
	}
	if step.Attempts > 0 {
		return idv.StepNeedsResubmission
	}
	return idv.StepPending
}

// documentProgress is the proof_of_address / proof_of_funds object, nil
// when the level has no such step.
func documentProgress(s State, k idv.StepKind) *idv.DocumentProgress {
	i := s.find(k)
	if i < 0 {
		return nil
	}
	step := s.Steps[i]
	d := &idv.DocumentProgress{Status: string(step.Status)}
	if step.LastError != nil {
		m := step.LastError.Message
		d.Message = &m
	}
	return d
}

// WithLevelText fills screen.parameters title and text of the current
// screen from the level's step definition when it sets them (the consent
// text of levels_file), in the language lang (the session's i18n) when the
// level has it.
func WithLevelText(p idv.Preflight, l idv.Level, lang string) idv.Preflight {
	if p.Requirement == nil || p.Screen.Show.Terminal() {
		return p
	}
	for _, st := range l.Steps {
		if StepScreen(st.Kind) != p.Screen.Show {
			continue
		}
		if v := st.Title.Pick(lang); v != "" {
			p.Screen.Parameters["title"] = v
		}
		if v := st.Text.Pick(lang); v != "" {
			p.Screen.Parameters["text"] = v
		}
	}
	return p
}
