package httpapi

import (
	"net/http"
	"net/url"
	"strings"
)

// baseURL is the externally visible base of the server: the configured
// public URL, else derived from the request (X-Forwarded-* only when the
// proxy is trusted).
func (s *Server) baseURL(r *http.Request) *url.URL {
	if s.opts.PublicURL != nil {
		u := *s.opts.PublicURL
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath, u.RawQuery, u.Fragment = "", "", ""
		return &u
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.opts.TrustProxy {
		if p := firstValue(r.Header.Get("X-Forwarded-Proto")); p == "https" || p == "http" {
			scheme = p
		}
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); validHost(h) {
			host = h
		}
	}
	if !validHost(host) {
		host = "localhost"
	}
	return &url.URL{Scheme: scheme, Host: host}
}

// firstValue returns the first element of a comma-separated header.
func firstValue(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.ToLower(strings.TrimSpace(v))
}

// validHost accepts host[:port] made of letters, digits, '.', '-', ':',
// '[' and ']'.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range []byte(h) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '-' || c == ':' || c == '[' || c == ']'
		if !ok {
			return false
		}
	}
	return true
}

// sessionURLs returns the hosted page URL and the websocket URL of a
// session. The page URL carries the client token in its fragment
// (#token=…), which browsers send neither to the server nor in Referer;
// the websocket URL carries it in the query (browsers cannot set headers
// on websockets; the access log records route patterns, never URLs).
func (s *Server) sessionURLs(r *http.Request, id, token string) (page, ws string) {
	base := s.baseURL(r)
	q := url.Values{"token": {token}}.Encode()
	p := *base
	p.Path = base.Path + "/s/" + url.PathEscape(id)
	p.Fragment, p.RawFragment = "token="+token, q
	w := *base
	w.Scheme = "ws"
	if base.Scheme == "https" {
		w.Scheme = "wss"
	}
	w.Path = base.Path + "/v1/sessions/" + url.PathEscape(id) + "/cable"
	w.RawQuery = q
	return p.String(), w.String()
}
