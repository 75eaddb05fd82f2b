package config

import (
	"fmt"
	"net"
	"net/netip"
	"time"
)

// HTTPConfig holds the limits of the API listener against slow or
// hostile clients.
type HTTPConfig struct {
	// BodyReadTimeout bounds the time to read one request body, from the
	// end of its headers.
	BodyReadTimeout time.Duration `koanf:"body_read_timeout"`
	// MaxBodiesPerClient caps the request bodies read at the same time
	// from one client address; 0 disables the cap.
	MaxBodiesPerClient int `koanf:"max_bodies_per_client"`
	// TrustedProxies are the CIDR prefixes of reverse proxies (load
	// balancers) in front of the server. A request whose peer is one of them
	// is counted against the client address it added to X-Forwarded-For, and
	// its X-Forwarded-Proto/-Host are read; nobody else's are.
	TrustedProxies []string `koanf:"trusted_proxies"`
}

// Proxies parses TrustedProxies.
func (h HTTPConfig) Proxies() ([]netip.Prefix, error) {
	return parsePrefixes("http.trusted_proxies", h.TrustedProxies)
}

// MetricsConfig says where GET /metrics is served. With neither set it is
// not served at all.
type MetricsConfig struct {
	// Addr is a separate listener serving only GET /metrics (for example
	// 127.0.0.1:9090); empty: none.
	Addr string `koanf:"addr"`
	// Token, when set, serves GET /metrics on the API port too, to
	// requests with Authorization: Bearer <token>.
	Token string `koanf:"token"`
}

// edgeSettings are the http.* and metrics.* keys.
func edgeSettings() []setting {
	return []setting{
		{key: "http.body_read_timeout", def: "20s", usage: "time allowed to read one request body"},
		{key: "http.max_bodies_per_client", def: 16, usage: "request bodies read at the same time from one client address (429 beyond); 0 disables"},
		{key: "http.trusted_proxies", def: []string{}, usage: "comma-separated CIDR prefixes of reverse proxies whose X-Forwarded-For/-Proto/-Host are believed (e.g. 10.0.0.0/8)", list: true},
		{key: "metrics.addr", def: "", usage: "separate listen address serving GET /metrics only (e.g. 127.0.0.1:9090); empty: none"},
		{key: "metrics.token", def: "", usage: "bearer token that serves GET /metrics on the API port; empty: not served there", secret: true},
	}
}

func (h HTTPConfig) validate() []string {
	var p []string
	if h.BodyReadTimeout < time.Second || h.BodyReadTimeout > 10*time.Minute {
		p = append(p, fmt.Sprintf("http.body_read_timeout %s must be between 1s and 10m", h.BodyReadTimeout))
	}
	if h.MaxBodiesPerClient < 0 {
		p = append(p, fmt.Sprintf("http.max_bodies_per_client %d must not be negative (0 disables)", h.MaxBodiesPerClient))
	}
	if _, err := h.Proxies(); err != nil {
		p = append(p, err.Error())
	}
	return p
}

func (m MetricsConfig) validate(apiAddr string) []string {
	var p []string
	if m.Addr != "" {
		if _, _, err := net.SplitHostPort(m.Addr); err != nil {
			p = append(p, fmt.Sprintf("metrics.addr %q must be host:port (for example 127.0.0.1:9090)", m.Addr))
		} else if m.Addr == apiAddr {
			p = append(p, fmt.Sprintf("metrics.addr %q must differ from addr", m.Addr))
		}
	}
	if m.Token != "" && len(m.Token) < 16 {
		p = append(p, "metrics.token must be at least 16 characters")
	}
	return p
}
