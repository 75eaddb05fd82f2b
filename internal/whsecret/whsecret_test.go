package whsecret

import (
	"bytes"
	"crypto/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/seal"
	"github.com/openidv/openidv/webhooksig"
)

func keyring(t *testing.T) *seal.Keyring {
	t.Helper()
	k, err := seal.NewKeyring(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRotate(t *testing.T) {
	keys := keyring(t)
	first, err := New(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := webhooksig.ParseSecret(first); err != nil || len(raw) != KeySize || !strings.HasPrefix(first, "whsec_") {
		t.Fatalf("New = %q (%d bytes, %v), want whsec_ and %d bytes", first, len(raw), err, KeySize)
	}
	wrapped, sealed, err := Seal(keys, "whe_1", nil, []Secret{{Key: first}}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(first)) || bytes.Contains(sealed, []byte(first[6:])) {
		t.Fatal("sealed secrets contain the secret in clear")
	}
	if _, err := Open(keys, "whe_2", wrapped, sealed); err == nil {
		t.Error("secrets opened under another endpoint id")
	}
	got, err := Open(keys, "whe_1", wrapped, sealed)
	if err != nil || len(got) != 1 || got[0].Key != first {
		t.Fatalf("Open = %+v, %v", got, err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	second, _ := New(rand.Reader)
	rotated := Rotate(got, second, now)
	if want := []string{second, first}; !slices.Equal(Signing(rotated, now.Add(RotationOverlap-time.Second)), want) {
		t.Errorf("Signing during the overlap = %v, want %v", Signing(rotated, now), want)
	}
	if want := []string{second}; !slices.Equal(Signing(rotated, now.Add(RotationOverlap)), want) {
		t.Errorf("Signing after the overlap = %v, want %v", Signing(rotated, now.Add(RotationOverlap)), want)
	}
	third, _ := New(rand.Reader)
	if again := Rotate(rotated, third, now.Add(RotationOverlap+time.Hour)); len(again) != 2 || again[0].Key != third || again[1].Key != second {
		t.Errorf("second rotation kept %+v, want third then second", again)
	}
	w2, s2, err := Seal(keys, "whe_1", wrapped, rotated, rand.Reader)
	if err != nil || !bytes.Equal(w2, wrapped) {
		t.Fatalf("Seal with a wrapped key: %v (wrapped key changed: %v)", err, !bytes.Equal(w2, wrapped))
	}
	if back, err := Open(keys, "whe_1", w2, s2); err != nil || len(back) != 2 {
		t.Errorf("Open after rotation = %+v, %v", back, err)
	}
}
