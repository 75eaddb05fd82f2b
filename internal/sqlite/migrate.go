package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/openidv/openidv/internal/sqlmigrate"
	"github.com/pressly/goose/v3"
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

// Migrate applies every pending embedded migration. It uses its own
// connection, so it may run while the store serves (the writer waits on the
// file lock for up to the busy timeout).
func (s *Store) Migrate(ctx context.Context) error {
	db, err := openDB(ctx, s.path, s.cfg, false)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrationsFS())
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// pending fails when an embedded migration is not applied. It only reads.
func pending(ctx context.Context, db *sql.DB) error {
	return sqlmigrate.Pending(ctx, db, goose.DialectSQLite3, migrationsFS())
}
