package app_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/openidv/openidv/internal/postgres"
)

// postgresEnv names the server the PostgreSQL runs use.
const postgresEnv = "OPENIDV_TEST_POSTGRES_URL"

// backends runs fn on SQLite and, when OPENIDV_TEST_POSTGRES_URL is set,
// on a fresh PostgreSQL database.
func backends(t *testing.T, fn func(t *testing.T, newEnv func(*testing.T, ...option) *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv) })
	t.Run("postgres", func(t *testing.T) {
		fn(t, func(t *testing.T, opts ...option) *env {
			t.Helper()
			st, err := postgres.Open(context.Background(), postgresDatabase(t))
			if err != nil {
				t.Fatalf("postgres.Open: %v", err)
			}
			return newEnvOn(t, st, opts...)
		})
	})
}

// postgresDatabase creates a database for the test, dropped at its end,
// and returns its URL; it skips the test when the server is not set.
func postgresDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv(postgresEnv)
	if admin == "" {
		t.Skipf("%s is not set", postgresEnv)
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	name := "openidv_app_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
