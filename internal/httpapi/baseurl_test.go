package httpapi

import (
	"crypto/tls"
	"net/http/httptest"
	"net/url"
	"testing"
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
	}{
		{name: "plain", host: "localhost:8080",
			wantPage: "http://localhost:8080/s/s1#token=t%2B1", wantWS: "ws://localhost:8080/v1/sessions/s1/cable?token=t%2B1"},
		{name: "tls", host: "idv.example", tls: true,
			wantPage: "https://idv.example/s/s1#token=t%2B1", wantWS: "wss://idv.example/v1/sessions/s1/cable?token=t%2B1"},
		{name: "untrusted proxy headers ignored", host: "internal:8080", hdr: map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
			wantPage: "http://internal:8080/s/s1#token=t%2B1", wantWS: "ws://internal:8080/v1/sessions/s1/cable?token=t%2B1"},
		{name: "trusted proxy", opts: Options{TrustProxy: true}, host: "internal:8080",
			hdr:      map[string]string{"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "idv.example"},
			wantPage: "https://idv.example/s/s1#token=t%2B1", wantWS: "wss://idv.example/v1/sessions/s1/cable?token=t%2B1"},
		{name: "public url with prefix wins", opts: Options{PublicURL: &url.URL{Scheme: "https", Host: "example.com", Path: "/idv/"}},
			host: "evil.example", tls: false,
			wantPage: "https://example.com/idv/s/s1#token=t%2B1", wantWS: "wss://example.com/idv/v1/sessions/s1/cable?token=t%2B1"},
		{name: "hostile host", host: "a b<script>",
			wantPage: "http://localhost/s/s1#token=t%2B1", wantWS: "ws://localhost/v1/sessions/s1/cable?token=t%2B1"},
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
			page, ws := s.sessionURLs(r, "s1", "t+1")
			if page != tt.wantPage || ws != tt.wantWS {
				t.Errorf("sessionURLs = %q, %q; want %q, %q", page, ws, tt.wantPage, tt.wantWS)
			}
		})
	}
}
