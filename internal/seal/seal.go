// Package seal encrypts personal data at rest with envelope encryption.
//
// Every session gets its own random 256-bit data key. Personal data of the
// session (names, email, phone, vendor_data, OTP destinations, blobs) is
// sealed with that data key under AES-256-GCM. The data key itself is stored
// only wrapped (encrypted) by a key derived from the master key, with the
// session id bound as additional data so that a wrapped key cannot be moved
// to another session. Erasing a session deletes its wrapped key, which makes
// everything sealed with it unreadable, in backups too (crypto-shredding).
// Evidence files are streamed through DataKey.NewBlobWriter and
// NewBlobReader instead, in authenticated chunks (blob.go).
//
// Equality lookups on personal data (unique_id, email) use a keyed hash
// (HMAC-SHA256 under a key derived from the master key), so the database
// never holds the plaintext and cannot be brute-forced without the master key.
//
// Several master keys may be configured for rotation: the first one wraps new
// data keys, the others only unwrap old ones, and Keyring.Rewrap moves a
// wrapped key to the current master key without exposing it.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/openidv/openidv/internal/idv"
)

// KeySize is the size in bytes of a master key and of a data key.
const KeySize = 32

// Format versions: the first byte of every wrapped key and sealed value.
const (
	versionWrapped byte = 1
	versionSealed  byte = 1
)

// keyIDSize is the length of the master key identifier stored in a wrapped key.
const keyIDSize = 4

// gcmOverhead is the random nonce plus the tag that GCM adds.
const gcmOverhead = 12 + 16

// WrappedSize is the length of a wrapped data key.
const WrappedSize = 1 + keyIDSize + gcmOverhead + KeySize

// HKDF info strings: one per purpose so that subkeys are independent.
const (
	infoWrap   = "openidv/seal/v1/wrap"
	infoKeyID  = "openidv/seal/v1/key-id"
	infoLookup = "openidv/seal/v1/lookup"
	infoDerive = "openidv/seal/v1/derive/"
)

// errUnreadable is the cause behind every failed Open or Unwrap; the caller
// sees an internal error with a safe message.
var errUnreadable = errors.New("seal: authentication failed (wrong key, wrong additional data or tampered data)")

// unreadable returns the error of a failed decryption.
func unreadable(cause error) error {
	return &idv.Error{Code: idv.CodeInternal, Message: "stored data could not be decrypted", Err: cause}
}

// IsUnreadable reports whether err comes from a failed Open or Unwrap.
func IsUnreadable(err error) bool { return errors.Is(err, errUnreadable) }

// masterKey is one master key with its derived wrapping key and identifier.
type masterKey struct {
	id   [keyIDSize]byte
	wrap cipher.AEAD
}

// Keyring holds the master keys and the subkeys derived from the current
// one. It is safe for concurrent use.
//
// LookupHash and Derive use the current (first) master key, so rotating the
// master key changes them: a rotation must recompute stored lookup hashes
// (from the plaintext, which the rewrapped data keys still open), and codes
// or tokens hashed under a derived key stop matching.
type Keyring struct {
	keys      []masterKey // keys[0] wraps; all unwrap
	lookupKey []byte
	master    []byte // current master key, for Derive
}

// NewKeyring returns a keyring for the 32-byte master key. Older master
// keys, still needed to unwrap data keys that have not been rewrapped yet,
// may follow; they are never used to wrap new keys. Lookup hashes and
// derived keys always come from the first (current) master key.
func NewKeyring(master []byte, older ...[]byte) (*Keyring, error) {
	k := &Keyring{}
	for i, m := range append([][]byte{master}, older...) {
		mk, err := newMasterKey(m)
		if err != nil {
			return nil, fmt.Errorf("seal: master key %d: %w", i, err)
		}
		for _, prev := range k.keys {
			if prev.id == mk.id {
				return nil, fmt.Errorf("seal: master key %d is given twice", i)
			}
		}
		k.keys = append(k.keys, mk)
	}
	lookup, err := hkdf.Key(sha256.New, master, nil, infoLookup, KeySize)
	if err != nil {
		return nil, fmt.Errorf("seal: derive lookup key: %w", err)
	}
	k.lookupKey = lookup
	k.master = append([]byte(nil), master...)
	return k, nil
}

// newMasterKey derives the wrapping key and the identifier of master.
func newMasterKey(master []byte) (masterKey, error) {
	var mk masterKey
	if len(master) != KeySize {
		return mk, fmt.Errorf("want %d bytes, got %d", KeySize, len(master))
	}
	wrapKey, err := hkdf.Key(sha256.New, master, nil, infoWrap, KeySize)
	if err != nil {
		return mk, err
	}
	if mk.wrap, err = newAEAD(wrapKey); err != nil {
		return mk, err
	}
	id, err := hkdf.Key(sha256.New, master, nil, infoKeyID, keyIDSize)
	if err != nil {
		return mk, err
	}
	copy(mk.id[:], id)
	return mk, nil
}

