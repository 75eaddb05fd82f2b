package flow

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// livenessKind is the liveness step: frames of the applicant's face
// following a server-issued script. Not implemented yet: the preflight
// shows it and every input is refused.
type livenessKind struct{ notYet }

func (livenessKind) info() kindInfo {
	return kindInfo{
		requirement: "liveness", screen: idv.ScreenLiveness, webhookTag: "liveness",
		passed: "accepted", failed: "rejected",
	}
}

// parameters: the front camera, live capture only.
func (livenessKind) parameters(p map[string]any, _ idv.StepState, _ time.Time) {
	p["camera"], p["camera_quality"], p["allow_manual_upload"] = "front", "high", false
}
