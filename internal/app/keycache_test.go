package app_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// TestRevokedKeyStopsWorkingWithinTheCacheTTL revokes a key in the
// database behind the service's back (as another replica or an operator
// would) and checks that it answers 401 once the cached entry is stale.
func TestRevokedKeyStopsWorkingWithinTheCacheTTL(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	secret := e.secrets[string(e.private.Kind)]
	db, err := sql.Open("sqlite", "file:"+e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `UPDATE api_keys SET revoked_at = 1 WHERE id = ?`, e.private.KeyID); err != nil {
		t.Fatal(err)
	}

	if _, err := e.svc.Authenticate(ctx, secret); err != nil {
		t.Fatalf("within the cache TTL: got %v, want the cached key to still authenticate", err)
	}
	e.clock.Add(6 * time.Second)
	_, err = e.svc.Authenticate(ctx, secret)
	wantCode(t, "revoked key after the TTL", err, idv.CodeUnauthorized)
}
