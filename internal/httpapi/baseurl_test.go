package httpapi

import (
	"crypto/tls"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"

	"github.com/openidv/openidv/internal/idv"
)

func TestSessionURLs(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		host     string
		tls      bool
		hdr      map[string]string
		wantPage string
		wantWS   string
		wantErr  bool
	}{
		{name: "plain", host: "localhost:8080",
			wantPage: "http://localhost:8080/s/s1#token=t%2B1", wantWS: "ws://localhost:8080/v1/sessions/s1/cable?token=t%2B1"},
		{name: "loopback by default", host: "127.0.0.1:9999",
			wantPage: "http://127.0.0.1:9999/s/s1#token=t%2B1", wantWS: "ws://127.0.0.1:9999/v1/sessions/s1/cable?token=t%2B1"},
		{name: "tls", opts: Options{AllowedHosts: []string{"idv.example"}}, host: "idv.example", tls: true,
			wantPage: "https://idv.example/s/s1#token=t%2B1", wantWS: "wss://idv.example/v1/sessions/s1/cable?token=t%2B1"},
		{name: "untrusted proxy headers ignored", opts: Options{AllowedHosts: []string{"internal:8080"}}, host: "internal:8080", hdr: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
			wantPage: "http://internal:8080/s/s1#token=t%2B1", wantWS: "ws://internal:8080/v1/sessions/s1/cable?token=t%2B1"},
		{name: "trusted proxy", opts: Options{TrustedProxies: testProxies, AllowedHosts: []string{"idv.example"}}, host: "internal:8080",
			hdr:      map[string]string{"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "idv.example"},
			wantPage: "https://idv.example/s/s1#token=t%2B1", wantWS: "wss://idv.example/v1/sessions/s1/cable?token=t%2B1"},
		{name: "public url with prefix wins", opts: Options{PublicURL: &url.URL{Scheme: "https", Host: "example.com", Path: "/idv/"}},
			host: "evil.example", tls: false,
			wantPage: "https://example.com/idv/s/s1#token=t%2B1", wantWS: "wss://example.com/idv/v1/sessions/s1/cable?token=t%2B1"},
		{name: "malformed host", host: "a b<script>", wantErr: true},
		{name: "foreign host", host: "evil.example", wantErr: true},
		{name: "foreign port", opts: Options{AllowedHosts: []string{"localhost:8080"}}, host: "localhost:9090", wantErr: true},
		{name: "host with suffix", host: "localhost.evil.example:8080", wantErr: true},
		{name: "proxy headers from a peer that is not a trusted proxy", opts: Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}},
			host: "localhost:8080", hdr: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
			wantPage: "http://localhost:8080/s/s1#token=t%2B1", wantWS: "ws://localhost:8080/v1/sessions/s1/cable?token=t%2B1"},
		{name: "trusted proxy, foreign forwarded host", opts: Options{TrustedProxies: testProxies}, host: "localhost:8080",
			hdr: map[string]string{"X-Forwarded-Host": "evil.example"}, wantErr: true},
		{name: "ipv6 loopback", host: "[::1]:8080",
			wantPage: "http://[::1]:8080/s/s1#token=t%2B1", wantWS: "ws://[::1]:8080/v1/sessions/s1/cable?token=t%2B1"},
		{name: "default port left out", opts: Options{AllowedHosts: []string{"localhost:80"}}, host: "localhost",
			wantPage: "http://localhost/s/s1#token=t%2B1", wantWS: "ws://localhost/v1/sessions/s1/cable?token=t%2B1"},
		{name: "port left out, other port", opts: Options{AllowedHosts: []string{"localhost:8080"}}, host: "localhost", wantErr: true},
		{name: "case-insensitive", opts: Options{AllowedHosts: []string{"IDV.internal:8080"}}, host: "idv.INTERNAL:8080",
			wantPage: "http://idv.INTERNAL:8080/s/s1#token=t%2B1", wantWS: "ws://idv.INTERNAL:8080/v1/sessions/s1/cable?token=t%2B1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{opts: tt.opts}
			r := httptest.NewRequest("POST", "/v1/sessions", nil)
			r.Host = tt.host
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.hdr {
				r.Header.Set(k, v)
			}
			base, err := s.baseURL(r)
			if tt.wantErr {
				if idv.ErrorCode(err) != idv.CodeInvalid {
					t.Errorf("baseURL(Host %q) = %v, %v; want an invalid_request error", tt.host, base, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("baseURL(Host %q): %v", tt.host, err)
			}
			page, ws := sessionURLs(base, "s1", "t+1")
			if page != tt.wantPage || ws != tt.wantWS {
				t.Errorf("sessionURLs = %q, %q; want %q, %q", page, ws, tt.wantPage, tt.wantWS)
			}
		})
	}
}

// testProxies holds httptest.NewRequest's peer, 192.0.2.1.
var testProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
