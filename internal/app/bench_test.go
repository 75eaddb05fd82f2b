package app_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

// benchService builds a service on a fresh SQLite store.
func benchService(b *testing.B) *app.Service {
	b.Helper()
	return idvtest.NewEnv(b).Svc
}

// BenchmarkAuthenticatedPreflight is what GET preflight costs below HTTP:
// the client token check and the preflight, on SQLite. "encode" builds
// the view and encodes it on every call (what the handler did before the
// cache); "cached" is PreflightJSON, which the handler calls now.
func BenchmarkAuthenticatedPreflight(b *testing.B) {
	svc := benchService(b)
	ctx := context.Background()
	secret, _, err := svc.CreateAPIKey(ctx, idv.KeyPrivate, false)
	if err != nil {
		b.Fatal(err)
	}
	admin, err := svc.Authenticate(ctx, secret)
	if err != nil {
		b.Fatal(err)
	}
	cs, err := svc.CreateSession(ctx, admin, app.NewSession{KYCLevel: "contact"})
	if err != nil {
		b.Fatal(err)
	}
	modes := []struct {
		name string
		get  func(p app.Principal) error
	}{
		{"encode", func(p app.Principal) error {
			pf, err := svc.Preflight(ctx, p, cs.SessionID)
			if err == nil {
				_, err = json.Marshal(pf)
			}
			return err
		}},
		{"cached", func(p app.Principal) error {
			_, err := svc.PreflightJSON(ctx, p, cs.SessionID)
			return err
		}},
	}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					p, err := svc.AuthenticateSession(ctx, cs.ClientToken, cs.SessionID)
					if err == nil {
						err = m.get(p)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
