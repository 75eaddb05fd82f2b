// Package whsecret keeps the signing secrets of webhook endpoints sealed at
// rest. Each endpoint gets its own data key, wrapped by the master key and
// bound to the endpoint id (the same envelope as session data keys, so a
// master key rotation rewraps it); the secrets are sealed with that key.
//
// An endpoint has one current secret and, for 24 hours after a rotation,
// the previous one: both sign every webhook meanwhile.
package whsecret

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/openidv/openidv/internal/seal"
	"github.com/openidv/openidv/webhooksig"
)

// KeySize is the number of random bytes of a new secret.
const KeySize = 32

// RotationOverlap is how long a replaced secret keeps signing.
const RotationOverlap = 24 * time.Hour

// Secret is one signing secret in its whsec_ form.
type Secret struct {
	Key     string     `json:"key"`
	Expires *time.Time `json:"expires,omitempty"` // nil: the current secret
}

// New draws a whsec_ secret of KeySize bytes from rand.
func New(rand io.Reader) (string, error) {
	b := make([]byte, KeySize)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("whsecret: draw secret: %w", err)
	}
	return webhooksig.NewSecret(b), nil
}

// aad binds sealed secrets to their endpoint.
func aad(endpointID string) []byte { return seal.AAD("webhook-endpoint-secrets", endpointID) }

// Seal seals secrets for the endpoint. wrapped is the endpoint's wrapped
// data key, or nil to make one; the (possibly new) wrapped key is returned
// with the sealed secrets.
func Seal(keys *seal.Keyring, endpointID string, wrapped []byte, secrets []Secret, rand io.Reader) (outWrapped, sealed []byte, err error) {
	var dk seal.DataKey
	if wrapped == nil {
		dk, wrapped, err = keys.NewDataKey(endpointID, rand)
	} else {
		dk, err = keys.Unwrap(endpointID, wrapped)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("whsecret: data key: %w", err)
	}
	plain, err := json.Marshal(secrets)
	if err != nil {
		return nil, nil, fmt.Errorf("whsecret: encode: %w", err)
	}
	sealed, err = dk.Seal(plain, aad(endpointID))
	if err != nil {
		return nil, nil, fmt.Errorf("whsecret: seal: %w", err)
	}
	return wrapped, sealed, nil
}

// Open returns the endpoint's secrets.
func Open(keys *seal.Keyring, endpointID string, wrapped, sealed []byte) ([]Secret, error) {
	dk, err := keys.Unwrap(endpointID, wrapped)
	if err != nil {
		return nil, fmt.Errorf("whsecret: data key: %w", err)
	}
	plain, err := dk.Open(sealed, aad(endpointID))
	if err != nil {
		return nil, fmt.Errorf("whsecret: open: %w", err)
	}
	var out []Secret
	if err := json.Unmarshal(plain, &out); err != nil {
		return nil, fmt.Errorf("whsecret: decode: %w", err)
	}
	return out, nil
}

// Signing returns the secrets that sign at now: the current one first,
// then replaced ones not yet expired.
func Signing(secrets []Secret, now time.Time) []string {
	var out []string
	for _, s := range secrets {
		if s.Expires == nil || now.Before(*s.Expires) {
			out = append(out, s.Key)
		}
	}
	return out
}

// Rotate makes next the current secret; the current one keeps signing
// until now+RotationOverlap, and expired ones are dropped.
func Rotate(secrets []Secret, next string, now time.Time) []Secret {
	out := []Secret{{Key: next}}
	until := now.Add(RotationOverlap)
	for _, s := range secrets {
		switch {
		case s.Expires == nil:
			out = append(out, Secret{Key: s.Key, Expires: &until})
		case now.Before(*s.Expires):
			out = append(out, s)
		}
	}
	return out
}
