package otp

import (
	"bytes"
	"crypto/rand"
	"testing"
)

func BenchmarkNewCode(b *testing.B) {
	for b.Loop() {
		if _, err := NewCode(rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	key := bytes.Repeat([]byte{1}, 32)
	mac := MAC(key, "ses_1", "phone/1", "123456")
	for b.Loop() {
		Verify(key, "ses_1", "phone/1", "654321", mac)
	}
}

func BenchmarkNormalizePhone(b *testing.B) {
	for b.Loop() {
		if _, err := NormalizePhone("07911 123456", "GB"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalizeEmail(b *testing.B) {
	for b.Loop() {
		if _, err := NormalizeEmail("Jane.Doe@Example.COM"); err != nil {
			b.Fatal(err)
		}
	}
}
