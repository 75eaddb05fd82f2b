package document_test

import (
	"encoding/json"
	"flag"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestInspectGolden pins the report's JSON (the shape `openidv doc
// inspect` prints, without timings) for a synthetic TD1 card photo and for
// the same card with glare over its MRZ.
func TestInspectGolden(t *testing.T) {
	rd := synthRenderer(t)
	r := rand.New(rand.NewSource(3))
	page := rd.Render(docsynth.TD1, docsynth.Specimen(docsynth.TD1), nil, r)
	pl := docsynth.RandomPlacement(docsynth.TD1, r)
	for _, tc := range []struct {
		file    string
		variant docsynth.Variant
	}{
		{"inspect_td1.golden.json", docsynth.Clean},
		{"inspect_td1_glare.golden.json", docsynth.GlareMRZ},
	} {
		s, err := docsynth.Photo(page, pl, tc.variant, rand.New(rand.NewSource(4)))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := document.Inspect(s.Image, document.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, tc.file, rep)
	}
}

// checkGolden compares v's indented JSON with testdata/name, rewriting the
// file first with -update.
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}
