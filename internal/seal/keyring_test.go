package seal

import (
	"bytes"
	"crypto/rand"
	"testing"
)

func TestUnwrapRefusesWrongSession(t *testing.T) {
	k := newTestKeyring(t, 1)
	_, wrapped, err := k.NewDataKey("ses_a", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(wrapped)
	flipped[len(flipped)-1] ^= 1
	badVersion := bytes.Clone(wrapped)
	badVersion[0] = 9
	for _, tc := range []struct {
		name    string
		keyring *Keyring
		session string
		wrapped []byte
	}{
		{"other session", k, "ses_b", wrapped},
		{"prefix session", k, "ses_", wrapped},
		{"other master key", newTestKeyring(t, 2), "ses_a", wrapped},
		{"flipped byte", k, "ses_a", flipped},
		{"bad version", k, "ses_a", badVersion},
		{"truncated", k, "ses_a", wrapped[:len(wrapped)-1]},
		{"empty", k, "ses_a", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.keyring.Unwrap(tc.session, tc.wrapped); !IsUnreadable(err) {
				t.Errorf("Unwrap: got %v, want an unreadable error", err)
			}
		})
	}
}

// TestDestroyedKeyMakesDataUnreadable models erasure: once the wrapped key
// is gone, a backup of the sealed data cannot be opened, not even with the
// master key and a freshly made key for the same session.
func TestDestroyedKeyMakesDataUnreadable(t *testing.T) {
	k := newTestKeyring(t, 1)
	store := map[string][]byte{}
	dk, wrapped, err := k.NewDataKey("ses_1", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	store["ses_1"] = wrapped
	aad := AAD("session", "ses_1", "last_name")
	backup, err := dk.Seal([]byte("Canary-Surname"), aad)
	if err != nil {
		t.Fatal(err)
	}

	delete(store, "ses_1") // DeleteDataKey
	dk = DataKey{}         // the process forgets it too

	if _, ok := store["ses_1"]; ok {
		t.Fatal("wrapped key still stored")
	}
	fresh, _, err := k.NewDataKey("ses_1", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := fresh.Open(backup, aad); err == nil {
		t.Errorf("Open after erasure = %q, want an error", got)
	}
	if got, err := dk.Open(backup, aad); err == nil {
		t.Errorf("Open with a zeroed key = %q, want an error", got)
	}
}

func TestRotation(t *testing.T) {
	oldRing := newTestKeyring(t, 1)
	dk, wrappedOld, err := oldRing.NewDataKey("s", rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := dk.Seal([]byte("before rotation"), nil)

	newRing := newTestKeyring(t, 2, testKey(1))
	if !newRing.NeedsRewrap(wrappedOld) {
		t.Errorf("NeedsRewrap(old) = false, want true")
	}
	rewrapped, err := newRing.Rewrap("s", wrappedOld)
	if err != nil {
		t.Fatalf("Rewrap: %v", err)
	}
	if newRing.NeedsRewrap(rewrapped) {
		t.Errorf("NeedsRewrap(rewrapped) = true, want false")
	}
	again, err := newRing.Rewrap("s", rewrapped)
	if err != nil || !bytes.Equal(again, rewrapped) {
		t.Errorf("Rewrap of a current key changed it (err %v)", err)
	}
	if _, err := newRing.Rewrap("other", wrappedOld); !IsUnreadable(err) {
		t.Errorf("Rewrap for another session: got %v, want unreadable", err)
	}

	// After rotation only the new master key is needed.
	onlyNew := newTestKeyring(t, 2)
	dk2, err := onlyNew.Unwrap("s", rewrapped)
	if err != nil {
		t.Fatalf("Unwrap rewrapped with the new key only: %v", err)
	}
	if got, err := dk2.Open(sealed, nil); err != nil || string(got) != "before rotation" {
		t.Errorf("Open after rotation = %q, %v", got, err)
	}
	if _, err := onlyNew.Unwrap("s", wrappedOld); !IsUnreadable(err) {
		t.Errorf("Unwrap of an old key without the old master: got %v, want unreadable", err)
	}
}

func TestLookupHash(t *testing.T) {
	k := newTestKeyring(t, 1)
	a := k.LookupHash("unique_id", "cust-42")
	for _, tc := range []struct {
		name string
		got  []byte
		same bool
	}{
		{"same input", k.LookupHash("unique_id", "cust-42"), true},
		{"same input, new keyring", newTestKeyring(t, 1).LookupHash("unique_id", "cust-42"), true},
		{"other value", k.LookupHash("unique_id", "cust-43"), false},
		{"other purpose", k.LookupHash("email", "cust-42"), false},
		{"shifted boundary", k.LookupHash("unique_idc", "ust-42"), false},
		{"other master", newTestKeyring(t, 2).LookupHash("unique_id", "cust-42"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := bytes.Equal(tc.got, a); got != tc.same {
				t.Errorf("equal = %v, want %v", got, tc.same)
			}
			if len(tc.got) != 32 {
				t.Errorf("len = %d, want 32", len(tc.got))
			}
		})
	}
}

func TestDerive(t *testing.T) {
	k := newTestKeyring(t, 1)
	otp := k.Derive("otp")
	if len(otp) != KeySize {
		t.Fatalf("len = %d, want %d", len(otp), KeySize)
	}
	if !bytes.Equal(otp, newTestKeyring(t, 1).Derive("otp")) {
		t.Errorf("Derive is not stable")
	}
	for _, other := range [][]byte{k.Derive("client-token"), newTestKeyring(t, 2).Derive("otp"), testKey(1)} {
		if bytes.Equal(otp, other) {
			t.Errorf("Derive(otp) equals an unrelated key")
		}
	}
}

func FuzzOpen(f *testing.F) {
	k, err := NewKeyring(testKey(1))
	if err != nil {
		f.Fatal(err)
	}
	dk, err := newDataKey(bytes.Repeat([]byte{3}, KeySize))
	if err != nil {
		f.Fatal(err)
	}
	sealed, _ := dk.Seal([]byte("hello"), []byte("aad"))
	_, wrapped, _ := k.NewDataKey("s", bytes.NewReader(bytes.Repeat([]byte{3}, KeySize)))
	f.Add(sealed, []byte("aad"))
	f.Add(wrapped, []byte("s"))
	f.Add([]byte{1}, []byte{})
	f.Fuzz(func(t *testing.T, data, aad []byte) {
		// Nonces are random, so each fuzzing process has its own seeds: only
		// a genuine seal (of "hello" under "aad") or wrapped key (for session
		// "s") may open, never anything else.
		if got, err := dk.Open(data, aad); err == nil && (string(aad) != "aad" || string(got) != "hello") {
			t.Errorf("forged value opened: %q", got)
		}
		if _, err := k.Unwrap(string(aad), data); err == nil && string(aad) != "s" {
			t.Errorf("forged wrapped key opened for session %q", aad)
		}
	})
}

func TestPurposeKeySealsPerPurpose(t *testing.T) {
	k, err := NewKeyring(bytes.Repeat([]byte{7}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	a, err := k.PurposeKey("idempotency")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := a.Seal([]byte("ct_secret"), []byte("scope"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("ct_secret")) {
		t.Fatal("sealed bytes contain the plaintext")
	}
	again, _ := k.PurposeKey("idempotency")
	if got, err := again.Open(sealed, []byte("scope")); err != nil || string(got) != "ct_secret" {
		t.Errorf("Open with the same purpose = %q, %v; want ct_secret", got, err)
	}
	other, _ := k.PurposeKey("other")
	if _, err := other.Open(sealed, []byte("scope")); err == nil {
		t.Error("a key of another purpose opened the record")
	}
}
