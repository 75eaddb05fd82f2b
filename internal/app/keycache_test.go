package app_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

// TestRevokedKeyStopsWorkingWithinTheCacheTTL revokes a key in the
// database behind the service's back (as another replica or an operator
// would) and checks that it answers 401 once the cached entry is stale.
func TestRevokedKeyStopsWorkingWithinTheCacheTTL(t *testing.T) {
	e := idvtest.NewEnv(t)
	ctx := context.Background()
	secret := e.Secrets[string(e.Private.Kind)]
	db, err := sql.Open("sqlite", "file:"+e.DBPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `UPDATE api_keys SET revoked_at = 1 WHERE id = ?`, e.Private.KeyID); err != nil {
		t.Fatal(err)
	}

	if _, err := e.Svc.Authenticate(ctx, secret); err != nil {
		t.Fatalf("within the cache TTL: got %v, want the cached key to still authenticate", err)
	}
	e.Clock.Add(6 * time.Second)
	_, err = e.Svc.Authenticate(ctx, secret)
	wantCode(t, "revoked key after the TTL", err, idv.CodeUnauthorized)
}
