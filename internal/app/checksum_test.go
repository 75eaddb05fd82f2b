package app_test

import (
	"context"
	"crypto/sha256"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

// lookupCounter counts the store reads that authentication may make.
type lookupCounter struct {
	idv.Store
	keys, sessions atomic.Int32
}

func (c *lookupCounter) APIKeyByHash(ctx context.Context, hash []byte) (idv.APIKey, error) {
	c.keys.Add(1)
	return c.Store.APIKeyByHash(ctx, hash)
}

func (c *lookupCounter) Session(ctx context.Context, id string) (idv.Session, error) {
	c.sessions.Add(1)
	return c.Store.Session(ctx, id)
}

// flip changes the character of s at i to another base32 letter.
func flip(s string, i int) string {
	c := byte('a')
	if s[i] == 'a' {
		c = 'b'
	}
	return s[:i] + string(c) + s[i+1:]
}

// TestKeyChecksum checks that keys and client tokens end with a checksum
// that is checked before any store lookup, and that keys made before the
// checksum (without one) still work.
func TestKeyChecksum(t *testing.T) {
	var counter *lookupCounter
	e := idvtest.NewEnv(t, func(d *app.Deps) {
		counter = &lookupCounter{Store: d.Store}
		d.Store = counter
	})
	ctx := context.Background()
	key := e.Secrets[string(app.PrincipalPrivateKey)]
	if got, want := len(key), len("private_")+52+7; got != want {
		t.Fatalf("len(private key) = %d, want %d (52 characters of secret and 7 of checksum)", got, want)
	}
	cs, _ := e.ContactSession(t)
	if got, want := len(cs.ClientToken), len("ct_")+52+7; got != want {
		t.Fatalf("len(client token) = %d, want %d", got, want)
	}
	legacy := "private_" + strings.Repeat("q", 52)
	h := sha256.Sum256([]byte(legacy))
	err := e.Store.InTx(ctx, func(tx idv.Tx) error {
		return tx.CreateAPIKey(ctx, idv.APIKey{ID: "key_legacy", Kind: idv.KeyPrivate, Hash: h[:], Hint: "private_…qqqq", CreatedAt: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		bearer      string
		wantErr     idv.Code
		wantLookups int32
	}{
		{"key", key, "", 0}, // cached since it was made
		{"legacy key without checksum", legacy, "", 1},
		{"unknown legacy-format key", "private_" + strings.Repeat("z", 52), idv.CodeUnauthorized, 1},
		{"one character of the secret changed", flip(key, len("private_")+3), idv.CodeUnauthorized, 0},
		{"one character of the checksum changed", flip(key, len(key)-1), idv.CodeUnauthorized, 0},
		{"checksum of another kind", "public_" + key[len("private_"):], idv.CodeUnauthorized, 0},
		{"checksum missing a character", key[:len(key)-1], idv.CodeUnauthorized, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := counter.keys.Load()
			_, err := e.Svc.Authenticate(ctx, tt.bearer)
			wantCode(t, "Authenticate", err, tt.wantErr)
			if got := counter.keys.Load() - before; got != tt.wantLookups {
				t.Errorf("key lookups = %d, want %d", got, tt.wantLookups)
			}
		})
	}
	for name, tok := range map[string]string{
		"token with a changed character": flip(cs.ClientToken, len("ct_")+5),
		"token with a changed checksum":  flip(cs.ClientToken, len(cs.ClientToken)-2),
	} {
		before := counter.sessions.Load()
		_, err := e.Svc.AuthenticateSession(ctx, tok, cs.SessionID)
		wantCode(t, name, err, idv.CodeNotFound)
		if got := counter.sessions.Load() - before; got != 0 {
			t.Errorf("%s: session lookups = %d, want 0", name, got)
		}
	}
	if _, err := e.Svc.AuthenticateSession(ctx, cs.ClientToken, cs.SessionID); err != nil {
		t.Errorf("the token itself: %v", err)
	}
}

// BenchmarkAuthenticateUnknownKey compares refusing a guessed key whose
// checksum is wrong (no lookup) with refusing an unknown key of the old
// format, which still costs a store read.
func BenchmarkAuthenticateUnknownKey(b *testing.B) {
	svc := benchService(b)
	ctx := context.Background()
	good, _, err := svc.CreateAPIKey(ctx, idv.KeyPrivate, false)
	if err != nil {
		b.Fatal(err)
	}
	for name, bearer := range map[string]string{
		"bad_checksum":       flip(good, len("private_")+3),
		"unknown_old_format": "private_" + strings.Repeat("z", 52),
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Authenticate(ctx, bearer); idv.ErrorCode(err) != idv.CodeUnauthorized {
					b.Fatalf("Authenticate: %v", err)
				}
			}
		})
	}
}
