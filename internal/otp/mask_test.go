package otp

import "testing"

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"+447911123456", "+44*******456"},
		{"+12024561111", "+12******111"},
		{"jane@example.com", "j***@example.com"},
		{"j@example.com", "j***@example.com"},
		{"Jane.Doe+x@mail.example.co.uk", "J***@mail.example.co.uk"},
		{"+4412", "***"},
		{"@example.com", "***"},
		{"hello", "***"},
		{"", ""},
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
