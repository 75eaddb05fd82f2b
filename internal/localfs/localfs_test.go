package localfs

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/blobtest"
	"github.com/openidv/openidv/internal/idv"
)

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) idv.BlobStore {
		s := open(t)
		t.Cleanup(func() { assertNoTemporaries(t, s.Root()) })
		return s
	})
}

// assertNoTemporaries fails when a Put, finished or failed, left a
// temporary file behind.
func assertNoTemporaries(t *testing.T, root string) {
	t.Helper()
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), tempPrefix) {
			t.Errorf("temporary left behind: %s", p)
		}
		return nil
	})
}

func TestPermissions(t *testing.T) {
	s := open(t)
	if err := s.Put(t.Context(), "sessions/s1/b1", bytes.NewReader([]byte("secret"))); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		rel  string
		want fs.FileMode
	}{
		{".", 0o700 | fs.ModeDir},
		{"sessions", 0o700 | fs.ModeDir},
		{"sessions/s1", 0o700 | fs.ModeDir},
		{"sessions/s1/b1", 0o600},
	} {
		fi, err := os.Stat(filepath.Join(s.Root(), tt.rel))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode(); got != tt.want {
			t.Errorf("%s: got mode %v, want %v", tt.rel, got, tt.want)
		}
	}
}

// TestStaleTemporaries plays a crash between the temporary's write and the
// rename: List does not show the temporary, the sweep removes it once it
// is older than the limit, and never touches objects or fresh temporaries.
func TestStaleTemporaries(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	if err := s.Put(ctx, "sessions/s1/b1", strings.NewReader("kept")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(s.Root(), "sessions", "s1")
	stale := filepath.Join(dir, tempPrefix+"crashed")
	fresh := filepath.Join(dir, tempPrefix+"inflight")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if err := os.Chtimes(stale, now.Add(-2*time.Hour), now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := s.List(ctx, "", func(bi idv.BlobInfo) error { got = append(got, bi.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"sessions/s1/b1"}; !slices.Equal(got, want) {
		t.Fatalf("List: got %q, want %q (no temporaries)", got, want)
	}
	n, err := s.SweepTemporaries(ctx, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("SweepTemporaries: removed %d, want 1", n)
	}
	for _, tt := range []struct {
		path string
		want bool
	}{{stale, false}, {fresh, true}, {filepath.Join(dir, "b1"), true}} {
		_, err := os.Stat(tt.path)
		if got := err == nil; got != tt.want {
			t.Errorf("%s exists: got %v, want %v", filepath.Base(tt.path), got, tt.want)
		}
	}
}

// TestDeleteRemovesEmptyDirectories checks that erasing a session's blobs
// leaves no directory behind, and that a Put after it recreates them.
func TestDeleteRemovesEmptyDirectories(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	for _, k := range []string{"sessions/s1/a", "sessions/s1/b", "sessions/s2/a"} {
		if err := s.Put(ctx, k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"sessions/s1/a", "sessions/s1/b"} {
		if err := s.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "sessions", "s1")); !os.IsNotExist(err) {
		t.Errorf("sessions/s1 after deleting its blobs: got %v, want not exist", err)
	}
	if _, err := os.Stat(filepath.Join(s.Root(), "sessions", "s2", "a")); err != nil {
		t.Errorf("sessions/s2/a: %v", err)
	}
	if err := s.Put(ctx, "sessions/s1/c", strings.NewReader("again")); err != nil {
		t.Fatal(err)
	}
}

// TestKeyUsedAsDirectory: on files a key cannot also be the directory of
// other keys; the Put is refused with a conflict and nothing is lost.
func TestKeyUsedAsDirectory(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	if err := s.Put(ctx, "a/b", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if got := idv.ErrorCode(s.Put(ctx, "a", strings.NewReader("y"))); got != idv.CodeConflict {
		t.Errorf("Put over a directory: got %s, want %s", got, idv.CodeConflict)
	}
	if got := idv.ErrorCode(s.Put(ctx, "a/b/c", strings.NewReader("y"))); got != idv.CodeConflict {
		t.Errorf("Put under a file: got %s, want %s", got, idv.CodeConflict)
	}
	if _, err := s.Get(ctx, "a"); idv.ErrorCode(err) != idv.CodeNotFound {
		t.Errorf("Get of a directory: got %v, want not found", err)
	}
	if err := s.Delete(ctx, "a"); err != nil {
		t.Errorf("Delete of a directory: %v", err)
	}
	assertNoTemporaries(t, s.Root())
}
