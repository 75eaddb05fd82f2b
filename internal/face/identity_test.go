package face

import (
	"math"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

// galleryEntry is one labelled crop and its descriptor.
type galleryEntry struct {
	name, file string
	d          Descriptor
}

// loadGallery describes the 8 people × 5 aligned crops of the shared data.
func loadGallery(t testing.TB, e *Engine, dir string, l labels) []galleryEntry {
	t.Helper()
	names := make([]string, 0, len(l.Crops))
	for n := range l.Crops {
		names = append(names, n)
	}
	sort.Strings(names)
	var g []galleryEntry
	for _, n := range names {
		for _, f := range l.Crops[n] {
			img := decodeFile(t, filepath.Join(dir, "crops", f))
			d, err := e.DescribeCrop(img)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			g = append(g, galleryEntry{name: n, file: f, d: d})
		}
	}
	return g
}

// quantiles returns min, median and max of xs.
func quantiles(xs []float64) (lo, med, hi float64) {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[0], s[len(s)/2], s[len(s)-1]
}

// pairDistances splits the distances of every pair of g into genuine
// (same person) and impostor pairs.
func pairDistances(g []galleryEntry) (genuine, impostor []float64) {
	for i := range g {
		for j := i + 1; j < len(g); j++ {
			d := Distance(g[i].d, g[j].d)
			if g[i].name == g[j].name {
				genuine = append(genuine, d)
			} else {
				impostor = append(impostor, d)
			}
		}
	}
	return genuine, impostor
}

// rate is the fraction of xs for which pred holds.
func rate(xs []float64, pred func(float64) bool) float64 {
	n := 0
	for _, x := range xs {
		if pred(x) {
			n++
		}
	}
	return float64(n) / float64(len(xs))
}

// rank1LeaveOneOut counts the crops whose nearest other crop is the same
// person, logging the misses.
func rank1LeaveOneOut(t *testing.T, g []galleryEntry) int {
	rank1 := 0
	for i := range g {
		best, bestD := -1, math.Inf(1)
		for j := range g {
			if j == i {
				continue
			}
			if d := Distance(g[i].d, g[j].d); d < bestD {
				best, bestD = j, d
			}
		}
		if g[best].name == g[i].name {
			rank1++
		} else {
			t.Logf("rank-1 miss: %s → %s (%.3f)", g[i].file, g[best].file, bestD)
		}
	}
	return rank1
}

// TestIdentityCrops measures genuine and impostor distances over every pair
// of the 40 crops, the error rates at the default thresholds and rank-1
// leave-one-out identification.
func TestIdentityCrops(t *testing.T) {
	dir, l := readLabels(t)
	m := loadModels(t)
	e := newTestEngine(t, m)
	g := loadGallery(t, e, dir, l)
	if len(g) != 40 {
		t.Fatalf("gallery: got %d crops, want 40", len(g))
	}
	cfg := e.Config()
	genuine, impostor := pairDistances(g)
	gl, gm, gh := quantiles(genuine)
	il, im, ih := quantiles(impostor)
	t.Logf("genuine  (%d pairs): min %.3f median %.3f max %.3f", len(genuine), gl, gm, gh)
	t.Logf("impostor (%d pairs): min %.3f median %.3f max %.3f", len(impostor), il, im, ih)
	fnmrMatch := rate(genuine, func(d float64) bool { return d > cfg.MatchThreshold })
	fnmrReview := rate(genuine, func(d float64) bool { return d > cfg.ReviewThreshold })
	fmrMatch := rate(impostor, func(d float64) bool { return d <= cfg.MatchThreshold })
	fmrReview := rate(impostor, func(d float64) bool { return d <= cfg.ReviewThreshold })
	t.Logf("at match ≤ %.2f: FNMR %.1f%%, FMR %.2f%%", cfg.MatchThreshold, 100*fnmrMatch, 100*fmrMatch)
	t.Logf("at review ≤ %.2f: FNMR %.1f%%, FMR %.2f%%", cfg.ReviewThreshold, 100*fnmrReview, 100*fmrReview)

	rank1 := rank1LeaveOneOut(t, g)
	t.Logf("rank-1 leave-one-out: %d/%d", rank1, len(g))

	if len(genuine) != 80 || len(impostor) != 700 {
		t.Errorf("pairs: got %d genuine, %d impostor, want 80, 700", len(genuine), len(impostor))
	}
	if rank1 != len(g) {
		t.Errorf("rank-1: got %d/%d, want %d/%d", rank1, len(g), len(g), len(g))
	}
	if il <= cfg.MatchThreshold {
		t.Errorf("closest impostor pair: got %.3f, want > %.2f (a false match)", il, cfg.MatchThreshold)
	}
	if fmrReview > 0.005 {
		t.Errorf("FMR at review threshold: got %.2f%%, want ≤ 0.5%%", 100*fmrReview)
	}
	if fnmrReview > 0.10 {
		t.Errorf("FNMR at review threshold: got %.1f%%, want ≤ 10%%", 100*fnmrReview)
	}
}
