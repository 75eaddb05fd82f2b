package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// e2ePostgresEnv names the PostgreSQL server the Postgres tests use.
const e2ePostgresEnv = "OPENIDV_TEST_POSTGRES_URL"

// e2ePostgresDatabase creates a fresh database on the server of
// OPENIDV_TEST_POSTGRES_URL, drops it (with FORCE) when the test ends, and
// returns its URL. It skips the test when the variable is not set.
func e2ePostgresDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv(e2ePostgresEnv)
	if admin == "" {
		t.Skipf("%s is not set; set it (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL end-to-end tests", e2ePostgresEnv)
	}
	e2eBinary(t) // skip or build before touching the database
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", e2ePostgresEnv, err)
	}
	name := "openidv_e2e_" + e2eRandomHex(t, 8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connecting to %s: %v", e2ePostgresEnv, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("CREATE DATABASE %s: %v", name, err)
	}
	t.Cleanup(func() { e2eDropDatabase(t, admin, name) })
	u.Path = "/" + name
	return u.String()
}

// e2eDropDatabase drops name, disconnecting any server left connected.
func e2eDropDatabase(t *testing.T, admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Errorf("dropping %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Errorf("DROP DATABASE %s: %v", name, err)
	}
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

// startPostgresServer starts a server on databaseURL. When the binary says
// it was built without PostgreSQL support, the test is skipped with that
// message; any other failure to start fails it.
func startPostgresServer(t *testing.T, databaseURL string, opts serverOptions) *e2eServer {
	t.Helper()
	opts.Env = append(opts.Env, "OPENIDV_DATABASE_URL="+databaseURL)
	s, err := tryStartServer(t, opts)
	if err == nil {
		return s
	}
	if s.Exited() && strings.Contains(s.Stderr(), "not built into this binary") {
		t.Skipf("openidv serve cannot use PostgreSQL yet (cmd/openidv/wire.go openPostgres is not wired to internal/postgres): %s",
			lastLine(s.Stderr()))
	}
	t.Fatalf("starting openidv serve on PostgreSQL: %v\n%s", err, s.logs())
	return nil
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
