package flow

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// View renders the preflight payload (the Preflight schema of
// api/openapi.yaml) of a session at now.
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
		if !answeredOnce(step.Kind) {
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
	proofProgress(&p, s)
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

// screenParameters are the client settings of the current step's screen:
// the common title, text and availability, then the kind's own.
func screenParameters(step idv.StepState, now time.Time) map[string]any {
	p := map[string]any{"title": nil, "text": nil, "available": Implemented(step.Kind)}
	if kind, ok := kindOf(step.Kind); ok {
		kind.parameters(p, step, now)
	}
	return p
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
