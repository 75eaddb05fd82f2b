package seal

import (
	"bytes"
	"crypto/cipher"
	"errors"
	"fmt"
)

// DataKey is one session's data key, ready to seal and open. The zero value
// refuses to work. It is safe for concurrent use.
type DataKey struct {
	aead cipher.AEAD
	raw  *[KeySize]byte // input of the per-blob key derivation (blob.go)
}

// SealedOverhead is how many bytes Seal adds to the plaintext.
const SealedOverhead = 1 + gcmOverhead

// newDataKey builds a DataKey from 32 raw bytes.
func newDataKey(raw []byte) (DataKey, error) {
	if len(raw) != KeySize {
		return DataKey{}, fmt.Errorf("seal: data key: want %d bytes, got %d", KeySize, len(raw))
	}
	aead, err := newAEAD(raw)
	if err != nil {
		return DataKey{}, fmt.Errorf("seal: data key: %w", err)
	}
	return DataKey{aead: aead, raw: (*[KeySize]byte)(bytes.Clone(raw))}, nil
}

// errZeroKey is returned by a zero DataKey.
var errZeroKey = errors.New("seal: zero DataKey")

// sealedAAD is the additional data actually authenticated: the version byte
// followed by the caller's aad.
func sealedAAD(version byte, aad []byte) []byte {
	out := make([]byte, 0, 1+len(aad))
	out = append(out, version)
	return append(out, aad...)
}

// Seal encrypts and authenticates plaintext with AES-256-GCM under a fresh
// random nonce. aad is authenticated but not stored: Open needs the same aad.
// Pass what identifies the value's place, e.g. "session/<id>/email", so that
// a sealed value cannot be swapped with another row's or field's. The result
// is a version byte, the nonce, the ciphertext and the tag.
func (d DataKey) Seal(plaintext, aad []byte) ([]byte, error) {
	if d.aead == nil {
		return nil, errZeroKey
	}
	out := make([]byte, 1, SealedOverhead+len(plaintext))
	out[0] = versionSealed
	return d.aead.Seal(out, nil, plaintext, sealedAAD(versionSealed, aad)), nil
}

// Open authenticates and decrypts a value made by Seal with the same aad.
// Any change to sealed or aad, or another key, makes it fail with an
// internal *idv.Error (see IsUnreadable) and no plaintext.
func (d DataKey) Open(sealed, aad []byte) ([]byte, error) {
	if d.aead == nil {
		return nil, errZeroKey
	}
	if len(sealed) < SealedOverhead || sealed[0] != versionSealed {
		return nil, unreadable(fmt.Errorf("%w: malformed sealed value", errUnreadable))
	}
	plain, err := d.aead.Open(nil, nil, sealed[1:], sealedAAD(sealed[0], aad))
	if err != nil {
		return nil, unreadable(errUnreadable)
	}
	return plain, nil
}

// SealString seals s; a convenience for text columns.
func (d DataKey) SealString(s string, aad []byte) ([]byte, error) {
	return d.Seal([]byte(s), aad)
}

// OpenString opens a value sealed by SealString.
func (d DataKey) OpenString(sealed, aad []byte) (string, error) {
	b, err := d.Open(sealed, aad)
	return string(b), err
}

// AAD joins parts into additional data without ambiguity (each part is
// length-prefixed), e.g. AAD("session", id, "email").
func AAD(parts ...string) []byte {
	n := 0
	for _, p := range parts {
		n += 4 + len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		l := uint32(len(p))
		out = append(out, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
		out = append(out, p...)
	}
	return out
}
