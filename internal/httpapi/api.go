package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
)

// authMode says which credentials a route accepts.
type authMode int

const (
	authKey     authMode = iota + 1 // API keys only (svc.Authenticate)
	authSession                     // API key or the session's client token
)

// call is one authenticated API request.
type call struct {
	r    *http.Request
	p    app.Principal
	id   string // {id} of the path; empty on POST /v1/sessions
	body []byte
}

// reply is a handler's answer; a nil body means no content.
type reply struct {
	status int
	body   any // encoded as JSON, or a rawJSON written as is
}

// rawJSON is an encoded JSON body with its final newline.
type rawJSON []byte

// apiFunc runs one use case.
type apiFunc func(ctx context.Context, c *call) (reply, error)

// endpoint describes the pipeline of an API route.
type endpoint struct {
	auth       authMode
	body       int64 // JSON body limit; 0 = the route takes no body
	idempotent bool  // honours Idempotency-Key
	stream     bool  // fn answers a streamer, written as it is encoded
	fn         apiFunc
}

// api wraps fn in: authentication → rate limit → body → idempotency.
func (s *Server) api(e endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := s.admit(w, r, e.auth, bearerFrom(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if e.body > 0 {
			if c.body, err = readJSONBody(w, r, e.body); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if e.stream {
			s.stream(w, c, e.fn)
			return
		}
		key := r.Header.Get("Idempotency-Key")
		if e.idempotent && key != "" {
			s.idempotent(w, c, key, e.fn)
			return
		}
		status, body, retry := s.run(c, e.fn)
		writeAnswer(w, status, body, retry)
	})
}

// admit authenticates the caller for the route and charges its rate limit.
// An address whose failed authentications used up its bucket is refused
// first, before the credentials are read.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, mode authMode, bearer string) (*call, error) {
	addr := s.clientKey(r)
	if err := s.failures.check(addr); err != nil {
		return nil, err
	}
	c, err := s.authenticate(r, mode, bearer)
	if err != nil {
		s.failures.failed(addr, err)
		return nil, err
	}
	if s.limiter.disabled {
		return c, nil
	}
	if err := s.limiter.allow(w, principalKey(c.p)); err != nil {
		return nil, err
	}
	return c, nil
}

// authenticate checks the bearer credentials for the route.
func (s *Server) authenticate(r *http.Request, mode authMode, bearer string) (*call, error) {
	c := &call{r: r, id: r.PathValue("id")}
	if bearer == "" {
		return nil, idv.Errorf(idv.CodeUnauthorized, "missing credentials: send Authorization: Bearer <key>")
	}
	var err error
	if mode == authKey {
		c.p, err = s.svc.Authenticate(r.Context(), bearer)
	} else {
		c.p, err = s.svc.AuthenticateSession(r.Context(), bearer, c.id)
		if err == nil {
			err = c.p.Permit(c.id) // before the body is read: a public key gets 403, not a field error
		}
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// bearerFrom reads "Authorization: Bearer <key>", or HTTP Basic with the
// key as user name (the seed vendor accepts both).
func bearerFrom(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	if user, _, ok := r.BasicAuth(); ok {
		return user
	}
	return ""
}

// principalKey identifies the caller for rate limits and idempotency.
func principalKey(p app.Principal) string {
	if p.KeyID != "" {
		return "key:" + p.KeyID
	}
	return "session:" + p.SessionID
}

// run calls fn and encodes its answer or error.
func (s *Server) run(c *call, fn apiFunc) (status int, body []byte, retry time.Duration) {
	rep, err := fn(c.r.Context(), c)
	if err != nil {
		status, body, retry = encodeError(err, stateOf(c.r).requestID)
		if status >= 500 {
			st := stateOf(c.r)
			s.log.ErrorContext(c.r.Context(), "internal error", "request_id", st.requestID,
				"route", routeOf(c.r), "error", err.Error())
		}
		return status, body, retry
	}
	if raw, ok := rep.body.(rawJSON); ok {
		return rep.status, raw, 0
	}
	if rep.body == nil {
		return rep.status, nil, 0
	}
	body, err = json.Marshal(rep.body)
	if err != nil {
		return s.run(c, func(context.Context, *call) (reply, error) { return reply{}, err })
	}
	return rep.status, append(body, '\n'), 0
}

// writeAnswer writes an encoded answer (error envelopes included).
func writeAnswer(w http.ResponseWriter, status int, body []byte, retry time.Duration) {
	if status >= 400 {
		writeErrorBody(w, status, body, retry)
		return
	}
	if body == nil {
		w.WriteHeader(status)
		return
	}
	writeJSONBytes(w, status, body)
}

// validIdempotencyKey accepts 1..255 printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > 255 {
		return false
	}
	for _, c := range []byte(k) {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// idempotent runs fn at most once per (principal, key): a successful (2xx)
// answer is replayed, the same key with another request is 422, a
// duplicate still running is 409. Like Stripe, only answers that changed
// something are remembered: any other answer (a 4xx such as a validation
// error, a 5xx, a rate limit) releases the key, so a corrected retry with
// the same key runs.
func (s *Server) idempotent(w http.ResponseWriter, c *call, key string, fn apiFunc) {
	if !validIdempotencyKey(key) {
		s.writeError(w, c.r, fieldError("Idempotency-Key", "must be 1 to 255 printable ASCII characters"))
		return
	}
	scope := principalKey(c.p) + ":" + key
	h := sha256.New()
	h.Write([]byte(c.r.Method + " " + c.r.URL.EscapedPath() + "\n"))
	h.Write(c.body)
	rec, err := s.svc.BeginIdempotent(c.r.Context(), scope, h.Sum(nil))
	if err != nil {
		s.writeError(w, c.r, err)
		return
	}
	if rec != nil {
		w.Header().Set("Idempotent-Replayed", "true")
		writeAnswer(w, rec.Status, rec.Body, 0)
		return
	}
	status, body, retry := s.run(c, fn)
	ctx := context.WithoutCancel(c.r.Context())
	if status < 200 || status > 299 {
		err = s.svc.AbortIdempotent(ctx, scope)
	} else {
		err = s.svc.FinishIdempotent(ctx, scope, status, body)
	}
	if err != nil {
		st := stateOf(c.r)
		s.log.ErrorContext(ctx, "recording idempotent answer failed", "request_id", st.requestID,
			"route", routeOf(c.r), "error", err.Error())
	}
	writeAnswer(w, status, body, retry)
}
