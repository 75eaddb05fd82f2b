package httpapi

import (
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/openidv/openidv/internal/idv"
)

// Branding is what the hosted page shows of the integrator.
type Branding struct {
	Name  string // shown in the page header and title; default "OpenIDV"
	Color string // #rrggbb; default #1d4ed8
}

// asset is one built SDK file served under /sdk/v1/.
type asset struct {
	body        []byte
	contentType string
	integrity   string // sha384-… (Subresource Integrity)
}

// webAssets are the SDK files, read once at start.
type webAssets struct {
	js, css asset
	theme   asset // the branding stylesheet made from Options.Branding
}

// loadAssets reads openidv.js and openidv.css from fsys. A missing file is
// a build problem: the routes then answer 404 and the error is logged.
func loadAssets(fsys fs.FS, b Branding) (webAssets, error) {
	js, err1 := fs.ReadFile(fsys, "openidv.js")
	css, err2 := fs.ReadFile(fsys, "openidv.css")
	a := webAssets{
		js:    newAsset(js, "text/javascript; charset=utf-8"),
		css:   newAsset(css, "text/css; charset=utf-8"),
		theme: newAsset([]byte(themeCSS(b)), "text/css; charset=utf-8"),
	}
	if err1 != nil || err2 != nil {
		return a, fmt.Errorf("web SDK assets missing: %v %v", err1, err2)
	}
	return a, nil
}

func newAsset(body []byte, contentType string) asset {
	sum := sha512.Sum384(body)
	return asset{body: body, contentType: contentType, integrity: "sha384-" + base64.StdEncoding.EncodeToString(sum[:])}
}

// themeCSS sets the brand colour and a text colour on it with the better
// contrast (WCAG relative luminance).
func themeCSS(b Branding) string {
	on := "#ffffff"
	if contrast(b.Color, "#111827") > contrast(b.Color, "#ffffff") {
		on = "#111827"
	}
	return fmt.Sprintf(".oidv.oidv{--oidv-brand:%s;--oidv-on-brand:%s}\n", b.Color, on)
}

// contrast is the WCAG contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

// validColor accepts #rrggbb.
func validColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	_, err := strconv.ParseUint(s[1:], 16, 32)
	return err == nil
}

// serveAsset answers GET /sdk/v1/… with a built file. Browsers on any
// origin may load it (integrators embed the SDK), so it is public and
// CORS-readable, which Subresource Integrity on cross-origin scripts needs.
func (s *Server) serveAsset(pick func(*webAssets) asset) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := pick(&s.assets)
		if len(a.body) == 0 {
			s.writeError(w, r, idv.Errorf(idv.CodeNotFound, "the web SDK is not built into this binary"))
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("ETag", `"`+a.integrity+`"`)
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		if r.Header.Get("If-None-Match") == `"`+a.integrity+`"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(a.body)
	})
}

// sdkIntegrity answers GET /sdk/v1/openidv.js.sri with the SRI hash of the
// SDK, for integrators' <script integrity=…> tags.
func (s *Server) sdkIntegrity(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Access-Control-Allow-Origin", "*")
	fmt.Fprintln(w, s.assets.js.integrity)
}

// hostedPage is the HTML of GET /s/{id}: no inline script or style.
var hostedPage = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>{{.Name}}: identity verification</title>
<link rel="stylesheet" href="{{.Base}}/sdk/v1/openidv.css" integrity="{{.CSS}}" crossorigin="anonymous">
<link rel="stylesheet" href="{{.Base}}/sdk/v1/theme.css" integrity="{{.Theme}}" crossorigin="anonymous">
<script defer src="{{.Base}}/sdk/v1/openidv.js" integrity="{{.JS}}" crossorigin="anonymous"></script>
</head>
<body class="oidv-page">
<main id="openidv" data-hosted="true" data-session-id="{{.ID}}" data-base-url="{{.BaseURL}}" data-brand-name="{{.Name}}" data-frame-ancestors="{{.FrameAncestors}}">
<noscript><p>This verification page needs JavaScript. Please turn it on and reload the page.</p></noscript>
</main>
</body>
</html>
`))

// hostedPageData fills hostedPage. FrameAncestors are the configured
// origins, space-separated: the only ones the page posts its progress to
// when framed or opened as a popup.
type hostedPageData struct {
	Name, ID, Base, BaseURL string
	JS, CSS, Theme          string
	FrameAncestors          string
}

// page answers GET /s/{id}: the hosted verification page. It reads no
// session (the client token is in the URL fragment, which browsers never
// send); the SDK it loads does the rest.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validRequestID(id) {
		s.writeError(w, r, idv.Errorf(idv.CodeNotFound, "no such session"))
		return
	}
	base, err := s.baseURL(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", s.pageCSP(base.Host))
	h.Set("X-Robots-Tag", "noindex")
	if len(s.opts.FrameAncestors) == 0 {
		h.Set("X-Frame-Options", "DENY")
	}
	data := hostedPageData{
		Name: s.opts.Branding.Name, ID: id, Base: base.Path, BaseURL: base.String(),
		JS: s.assets.js.integrity, CSS: s.assets.css.integrity, Theme: s.assets.theme.integrity,
		FrameAncestors: strings.Join(s.opts.FrameAncestors, " "),
	}
	if err := hostedPage.Execute(w, data); err != nil {
		s.log.ErrorContext(r.Context(), "hosted page", slog.String("request_id", stateOf(r).requestID),
			slog.String("error", err.Error()))
	}
}

// pageCSP is the hosted page's Content-Security-Policy: scripts and styles
// from this server only (the page loads them with integrity), API calls and
// the websocket to this server, QR images as data: URLs, framing by the
// configured origins only.
func (s *Server) pageCSP(host string) string {
	frame := "'none'"
	if len(s.opts.FrameAncestors) > 0 {
		frame = strings.Join(s.opts.FrameAncestors, " ")
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self' ws://" + host + " wss://" + host + "; base-uri 'none'; form-action 'none'; " +
		"frame-ancestors " + frame
}
