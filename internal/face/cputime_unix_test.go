//go:build unix

package face

import (
	"syscall"
	"testing"
	"time"
)

// processCPU returns the user+system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU runs the benchmark loop body through loop and reports the
// process CPU time per operation ("cpu-ms/op"), which, unlike ns/op, does
// not grow when other processes share the cores.
func reportCPU(b *testing.B, loop func()) {
	start := processCPU()
	n := 0
	for b.Loop() {
		loop()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(processCPU()-start)/float64(n)/1e6, "cpu-ms/op")
	}
}
