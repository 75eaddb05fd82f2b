package idvtest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/postgres"
	"github.com/openidv/openidv/internal/postgres/pgtest"
	"github.com/openidv/openidv/internal/sqlite"
)

// Store is a store the tests can migrate; both SQL stores are one.
type Store interface {
	idv.Store
	Migrate(ctx context.Context) error
}

var (
	_ Store = (*sqlite.Store)(nil)
	_ Store = (*postgres.Store)(nil)
)

// Prepare migrates st and closes it when the test ends.
func Prepare(t testing.TB, st Store) Store {
	t.Helper()
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st
}

// SQLite opens a migrated SQLite store in a file of the test's temporary
// directory.
func SQLite(t testing.TB) Store {
	t.Helper()
	return SQLiteAt(t, filepath.Join(t.TempDir(), "openidv.db"))
}

// SQLiteAt opens a migrated SQLite store in the file path.
func SQLiteAt(t testing.TB, path string) Store {
	t.Helper()
	return Prepare(t, openSQLite(t, path))
}

// Postgres opens a migrated PostgreSQL store on a fresh database named
// prefix_<random>, dropped when the test ends. Without
// OPENIDV_TEST_POSTGRES_URL the test is skipped (see pgtest).
func Postgres(t testing.TB, prefix string) Store {
	t.Helper()
	return Prepare(t, openPostgres(t, prefix))
}

func openSQLite(t testing.TB, path string) Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	return st
}

func openPostgres(t testing.TB, prefix string) Store {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.Database(t, prefix))
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	return st
}

// Backend is one kind of store the tests run on.
type Backend struct {
	// Name is the subtest's name: "sqlite" or "postgres".
	Name string
	// open returns a fresh store, not yet migrated, and its SQLite file.
	open func(t testing.TB) (Store, string)
}

// Backends returns SQLite and PostgreSQL; prefix names the PostgreSQL
// databases (e.g. "openidv_app").
func Backends(prefix string) []Backend {
	return []Backend{
		{Name: "sqlite", open: func(t testing.TB) (Store, string) {
			path := filepath.Join(t.TempDir(), "openidv.db")
			return openSQLite(t, path), path
		}},
		{Name: "postgres", open: func(t testing.TB) (Store, string) { return openPostgres(t, prefix), "" }},
	}
}

// Open returns a fresh migrated store of the backend, closed when the test
// ends.
func (b Backend) Open(t testing.TB) Store {
	t.Helper()
	st, _ := b.open(t)
	return Prepare(t, st)
}

// NewEnv builds an Env on a fresh store of the backend; on SQLite its
// DBPath names the database file.
func (b Backend) NewEnv(t testing.TB, opts ...Option) *Env {
	t.Helper()
	st, path := b.open(t)
	e := NewEnvOn(t, st, opts...)
	e.DBPath = path
	return e
}

// EachBackend runs fn as one subtest per backend: on SQLite, and on
// PostgreSQL when OPENIDV_TEST_POSTGRES_URL is set (skipped otherwise).
func EachBackend(t *testing.T, prefix string, fn func(t *testing.T, b Backend)) {
	for _, b := range Backends(prefix) {
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// EachStore runs fn as one subtest per backend with a fresh migrated store.
func EachStore(t *testing.T, prefix string, fn func(t *testing.T, st Store)) {
	EachBackend(t, prefix, func(t *testing.T, b Backend) { fn(t, b.Open(t)) })
}
