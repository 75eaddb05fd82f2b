package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// BenchmarkCreate creates sessions as POST /v1/sessions does
// (CreateRealistic: session, data key, event, outbox message, notice), one
// InTx per session, from 32 goroutines per CPU, and reports sessions/s.
// A subscriber drains the notices, as the websocket hub would.
func BenchmarkCreate(b *testing.B, st idv.Store) {
	go func() { _ = st.Subscribe(b.Context(), func(string) {}) }()
	prefix := NewID(b)[:8]
	var seq atomic.Int64
	now := time.Now()
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("%s-%d", prefix, seq.Add(1))
			err := st.InTx(b.Context(), func(tx idv.Tx) error { return CreateRealistic(b.Context(), tx, id, now) })
			if err != nil {
				b.Errorf("create: %v", err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sessions/s")
}
