package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/openidv/openidv/internal/sqlmigrate"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

func migrationsFS() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embedded directory is fixed at build time
	}
	return sub
}

// provider returns a goose provider whose advisory lock is scoped to the
// schema, so that separate schemas (tests, tenants) migrate independently.
func provider(db *sql.DB, schema string) (*goose.Provider, error) {
	h := fnv.New64a()
	h.Write([]byte("openidv-migrate:" + schema))
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64()>>1)),
		lock.WithLockTimeout(1, 300),
	)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrationsFS(), goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return p, nil
}

// pending fails when an embedded migration is not applied. It only reads.
func pending(ctx context.Context, db *sql.DB) error {
	return sqlmigrate.Pending(ctx, db, goose.DialectPostgres, migrationsFS())
}
