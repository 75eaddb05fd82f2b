package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/openidv/openidv/internal/idv"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
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

// pending fails when an embedded migration is not applied. It only reads,
// so it works on the read-only pool.
func pending(ctx context.Context, db *sql.DB) error {
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrationsFS())
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	st, err := database.NewStore(goose.DialectSQLite3, goose.DefaultTablename)
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	applied, err := st.ListMigrations(ctx, db)
	if err != nil {
		return &idv.Error{Code: idv.CodeInternal, Message: "database not migrated", Err: err}
	}
	done := map[int64]bool{}
	for _, m := range applied { // newest first: the first row of a version wins
		if _, seen := done[m.Version]; !seen {
			done[m.Version] = m.IsApplied
		}
	}
	for _, src := range p.ListSources() {
		if !done[src.Version] {
			return idv.Errorf(idv.CodeInternal, "database migration %d is pending", src.Version)
		}
	}
	return nil
}
