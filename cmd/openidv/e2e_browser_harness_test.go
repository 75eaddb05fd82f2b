package main

// The browser harness: headless Chromium (Debian's /usr/bin/chromium)
// driven by chromedp against the real server binary. Tests skip when
// Chromium is absent unless OPENIDV_TEST_BROWSER=required (CI sets it).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/openidv/openidv/internal/smtp/smtptest"
)

// browserWait bounds every wait for the page; not a speed assertion.
const browserWait = 30 * time.Second

// The two viewports of the screenshots.
var viewports = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"390x844", 390, 844, true},
	{"1280x800", 1280, 800, false},
}

// chromiumPath returns the Chromium binary, skipping the test when there
// is none (failing instead when OPENIDV_TEST_BROWSER=required).
func chromiumPath(t *testing.T) string {
	t.Helper()
	required := os.Getenv("OPENIDV_TEST_BROWSER") == "required"
	for _, p := range []string{os.Getenv("OPENIDV_TEST_CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if required {
		t.Fatal("OPENIDV_TEST_BROWSER=required but no Chromium found (apt-get install chromium)")
	}
	t.Skip("browser tests need Chromium (/usr/bin/chromium); set OPENIDV_TEST_BROWSER=required to fail instead")
	return ""
}

// newBrowser starts a headless Chromium for the test and returns a tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting Chromium %s: %v", path, err)
	}
	return ctx
}

// artifactsDir is where screenshots go: $OPENIDV_TEST_ARTIFACTS/<test>, or
// a temporary directory of the test.
func artifactsDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("OPENIDV_TEST_ARTIFACTS")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startContactServer starts the binary (with extra OPENIDV_* settings env) with email through an in-process
// SMTP server and SMS through the log sender and dev inbox.
func startContactServer(t *testing.T, env ...string) (*e2eServer, *smtptest.Server) {
	t.Helper()
	e2eBinary(t)
	mail := smtptest.Start(t)
	srv := startServer(t, serverOptions{DataDir: filepath.Join(t.TempDir(), "data"), Env: append([]string{
		"OPENIDV_EMAIL_PROVIDER=smtp",
		"OPENIDV_EMAIL_SMTP_HOST=" + mail.Host(),
		"OPENIDV_EMAIL_SMTP_PORT=" + strconv.Itoa(mail.Port()),
		"OPENIDV_EMAIL_SMTP_FROM=verify@openidv.test",
		"OPENIDV_EMAIL_SMTP_TLS=none",
		"OPENIDV_DEV=true",
		"OPENIDV_HOSTED_PAGE_NAME=Acme Bank",
		"OPENIDV_HOSTED_PAGE_COLOR=#0f5132",
	}, env...)})
	if srv.AdminKey == "" {
		t.Fatal("no admin key printed on first start")
	}
	return srv, mail
}

// createBrowserSession creates a contact session with the given return URL
// and language.
func createBrowserSession(t *testing.T, srv *e2eServer, returnURL, locale string) createdSession {
	t.Helper()
	var cs createdSession
	newAPIClient(srv.Base, srv.AdminKey).must(t, http.MethodPost, "/v1/sessions", map[string]any{
		"kyc_level": "contact", "return_url": returnURL, "i18n": locale,
	}, http.StatusCreated, &cs)
	if !strings.Contains(cs.URL, "/s/"+cs.SessionID+"#token=") {
		t.Fatalf("session url %q: want <base>/s/{id}#token=…", cs.URL)
	}
	return cs
}

// returnSite is the integrator's site behind web_sdk_return_url. It holds
// each request until release is closed, so the page stays on its terminal
// screen while the test looks at it, and records the Referer it got.
type returnSite struct {
	*httptest.Server
	release  chan struct{}
	referers chan string
}

func newReturnSite(t *testing.T) *returnSite {
	t.Helper()
	rs := &returnSite{release: make(chan struct{}), referers: make(chan string, 4)}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.referers <- r.Header.Get("Referer")
		select {
		case <-rs.release:
		case <-r.Context().Done():
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>Back at the shop</title><p>Welcome back")
	}))
	t.Cleanup(func() {
		select {
		case <-rs.release:
		default:
			close(rs.release)
		}
		rs.Close()
	})
	return rs
}

// page is one tab on the hosted page.
type hostedTab struct {
	t     *testing.T
	ctx   context.Context
	shots string
	axe   string // axe-core source, "" to skip the check
}

// newHostedTab prepares the tab: prefers-reduced-motion is on, so
// screenshots never catch a transition (and the reduced-motion styles run).
func newHostedTab(t *testing.T, ctx context.Context) *hostedTab {
	h := &hostedTab{t: t, ctx: ctx, shots: artifactsDir(t), axe: axeSource(t)}
	h.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
		})
		return err
	}))
	return h
}

