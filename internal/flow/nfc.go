package flow

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// nfcKind is the NFC step: the data groups read from a document's chip.
// Not implemented yet: the preflight shows it and every input is refused.
type nfcKind struct{ notYet }

func (nfcKind) info() kindInfo {
	return kindInfo{
		requirement: "nfc", screen: idv.ScreenNFCCapture, webhookTag: "nfc",
		passed: "accepted", failed: "rejected",
	}
}

// parameters: the chip's data groups to read.
func (nfcKind) parameters(p map[string]any, _ idv.StepState, _ time.Time) {
	p["data_groups"] = []string{"DG1", "DG2", "DG14", "DG15", "SOD"}
}
