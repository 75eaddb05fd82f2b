package app

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"hash/crc32"
	"strings"

	"github.com/openidv/openidv/internal/idv"
)

// ClientTokenPrefix starts every session client token.
const ClientTokenPrefix = "ct_"

// keySecretBytes is the randomness of an API key or client token.
const keySecretBytes = 32

// keySecretLen is the length of the base32 text of keySecretBytes.
var keySecretLen = tokenEncoding.EncodedLen(keySecretBytes)

// checksumLen is the length of the checksum that ends keys and client
// tokens made since the checksum was introduced: the CRC-32 (IEEE) of
// everything before it, big-endian, in lower-case base32.
var checksumLen = tokenEncoding.EncodedLen(crc32.Size)

// withChecksum appends the checksum of s to s.
func withChecksum(s string) string { return s + checksum(s) }

func checksum(s string) string {
	var b [crc32.Size]byte
	binary.BigEndian.PutUint32(b[:], crc32.ChecksumIEEE([]byte(s)))
	return strings.ToLower(tokenEncoding.EncodeToString(b[:]))
}

// keyPrefix returns the prefix of a key of kind and mode, e.g. private_sandbox_.
func keyPrefix(kind idv.KeyKind, sandbox bool) string {
	if sandbox {
		return string(kind) + "_sandbox_"
	}
	return string(kind) + "_"
}

// parseKey splits an API key into kind and mode and checks its shape
// before any database lookup.
func parseKey(secret string) (idv.KeyKind, bool, bool) {
	for _, kind := range []idv.KeyKind{idv.KeyPrivate, idv.KeyPublic} {
		for _, sandbox := range []bool{true, false} {
			rest, ok := strings.CutPrefix(secret, keyPrefix(kind, sandbox))
			if ok && validSecret(keyPrefix(kind, sandbox), rest) {
				return kind, sandbox, true
			}
		}
	}
	return "", false, false
}

// validSecret reports whether rest, which follows prefix, is lower-case
// base32 of keySecretBytes followed by its checksum, or without a checksum
// (the format of keys and tokens made before checksums; those are only
// known to be wrong once looked up).
func validSecret(prefix, rest string) bool {
	switch len(rest) {
	case keySecretLen:
		return base32Lower(rest)
	case keySecretLen + checksumLen:
		body := rest[:keySecretLen]
		return base32Lower(rest) && checksum(prefix+body) == rest[keySecretLen:]
	}
	return false
}

