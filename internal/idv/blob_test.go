package idv

import (
	"strings"
	"testing"
)

func TestCheckBlobKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool // accepted
	}{
		{"sessions/s_1/b_2", true},
		{"a", true},
		{"a.b/c-d_e~f", true},
		{"évidence/ü", true},
		{strings.Repeat("k", MaxBlobSegmentLen), true},
		{strings.Repeat(strings.Repeat("k", 127)+"/", 4)[:MaxBlobKeyLen], false}, // ends with a slash
		{strings.Repeat(strings.Repeat("k", 127)+"/", 4)[:MaxBlobKeyLen-1] + "z", true},
		{strings.Repeat("k/", 256) + "k", false}, // 513 bytes
		{strings.Repeat("k", MaxBlobSegmentLen+1), false},
		{"", false},
		{"/a", false},
		{"a/", false},
		{"a//b", false},
		{"..", false},
		{"a/../b", false},
		{"a..b", false},
		{".", false},
		{"./a", false},
		{"a/.tmp-1", false},
		{"a\\b", false},
		{"a\x00", false},
		{"a\tb", false},
		{"a\x7f", false},
		{"a\u0085", false},
		{"a\xff", false},
	}
	for _, tt := range tests {
		err := CheckBlobKey(tt.key)
		if got := err == nil; got != tt.want {
			t.Errorf("CheckBlobKey(%q): got accepted %v (%v), want %v", tt.key, got, err, tt.want)
		}
		if err != nil && ErrorCode(err) != CodeInvalid {
			t.Errorf("CheckBlobKey(%q): got code %s, want %s", tt.key, ErrorCode(err), CodeInvalid)
		}
	}
}

func TestCheckBlobPrefix(t *testing.T) {
	tests := []struct {
		prefix string
		want   bool
	}{
		{"", true}, {"sessions/", true}, {"sessions/ab", true}, {"sessions", true},
		{"/", false}, {"/a", false}, {"a//", false}, {"../", false}, {"a\\", false}, {".tmp", false},
	}
	for _, tt := range tests {
		if got := CheckBlobPrefix(tt.prefix) == nil; got != tt.want {
			t.Errorf("CheckBlobPrefix(%q): got accepted %v, want %v", tt.prefix, got, tt.want)
		}
	}
}

func FuzzCheckBlobKey(f *testing.F) {
	for _, s := range []string{"sessions/a/b", "a/../b", "", "a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if CheckBlobKey(key) != nil {
			return
		}
		if len(key) > MaxBlobKeyLen || strings.Contains(key, "..") || strings.HasPrefix(key, "/") ||
			strings.ContainsAny(key, "\\\x00") || strings.Contains(key, "//") || strings.HasSuffix(key, "/") {
			t.Fatalf("CheckBlobKey(%q) accepted a bad key", key)
		}
		if CheckBlobPrefix(key) != nil {
			t.Fatalf("a valid key %q is not a valid prefix", key)
		}
	})
}
