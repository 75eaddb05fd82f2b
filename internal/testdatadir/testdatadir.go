// Package testdatadir finds the shared test data (faces, documents) that
// lives beside the repository in ../shared/testdata. Tests call Path and
// are skipped cleanly when the directory is absent.
package testdatadir

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns the absolute path of ../shared/testdata/<elem...> relative
// to the repository root (the directory holding go.mod). It skips t when
// the path does not exist.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Skipf("shared test data: %v", err)
	}
	p := filepath.Join(append([]string{root, "..", "shared", "testdata"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test data absent (%s): skipping", p)
	}
	return p
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
