package document_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/document"
)

// specimenNow resolves two-digit years; every specimen has expired by
// then, which the report shows and acceptance ignores.
var specimenNow = now

// TestInspectRealSpecimens runs Inspect on the shared specimen scans and
// compares the MRZ with ground_truth.json. It reports every image and
// fails if a zone is accepted with characters that differ from the truth
// (the issue's "none read with valid check digits but wrong characters").
func TestInspectRealSpecimens(t *testing.T) {
	dir, specs := specimens(t)
	var b strings.Builder
	exact, typed := 0, 0
	for _, s := range specs {
		m, err := decodeFile(t, filepath.Join(dir, s.Path))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := document.Inspect(m, document.Options{Now: specimenNow})
		if err != nil {
			t.Fatalf("%s: %v", s.Path, err)
		}
		want := s.Lines()
		var got []string
		accepted := false
		if rep.MRZ != nil {
			got, accepted = rep.MRZ.Lines, rep.MRZ.Accepted
		}
		ok := slices.Equal(got, want)
		if ok {
			exact++
		}
		wantType := strings.ReplaceAll(strings.ToLower(s.Format), "-", "_")
		if string(rep.Type) == wantType {
			typed++
		}
		if accepted && !ok {
			t.Errorf("%s: accepted %q, want %q", s.Path, got, want)
		}
		// Every specimen is a scan or photo of paper, and only those
		// whose notes say so show glare.
		if hasCode(rep.Issues, document.IssueScreenRecapture) {
			t.Errorf("%s: flagged as a screen recapture (score %.4f)", s.Path, rep.Quality.Screen)
		}
		glared := strings.Contains(s.Notes, "glare")
		if slices.Contains(rep.Reasons, document.ReasonGlareDetected) && !glared {
			t.Errorf("%s: glareDetected (glare %.4f) on a specimen without glare", s.Path, rep.Quality.Glare)
		}
		if glared && !slices.Contains(rep.Reasons, document.ReasonGlareDetected) {
			t.Logf("%s: glare not detected (glare %.4f; its glare does not clip to white)", s.Path, rep.Quality.Glare)
		}
		fmt.Fprintf(&b, "%-38s type %-11s (want %-5s) exact %-5v accepted %-5v screen %.4f reasons %v\n", s.Path, rep.Type, wantType, ok, accepted, rep.Quality.Screen, rep.Reasons)
		if !ok && rep.MRZ != nil {
			fmt.Fprintf(&b, "%38s read %q\n", "", got)
		}
	}
	t.Logf("\n%s", b.String())
	t.Logf("MRZ read exactly: %d/%d; type right: %d/%d", exact, len(specs), typed, len(specs))
}

func hasCode(issues []document.Issue, c document.IssueCode) bool {
	return slices.ContainsFunc(issues, func(is document.Issue) bool { return is.Code == c })
}
