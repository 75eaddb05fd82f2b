package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/config"
	"github.com/openidv/openidv/internal/s3/s3test"
)

func TestOpenBlobStoreLocal(t *testing.T) {
	dataDir := t.TempDir()
	other := filepath.Join(t.TempDir(), "elsewhere")
	log := slog.New(slog.DiscardHandler)
	for _, tt := range []struct {
		url  string
		want string // directory the blobs go to
	}{
		{"", filepath.Join(dataDir, "blobs")},
		{"file://" + other, other},
	} {
		cfg := config.Config{DataDir: dataDir, BlobURL: tt.url}
		bs, err := openBlobStore(t.Context(), cfg, log)
		if err != nil {
			t.Fatalf("openBlobStore(%q): %v", tt.url, err)
		}
		if err := bs.Put(t.Context(), "health/probe", strings.NewReader("ok")); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(tt.want, "health", "probe"))
		if err != nil {
			t.Fatalf("blob_url %q: the object is not under %s: %v", tt.url, tt.want, err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("blob_url %q: mode %v, want 0600", tt.url, fi.Mode().Perm())
		}
	}
}

func TestOpenBlobStoreLocalUnwritable(t *testing.T) {
	parent := t.TempDir()
	file := filepath.Join(parent, "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{DataDir: parent, BlobURL: "file://" + file}
	if _, err := openBlobStore(t.Context(), cfg, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("openBlobStore on a plain file: got nil error")
	}
}

// TestOpenBlobStoreS3 checks the start-up check against a real
// S3-compatible server: a bucket that exists passes, a missing bucket or a
// wrong secret stops the server with an error that names the blob store
// and never the secret.
func TestOpenBlobStoreS3(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "evidence")
	log := slog.New(slog.DiscardHandler)
	good := srv.URL("evidence")
	if _, err := openBlobStore(t.Context(), config.Config{DataDir: t.TempDir(), BlobURL: good}, log); err != nil {
		t.Fatalf("openBlobStore on a live bucket: %v", err)
	}
	for _, bad := range []string{srv.URL("missing"), strings.Replace(good, s3test.SecretKey, "wrong-secret-9f3", 1)} {
		dataDir := t.TempDir()
		_, err := openBlobStore(t.Context(), config.Config{DataDir: dataDir, BlobURL: bad}, log)
		if err == nil {
			t.Fatalf("openBlobStore(%q): got nil error", bad)
		}
		if !strings.Contains(err.Error(), "blob store (s3) is not reachable") || strings.Contains(err.Error(), "wrong-secret-9f3") {
			t.Errorf("openBlobStore: got %q, want a clear error without the secret", err)
		}
		if testing.Verbose() {
			t.Logf("error shown: %v", err)
		}
		if entries, _ := os.ReadDir(dataDir); len(entries) != 0 {
			t.Errorf("an S3 blob_url made files in data_dir: %v", entries)
		}
	}
}

// TestServeRefusesUnreachableBlobStore: serve exits with status 1 and a log
// line naming the blob store, before it listens, when the bucket is missing.
func TestServeRefusesUnreachableBlobStore(t *testing.T) {
	srv := s3test.Start(t)
	var stdout, stderr syncBuffer
	code := runServe(t.Context(), []string{"--addr", freeAddr(t), "--data-dir", t.TempDir(),
		"--blob-url", srv.URL("missing-bucket")}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("serve with a missing bucket: exit %d, want 1; stderr:\n%s", code, stderr.String())
	}
	if got := stderr.String(); !strings.Contains(got, "blob store (s3) is not reachable") || strings.Contains(got, s3test.SecretKey) {
		t.Errorf("serve's log: got %q, want the blob store named and no secret", got)
	}
	if strings.Contains(stdout.String(), "admin") {
		t.Errorf("serve printed an admin key before refusing to start: %q", stdout.String())
	}
}
