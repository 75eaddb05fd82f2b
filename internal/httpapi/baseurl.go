package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/openidv/openidv/internal/idv"
)

// baseURL is the externally visible base of the server: the configured
// public URL, else derived from the request (X-Forwarded-* only when the
// proxy is trusted). A derived host must be one of Options.AllowedHosts,
// so that a forged Host header never reaches a URL, a page or its CSP;
// any other host is an invalid_request error.
func (s *Server) baseURL(r *http.Request) (*url.URL, error) {
	if s.opts.PublicURL != nil {
		u := *s.opts.PublicURL
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath, u.RawQuery, u.Fragment = "", "", ""
		return &u, nil
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.fromTrustedProxy(r) {
		if p := firstValue(r.Header.Get("X-Forwarded-Proto")); p == "https" || p == "http" {
			scheme = p
		}
		if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" {
			host = h
		}
	}
	if !validHost(host) || !hostAllowed(s.opts.AllowedHosts, host) {
		return nil, idv.Errorf(idv.CodeInvalid,
			"this server does not answer to that Host; its operator sets public_url or allowed_hosts")
	}
	return &url.URL{Scheme: scheme, Host: host}, nil
}

// defaultAllowedHosts are the hosts accepted when Options.AllowedHosts is
// empty: the loopback names, on any port.
var defaultAllowedHosts = []string{"localhost", "127.0.0.1", "[::1]"}

// hostAllowed reports whether the Host value host matches allowed: an
// entry host:port matches that port (and a Host without a port when the
// port is 80 or 443, which browsers leave out), an entry without a port
// matches any port. Names compare case-insensitively.
func hostAllowed(allowed []string, host string) bool {
	if len(allowed) == 0 {
		allowed = defaultAllowedHosts
	}
	name, port := splitHostPort(host)
	for _, a := range allowed {
		aname, aport := splitHostPort(a)
		if !strings.EqualFold(aname, name) {
			continue
		}
		if aport == "" || aport == port || (port == "" && (aport == "80" || aport == "443")) {
			return true
		}
	}
	return false
}

// splitHostPort splits a Host value into its name (brackets kept for
// IPv6) and its port, which is empty when absent.
func splitHostPort(h string) (name, port string) {
	i := strings.LastIndexByte(h, ':')
	if i < 0 || strings.HasSuffix(h, "]") {
		return h, ""
	}
	if strings.HasPrefix(h, "[") && !strings.Contains(h[:i], "]") {
		return h, "" // a bare IPv6 address
	}
	return h[:i], h[i+1:]
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
// session under base. The page URL carries the client token in its fragment
// (#token=…), which browsers send neither to the server nor in Referer;
// the websocket URL carries it in the query (browsers cannot set headers
// on websockets; the access log records route patterns, never URLs).
func sessionURLs(base *url.URL, id, token string) (page, ws string) {
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
