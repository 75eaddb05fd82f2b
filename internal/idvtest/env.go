package idvtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"testing"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/seal"
)

// MasterKey is the master key of every Env's keyring.
var MasterKey = bytes.Repeat([]byte{7}, seal.KeySize)

// Env is one app.Service over a real, migrated store, with a private and a
// public API key made through the service.
type Env struct {
	Svc    *app.Service
	Store  Store
	Clock  *Clock // the service's clock; starts at Start
	Inbox  *Inbox // the service's SMS and email sender
	DBPath string // the SQLite file; "" on PostgreSQL
	Deps   app.Deps
	// Private and Public authenticate with the keys made at start.
	Private, Public app.Principal
	// Secrets holds the secret of every key Key made, by principal kind,
	// with "/sandbox" appended for sandbox keys (e.g. "private_key").
	Secrets map[string]string
}

// Option changes the service's dependencies before it is built.
type Option func(*app.Deps)

// Seeded makes the service's randomness deterministic (see NewRand).
func Seeded(seed byte) Option {
	return func(d *app.Deps) { d.Rand = NewRand(seed) }
}

// NewEnv builds an Env on a fresh SQLite store in the test's temporary
// directory.
func NewEnv(t testing.TB, opts ...Option) *Env {
	t.Helper()
	return Backends("")[0].NewEnv(t, opts...)
}

// NewEnvOn builds an Env on st, a store just opened, which it migrates and
// closes when the test ends (see Prepare). The service uses the default
// levels, the Env's clock and inbox, crypto/rand (see Seeded) and a
// discarding logger, unless opts change them.
func NewEnvOn(t testing.TB, st Store, opts ...Option) *Env {
	t.Helper()
	Prepare(t, st)
	keys, err := seal.NewKeyring(MasterKey)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Store: st, Clock: NewClock(Start), Inbox: &Inbox{}, Secrets: map[string]string{}}
	e.Deps = app.Deps{
		Store: st, Keyring: keys, Levels: flow.DefaultLevels(), SMS: e.Inbox, Email: e.Inbox,
		Now: e.Clock.Now, Rand: rand.Reader, Logger: slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		o(&e.Deps)
	}
	if e.Svc, err = app.New(e.Deps); err != nil {
		t.Fatalf("app.New: %v", err)
	}
	e.Private = e.Key(t, idv.KeyPrivate, false)
	e.Public = e.Key(t, idv.KeyPublic, false)
	return e
}

// Restart replaces the service with one built on the same store and keys
// but other levels, as after a configuration change.
func (e *Env) Restart(t testing.TB, levels []idv.Level) {
	t.Helper()
	deps := e.Deps
	deps.Levels = levels
	svc, err := app.New(deps)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	e.Svc = svc
}

// Key creates an API key, records its secret in Secrets and returns the
// principal it authenticates as.
func (e *Env) Key(t testing.TB, kind idv.KeyKind, sandbox bool) app.Principal {
	t.Helper()
	ctx := context.Background()
	secret, _, err := e.Svc.CreateAPIKey(ctx, kind, sandbox)
	if err != nil {
		t.Fatalf("CreateAPIKey: %v", err)
	}
	p, err := e.Svc.Authenticate(ctx, secret)
	if err != nil {
		t.Fatalf("Authenticate(new key): %v", err)
	}
	name := string(p.Kind)
	if sandbox {
		name += "/sandbox"
	}
	e.Secrets[name] = secret
	return p
}

// Create makes a session as p and returns it with its client-token
// principal (detached, so it can be kept across calls).
func (e *Env) Create(t testing.TB, p app.Principal, in app.NewSession) (app.CreatedSession, app.Principal) {
	t.Helper()
	ctx := context.Background()
	cs, err := e.Svc.CreateSession(ctx, p, in)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	tok, err := e.Svc.AuthenticateSession(ctx, cs.ClientToken, cs.SessionID)
	if err != nil {
		t.Fatalf("AuthenticateSession(own token): %v", err)
	}
	return cs, tok.Detached()
}

// ContactSession creates, with the private key, a session of level
// contact whose applicant has a phone number and an email address.
func (e *Env) ContactSession(t testing.TB) (app.CreatedSession, app.Principal) {
	t.Helper()
	return e.Create(t, e.Private, app.NewSession{KYCLevel: "contact", Applicant: idv.Applicant{
		FirstName: "Ada", LastName: "Lovelace", PhoneNumber: "+44 7911 123456", EmailAddress: "ada@example.org",
	}})
}
