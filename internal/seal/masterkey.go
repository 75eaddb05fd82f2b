package seal

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// ParseMasterKey decodes a master key from configuration: 64 hex digits or
// the base64 (standard or URL alphabet, padded or not) of 32 bytes.
// Surrounding white space is ignored. The error never contains the input.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("seal: master key is empty")
	}
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return checkMasterKey(b)
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if b, err := enc.Strict().DecodeString(s); err == nil {
			return checkMasterKey(b)
		}
	}
	return nil, fmt.Errorf("seal: master key is neither hex nor base64 (want %d bytes)", KeySize)
}

// checkMasterKey checks the length and refuses an all-zero key.
func checkMasterKey(b []byte) ([]byte, error) {
	if len(b) != KeySize {
		return nil, fmt.Errorf("seal: master key has %d bytes, want %d", len(b), KeySize)
	}
	var acc byte
	for _, c := range b {
		acc |= c
	}
	if acc == 0 {
		return nil, errors.New("seal: master key is all zeros")
	}
	return b, nil
}

// FormatMasterKey returns the text form of a master key (standard base64),
// as written by LoadOrCreateMasterKey and read by ParseMasterKey.
func FormatMasterKey(key []byte) string {
	return base64.StdEncoding.EncodeToString(key)
}

// LoadOrCreateMasterKey reads the master key file at path, or, when it does
// not exist, creates it with a new key drawn from rand (crypto/rand in
// production) and reports created = true. The file is created with mode
// 0600 atomically (written to a temporary file, synced, then hard-linked
// into place), so a crash never leaves a half-written key and an existing
// key is never overwritten, even by a concurrent start. An existing file
// readable by group or others is refused (except on Windows).
func LoadOrCreateMasterKey(path string, rand io.Reader) (key []byte, created bool, err error) {
	key, err = readMasterKeyFile(path)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	raw := make([]byte, KeySize)
	if _, err := io.ReadFull(rand, raw); err != nil {
		return nil, false, fmt.Errorf("seal: read random master key: %w", err)
	}
	if _, err := checkMasterKey(raw); err != nil {
		return nil, false, err
	}
	if err := createExclusive(path, []byte(FormatMasterKey(raw)+"\n")); err != nil {
		if errors.Is(err, fs.ErrExist) { // another process won the race
			key, err = readMasterKeyFile(path)
			return key, false, err
		}
		return nil, false, err
	}
	return raw, true, nil
}

// readMasterKeyFile reads and parses a master key file.
func readMasterKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: master key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: master key file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("seal: master key file %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("seal: master key file %s has mode %v; want 0600 (chmod 600 it)", path, info.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("seal: master key file: %w", err)
	}
	key, err := ParseMasterKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return key, nil
}

// createExclusive writes data to a temporary file next to path and links it
// to path, failing with fs.ErrExist when path exists.
func createExclusive(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".masterkey-*")
	if err != nil {
		return fmt.Errorf("seal: create master key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return fmt.Errorf("seal: create master key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("seal: write master key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("seal: sync master key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("seal: write master key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("seal: create master key file: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a new directory entry durable (no-op where unsupported).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync() // some file systems refuse to sync a directory
	return nil
}
