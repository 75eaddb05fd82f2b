package app

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/seal"
)

// DefaultSessionTTL is the lifetime of a session when Deps.SessionTTL is 0.
const DefaultSessionTTL = 7 * 24 * time.Hour

// IdempotencyWindow is how long an Idempotency-Key answer is replayed.
const IdempotencyWindow = 24 * time.Hour

// Deps are the ports and settings of a Service.
type Deps struct {
	Store   idv.Store
	Keyring *seal.Keyring
	// Levels are the configured levels; a name may appear once. Sessions
	// pin the name and version they start with and keep their own copy of
	// the steps, so they keep working when a level changes or disappears.
	Levels []idv.Level
	SMS    idv.SMSSender
	Email  idv.EmailSender
	Logger *slog.Logger     // nil: slog.Default()
	Now    func() time.Time // nil: time.Now
	Rand   io.Reader        // nil: crypto/rand.Reader
	// SessionTTL is the lifetime of new sessions (0: DefaultSessionTTL).
	SessionTTL time.Duration
	// Retention erases sessions created longer ago than this; 0 keeps them.
	Retention time.Duration
	// CheckWebhookURL validates webhook endpoint URLs (scheme, host, literal
	// addresses); nil accepts https URLs with a host.
	CheckWebhookURL func(raw string) error
	// Events bounds the SDK events a session keeps (zero: the defaults).
	Events EventLimits
	// Blobs keeps the encrypted evidence objects; erasure and retention
	// delete a session's objects from it after commit. nil: no objects.
	Blobs idv.BlobStore
}

// Service implements the use cases of API.md. It is safe for concurrent use.
type Service struct {
	store     idv.Store
	blobs     idv.BlobStore
	keys      *seal.Keyring
	levels    map[string]idv.Level
	sms       idv.SMSSender
	email     idv.EmailSender
	log       *slog.Logger
	now       func() time.Time
	rand      io.Reader
	ttl       time.Duration
	retention time.Duration
	otpKey    []byte
	replayKey seal.DataKey // seals stored Idempotency-Key answers (they hold client tokens)
	checkURL  func(raw string) error
	events    EventLimits

	preflights preflightCache // encoded preflights by session version (PreflightJSON)
	apiKeys    apiKeyCache    // API keys by secret hash, trusted for apiKeyTTL
}

// New checks deps and returns a Service.
func New(deps Deps) (*Service, error) {
	var problems []error
	if deps.Store == nil {
		problems = append(problems, errors.New("app: Deps.Store is nil"))
	}
	if deps.Keyring == nil {
		problems = append(problems, errors.New("app: Deps.Keyring is nil"))
	}
	if deps.SMS == nil || deps.Email == nil {
		problems = append(problems, errors.New("app: Deps.SMS and Deps.Email are required"))
	}
	if deps.SessionTTL < 0 || deps.Retention < 0 {
		problems = append(problems, errors.New("app: SessionTTL and Retention must not be negative"))
	}
	levels := map[string]idv.Level{}
	for _, l := range deps.Levels {
		if _, dup := levels[l.Name]; dup {
			problems = append(problems, fmt.Errorf("app: level %q defined twice", l.Name))
		}
		levels[l.Name] = l
	}
	if len(levels) == 0 {
		problems = append(problems, errors.New("app: no levels"))
	}
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	s := &Service{
		store: deps.Store, blobs: deps.Blobs, keys: deps.Keyring, levels: levels, sms: deps.SMS, email: deps.Email,
		log: deps.Logger, now: deps.Now, rand: deps.Rand, ttl: deps.SessionTTL, retention: deps.Retention,
		checkURL: deps.CheckWebhookURL, events: deps.Events.withDefaults(),
	}
	if s.checkURL == nil {
		s.checkURL = httpsURL
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.ttl == 0 {
		s.ttl = DefaultSessionTTL
	}
	s.otpKey = s.keys.Derive("otp")
	replayKey, err := s.keys.PurposeKey("idempotency")
	if err != nil {
		return nil, err
	}
	s.replayKey = replayKey
	return s, nil
}

// Ready reports whether the store answers and is migrated.
func (s *Service) Ready(ctx context.Context) error { return s.store.Ready(ctx) }

// Stats returns the store's gauges for /metrics.
func (s *Service) Stats(ctx context.Context) (idv.StoreStats, error) { return s.store.Stats(ctx) }

// WatchSessions calls fn with the id of every session whose change
// committed, on any replica, until ctx ends.
func (s *Service) WatchSessions(ctx context.Context, fn func(sessionID string)) error {
	return s.store.Subscribe(ctx, fn)
}

// RetryAfterError is wrapped by the CodeRateLimited *idv.Error of a
// refused resend: a new code may be asked for After from now.
type RetryAfterError struct {
	After time.Duration
}

// Error describes the wait.
func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s", e.After)
}

// RetryAfter returns the wait; the HTTP layer sets Retry-After from it.
func (e *RetryAfterError) RetryAfter() time.Duration { return e.After }

// token encoding: lower-case base32 without padding, URL safe and
// selected whole by a double click.
var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// randomString returns n random bytes from s.rand as lower-case base32.
func (s *Service) randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", fmt.Errorf("app: read random: %w", err)
	}
	return strings.ToLower(tokenEncoding.EncodeToString(b)), nil
}

// newID returns prefix followed by 128 random bits.
func (s *Service) newID(prefix string) (string, error) {
	r, err := s.randomString(16)
	if err != nil {
		return "", err
	}
	return prefix + r, nil
}

// internal wraps an unexpected error so that callers see CodeInternal.
func internal(what string, err error) error {
	var de *idv.Error
	if errors.As(err, &de) {
		return err
	}
	return &idv.Error{Code: idv.CodeInternal, Message: "internal error", Err: fmt.Errorf("%s: %w", what, err)}
}
