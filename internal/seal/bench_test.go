package seal

import (
	"crypto/rand"
	"testing"
)

func BenchmarkSealOpen(b *testing.B) {
	k, _ := NewKeyring(testKey(1))
	dk, _, _ := k.NewDataKey("s", rand.Reader)
	aad := AAD("session", "s", "applicant")
	for _, size := range []struct {
		name string
		n    int
	}{{"field_64B", 64}, {"image_1MiB", 1 << 20}} {
		plain := make([]byte, size.n)
		b.Run("Seal/"+size.name, func(b *testing.B) {
			b.SetBytes(int64(size.n))
			for b.Loop() {
				if _, err := dk.Seal(plain, aad); err != nil {
					b.Fatal(err)
				}
			}
		})
		sealed, _ := dk.Seal(plain, aad)
		b.Run("Open/"+size.name, func(b *testing.B) {
			b.SetBytes(int64(size.n))
			for b.Loop() {
				if _, err := dk.Open(sealed, aad); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkKeys(b *testing.B) {
	k, _ := NewKeyring(testKey(1))
	_, wrapped, _ := k.NewDataKey("s", rand.Reader)
	b.Run("NewDataKey", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := k.NewDataKey("s", rand.Reader); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Unwrap", func(b *testing.B) {
		for b.Loop() {
			if _, err := k.Unwrap("s", wrapped); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LookupHash", func(b *testing.B) {
		for b.Loop() {
			k.LookupHash("unique_id", "customer-0001")
		}
	})
}