// newAEAD returns AES-256-GCM with random nonces for a 32-byte key.
func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}

// wrapAAD is the additional data of a wrapped key: header and session id.
func wrapAAD(header []byte, sessionID string) []byte {
	aad := make([]byte, 0, len(header)+len(sessionID)+len("openidv/seal/v1/dek:"))
	aad = append(aad, header...)
	aad = append(aad, "openidv/seal/v1/dek:"...)
	return append(aad, sessionID...)
}

// NewDataKey draws a new data key for the session from rand (crypto/rand in
// production) and returns it with its wrapped form, which is what the store
// keeps (idv.Tx.PutDataKey). The wrapped key opens only with the same
// session id.
func (k *Keyring) NewDataKey(sessionID string, rand io.Reader) (DataKey, []byte, error) {
	raw := make([]byte, KeySize)
	if _, err := io.ReadFull(rand, raw); err != nil {
		return DataKey{}, nil, fmt.Errorf("seal: read random data key: %w", err)
	}
	dk, err := newDataKey(raw)
	if err != nil {
		return DataKey{}, nil, err
	}
	return dk, k.wrap(sessionID, raw), nil
}

// wrap encrypts a raw data key under the current master key.
func (k *Keyring) wrap(sessionID string, raw []byte) []byte {
	cur := k.keys[0]
	header := append([]byte{versionWrapped}, cur.id[:]...)
	return cur.wrap.Seal(header, nil, raw, wrapAAD(header, sessionID))
}

// unwrapRaw returns the raw data key inside wrapped.
func (k *Keyring) unwrapRaw(sessionID string, wrapped []byte) ([]byte, error) {
	if len(wrapped) != WrappedSize || wrapped[0] != versionWrapped {
		return nil, unreadable(fmt.Errorf("%w: malformed wrapped key", errUnreadable))
	}
	header := wrapped[:1+keyIDSize]
	for _, mk := range k.keys {
		if [keyIDSize]byte(header[1:]) != mk.id {
			continue
		}
		raw, err := mk.wrap.Open(nil, nil, wrapped[len(header):], wrapAAD(header, sessionID))
		if err != nil {
			return nil, unreadable(errUnreadable)
		}
		return raw, nil
	}
	return nil, unreadable(fmt.Errorf("%w: wrapped by an unknown master key", errUnreadable))
}

// Unwrap opens a wrapped data key of the session. It fails when the key was
// wrapped for another session, by an unknown master key, or was altered.
func (k *Keyring) Unwrap(sessionID string, wrapped []byte) (DataKey, error) {
	raw, err := k.unwrapRaw(sessionID, wrapped)
	if err != nil {
		return DataKey{}, err
	}
	return newDataKey(raw)
}

// Rewrap returns wrapped re-encrypted under the current master key, for
// master key rotation. The data key itself does not change, so data sealed
// with it stays readable. A key already under the current master key is
// returned unchanged.
func (k *Keyring) Rewrap(sessionID string, wrapped []byte) ([]byte, error) {
	raw, err := k.unwrapRaw(sessionID, wrapped)
	if err != nil {
		return nil, err
	}
	if [keyIDSize]byte(wrapped[1:1+keyIDSize]) == k.keys[0].id {
		return wrapped, nil
	}
	return k.wrap(sessionID, raw), nil
}

// NeedsRewrap reports whether wrapped was made by an older master key.
func (k *Keyring) NeedsRewrap(wrapped []byte) bool {
	return len(wrapped) >= 1+keyIDSize && [keyIDSize]byte(wrapped[1:1+keyIDSize]) != k.keys[0].id
}

// LookupHash returns HMAC-SHA256 of value under the lookup key, separated by
// purpose (e.g. "unique_id", "email"): the same value under two purposes
// gives unrelated hashes. Normalise value before hashing.
func (k *Keyring) LookupHash(purpose, value string) []byte {
	m := hmac.New(sha256.New, k.lookupKey)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(purpose)))
	m.Write(n[:])
	m.Write([]byte(purpose))
	m.Write([]byte(value))
	return m.Sum(nil)
}

// Derive returns a 32-byte key for purpose derived from the current master
// key with HKDF-SHA256, e.g. Derive("otp") for one-time-code MACs or
// Derive("client-token") for token hashes. Distinct purposes give
// independent keys; the same purpose always gives the same key.
func (k *Keyring) Derive(purpose string) []byte {
	key, err := hkdf.Key(sha256.New, k.master, nil, infoDerive+purpose, KeySize)
	if err != nil {
		// Unreachable: SHA-256 with a 32-byte output never fails.
		panic("seal: hkdf: " + err.Error())
	}
	return key
}

// PurposeKey returns a data key derived from the master key for sealing
// server records that belong to no single session, such as stored
// Idempotency-Key answers (which carry client tokens). Like Derive, it
// changes when the master key rotates.
func (k *Keyring) PurposeKey(purpose string) (DataKey, error) {
	return newDataKey(k.Derive("data-key:" + purpose))
}
