package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/netip"
	"net/url"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/web"
	"github.com/prometheus/client_golang/prometheus"
)

// Service is the part of *app.Service that the HTTP layer calls.
type Service interface {
	Authenticate(ctx context.Context, bearer string) (app.Principal, error)
	AuthenticateSession(ctx context.Context, bearer, sessionID string) (app.Principal, error)

	CreateSession(ctx context.Context, p app.Principal, in app.NewSession) (app.CreatedSession, error)
	Session(ctx context.Context, p app.Principal, id string) (app.SessionView, error)
	UpdateSession(ctx context.Context, p app.Principal, id string, in app.SessionUpdate) (app.SessionView, error)
	CancelSession(ctx context.Context, p app.Principal, id string) error
	EraseSession(ctx context.Context, p app.Principal, id string) error
	Consent(ctx context.Context, p app.Principal, id string, accepted bool) (idv.Preflight, error)
	Preflight(ctx context.Context, p app.Principal, id string) (idv.Preflight, error)
	// PreflightJSON is Preflight encoded (final newline included); the
	// result is shared and must not be modified.
	PreflightJSON(ctx context.Context, p app.Principal, id string) ([]byte, error)
	RecordEvents(ctx context.Context, p app.Principal, id string, events []app.SDKEvent) error
	// EventPage reads one page of a session's timeline.
	EventPage(ctx context.Context, p app.Principal, id string, q app.EventQuery) (app.EventPage, error)

	StartPhoneVerification(ctx context.Context, p app.Principal, id, phoneNumber string) (idv.Preflight, error)
	CompletePhoneVerification(ctx context.Context, p app.Principal, id, code string) (idv.Preflight, error)
	StartEmailVerification(ctx context.Context, p app.Principal, id, email string) (idv.Preflight, error)
	CompleteEmailVerification(ctx context.Context, p app.Principal, id, code string) (idv.Preflight, error)

	WatchSessions(ctx context.Context, fn func(sessionID string)) error
	PreflightFor(ctx context.Context, id string) (idv.Preflight, error)

	BeginIdempotent(ctx context.Context, scope string, requestHash []byte) (*idv.IdempotencyRecord, error)
	FinishIdempotent(ctx context.Context, scope string, status int, body []byte) error
	AbortIdempotent(ctx context.Context, scope string) error

	Ready(ctx context.Context) error
	Stats(ctx context.Context) (idv.StoreStats, error)
}

// DevInbox lists the messages a development sender would have sent, for
// the GET /dev/inbox page.
type DevInbox interface {
	Messages() []idv.Message
}