// do runs actions with a bound on their time.
func (h *hostedTab) do(actions ...chromedp.Action[chromedp.Void]) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, browserWait)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		h.t.Fatalf("browser: %v (page shows %q)", err, h.screenNow())
	}
}

// eval evaluates expr and decodes its value into T.
func eval[T any](h *hostedTab, expr string) T {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, browserWait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		h.t.Fatalf("evaluating %.80q: %v", expr, err)
	}
	return v
}

// screenNow is the data-screen of the SDK root, or "".
func (h *hostedTab) screenNow() string {
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.oidv')||{dataset:{}}).dataset.screen||''`))
	return s
}

// waitScreen waits until the page renders screen.
func (h *hostedTab) waitScreen(screen string, within time.Duration) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, within)
	defer cancel()
	js := fmt.Sprintf(`(document.querySelector('.oidv')||{dataset:{}}).dataset.screen === %q`, screen)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		h.t.Fatalf("waiting for %s: %v (page shows %q)", screen, err, h.screenNow())
	}
}

// poll waits until the JavaScript expression js is true.
func (h *hostedTab) poll(js string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, browserWait)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		h.t.Fatalf("waiting for %.100s: %v (page shows %q)", js, err, h.screenNow())
	}
}

// waitLocation waits until the tab is at url (across navigations).
func (h *hostedTab) waitLocation(url string) {
	h.t.Helper()
	deadline := time.Now().Add(browserWait)
	var loc string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
		loc, _ = chromedp.Run(ctx, chromedp.Location())
		cancel()
		if loc == url {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	h.t.Fatalf("the tab is at %q, want %q", loc, url)
}

// viewport sets one of the screenshot viewports.
func (h *hostedTab) viewport(i int) {
	h.t.Helper()
	v := viewports[i]
	opts := []chromedp.EmulateViewportOption{}
	if v.mobile {
		opts = append(opts, chromedp.EmulateMobile)
	}
	h.do(chromedp.EmulateViewport(v.width, v.height, opts...))
}

// shoot writes a screenshot of the page at each viewport and runs the
// accessibility check, leaving the page at the first (phone) viewport.
func (h *hostedTab) shoot(name string) {
	h.t.Helper()
	for i := len(viewports) - 1; i >= 0; i-- {
		h.viewport(i)
		_ = eval[bool](h, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
		ctx, cancel := context.WithTimeout(h.ctx, browserWait)
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		cancel()
		if err != nil {
			h.t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(h.shots, name+"_"+viewports[i].name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			h.t.Fatal(err)
		}
	}
	h.checkAccessibility(name)
}

// checkAccessibility injects axe-core and fails on serious or critical
// violations of the current screen.
func (h *hostedTab) checkAccessibility(name string) {
	h.t.Helper()
	if h.axe == "" {
		return
	}
	if !eval[bool](h, `typeof window.axe === 'object'`) {
		_ = eval[chromedp.Void](h, h.axe)
	}
	type violation struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  int    `json:"nodes"`
	}
	got := eval[[]violation](h, `axe.run(document, {resultTypes: ['violations']}).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length})))`)
	for _, v := range got {
		if v.Impact == "serious" || v.Impact == "critical" {
			h.t.Errorf("%s: axe %s violation %s (%s) on %d node(s)", name, v.Impact, v.ID, v.Help, v.Nodes)
		}
	}
}

// axeSource reads axe-core from web/sdk/node_modules (npm ci installs it
// at the lockfile's version). Without it the check is skipped, unless
// browser tests are required.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "web", "sdk", "node_modules", "axe-core", "axe.min.js"))
	if err == nil {
		return string(b)
	}
	if os.Getenv("OPENIDV_TEST_BROWSER") == "required" {
		t.Fatalf("axe-core missing (run npm ci in web/sdk): %v", err)
	}
	t.Logf("axe-core not installed (npm ci in web/sdk): accessibility checks skipped")
	return ""
}

// loggedEvents returns the SDK events the hosted page collected (onLog).
func (h *hostedTab) loggedEvents() []sdkLogEvent {
	h.t.Helper()
	return eval[[]sdkLogEvent](h, `window.openidvEvents || []`)
}

// loggedEventsWhen waits until the page has logged at least n events (or
// browserWait has passed) and returns the events it logged, for the caller
// to compare: events can follow the screen they belong to.
func (h *hostedTab) loggedEventsWhen(n int) []sdkLogEvent {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, browserWait)
	defer cancel()
	_, _ = chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`(window.openidvEvents || []).length >= %d`, n),
		chromedp.WithPollingInterval(50*time.Millisecond)))
	return h.loggedEvents()
}

// sdkLogEvent is one onLog call.
type sdkLogEvent struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// addScript runs src in every new document of the tab before its scripts.
func (h *hostedTab) addScript(src string) {
	h.t.Helper()
	h.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src})
		return err
	}))
}
