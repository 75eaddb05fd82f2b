package flow

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// documentKind is the identity document step (id_document): photos of the
// front, then the back when the document has one. Not implemented yet: the
// preflight shows it and every input is refused.
type documentKind struct{ notYet }

func (documentKind) info() kindInfo {
	return kindInfo{
		requirement: "identity_document", screen: idv.ScreenIDDocumentFront, webhookTag: "id_document",
		passed: "accepted", failed: "rejected",
	}
}

// parameters: the back camera, a manual upload allowed, one page.
func (documentKind) parameters(p map[string]any, _ idv.StepState, _ time.Time) {
	p["camera"], p["camera_quality"], p["allow_manual_upload"], p["multipage"] = "back", "high", true, false
}
