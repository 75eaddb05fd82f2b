package sqlite

import (
	"testing"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/storetest"
)

// TestEvidenceConformance runs the evidence records' suite with and without
// group commit.
func TestEvidenceConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"GroupCommit", nil},
		{"OneTxPerCall", []Option{WithMaxBatch(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.RunEvidence(t, func(t *testing.T) idv.Store { return open(t, tc.opts...) })
		})
	}
}
