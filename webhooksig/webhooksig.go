// Package webhooksig signs and verifies webhooks the way OpenIDV sends them,
// following the Standard Webhooks specification (v1, HMAC-SHA256).
//
// A webhook carries three headers:
//
//	webhook-id:        msg_…             (unique; the same on every retry)
//	webhook-timestamp: 1614265330        (Unix seconds of this attempt)
//	webhook-signature: v1,<base64> …     (space-separated; two during a secret rotation)
//
// Each signature is the base64 HMAC-SHA256, under the endpoint secret, of
// "<webhook-id>.<webhook-timestamp>.<body>", where body is the exact bytes
// received. Secrets are written "whsec_" followed by the base64 of the key.
//
// Integrators verify with Verify before parsing the body, and use
// webhook-id to drop duplicates (delivery is at least once).
//
// The package uses the standard library only.
package webhooksig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed webhook.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every secret in its text form.
const SecretPrefix = "whsec_"

// Tolerance is how far webhook-timestamp may be from the receiver's clock,
// in either direction, before Verify refuses the webhook (replay protection).
const Tolerance = 5 * time.Minute

// The errors of Verify and ParseSecret; test them with errors.Is.
var (
	ErrSecret    = errors.New("webhooksig: invalid secret (want whsec_ and base64)")
	ErrHeaders   = errors.New("webhooksig: missing or malformed webhook-id, webhook-timestamp or webhook-signature")
	ErrTimestamp = errors.New("webhooksig: webhook-timestamp outside the tolerance")
	ErrSignature = errors.New("webhooksig: no matching signature")
)

// NewSecret returns the text form of a raw key: "whsec_" + base64(key).
// Keys should be at least 24 random bytes; OpenIDV uses 32.
func NewSecret(key []byte) string {
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ParseSecret returns the raw key of a secret. The "whsec_" prefix is
// optional, as in the reference libraries.
func ParseSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) == 0 {
		return nil, ErrSecret
	}
	return key, nil
}

// Sign returns the signature "v1,<base64>" of body sent with the given id
// and timestamp under secret.
func Sign(secret, id string, timestamp time.Time, body []byte) (string, error) {
	key, err := ParseSecret(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, timestamp.Unix(), body)), nil
}

// mac is HMAC-SHA256 of "id.timestamp.body" under key.
func mac(key []byte, id string, ts int64, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, ts, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a received webhook against the current time: see VerifyAt.
func Verify(secret string, h http.Header, body []byte) error {
	return VerifyAt(secret, h, body, time.Now())
}

// VerifyAt checks that one of the v1 signatures of h is body's under
// secret, comparing in constant time, and that webhook-timestamp is within
// Tolerance of now. Signatures of other versions (v1a, …) are ignored.
func VerifyAt(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := ParseSecret(secret)
	if err != nil {
		return err
	}
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return ErrHeaders
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrHeaders
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Tolerance || d < -Tolerance {
		return ErrTimestamp
	}
	want := mac(key, id, ts, body)
	for _, s := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignature
}
