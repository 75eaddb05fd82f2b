package httpapi

import (
	"net/http"
	"strings"
)

const (
	// corsAllowHeaders are the request headers a browser may send.
	corsAllowHeaders   = "Authorization, Content-Type, X-Origin, Idempotency-Key, X-Request-Id"
	corsAllowMethods   = "GET, POST, PATCH, DELETE"
	corsExposeHeaders  = "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Idempotent-Replayed"
	corsPreflightCache = "600"
)

// originAllowed reports whether origin is exactly one of the configured ones.
func (s *Server) originAllowed(origin string) bool {
	if origin == "" {
		return false
	}
	for _, o := range s.opts.AllowedOrigins {
		if o == origin {
			return true
		}
	}
	return false
}

// cors answers preflight requests and marks answers to allowed origins.
// Origins are compared exactly: "null", look-alike hosts, trailing dots
// and other schemes get no Access-Control-Allow-Origin.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		h := w.Header()
		if origin != "" {
			h.Add("Vary", "Origin")
		}
		allowed := s.originAllowed(origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if allowed && requestedHeadersAllowed(r.Header.Values("Access-Control-Request-Headers")) {
				h.Set("Access-Control-Allow-Origin", origin)
				h.Set("Access-Control-Allow-Methods", corsAllowMethods)
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Max-Age", corsPreflightCache)
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		next.ServeHTTP(w, r)
	})
}

// requestedHeadersAllowed reports whether every header named in
// Access-Control-Request-Headers is one we allow.
func requestedHeadersAllowed(values []string) bool {
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			ok := false
			for _, a := range strings.Split(corsAllowHeaders, ", ") {
				ok = ok || strings.EqualFold(a, name)
			}
			if !ok {
				return false
			}
		}
	}
	return true
}
