package cascade

import (
	"crypto/sha256"
	"fmt"
	"testing"
)

// TestCascadesAreUpstreamFiles pins the embedded files to pigo v1.4.6's
// cascade/facefinder and cascade/puploc (sizes and SHA-256).
func TestCascadesAreUpstreamFiles(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		size int
		sum  string
	}{
		{"facefinder", FaceFinder(), 239632, "d8014993e7298c7b1865d1f8b855d6dbf4ec5c808bf879e2091ab6837abf90cd"},
		{"puploc", Puploc(), 1228416, "aa01adf34e5af6ed333be75e934275fc39fba2b63790cb340353b2d459c96ccc"},
	}
	for _, tt := range tests {
		if len(tt.data) != tt.size {
			t.Errorf("%s: got %d bytes, want %d", tt.name, len(tt.data), tt.size)
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(tt.data)); got != tt.sum {
			t.Errorf("%s: got sha256 %s, want %s", tt.name, got, tt.sum)
		}
	}
}

// TestCopiesAreIndependent checks that a caller cannot change the
// embedded cascade through a returned slice.
func TestCopiesAreIndependent(t *testing.T) {
	a := FaceFinder()
	a[0] ^= 0xFF
	if b := FaceFinder(); b[0] == a[0] {
		t.Errorf("FaceFinder: modifying one copy changed the next")
	}
}
