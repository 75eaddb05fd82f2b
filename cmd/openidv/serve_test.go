package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// keyLine returns the line of out that starts with prefix.
func keyLine(out, prefix string) string {
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

func TestServeCreatesSessionAndShutsDown(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve", "--addr", addr, "--data-dir", dir}, &stdout, &stderr) }()

	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready; stderr:\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	key := keyLine(stdout.String(), "private_")
	if key == "" {
		t.Fatalf("no admin key printed; stdout:\n%s", stdout.String())
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/sessions", strings.NewReader(`{"kyc_level":"contact","first_name":"","phone_country":""}`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var created struct {
		SessionID string `json:"session_id"`
		URL       string `json:"url"`
	}
	if err := json.Unmarshal(body, &created); err != nil || resp.StatusCode != http.StatusCreated || created.SessionID == "" {
		t.Fatalf("create session: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(stderr.String(), key) {
		t.Errorf("the admin key appears in the logs")
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit code = %d, want 0; stderr:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	for _, name := range []string{"openidv.db", "master.key"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestMigrateAndAPIKey(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantPrefix string
	}{
		{"migrate", []string{"migrate", "--data-dir", dir}, 0, "migrations applied"},
		{"public key", []string{"apikey", "create", "--kind", "public", "--data-dir", dir}, 0, "public_"},
		{"sandbox private key", []string{"apikey", "create", "--kind", "private", "--sandbox", "--data-dir", dir}, 0, "private_sandbox_"},
		{"bad kind", []string{"apikey", "create", "--kind", "admin", "--data-dir", dir}, 2, ""},
		{"no subcommand", []string{"apikey"}, 2, ""},
		{"bad config", []string{"migrate", "--data-dir", dir, "--log-level", "loud"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			code := run(ctx, tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			if tt.wantPrefix != "" && !strings.HasPrefix(stdout.String(), tt.wantPrefix) {
				t.Errorf("stdout = %q, want prefix %q", stdout.String(), tt.wantPrefix)
			}
		})
	}
}
