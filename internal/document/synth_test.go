package document_test

import (
	"image"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/imaging"
)

var (
	rendererOnce sync.Once
	renderer     *docsynth.Renderer
	rendererErr  error

	fullOnce sync.Once
	full     []*docsynth.Sample
)

// fullSet is the synthetic set the reports share (rendered once per test
// binary): samplesPerKind identities of every kind in every variant.
func fullSet(t testing.TB) []*docsynth.Sample {
	t.Helper()
	synthRenderer(t)
	fullOnce.Do(func() { full = synthSet(t, 21, samplesPerKind()) })
	if full == nil {
		t.Fatal("synthetic set failed to render")
	}
	return full
}

// only keeps the samples of the given variants (all when none given) and
// kinds (all when nil).
func only(set []*docsynth.Sample, kinds []docsynth.Kind, variants ...docsynth.Variant) []*docsynth.Sample {
	var out []*docsynth.Sample
	for _, s := range set {
		if (len(variants) == 0 || slices.Contains(variants, s.Variant)) && (kinds == nil || slices.Contains(kinds, s.Kind)) {
			out = append(out, s)
		}
	}
	return out
}

// synthRenderer returns the shared docsynth renderer (the OCR-B font is
// embedded; an error fails t).
func synthRenderer(t testing.TB) *docsynth.Renderer {
	t.Helper()
	rendererOnce.Do(func() {
		renderer, rendererErr = docsynth.NewRenderer()
	})
	if rendererErr != nil {
		t.Fatal(rendererErr)
	}
	return renderer
}

// synthSet renders perKind identities of each kind in the given variants.
func synthSet(t testing.TB, seed int64, perKind int, variants ...docsynth.Variant) []*docsynth.Sample {
	t.Helper()
	rd := synthRenderer(t)
	var out []*docsynth.Sample
	err := rd.Set(seed, docsynth.SetOptions{PerKind: perKind, Variants: variants, Portraits: portraits(t)}, func(s *docsynth.Sample) error {
		out = append(out, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func portraits(t testing.TB) []image.Image {
	t.Helper()
	var imgs []image.Image
	for _, p := range []string{"amy/amy1.png", "leonard/leonard2.png", "penny/penny3.png", "raj/raj1.png"} {
		// Optional: without the shared faces docsynth draws a silhouette.
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "testdata", "faces", "crops", p))
		if err != nil {
			continue
		}
		img, _, err := imaging.DecodeBytes(b, imaging.Limits{})
		if err == nil {
			imgs = append(imgs, img)
		}
	}
	return imgs
}