// base32Lower reports whether s holds only lower-case base32 letters.
func base32Lower(s string) bool {
	for i := range len(s) {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func unauthorized() error {
	return idv.Errorf(idv.CodeUnauthorized, "A valid API key is required (Authorization: Bearer <key>).")
}

// Authenticate checks an API key (private_…, public_…, and their _sandbox_
// forms). A missing, malformed, unknown or revoked key is CodeUnauthorized;
// a key whose checksum does not match is refused before any lookup.
func (s *Service) Authenticate(ctx context.Context, bearer string) (Principal, error) {
	kind, sandbox, ok := parseKey(bearer)
	if !ok {
		return Principal{}, unauthorized()
	}
	key, err := s.apiKey(ctx, bearer)
	if idv.ErrorCode(err) == idv.CodeNotFound {
		return Principal{}, unauthorized()
	}
	if err != nil {
		return Principal{}, internal("read api key", err)
	}
	if key.RevokedAt != nil || key.Kind != kind || key.Sandbox != sandbox {
		return Principal{}, unauthorized()
	}
	pk := PrincipalPublicKey
	if kind == idv.KeyPrivate {
		pk = PrincipalPrivateKey
	}
	return Principal{Kind: pk, KeyID: key.ID, Sandbox: sandbox}, nil
}

// apiKey reads the key whose secret is bearer, from the cache while fresh.
func (s *Service) apiKey(ctx context.Context, bearer string) (idv.APIKey, error) {
	hash := sha256.Sum256([]byte(bearer))
	now := s.now()
	if key, ok := s.apiKeys.get(hash, now); ok {
		return key, nil
	}
	key, err := s.store.APIKeyByHash(ctx, hash[:])
	if err != nil {
		return idv.APIKey{}, err
	}
	s.apiKeys.put(hash, key, now)
	return key, nil
}

// AuthenticateSession accepts an API key, or the client token of session
// sessionID. Any other token is CodeNotFound, as if the session did not
// exist; one whose checksum does not match is refused before the session
// is read. What each principal may then do is decided by the use case
// (see access).
func (s *Service) AuthenticateSession(ctx context.Context, bearer, sessionID string) (Principal, error) {
	rest, ok := strings.CutPrefix(bearer, ClientTokenPrefix)
	if !ok {
		return s.Authenticate(ctx, bearer)
	}
	if !validSecret(ClientTokenPrefix, rest) {
		return Principal{}, notFound()
	}
	sess, err := s.store.Session(ctx, sessionID)
	if idv.ErrorCode(err) == idv.CodeNotFound {
		return Principal{}, notFound()
	}
	if err != nil {
		return Principal{}, internal("read session", err)
	}
	if len(sess.ClientTokenHash) == 0 || subtle.ConstantTimeCompare(hashSecret(bearer), sess.ClientTokenHash) != 1 {
		return Principal{}, notFound()
	}
	return Principal{Kind: PrincipalClientToken, SessionID: sess.ID, Sandbox: sess.Sandbox, read: &sess}, nil
}

// CreateAPIKey makes a key of kind and returns its secret, shown once;
// only its SHA-256 is stored.
func (s *Service) CreateAPIKey(ctx context.Context, kind idv.KeyKind, sandbox bool) (string, idv.APIKey, error) {
	if kind != idv.KeyPrivate && kind != idv.KeyPublic {
		return "", idv.APIKey{}, &idv.Error{Code: idv.CodeInvalid, Message: "kind must be private or public",
			Fields: []idv.FieldError{{Name: "kind", Message: "must be private or public"}}}
	}
	body, err := s.randomString(keySecretBytes)
	if err != nil {
		return "", idv.APIKey{}, internal("key secret", err)
	}
	id, err := s.newID("key_")
	if err != nil {
		return "", idv.APIKey{}, internal("key id", err)
	}
	secret := withChecksum(keyPrefix(kind, sandbox) + body)
	key := idv.APIKey{
		ID: id, Kind: kind, Sandbox: sandbox, Hash: hashSecret(secret),
		Hint: keyPrefix(kind, sandbox) + "…" + body[len(body)-4:], CreatedAt: s.now(),
	}
	err = s.store.InTx(ctx, func(tx idv.Tx) error { return tx.CreateAPIKey(ctx, key) })
	if err != nil {
		return "", idv.APIKey{}, internal("create api key", err)
	}
	return secret, key, nil
}

// EnsureAdminKey makes the first private (live) key when the store has no
// key at all; created is false, and secret empty, otherwise.
func (s *Service) EnsureAdminKey(ctx context.Context) (secret string, created bool, err error) {
	n, err := s.store.CountAPIKeys(ctx)
	if err != nil {
		return "", false, internal("count api keys", err)
	}
	if n > 0 {
		return "", false, nil
	}
	secret, _, err = s.CreateAPIKey(ctx, idv.KeyPrivate, false)
	if err != nil {
		return "", false, err
	}
	return secret, true, nil
}

// Permit is the check of every session route that the HTTP layer makes
// before it reads the request body: p may at least make the applicant's
// calls on session id (a public key may not; another session's token finds
// nothing). Like permit, it reads nothing, so it tells nothing about
// whether the session exists; use cases still check what they need.
func (p Principal) Permit(id string) error { return permit(p, id, accessApplicant) }
