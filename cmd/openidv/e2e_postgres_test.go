package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/openidv/openidv/internal/postgres/pgtest"
)

// e2ePostgresDatabase creates a fresh database on the server of
// OPENIDV_TEST_POSTGRES_URL, dropped when the test ends, and returns its
// URL. It skips the test when the variable is not set.
func e2ePostgresDatabase(t *testing.T) string {
	t.Helper()
	if os.Getenv(pgtest.EnvURL) != "" {
		e2eBinary(t) // skip or build before touching the database
	}
	return pgtest.Database(t, "openidv_e2e")
}

// e2eRandomHex returns n random bytes in hex.
func e2eRandomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// startServerOn starts a server on SQLite when databaseURL is empty, else
// on PostgreSQL at databaseURL.
func startServerOn(t *testing.T, databaseURL string, opts serverOptions) *e2eServer {
	t.Helper()
	if databaseURL != "" {
		return startPostgresServer(t, databaseURL, opts)
	}
	return startServer(t, opts)
}

// startPostgresServer starts a server on databaseURL.
func startPostgresServer(t *testing.T, databaseURL string, opts serverOptions) *e2eServer {
	t.Helper()
	opts.Env = append(opts.Env, "OPENIDV_DATABASE_URL="+databaseURL)
	s, err := tryStartServer(t, opts)
	if err != nil {
		t.Fatalf("starting openidv serve on PostgreSQL: %v\n%s", err, s.logs())
	}
	return s
}
