// Package s3test starts a real S3-compatible server for tests: versitygw
// (github.com/versity/versitygw, Apache-2.0) with its posix backend on a
// temporary directory, listening on a free 127.0.0.1 port.
//
// versitygw is found on PATH or in $(go env GOPATH)/bin. When it is absent
// the test is skipped, unless OPENIDV_TEST_S3=required (CI), when it fails.
// Install it with: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
package s3test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Test credentials of the server's root user.
const (
	AccessKey = "openidv-test-access"
	SecretKey = "openidv-test-secret-key"
	Region    = "us-east-1"
)

// Server is a running versitygw.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:<port>.
	Endpoint string
	// Dir is the posix backend's root: each bucket is a directory in it.
	Dir string
}

// URL returns the blob URL of bucket on this server, credentials included.
func (s Server) URL(bucket string) string {
	return fmt.Sprintf("s3://%s?endpoint=%s&region=%s&path_style=true&access_key_id=%s&secret_access_key=%s",
		bucket, s.Endpoint, Region, AccessKey, SecretKey)
}

// CreateBucket makes an empty bucket with an S3 CreateBucket request.
func (s Server) CreateBucket(t testing.TB, bucket string) {
	t.Helper()
	c, err := minio.New(strings.TrimPrefix(s.Endpoint, "http://"), &minio.Options{
		Creds: credentials.NewStaticV4(AccessKey, SecretKey, ""), Region: Region, BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	if err := c.MakeBucket(context.Background(), bucket, minio.MakeBucketOptions{Region: Region}); err != nil {
		t.Fatalf("s3test: create bucket %s: %v", bucket, err)
	}
}

// Binary returns the path of versitygw, or "" when it is not installed.
func Binary() string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "versitygw")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// Start runs versitygw until the test ends, or skips the test when it is
// not installed (fails instead when OPENIDV_TEST_S3=required).
func Start(t testing.TB) Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		msg := "versitygw not installed (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)"
		if os.Getenv("OPENIDV_TEST_S3") == "required" {
			t.Fatal(msg + " and OPENIDV_TEST_S3=required")
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	for attempt := 0; ; attempt++ {
		srv, err := start(t, bin, dir)
		if err == nil {
			return srv
		}
		if attempt == 2 {
			t.Fatalf("s3test: %v", err)
		}
		t.Logf("s3test: %v; trying another port", err)
	}
}

// start runs one versitygw on a port that was free a moment ago and waits
// until it answers S3 requests.
func start(t testing.TB, bin, dir string) (Server, error) {
	addr, err := freeAddr()
	if err != nil {
		return Server{}, err
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "--port", addr, "--access", AccessKey, "--secret", SecretKey,
		"--region", Region, "--quiet", "posix", dir)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "VGW_LOG_LEVEL=silent")
	if err := cmd.Start(); err != nil {
		return Server{}, fmt.Errorf("start versitygw: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	srv := Server{Endpoint: "http://" + addr, Dir: dir}
	if err := waitReady(srv.Endpoint, exited); err != nil {
		stop()
		return Server{}, fmt.Errorf("versitygw did not start: %w; output:\n%s", err, out.String())
	}
	t.Cleanup(stop)
	return srv, nil
}

// waitReady polls the endpoint until any HTTP answer comes back (an
// unsigned request gets 403: the server is serving), the process exits,
// or a minute passes.
func waitReady(endpoint string, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/", nil)
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("exited: %w", errors.Join(err, errors.New("see output")))
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// freeAddr returns a 127.0.0.1 address whose port was free.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}
