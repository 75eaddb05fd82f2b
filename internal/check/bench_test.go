package check_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/check"
	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/imaging"
	"github.com/openidv/openidv/internal/testdatadir"
)

var benchNow = time.Date(2012, 4, 14, 0, 0, 0, 0, time.UTC)

func benchPassport(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(testdatadir.Path(b, "documents"), "passporteye", "passport-td3.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkDocument compares, on one specimen passport photo, the bare
// engine on the decoded image, decoding plus the engine (what `openidv doc
// inspect` does), and the adapter (decode, pool slot, engine, mapping).
// The three run in turn within each iteration, so load from other
// processes falls on all three alike; it reports each one's median and the
// adapter's median over the bare engine's.
func BenchmarkDocument(b *testing.B) {
	data := benchPassport(b)
	img, _, err := imaging.DecodeBytes(data, imaging.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	rd := check.NewDocumentReader(check.DocumentOptions{})
	req := idv.DocumentRequest{Side: idv.DocumentFront, Image: data, Now: benchNow}
	var engine, decoded, adapter []float64
	timed := func(into *[]float64, f func() error) {
		t0 := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		*into = append(*into, float64(time.Since(t0).Microseconds())/1000)
	}
	for b.Loop() {
		timed(&engine, func() error {
			_, err := document.Inspect(img, document.Options{Now: benchNow})
			return err
		})
		timed(&decoded, func() error {
			m, _, err := imaging.DecodeBytes(data, imaging.Limits{})
			if err == nil {
				_, err = document.Inspect(m, document.Options{Now: benchNow})
			}
			return err
		})
		timed(&adapter, func() error {
			r, err := rd.ReadDocument(context.Background(), req)
			if err == nil && !r.Accepted {
				b.Fatalf("not accepted: %+v", r)
			}
			return err
		})
	}
	b.ReportMetric(median(engine), "engine-ms")
	b.ReportMetric(median(decoded), "decode+engine-ms")
	b.ReportMetric(median(adapter), "adapter-ms")
	b.ReportMetric(median(adapter)/median(engine), "adapter/engine")
	b.ReportMetric(median(adapter)/median(decoded), "adapter/decode+engine")
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkDocumentConcurrency reads 4 photos per op: one after the other,
// 4 at once through a pool of GOMAXPROCS slots, and 4 at once through a
// pool of 4 (no bound on 2 cores). It reports photos per second.
func BenchmarkDocumentConcurrency(b *testing.B) {
	data := benchPassport(b)
	req := idv.DocumentRequest{Side: idv.DocumentFront, Image: data, Now: benchNow}
	const n = 4
	run := func(b *testing.B, rd *check.DocumentReader, concurrent bool) {
		t0 := time.Now()
		for b.Loop() {
			if !concurrent {
				for range n {
					if _, err := rd.ReadDocument(context.Background(), req); err != nil {
						b.Fatal(err)
					}
				}
				continue
			}
			var wg sync.WaitGroup
			for range n {
				wg.Go(func() {
					if _, err := rd.ReadDocument(context.Background(), req); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
		b.ReportMetric(float64(n*b.N)/time.Since(t0).Seconds(), "photos/s")
	}
	b.Run("sequential", func(b *testing.B) { run(b, check.NewDocumentReader(check.DocumentOptions{}), false) })
	b.Run("concurrent4-pool-gomaxprocs", func(b *testing.B) {
		run(b, check.NewDocumentReader(check.DocumentOptions{Pool: check.NewPool(0)}), true)
	})
	b.Run("concurrent4-pool-4", func(b *testing.B) {
		run(b, check.NewDocumentReader(check.DocumentOptions{Pool: check.NewPool(n)}), true)
	})
}
