package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// inProcessServer is `openidv serve` run in this process over real HTTP.
type inProcessServer struct {
	base, addr, key string
	stdout, stderr  *syncBuffer
}

// startInProcess runs `serve` with args on a free loopback port and a
// fresh data directory, waits until it is ready, and stops it at cleanup.
func startInProcess(t *testing.T, args ...string) *inProcessServer {
	t.Helper()
	s := &inProcessServer{addr: freeAddr(t), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	s.base = "http://" + s.addr
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan struct{})
	var code int
	all := append([]string{"serve", "--addr", s.addr, "--data-dir", t.TempDir()}, args...)
	go func() {
		defer close(exited)
		code = run(ctx, all, s.stdout, s.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if status, _, _ := s.do(t, http.MethodGet, "/readyz", "", "", ""); status == http.StatusOK {
			break
		}
		select {
		case <-exited:
			t.Fatalf("serve exited with code %d; stderr:\n%s", code, s.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready; stderr:\n%s", s.stderr.String())
		}
	}
	s.key = keyLine(s.stdout.String(), "private_")
	return s
}

// logged reports whether the log contains want, waiting for the buffered
// log to be flushed.
func (s *inProcessServer) logged(want string) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Contains(s.stderr.String(), want) {
			return true
		}
	}
	return false
}

// do sends one request with the given Host header (the dialled address
// when empty) and returns the status, the headers and the body.
func (s *inProcessServer) do(t *testing.T, method, path, host, auth, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestServeDevMode checks that /dev/inbox exists only in development mode
// (--dev or OPENIDV_DEV), and that both the start-up and the page say so.
func TestServeDevMode(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     string
		wantDev bool
	}{
		{name: "default"},
		{name: "--dev", args: []string{"--dev"}, wantDev: true},
		{name: "OPENIDV_DEV", env: "true", wantDev: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("OPENIDV_DEV", tt.env)
			}
			s := startInProcess(t, tt.args...)
			status, _, body := s.do(t, http.MethodGet, "/dev/inbox", "", "", "")
			if !tt.wantDev {
				if status != http.StatusNotFound {
					t.Errorf("GET /dev/inbox without development mode: got %d, want 404", status)
				}
				if strings.Contains(s.stderr.String(), "DEVELOPMENT MODE") {
					t.Errorf("stderr has the development banner without --dev")
				}
				return
			}
			if status != http.StatusOK || !strings.Contains(body, "every code is visible to anyone who can reach this server") {
				t.Errorf("GET /dev/inbox with development mode: got %d %q, want 200 and the banner", status, body)
			}
			if !strings.HasPrefix(s.stderr.String(), devBanner+"\n") {
				t.Errorf("stderr does not start with the development banner:\n%s", s.stderr.String())
			}
			if !s.logged(`"level":"WARN","msg":"development mode is on`) {
				t.Errorf("no WARN log line about development mode:\n%s", s.stderr.String())
			}
			if status, _, _ := s.do(t, http.MethodGet, "/dev/inbox", "evil.example", "", ""); status != http.StatusBadRequest {
				t.Errorf("GET /dev/inbox with a foreign Host (DNS rebinding): got %d, want 400", status)
			}
		})
	}
}

