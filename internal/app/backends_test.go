package app_test

import (
	"context"
	"testing"

	"github.com/openidv/openidv/internal/postgres"
	"github.com/openidv/openidv/internal/postgres/pgtest"
)

// backends runs fn on SQLite and, when OPENIDV_TEST_POSTGRES_URL is set,
// on a fresh PostgreSQL database.
func backends(t *testing.T, fn func(t *testing.T, newEnv func(*testing.T, ...option) *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv) })
	t.Run("postgres", func(t *testing.T) {
		fn(t, func(t *testing.T, opts ...option) *env {
			t.Helper()
			st, err := postgres.Open(context.Background(), pgtest.Database(t, "openidv_app"))
			if err != nil {
				t.Fatalf("postgres.Open: %v", err)
			}
			return newEnvOn(t, st, opts...)
		})
	})
}
