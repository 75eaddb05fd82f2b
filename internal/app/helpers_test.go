package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/seal"
	"github.com/openidv/openidv/internal/sqlite"
)

// clock is a fake clock safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// inbox is a real in-memory sender of SMS and email that records every
// message; fail makes the next sends fail.
type inbox struct {
	mu   sync.Mutex
	msgs []idv.Message
	fail error
}

func (b *inbox) SendSMS(_ context.Context, m idv.Message) error   { return b.add(m) }
func (b *inbox) SendEmail(_ context.Context, m idv.Message) error { return b.add(m) }

func (b *inbox) add(m idv.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.msgs = append(b.msgs, m)
	return nil
}

func (b *inbox) all() []idv.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]idv.Message(nil), b.msgs...)
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// lastCode returns the code of the latest message sent to `to`.
func (b *inbox) lastCode(t *testing.T, to string) string {
	t.Helper()
	msgs := b.all()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == to {
			if c := codeRE.FindString(msgs[i].Body); c != "" {
				return c
			}
		}
	}
	t.Fatalf("no code sent to %q; inbox has %d messages", to, len(msgs))
	return ""
}

// testStore is a store the tests can migrate.
type testStore interface {
	idv.Store
	Migrate(ctx context.Context) error
}

// env is one service over a real store: SQLite in a temp dir, or a fresh
// PostgreSQL database (see onPostgres).
type env struct {
	svc     *app.Service
	store   testStore
	clock   *clock
	inbox   *inbox
	dbPath  string
	deps    app.Deps
	private app.Principal
	public  app.Principal
	secrets map[string]string // principal kind → key secret
}

// option changes the service's dependencies.
type option func(*app.Deps)

// newEnv builds a service on SQLite.
func newEnv(t *testing.T, opts ...option) *env {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "openidv.db")
	store, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	e := newEnvOn(t, store, opts...)
	e.dbPath = dbPath
	return e
}

// newEnvOn builds a service on store, migrating it and closing it at the
// end of the test.
func newEnvOn(t *testing.T, store testStore, opts ...option) *env {
	t.Helper()
	ctx := context.Background()
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	keys, err := seal.NewKeyring(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{store: store, clock: &clock{t: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}, inbox: &inbox{}}
	deps := app.Deps{
		Store: store, Keyring: keys, Levels: flow.DefaultLevels(), SMS: e.inbox, Email: e.inbox,
		Now: e.clock.Now, Rand: rand.Reader, Logger: slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(&deps)
	}
	e.deps = deps
	if e.svc, err = app.New(deps); err != nil {
		t.Fatalf("app.New: %v", err)
	}
	e.secrets = map[string]string{}
	e.private = e.key(t, idv.KeyPrivate, false)
	e.public = e.key(t, idv.KeyPublic, false)
	return e
}

// restart replaces the service with one built on the same store and keys
// but other levels, as after a configuration change.
func (e *env) restart(t *testing.T, levels []idv.Level) {
	t.Helper()
	deps := e.deps
	deps.Levels = levels
	svc, err := app.New(deps)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	e.svc = svc
}

// key creates an API key and authenticates with it.
func (e *env) key(t *testing.T, kind idv.KeyKind, sandbox bool) app.Principal {
	t.Helper()
	ctx := context.Background()
	secret, _, err := e.svc.CreateAPIKey(ctx, kind, sandbox)
	if err != nil {
		t.Fatalf("CreateAPIKey: %v", err)
	}
	p, err := e.svc.Authenticate(ctx, secret)
	if err != nil {
		t.Fatalf("Authenticate(new key): %v", err)
	}
	e.secrets[string(p.Kind)+map[bool]string{true: "/sandbox"}[sandbox]] = secret
	return p
}

// create makes a session and returns it with its client-token principal.
func (e *env) create(t *testing.T, p app.Principal, in app.NewSession) (app.CreatedSession, app.Principal) {
	t.Helper()
	ctx := context.Background()
	cs, err := e.svc.CreateSession(ctx, p, in)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	tok, err := e.svc.AuthenticateSession(ctx, cs.ClientToken, cs.SessionID)
	if err != nil {
		t.Fatalf("AuthenticateSession(own token): %v", err)
	}
	tok = tok.Detached() // kept across the test's calls
	return cs, tok
}

// contactSession creates a session of level contact with an applicant.
func (e *env) contactSession(t *testing.T) (app.CreatedSession, app.Principal) {
	t.Helper()
	return e.create(t, e.private, app.NewSession{KYCLevel: "contact", Applicant: idv.Applicant{
		FirstName: "Ada", LastName: "Lovelace", PhoneNumber: "+44 7911 123456", EmailAddress: "ada@example.org",
	}})
}

// wantCode fails unless err is an *idv.Error with code want (nil: no error).
func wantCode(t *testing.T, what string, err error, want idv.Code) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("%s: got error %v, want none", what, err)
		}
		return
	}
	var de *idv.Error
	if !errors.As(err, &de) {
		t.Fatalf("%s: got %v, want *idv.Error %s", what, err, want)
	}
	if de.Code != want {
		t.Fatalf("%s: got code %s (%v), want %s", what, de.Code, err, want)
	}
}
