// Package sqlmigrate holds what the SQL store adapters share about their
// embedded goose migrations: each adapter keeps its own migration files
// (one set per dialect, same numbers), and both ask the same question of
// them at readiness time.
package sqlmigrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"

	"github.com/openidv/openidv/internal/idv"
)

// Pending fails when a migration of migrations is not applied to db. It only
// reads, so it works on a read-only connection pool.
func Pending(ctx context.Context, db *sql.DB, dialect goose.Dialect, migrations fs.FS) error {
	p, err := goose.NewProvider(dialect, db, migrations)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	st, err := database.NewStore(dialect, goose.DefaultTablename)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
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
