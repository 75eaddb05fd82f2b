package main

// The end-to-end harness: it builds the openidv binary once per test
// process and runs it as a real child process with `serve`, talking to it
// only over HTTP and websockets, as an integrator and a browser would.

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds on waits; none of them is an assertion about speed.
const (
	e2eStartTimeout = 60 * time.Second // build cache misses and 2 shared cores
	e2eStopTimeout  = 40 * time.Second
)

// e2eBuild holds the binary built once per test process.
var e2eBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// TestMain removes the binary built by the end-to-end tests, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	if e2eBuild.dir != "" {
		_ = os.RemoveAll(e2eBuild.dir)
	}
	os.Exit(code)
}

// e2eBinary returns the path of the openidv binary, building it on first
// use. It skips the test when `go` is not on PATH or in -short mode.
func e2eBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end tests build and run the binary; skipped in -short mode")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("end-to-end tests need the go tool on PATH to build the binary")
	}
	e2eBuild.once.Do(func() {
		e2eBuild.dir, e2eBuild.err = os.MkdirTemp("", "openidv-e2e-")
		if e2eBuild.err != nil {
			return
		}
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			e2eBuild.err = err
			return
		}
		e2eBuild.path = filepath.Join(e2eBuild.dir, "openidv")
		cmd := exec.Command(goTool, "build", "-o", e2eBuild.path, "./cmd/openidv")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			e2eBuild.err = fmt.Errorf("go build ./cmd/openidv: %v\n%s", err, out)
		}
	})
	if e2eBuild.err != nil {
		t.Fatalf("building the binary: %v", e2eBuild.err)
	}
	return e2eBuild.path
}

// serverOptions configure one server process.
type serverOptions struct {
	DataDir string   // required; shared by restarts
	Env     []string // extra OPENIDV_* settings, KEY=value
}

// e2eServer is one running `openidv serve` process.
type e2eServer struct {
	t        *testing.T
	cmd      *exec.Cmd
	Base     string // http://127.0.0.1:port
	Addr     string
	DataDir  string // the --data-dir of the process
	AdminKey string // the private key printed on first start; "" on later starts
	logDir   string
	done     chan struct{} // closed when the process has exited
	waitErr  error
}

// startServer starts a server and waits until it is ready; it fails the
// test when it does not get there.
func startServer(t *testing.T, opts serverOptions) *e2eServer {
	t.Helper()
	s, err := tryStartServer(t, opts)
	if err != nil {
		t.Fatalf("starting openidv serve: %v\n%s", err, s.logs())
	}
	return s
}

// tryStartServer starts a server and waits until GET /readyz answers 200;
// it returns an error (and the server, for its logs) when the process
// exits first or the wait times out. The process is killed at cleanup if
// still running, and its logs are printed when the test failed.
func tryStartServer(t *testing.T, opts serverOptions) (*e2eServer, error) {
	t.Helper()
	bin := e2eBinary(t)
	addr := e2eFreeAddr(t)
	logDir, err := os.MkdirTemp(filepath.Dir(opts.DataDir), "logs-")
	if err != nil {
		t.Fatal(err)
	}
	s := &e2eServer{t: t, Base: "http://" + addr, Addr: addr, DataDir: opts.DataDir, logDir: logDir, done: make(chan struct{})}
	stdout, err1 := os.Create(filepath.Join(logDir, "stdout"))
	stderr, err2 := os.Create(filepath.Join(logDir, "stderr"))
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(bin, "serve", "--addr", addr, "--data-dir", opts.DataDir)
	s.cmd.Env = append(e2eEnviron(), opts.Env...)
	s.cmd.Stdout, s.cmd.Stderr = stdout, stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		stdout.Close()
		stderr.Close()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.killQuietly()
		if t.Failed() {
			t.Logf("server %s logs:\n%s", addr, s.logs())
		}
	})
	if err := s.waitReady(); err != nil {
		return s, err
	}
	s.AdminKey = s.adminKeyFromStdout()
	return s, nil
}

// e2eEnviron is the test's environment without OPENIDV_* variables, so
// that the developer's own settings never leak into a server under test.
func e2eEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENIDV_") {
			env = append(env, kv)
		}
	}
	return env
}

// e2eFreeAddr returns a loopback address with a port that was free.
func e2eFreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady polls GET /readyz until it answers 200, the process exits, or
// e2eStartTimeout passes.
func (s *e2eServer) waitReady() error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(e2eStartTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("the process exited before it was ready: %v", s.waitErr)
		default:
		}
		resp, err := client.Get(s.Base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("GET /readyz did not answer 200 within %v", e2eStartTimeout)
}

// adminKeyFromStdout returns the first line of stdout that starts with
// "private_", or "".
func (s *e2eServer) adminKeyFromStdout() string {
	f, err := os.Open(filepath.Join(s.logDir, "stdout"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "private_") {
			return line
		}
	}
	return ""
}

// Stderr returns what the process wrote to stderr so far (its JSON log).
func (s *e2eServer) Stderr() string {
	b, _ := os.ReadFile(filepath.Join(s.logDir, "stderr"))
	return string(b)
}

// logs returns stdout and stderr for failure messages.
func (s *e2eServer) logs() string {
	out, _ := os.ReadFile(filepath.Join(s.logDir, "stdout"))
	return fmt.Sprintf("--- stdout\n%s--- stderr\n%s", out, s.Stderr())
}

// Stop sends SIGTERM and waits for the process to exit, failing the test
// unless it exits with code 0.
func (s *e2eServer) Stop() {
	s.t.Helper()
	s.Signal(syscall.SIGTERM)
	if code := s.Wait(); code != 0 {
		s.t.Errorf("got exit code %d after SIGTERM, want 0", code)
	}
}

// Kill sends SIGKILL and waits for the process to die.
func (s *e2eServer) Kill() {
	s.t.Helper()
	s.Signal(syscall.SIGKILL)
	s.Wait()
}

// Signal sends sig to the process.
func (s *e2eServer) Signal(sig syscall.Signal) {
	s.t.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.t.Fatalf("sending %v: %v", sig, err)
	}
}

// Wait waits (at most e2eStopTimeout) for the process to exit and returns
// its exit code (-1 when killed by a signal).
func (s *e2eServer) Wait() int {
	s.t.Helper()
	select {
	case <-s.done:
	case <-time.After(e2eStopTimeout):
		s.killQuietly()
		s.t.Fatalf("the process did not exit within %v", e2eStopTimeout)
	}
	return s.cmd.ProcessState.ExitCode()
}

// Exited reports whether the process has exited.
func (s *e2eServer) Exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// killQuietly kills the process if it still runs and waits for it.
func (s *e2eServer) killQuietly() {
	if s.Exited() {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}
