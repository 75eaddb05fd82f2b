package s3

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/openidv/openidv/internal/blobtest"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/s3/s3test"
)

// TestConformance runs the blob suite against a real versitygw, a fresh
// bucket per case.
func TestConformance(t *testing.T) {
	srv := s3test.Start(t)
	var n atomic.Int32
	blobtest.Run(t, func(t *testing.T) idv.BlobStore {
		bucket := fmt.Sprintf("conformance-%d", n.Add(1))
		srv.CreateBucket(t, bucket)
		s, err := OpenURL(srv.URL(bucket))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Check(t.Context()); err != nil {
			t.Fatalf("Check: %v", err)
		}
		return s
	})
}
