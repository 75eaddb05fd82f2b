package s3

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/minio/minio-go/v7"

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

// TestCancelledPutAbortsUpload: a large Put whose context ends mid-stream
// leaves no object and no incomplete multipart upload (whose parts the
// bucket would otherwise keep, and bill, until a lifecycle rule ran).
func TestCancelledPutAbortsUpload(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "abort")
	s, err := OpenURL(srv.URL("abort"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Two whole parts go up before the reader cancels.
	r := &cancelAfter{n: 2*PartSize + smallObject, cancel: cancel, ctx: ctx}
	if err := s.Put(ctx, "sessions/s1/big", r); err == nil {
		t.Fatal("Put: got nil error after cancel")
	}
	for u := range s.client.ListIncompleteUploads(t.Context(), "abort", "", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		t.Errorf("incomplete upload left behind: %s (%s)", u.Key, u.UploadID)
	}
	if _, err := s.Get(t.Context(), "sessions/s1/big"); idv.ErrorCode(err) != idv.CodeNotFound {
		t.Errorf("Get after a cancelled Put: got %v, want not found", err)
	}
}

// cancelAfter yields n bytes, then cancels ctx and fails with its error.
type cancelAfter struct {
	n      int
	cancel context.CancelFunc
	ctx    context.Context
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
		return 0, c.ctx.Err()
	}
	k := min(len(p), c.n)
	clear(p[:k])
	c.n -= k
	return k, nil
}

// TestListCrossesPages lists with three keys a page: every key comes once,
// in order, and fn's error still stops the walk on a later page.
func TestListCrossesPages(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "pages")
	s, err := OpenURL(srv.URL("pages"))
	if err != nil {
		t.Fatal(err)
	}
	s.pageSize = 3
	var want []string
	for i := range 10 {
		k := fmt.Sprintf("sessions/s%02d/blob", i)
		if err := s.Put(t.Context(), k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
		want = append(want, k)
	}
	// The server honours the page size, so List must follow continuations.
	page, err := minio.Core{Client: s.client}.ListObjectsV2("pages", "sessions/", "", "", "", s.pageSize)
	if err != nil || !page.IsTruncated || len(page.Contents) != s.pageSize {
		t.Fatalf("one page of %d: got %d keys, truncated %v, %v", s.pageSize, len(page.Contents), page.IsTruncated, err)
	}
	var got []string
	if err := s.List(t.Context(), "sessions/", func(bi idv.BlobInfo) error { got = append(got, bi.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("List across pages: got %q, want %q", got, want)
	}
	stop := errors.New("stop")
	n := 0
	err = s.List(t.Context(), "sessions/", func(idv.BlobInfo) error {
		if n++; n == 7 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 7 {
		t.Fatalf("List stopped on page 3: got %v after %d keys, want fn's error after 7", err, n)
	}
}
