package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/openidv/openidv/internal/idv"
)

// testKey returns a deterministic 32-byte key that starts with b.
func testKey(b byte) []byte {
	k := bytes.Repeat([]byte{0x5a}, KeySize)
	k[0] = b
	return k
}

// newTestKeyring returns a keyring for testKey(b) or fails the test.
func newTestKeyring(t testing.TB, b byte, older ...[]byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(testKey(b), older...)
	if err != nil {
		t.Fatalf("NewKeyring: %v", err)
	}
	return k
}

func TestNewKeyringRejectsBadKeys(t *testing.T) {
	for _, tc := range []struct {
		name   string
		master []byte
		older  [][]byte
	}{
		{"nil", nil, nil},
		{"short", make([]byte, 31), nil},
		{"long", make([]byte, 33), nil},
		{"bad older", testKey(1), [][]byte{make([]byte, 16)}},
		{"duplicate", testKey(1), [][]byte{testKey(1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewKeyring(tc.master, tc.older...); err == nil {
				t.Errorf("NewKeyring: got nil error, want one")
			}
		})
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := newTestKeyring(t, 1)
	dk, wrapped, err := k.NewDataKey("ses_1", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(wrapped) != WrappedSize {
		t.Errorf("len(wrapped) = %d, want %d", len(wrapped), WrappedSize)
	}
	reopened, err := k.Unwrap("ses_1", wrapped)
	if err != nil {
		t.Fatalf("Unwrap: %v", err)
	}
	for _, tc := range []struct {
		name  string
		plain []byte
		aad   []byte
	}{
		{"empty", nil, nil},
		{"name", []byte("Zoë O'Brien"), AAD("session", "ses_1", "first_name")},
		{"binary", bytes.Repeat([]byte{0, 1, 2, 255}, 1000), []byte("blob")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sealed, err := dk.Seal(tc.plain, tc.aad)
			if err != nil {
				t.Fatal(err)
			}
			if len(sealed) != len(tc.plain)+SealedOverhead {
				t.Errorf("len(sealed) = %d, want %d", len(sealed), len(tc.plain)+SealedOverhead)
			}
			if len(tc.plain) > 4 && bytes.Contains(sealed, tc.plain) {
				t.Errorf("sealed value contains the plaintext")
			}
			got, err := reopened.Open(sealed, tc.aad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tc.plain) {
				t.Errorf("Open = %q, want %q", got, tc.plain)
			}
		})
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	dk, _, err := newTestKeyring(t, 1).NewDataKey("s", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := dk.Seal([]byte("same"), nil)
	b, _ := dk.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Errorf("two seals of the same plaintext are equal: %x", a)
	}
}

func TestOpenDetectsTampering(t *testing.T) {
	dk, _, err := newTestKeyring(t, 1).NewDataKey("s", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	aad := AAD("session", "s", "email")
	sealed, err := dk.Seal([]byte("jane@example.com"), aad)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := newTestKeyring(t, 1).NewDataKey("s", rand.Reader)
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if got, err := dk.Open(bad, aad); err == nil || got != nil {
			t.Errorf("byte %d flipped: Open = %q, %v; want nil, error", i, got, err)
		}
	}
	for _, tc := range []struct {
		name   string
		key    DataKey
		sealed []byte
		aad    []byte
	}{
		{"other field", dk, sealed, AAD("session", "s", "phone")},
		{"other session", dk, sealed, AAD("session", "t", "email")},
		{"no aad", dk, sealed, nil},
		{"other key", other, sealed, aad},
		{"truncated", dk, sealed[:len(sealed)-1], aad},
		{"too short", dk, sealed[:SealedOverhead-1], aad},
		{"empty", dk, nil, aad},
		{"appended", dk, append(bytes.Clone(sealed), 0), aad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.key.Open(tc.sealed, tc.aad)
			if err == nil || got != nil {
				t.Fatalf("Open = %q, %v; want nil, error", got, err)
			}
			if !IsUnreadable(err) || idv.ErrorCode(err) != idv.CodeInternal {
				t.Errorf("err = %v: IsUnreadable %v, code %q; want true, %q",
					err, IsUnreadable(err), idv.ErrorCode(err), idv.CodeInternal)
			}
		})
	}
}

func TestAADIsUnambiguous(t *testing.T) {
	if bytes.Equal(AAD("ab", "c"), AAD("a", "bc")) {
		t.Errorf(`AAD("ab","c") == AAD("a","bc")`)
	}
	if bytes.Equal(AAD("a"), AAD("a", "")) {
		t.Errorf(`AAD("a") == AAD("a","")`)
	}
}

func TestZeroDataKeyRefuses(t *testing.T) {
	var dk DataKey
	if _, err := dk.Seal([]byte("x"), nil); err == nil {
		t.Errorf("zero DataKey Seal: got nil error")
	}
	if _, err := dk.Open(make([]byte, 40), nil); err == nil {
		t.Errorf("zero DataKey Open: got nil error")
	}
}

func TestStringHelpers(t *testing.T) {
	dk, _, err := newTestKeyring(t, 1).NewDataKey("s", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := dk.SealString("+447911123456", []byte("phone"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := dk.OpenString(sealed, []byte("phone"))
	if err != nil || got != "+447911123456" {
		t.Errorf("OpenString = %q, %v; want %q, nil", got, err, "+447911123456")
	}
}

func TestNewDataKeyFailingRandom(t *testing.T) {
	_, _, err := newTestKeyring(t, 1).NewDataKey("s", bytes.NewReader(make([]byte, 5)))
	if err == nil {
		t.Errorf("NewDataKey with a short random source: got nil error")
	}
}

func TestNewDataKeyUsesRandom(t *testing.T) {
	k := newTestKeyring(t, 1)
	src := bytes.Repeat([]byte{7}, KeySize)
	dk, _, err := k.NewDataKey("s", bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	same, _ := newDataKey(src)
	sealed, _ := dk.Seal([]byte("x"), nil)
	if got, err := same.Open(sealed, nil); err != nil || string(got) != "x" {
		t.Errorf("data key is not the bytes read from rand: Open = %q, %v", got, err)
	}
}

func TestErrorsCarryNoPlaintext(t *testing.T) {
	dk, _, _ := newTestKeyring(t, 1).NewDataKey("s", rand.Reader)
	_, err := dk.Open([]byte("\x01secret-secret-secret-secret-secret"), []byte("secret-aad"))
	var e *idv.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *idv.Error", err)
	}
	if bytes.Contains([]byte(err.Error()), []byte("secret")) {
		t.Errorf("error %q repeats its input", err)
	}
}
