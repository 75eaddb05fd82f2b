package postgres

import (
	"testing"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/storetest"
)

// TestEvidenceConformance runs the evidence records' suite with and without
// group commit (a media row alone is a write-only transaction).
func TestEvidenceConformance(t *testing.T) {
	testURL(t)
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"GroupCommit", nil},
		{"GroupCommitOff", []Option{WithGroupCommit(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.RunEvidence(t, func(t *testing.T) idv.Store { return open(t, tc.opts...) })
		})
	}
}