// TestServeForeignHost sends a hostile Host header over real HTTP: it must
// reach neither the session URLs nor the hosted page, its base URL or CSP.
func TestServeForeignHost(t *testing.T) {
	const evil = "evil.example"
	const create = `{"kyc_level":"contact"}`
	s := startInProcess(t, "--allowed-hosts", "idv.internal")
	status, _, body := s.do(t, http.MethodPost, "/v1/sessions", evil, s.key, create)
	if status != http.StatusBadRequest || strings.Contains(body, evil) {
		t.Errorf("POST /v1/sessions with Host %s: got %d %s, want 400 without the host", evil, status, body)
	}
	status, _, body = s.do(t, http.MethodPost, "/v1/sessions", "", s.key, create)
	if status != http.StatusCreated || !strings.Contains(body, `"url":"http://`+s.addr+`/s/`) ||
		!strings.Contains(body, `"websocket_url":"ws://`+s.addr+`/v1/sessions/`) {
		t.Fatalf("POST /v1/sessions with the listening address: got %d %s", status, body)
	}
	status, _, body = s.do(t, http.MethodPost, "/v1/sessions", "idv.internal:8443", s.key, create)
	if status != http.StatusCreated || !strings.Contains(body, `"url":"http://idv.internal:8443/s/`) {
		t.Errorf("POST /v1/sessions with an allowed host: got %d %s", status, body)
	}
	status, hdr, body := s.do(t, http.MethodGet, "/s/ses_123", evil, "", "")
	if status != http.StatusBadRequest || strings.Contains(body, evil) || strings.Contains(hdr.Get("Content-Security-Policy"), evil) {
		t.Errorf("GET /s/{id} with Host %s: got %d, CSP %q, body %s; want 400 without the host", evil, status,
			hdr.Get("Content-Security-Policy"), body)
	}
	status, hdr, body = s.do(t, http.MethodGet, "/s/ses_123", "", "", "")
	if csp := hdr.Get("Content-Security-Policy"); status != http.StatusOK || !strings.Contains(csp, "ws://"+s.addr+" ") ||
		!strings.Contains(body, `data-base-url="http://`+s.addr+`"`) {
		t.Errorf("GET /s/{id} with the listening address: got %d, CSP %q", status, csp)
	}
	if !s.logged(`"msg":"public_url is not set`) {
		t.Errorf("no start-up warning about the missing public_url:\n%s", s.stderr.String())
	}

	pub := startInProcess(t, "--public-url", "https://idv.example/")
	status, _, body = pub.do(t, http.MethodPost, "/v1/sessions", evil, pub.key, create)
	if status != http.StatusCreated || !strings.Contains(body, `"url":"https://idv.example/s/`) || strings.Contains(body, evil) {
		t.Errorf("POST /v1/sessions with public_url and Host %s: got %d %s, want the public URL", evil, status, body)
	}
	if pub.logged(`"msg":"openidv listening"`) && strings.Contains(pub.stderr.String(), "public_url is not set") {
		t.Errorf("public_url warning although it is set")
	}
}

// TestCommandHelp checks that `serve -h` shows every flag with its default
// and that `apikey create -h` lists only the flags it uses.
func TestCommandHelp(t *testing.T) {
	tests := []struct {
		args        []string
		want, never []string
	}{
		{args: []string{"serve", "-h"},
			want:  []string{"-addr string", `(default ":8080")`, `(default "./data")`, `(default "168h")`, "-dev\n", "-allowed-hosts"},
			never: []string{"-kind"}},
		{args: []string{"apikey", "create", "-h"},
			want:  []string{"-kind string", "-sandbox", "-data-dir string", "-database-url", "-master-key", "-config"},
			never: []string{"-sms-provider", "-hosted-page-name", "-addr", "-dev", "-webhooks-workers"}},
		{args: []string{"migrate", "-h"},
			want:  []string{"-data-dir string", "-database-url"},
			never: []string{"-sms-provider", "-kind", "-addr"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr syncBuffer
			if code := run(context.Background(), tt.args, &stdout, &stderr); code != 0 {
				t.Errorf("exit code = %d, want 0", code)
			}
			got := stderr.String()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("help lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(got, n) {
					t.Errorf("help lists %q:\n%s", n, got)
				}
			}
		})
	}
}

func TestListenHosts(t *testing.T) {
	tests := []struct {
		addr string
		want []string
	}{
		{"0.0.0.0:8080", []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080"}},
		{"[::]:8080", []string{"localhost:8080", "127.0.0.1:8080", "[::1]:8080"}},
		{"127.0.0.1:9000", []string{"localhost:9000", "127.0.0.1:9000", "[::1]:9000"}},
		{"[::1]:9000", []string{"localhost:9000", "127.0.0.1:9000", "[::1]:9000"}},
		{"192.0.2.7:8080", []string{"192.0.2.7:8080"}},
	}
	for _, tt := range tests {
		addr, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := listenHosts(addr); !slices.Equal(got, tt.want) {
			t.Errorf("listenHosts(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}