// Options configures the handler. The zero value works: a private metrics
// registry, slog's default logger, base URLs derived from each request,
// no CORS origins, default body and rate limits.
type Options struct {
	// Logger receives the access log and internal errors (JSON, no
	// personal data). Nil means slog.Default().
	Logger *slog.Logger
	// Registerer receives the metrics; Gatherer serves GET /metrics. When
	// both are nil a private registry is used; when only Registerer is set
	// it is also used as the Gatherer if it implements it.
	Registerer prometheus.Registerer
	Gatherer   prometheus.Gatherer

	// PublicURL is the externally visible base URL (OPENIDV_PUBLIC_URL),
	// e.g. https://idv.example.com or https://example.com/idv. Nil means
	// derive it from each request: host from Host, scheme from TLS, or from
	// X-Forwarded-Proto/-Host when the peer is one of TrustedProxies.
	PublicURL *url.URL
	// TrustedProxies are the reverse proxies whose X-Forwarded-For,
	// -Proto and -Host are believed: per-client limits then count the
	// client the proxy names, not the proxy. Empty: nobody's.
	TrustedProxies []netip.Prefix
	// AllowedHosts are the hosts a URL may be derived from when PublicURL
	// is nil: "host:port" matches exactly, "host" on any port. Any other
	// Host (or X-Forwarded-Host) is refused with invalid_request, so a
	// forged header never reaches a session URL, the hosted page or its
	// CSP. Empty means localhost, 127.0.0.1 and [::1] on any port.
	AllowedHosts []string

	// AllowedOrigins are the exact browser origins (scheme://host[:port])
	// allowed by CORS and on the websocket.
	AllowedOrigins []string

	// MaxBodyBytes caps JSON request bodies (default 64 KiB);
	// MaxEventsBodyBytes caps POST .../events (default 256 KiB).
	MaxBodyBytes       int64
	MaxEventsBodyBytes int64

	// RateLimit configures the per-principal token bucket.
	RateLimit RateLimit
	// AuthFailures configures the token bucket of failed authentications
	// kept per client address (PerMinute 0 means 10, Burst 0 means 20,
	// negative PerMinute disables); an address without tokens left gets
	// 429 on every authenticated route.
	AuthFailures RateLimit

	// PingInterval is the websocket ping period (default 3 s).
	PingInterval time.Duration

	// DevInbox enables GET /dev/inbox when non-nil. Development only.
	DevInbox DevInbox

	// Webhooks serves the webhook endpoint and delivery routes; nil answers
	// them with 404.
	Webhooks WebhookService

	// Ready overrides the readiness check of GET /readyz (default Service.Ready).
	Ready func(ctx context.Context) error

	// WebAssets holds the built web SDK (openidv.js, openidv.css) served
	// under /sdk/v1/ and loaded by the hosted page; nil means web.SDK().
	WebAssets fs.FS
	// Branding is the integrator name and colour of the hosted page.
	Branding Branding
	// FrameAncestors are the origins allowed to frame the hosted page
	// (CSP frame-ancestors); empty forbids framing.
	FrameAncestors []string

	// Now is the clock (default time.Now); tests pass a fake one.
	Now func() time.Time

	// MetricsToken, when set, serves GET /metrics to requests bearing it
	// (Authorization: Bearer <token>); empty answers 404 there. Serve
	// MetricsHandler on a separate listener instead to keep the metrics
	// off the API port.
	MetricsToken string

	// BodyReadTimeout bounds reading one request body (default 20 s);
	// MaxBodiesPerClient caps the bodies read at the same time from one
	// client address (default 16; negative disables). See bodylimit.go.
	BodyReadTimeout    time.Duration
	MaxBodiesPerClient int
}

// RateLimit configures the token bucket kept per API key id or per
// session (client tokens).
type RateLimit struct {
	// PerMinute is the sustained rate; 0 means 300, negative disables.
	PerMinute float64
	// Burst is the bucket size; 0 means PerMinute/5 (at least 1).
	Burst int
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Registerer == nil && o.Gatherer == nil {
		reg := prometheus.NewRegistry()
		o.Registerer, o.Gatherer = reg, reg
	}
	if o.Gatherer == nil {
		if g, ok := o.Registerer.(prometheus.Gatherer); ok {
			o.Gatherer = g
		} else {
			o.Gatherer = prometheus.NewRegistry()
		}
	}
	if o.Registerer == nil {
		o.Registerer = prometheus.NewRegistry()
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 64 << 10
	}
	if o.MaxEventsBodyBytes <= 0 {
		o.MaxEventsBodyBytes = 256 << 10
	}
	if o.RateLimit.PerMinute == 0 {
		o.RateLimit.PerMinute = 300
	}
	if o.RateLimit.Burst <= 0 {
		o.RateLimit.Burst = max(1, int(o.RateLimit.PerMinute/5))
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 3 * time.Second
	}
	if o.WebAssets == nil {
		o.WebAssets = web.SDK()
	}
	if o.Branding.Name == "" {
		o.Branding.Name = "OpenIDV"
	}
	if !validColor(o.Branding.Color) {
		o.Branding.Color = "#1d4ed8"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BodyReadTimeout <= 0 {
		o.BodyReadTimeout = 20 * time.Second
	}
	if o.MaxBodiesPerClient == 0 {
		o.MaxBodiesPerClient = 16
	}
	return o
}
