// Package otp makes and checks the one-time codes that confirm an
// applicant's phone number or email address, normalises those destinations,
// and writes the messages that carry the codes.
//
// Codes are 6 decimal digits drawn uniformly from a CSPRNG. Only their MAC
// is stored: HMAC-SHA256 under a server key (seal.Keyring.Derive("otp")),
// bound to the session and the step, so a code from one verification never
// checks against another. Lifetimes, attempt counts, resend throttling and
// single use are enforced by the caller (internal/app) with the store.
package otp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Digits is the number of digits of a code.
const Digits = 6

// codeSpace is the number of distinct codes (10^Digits).
const codeSpace = 1_000_000

// acceptBelow is the largest multiple of codeSpace that fits in a uint32:
// draws at or above it are rejected so that every code is equally likely.
const acceptBelow = (1 << 32) / codeSpace * codeSpace

// maxDraws bounds the rejection loop; with a working random source the
// chance of needing more than 4 draws is below 10^-12.
const maxDraws = 64

// The validity of a code, from NIST SP 800-63A-4 (SMS at most 10 minutes)
// and the project's policy (email 30 minutes, never above 24 hours).
const (
	SMSValidity   = 10 * time.Minute
	EmailValidity = 30 * time.Minute
)

// NewCode returns a 6-digit code drawn uniformly from rand (crypto/rand.Reader
// in production) by rejection sampling, so there is no modulo bias.
func NewCode(rand io.Reader) (string, error) {
	var b [4]byte
	for range maxDraws {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return "", fmt.Errorf("otp: read random: %w", err)
		}
		v := binary.BigEndian.Uint32(b[:])
		if v < acceptBelow {
			return fmt.Sprintf("%06d", v%codeSpace), nil
		}
	}
	return "", fmt.Errorf("otp: random source rejected %d times in a row", maxDraws)
}

// ValidCode reports whether code has exactly Digits ASCII digits.
func ValidCode(code string) bool {
	if len(code) != Digits {
		return false
	}
	for i := range len(code) {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// MAC returns HMAC-SHA256(key, sessionID ‖ step ‖ code), each part length
// prefixed. step names the verification the code belongs to; include a
// per-send discriminator (e.g. "phone/3" for the third send) when an old
// code must not check against a new send. key should be at least 32 bytes.
func MAC(key []byte, sessionID, step, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("openidv/otp/v1"))
	for _, part := range []string{sessionID, step, code} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		m.Write(n[:])
		m.Write([]byte(part))
	}
	return m.Sum(nil)
}

// Verify reports whether code matches mac for the session and step. Input
// that is not exactly 6 ASCII digits is refused before any MAC is computed;
// the comparison is constant time (hmac.Equal).
func Verify(key []byte, sessionID, step, code string, mac []byte) bool {
	if !ValidCode(code) || len(mac) != sha256.Size {
		return false
	}
	return hmac.Equal(MAC(key, sessionID, step, code), mac)
}
