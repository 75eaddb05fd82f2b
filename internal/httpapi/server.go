package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
)

// Server is the HTTP handler of OpenIDV. Serve it with an http.Server and
// call Shutdown (after or alongside http.Server.Shutdown) so websockets,
// which http.Server does not track, are closed cleanly.
type Server struct {
	svc     Service
	opts    Options
	log     *slog.Logger
	mux     *http.ServeMux // the routes, and "/" for everything else
	probe   *http.ServeMux // the routes alone: tells 404 from 405
	handler http.Handler
	metrics *metrics
	limiter *limiter
	bodies  *bodyLimiter // request bodies in flight per client address
	hub     *Hub
	assets  webAssets
	ping    atomic.Pointer[pingFrame] // the ping of the current second, shared by every socket
	ids     *requestIDs

	failures *authFailures // failed authentication per client address

	stop      context.CancelFunc
	watchDone chan struct{}
	closeOnce sync.Once
}

// route is one registered pattern and its handler.
type route struct {
	pattern string // a ServeMux pattern: "METHOD /path"
	handler http.Handler
}

// New builds the handler and starts the hub's subscription to session
// changes; call Shutdown to stop it.
func New(svc Service, opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{
		svc:       svc,
		opts:      opts,
		log:       opts.Logger,
		mux:       http.NewServeMux(),
		probe:     http.NewServeMux(),
		ids:       newRequestIDs(),
		limiter:   newLimiter(opts.RateLimit, opts.Now),
		failures:  newAuthFailures(opts.AuthFailures, opts.Now),
		bodies:    newBodyLimiter(opts.MaxBodiesPerClient),
		watchDone: make(chan struct{}),
	}
	var err error
	if s.assets, err = loadAssets(opts.WebAssets, opts.Branding); err != nil {
		s.log.Error("the hosted page will not work", slog.String("error", err.Error()))
	}
	s.hub = newHub(opts.PingInterval)
	s.metrics = newMetrics(opts.Registerer, svc, s.hub)
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, rt.handler)
		s.probe.Handle(rt.pattern, rt.handler)
	}
	// One match per request: the mux records the pattern in r.Pattern,
	// which the access log and metrics read (routeOf).
	s.mux.HandleFunc(unmatchedPattern, s.fallback)
	s.handler = s.observe(secure(closeChunked(s.bodyGuard(s.cors(s.canonicalPath(s.mux))))))
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go s.watch(ctx)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// Shutdown stops watching session changes and closes every websocket with
// "going away", waiting for their handlers to return or ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() {
		s.stop()
		s.hub.Close()
	})
	select {
	case <-s.watchDone:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.hub.Wait(ctx)
}

// routes is the one list of registered patterns; the OpenAPI test reads it.
func (s *Server) routes() []route {
	const sess = "/v1/sessions/{id}"
	rs := []route{
		{"POST /v1/sessions", s.api(endpoint{auth: authKey, body: s.opts.MaxBodyBytes, idempotent: true, fn: s.createSession})},
		{"GET " + sess, s.api(endpoint{auth: authSession, fn: s.showSession})},
		{"POST " + sess, s.api(endpoint{auth: authSession, body: s.opts.MaxBodyBytes, fn: s.updateSession})},
		{"DELETE " + sess, s.api(endpoint{auth: authSession, fn: s.deleteSession})},
		{"PATCH " + sess + "/consent", s.api(endpoint{auth: authSession, body: s.opts.MaxBodyBytes, fn: s.consent})},
		{"GET " + sess + "/preflight", s.api(endpoint{auth: authSession, fn: s.preflight})},
		{"GET " + sess + "/cable", http.HandlerFunc(s.cable)},
		{"POST " + sess + "/events", s.api(endpoint{auth: authSession, body: s.opts.MaxEventsBodyBytes, idempotent: true, fn: s.recordEvents})},
		{"GET " + sess + "/events", s.api(endpoint{auth: authSession, stream: true, fn: s.listEvents})},
		{"POST " + sess + "/phone_verification", s.api(endpoint{auth: authSession, body: s.opts.MaxBodyBytes, idempotent: true, fn: s.startPhone})},
		{"PATCH " + sess + "/phone_verification", s.api(endpoint{auth: authSession, body: s.opts.MaxBodyBytes, fn: s.completePhone})},
		{"POST " + sess + "/email_verification", s.api(endpoint{auth: authSession, body: s.opts.MaxBodyBytes, idempotent: true, fn: s.startEmail})},
		{"PATCH " + sess + "/email_verification", s.api(endpoint{auth: authSession, body: s.opts.MaxBodyBytes, fn: s.completeEmail})},
		{"GET " + sess + "/qr", s.api(endpoint{auth: authSession, fn: s.sessionQR})},
		{"GET /s/{id}", http.HandlerFunc(s.page)},
		{"GET /sdk/v1/openidv.js", s.serveAsset(func(a *webAssets) asset { return a.js })},
		{"GET /sdk/v1/openidv.js.sri", http.HandlerFunc(s.sdkIntegrity)},
		{"GET /sdk/v1/openidv.css", s.serveAsset(func(a *webAssets) asset { return a.css })},
		{"GET /sdk/v1/theme.css", s.serveAsset(func(a *webAssets) asset { return a.theme })},
		{"GET /healthz", http.HandlerFunc(s.healthz)},
		{"GET /readyz", http.HandlerFunc(s.readyz)},
		{"GET /metrics", s.apiMetrics()},
	}
	rs = append(rs, s.webhookRoutes()...)
	if s.opts.DevInbox != nil {
		rs = append(rs, route{"GET /dev/inbox", http.HandlerFunc(s.devInbox)})
	}
	return rs
}

// watch keeps one WatchSessions subscription for the process, fanning
// notices out through the hub, and resubscribes after failures.
func (s *Server) watch(ctx context.Context) {
	defer close(s.watchDone)
	backoff := newBackoff()
	for ctx.Err() == nil {
		err := s.svc.WatchSessions(ctx, s.hub.Publish)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.log.Error("watching session changes failed; retrying", slog.String("error", err.Error()))
		}
		s.hub.PublishAll() // changes may have been missed meanwhile
		if !backoff.wait(ctx) {
			return
		}
	}
}
