package postgres

import (
	"testing"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/storetest"
)

// TestJobConformance runs the job queue's suite with and without group
// commit (an enqueue alone is a write-only transaction, so it rides a group).
func TestJobConformance(t *testing.T) {
	testURL(t)
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"GroupCommit", nil},
		{"GroupCommitOff", []Option{WithGroupCommit(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.RunJobs(t, func(t *testing.T) idv.Store { return open(t, tc.opts...) })
		})
	}
}
