package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestParseMasterKey(t *testing.T) {
	key := testKey(0xfe)
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"hex", hex.EncodeToString(key), true},
		{"hex upper", strings.ToUpper(hex.EncodeToString(key)), true},
		{"base64 std", base64.StdEncoding.EncodeToString(key), true},
		{"base64 raw", base64.RawStdEncoding.EncodeToString(key), true},
		{"base64 url", base64.URLEncoding.EncodeToString(key), true},
		{"base64 url raw", base64.RawURLEncoding.EncodeToString(key), true},
		{"surrounding space", "  " + FormatMasterKey(key) + "\n", true},
		{"empty", "", false},
		{"spaces", "   ", false},
		{"short hex", hex.EncodeToString(key[:31]), false},
		{"short base64", base64.StdEncoding.EncodeToString(key[:16]), false},
		{"long base64", base64.StdEncoding.EncodeToString(append(key, 1)), false},
		{"all zeros", hex.EncodeToString(make([]byte, KeySize)), false},
		{"garbage", "not a key at all!", false},
		{"inner space", FormatMasterKey(key)[:10] + " " + FormatMasterKey(key)[10:], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMasterKey(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if tc.ok && !bytes.Equal(got, key) {
				t.Errorf("got %x, want %x", got, key)
			}
			if err != nil && len(tc.in) > 8 && strings.Contains(err.Error(), strings.TrimSpace(tc.in)) {
				t.Errorf("error %q repeats the key", err)
			}
		})
	}
}

func TestLoadOrCreateMasterKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "master.key")
	src := bytes.Repeat([]byte{9}, KeySize)

	key, created, err := LoadOrCreateMasterKey(path, bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if !created || !bytes.Equal(key, src) {
		t.Errorf("first call = %x, created %v; want %x, true", key, created, src)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", info.Mode().Perm())
	}
	text, _ := os.ReadFile(path)
	if parsed, err := ParseMasterKey(string(text)); err != nil || !bytes.Equal(parsed, src) {
		t.Errorf("file does not parse back: %v", err)
	}

	// A second start reads the same key and never overwrites it.
	again, created, err := LoadOrCreateMasterKey(path, bytes.NewReader(bytes.Repeat([]byte{8}, KeySize)))
	if err != nil || created || !bytes.Equal(again, src) {
		t.Errorf("second call = %x, created %v, err %v; want the first key, false, nil", again, created, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want 1 (temporary file left behind?)", len(entries))
	}
}

func TestLoadOrCreateMasterKeyErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := FormatMasterKey(testKey(1))
	cases := []struct {
		name string
		path string
	}{
		{"corrupt file", write("corrupt.key", "hello", 0o600)},
		{"missing directory", filepath.Join(dir, "nope", "master.key")},
		{"directory", dir},
		{"short random", filepath.Join(dir, "short.key")},
	}
	if runtime.GOOS != "windows" {
		cases = append(cases, struct {
			name string
			path string
		}{"world readable", write("open.key", good, 0o644)})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key, _, err := LoadOrCreateMasterKey(tc.path, bytes.NewReader(make([]byte, 4)))
			if err == nil {
				t.Errorf("got key %x, want an error", key)
			}
		})
	}
}
