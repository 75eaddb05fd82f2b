package flow

import (
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// proofKind is a proof document step: proof of address (poa) or proof of
// funds (pof), a PDF or photos of one or more pages. Not implemented yet:
// the preflight shows it and every input is refused.
type proofKind struct {
	notYet
	kind idv.StepKind // idv.StepProofOfAddress or idv.StepProofOfFunds
}

func (p proofKind) info() kindInfo {
	i := kindInfo{passed: "accepted", failed: "rejected"}
	if p.kind == idv.StepProofOfFunds {
		i.requirement, i.screen, i.webhookTag = "proof_of_funds", idv.ScreenProofOfFunds, "pof"
	} else {
		i.requirement, i.screen, i.webhookTag = "proof_of_address", idv.ScreenProofOfAddress, "poa"
	}
	return i
}

// parameters: the back camera or a file, several pages, PDF or images.
func (proofKind) parameters(p map[string]any, _ idv.StepState, _ time.Time) {
	p["camera"], p["camera_quality"], p["allow_manual_upload"], p["multipage"] = "back", "high", true, true
	p["accepted_types"] = []string{"application/pdf", "image/jpeg", "image/png"}
}

// proofProgress fills the preflight's proof_of_address and proof_of_funds
// objects, each nil when the level has no such step.
func proofProgress(p *idv.Preflight, s State) {
	p.ProofOfAddress = documentProgress(s, idv.StepProofOfAddress)
	p.ProofOfFunds = documentProgress(s, idv.StepProofOfFunds)
}

// documentProgress is the progress object of the step of kind k, nil when
// the level has no such step.
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
