//go:build !unix

package face

import "testing"

// reportCPU runs the benchmark loop (no CPU-time metric on this OS).
func reportCPU(b *testing.B, loop func()) {
	for b.Loop() {
		loop()
	}
}
