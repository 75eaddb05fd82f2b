package httpapi

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// testAssets is a stand-in SDK build.
var testAssets = fstest.MapFS{
	"openidv.js":  {Data: []byte("window.OpenIDV={};\n")},
	"openidv.css": {Data: []byte(".oidv{color:#111}\n")},
}

func sri(b []byte) string {
	sum := sha512.Sum384(b)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}

func TestHostedPageHeadersAndIntegrity(t *testing.T) {
	tests := []struct {
		name      string
		ancestors []string
		wantFrame string
		wantXFO   string
		wantAttr  string // the origins the page may post its progress to
	}{
		{"no framing by default", nil, "frame-ancestors 'none'", "DENY", `data-frame-ancestors=""`},
		{"configured ancestors", []string{"https://shop.example", "https://a.example"}, "frame-ancestors https://shop.example https://a.example", "",
			`data-frame-ancestors="https://shop.example https://a.example"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ts := newTestServer(t, newFake(), Options{WebAssets: testAssets, FrameAncestors: tt.ancestors,
				Branding: Branding{Name: `Acme "Bank" <b>`, Color: "#ffd700"}})
			status, h, body := do(t, ts, http.MethodGet, "/s/ses_1", "", "")
			if status != http.StatusOK {
				t.Fatalf("GET /s/ses_1: got %d, want 200", status)
			}
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'",
				"img-src 'self' data:", "connect-src 'self' ws://" + strings.TrimPrefix(ts.URL, "http://"), tt.wantFrame} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe") {
				t.Errorf("CSP %q allows unsafe sources", csp)
			}
			if got := h.Get("X-Frame-Options"); got != tt.wantXFO {
				t.Errorf("X-Frame-Options = %q, want %q", got, tt.wantXFO)
			}
			if h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("headers %v: want Referrer-Policy no-referrer and nosniff", h)
			}
			page := string(body)
			if strings.Contains(page, "<script>") || strings.Contains(page, "style=") || strings.Contains(page, "<style") {
				t.Errorf("the page has inline script or style:\n%s", page)
			}
			wantJS := strings.ReplaceAll(sri(testAssets["openidv.js"].Data), "+", "&#43;")
			if !strings.Contains(page, `src="/sdk/v1/openidv.js" integrity="`+wantJS+`"`) {
				t.Errorf("the page does not load openidv.js with integrity %s:\n%s", wantJS, page)
			}
			if !strings.Contains(page, `data-brand-name="Acme &#34;Bank&#34; &lt;b&gt;"`) {
				t.Errorf("brand name not escaped into data-brand-name:\n%s", page)
			}
			if !strings.Contains(page, tt.wantAttr) {
				t.Errorf("the page lacks %s:\n%s", tt.wantAttr, page)
			}
		})
	}
}

func TestHostedPageRefusesOddIDs(t *testing.T) {
	_, ts := newTestServer(t, newFake(), Options{WebAssets: testAssets})
	for _, id := range []string{"a%20b", "x%3Cscript%3E", strings.Repeat("a", 65)} {
		if status, _, _ := do(t, ts, http.MethodGet, "/s/"+id, "", ""); status != http.StatusNotFound {
			t.Errorf("GET /s/%s: got %d, want 404", id, status)
		}
	}
}

func TestSDKAssets(t *testing.T) {
	_, ts := newTestServer(t, newFake(), Options{WebAssets: testAssets, Branding: Branding{Color: "#ffd700"}})
	status, h, body := do(t, ts, http.MethodGet, "/sdk/v1/openidv.js", "", "")
	if status != http.StatusOK || string(body) != string(testAssets["openidv.js"].Data) {
		t.Fatalf("GET openidv.js: got %d %q", status, body)
	}
	if h.Get("Content-Type") != "text/javascript; charset=utf-8" || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("openidv.js headers %v: want text/javascript and CORS * (SRI across origins)", h)
	}
	_, _, sriBody := do(t, ts, http.MethodGet, "/sdk/v1/openidv.js.sri", "", "")
	if got, want := strings.TrimSpace(string(sriBody)), sri(body); got != want {
		t.Errorf("openidv.js.sri = %q, want %q", got, want)
	}
	if status, _, _ := do(t, ts, http.MethodGet, "/sdk/v1/openidv.js", "", "", "If-None-Match", h.Get("ETag")); status != http.StatusNotModified {
		t.Errorf("conditional GET: got %d, want 304", status)
	}
	_, _, theme := do(t, ts, http.MethodGet, "/sdk/v1/theme.css", "", "")
	if want := "--oidv-brand:#ffd700;--oidv-on-brand:#111827"; !strings.Contains(string(theme), want) {
		t.Errorf("theme.css = %q, want %q (dark text on a light brand colour)", theme, want)
	}
}

func TestThemeContrast(t *testing.T) {
	for _, tt := range []struct{ color, on string }{
		{"#1d4ed8", "#ffffff"}, {"#0f5132", "#ffffff"}, {"#ffd700", "#111827"}, {"#ffffff", "#111827"}, {"#000000", "#ffffff"},
	} {
		css := themeCSS(Branding{Color: tt.color})
		if !strings.Contains(css, "--oidv-on-brand:"+tt.on) {
			t.Errorf("themeCSS(%s) = %q, want text colour %s", tt.color, css, tt.on)
		}
		on := regexp.MustCompile(`on-brand:(#[0-9a-f]{6})`).FindStringSubmatch(css)[1]
		if c := contrast(tt.color, on); c < 4.5 {
			t.Errorf("contrast of %s on %s = %.2f, want ≥ 4.5 (WCAG AA)", on, tt.color, c)
		}
	}
}

func TestSessionQR(t *testing.T) {
	_, ts := newTestServer(t, newFake(), Options{WebAssets: testAssets})
	status, _, body := do(t, ts, http.MethodGet, "/v1/sessions/ses_1/qr", "tok_ses_1", "")
	if status != http.StatusOK {
		t.Fatalf("GET qr with the client token: got %d %s", status, body)
	}
	var got qrReply
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if want := ts.URL + "/s/ses_1#token=tok_ses_1"; got.URL != want {
		t.Errorf("url = %q, want %q", got.URL, want)
	}
	png, err := base64.StdEncoding.DecodeString(got.QRBase64PNG)
	if err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("qr_base64_png is not a base64 PNG: %v", err)
	}
	for _, tt := range []struct {
		auth string
		want int
	}{{"private_test", http.StatusForbidden}, {"", http.StatusUnauthorized}, {"tok_ses_2", http.StatusNotFound}} {
		if status, _, _ := do(t, ts, http.MethodGet, "/v1/sessions/ses_1/qr", tt.auth, ""); status != tt.want {
			t.Errorf("GET qr as %q: got %d, want %d", tt.auth, status, tt.want)
		}
	}
}
