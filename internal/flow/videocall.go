package flow

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// videoCallKind is the video call step: a recorded call with an agent.
// Not implemented yet: the preflight shows it and every input is refused.
type videoCallKind struct{ notYet }

func (videoCallKind) info() kindInfo {
	return kindInfo{
		requirement: "video_call", screen: idv.ScreenVideoCall, webhookTag: "video_call",
		passed: "accepted", failed: "rejected",
	}
}

// parameters: the front camera.
func (videoCallKind) parameters(p map[string]any, _ idv.StepState, _ time.Time) {
	p["camera"], p["camera_quality"] = "front", "high"
}
