package document_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
)

// now is the reference date for the synthetic set (its expiry dates run
// from 2026).
var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// tally accumulates MRZ reading results.
type tally struct {
	n, exact, valid, wrongAccepted, wrongValid, chars, charsOK int
	typeOK, glareFlag, sharpFlag, screenFlag                   int
}

// charScore counts, line by line, the expected characters read right: the
// line length minus the edit (Levenshtein) distance between the read and
// the expected line, so a dropped filler costs one character, not the
// line. A missing line scores zero.
func charScore(got, want []string) (ok, total int) {
	for i, w := range want {
		total += len(w)
		if i < len(got) {
			ok += max(0, len(w)-editDistance(got[i], w))
		}
	}
	return ok, total
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func samplesPerKind() int {
	if n, err := strconv.Atoi(os.Getenv("OPENIDV_DOC_SAMPLES")); err == nil && n > 0 {
		return n
	}
	return 1
}

// TestInspectSynthetic runs Inspect on every kind × variant of the
// synthetic set and reports, per variant, MRZ character and whole-MRZ
// accuracy, classification accuracy, the glare/sharpness reasons and
// wrongOK: zones whose check digits pass with wrong characters (never
// accepted: the test fails if one is). Set
// OPENIDV_DOC_SAMPLES for more identities per kind (default 1).
func TestInspectSynthetic(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("renders a synthetic set")
	}
	per := map[docsynth.Variant]*tally{}
	samples := fullSet(t)
	for _, s := range samples {
		rep, err := document.Inspect(s.Image, document.Options{Now: now})
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		tl := per[s.Variant]
		if tl == nil {
			tl = &tally{}
			per[s.Variant] = tl
		}
		tl.n++
		if string(rep.Type) == string(s.Kind) {
			tl.typeOK++
		}
		if slices.Contains(rep.Reasons, document.ReasonGlareDetected) {
			tl.glareFlag++
		}
		if slices.Contains(rep.Reasons, document.ReasonLowSharpness) {
			tl.sharpFlag++
		}
		if hasCode(rep.Issues, document.IssueScreenRecapture) {
			tl.screenFlag++
			if s.Variant != docsynth.Screen {
				t.Errorf("%s: flagged as a screen recapture (score %.4f)", s.Name, rep.Quality.Screen)
			}
		}
		var lines []string
		accepted := false
		if rep.MRZ != nil {
			lines, accepted = rep.MRZ.Lines, rep.MRZ.Accepted
		}
		if s.MRZ == nil {
			if string(rep.Type) != string(s.Kind) || len(rep.Reasons) > 0 {
				t.Logf("%s: type %s, issues %v, document %+v", s.Name, rep.Type, rep.Issues, rep.Document)
			}
			if accepted {
				tl.wrongAccepted++
				t.Errorf("%s: accepted an MRZ %q on a card without one", s.Name, lines)
			}
			continue
		}
		ok, total := charScore(lines, s.MRZ)
		tl.chars += total
		tl.charsOK += ok
		exact := slices.Equal(lines, s.MRZ)
		if exact {
			tl.exact++
		}
		if exact && accepted {
			tl.valid++
		}
		if rep.MRZ != nil && rep.MRZ.ChecksValid && !exact {
			tl.wrongValid++ // check digits pass, characters wrong: must not be accepted
		}
		if accepted && !exact {
			tl.wrongAccepted++
			t.Errorf("%s: accepted %q with valid check digits, want %q", s.Name, lines, s.MRZ)
		}
		if !exact || string(rep.Type) != string(s.Kind) || (len(rep.Reasons) > 0 && !s.Variant.Blurred() && !s.Variant.Glared() && s.Variant != docsynth.LowLight) {
			t.Logf("%s: type %s, reasons %v, read %q (checks valid %v, accepted %v)", s.Name, rep.Type, rep.Reasons, lines, rep.MRZ != nil && rep.MRZ.ChecksValid, accepted)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-16s %4s %8s %8s %8s %6s %6s %6s %6s %7s\n", "variant", "n", "char%", "exact%", "valid%", "type%", "glare", "sharp", "screen", "wrongOK")
	for _, v := range docsynth.Variants {
		tl := per[v]
		if tl == nil {
			continue
		}
		mrzN := tl.n - tl.n/len(docsynth.Kinds) // samples with an MRZ
		fmt.Fprintf(&b, "%-16s %4d %8.2f %8.1f %8.1f %6.1f %6d %6d %6d %7d\n", v, tl.n,
			100*float64(tl.charsOK)/float64(max(1, tl.chars)), 100*float64(tl.exact)/float64(max(1, mrzN)),
			100*float64(tl.valid)/float64(max(1, mrzN)), 100*float64(tl.typeOK)/float64(tl.n), tl.glareFlag, tl.sharpFlag, tl.screenFlag, tl.wrongValid)
		if v.MustRead() && tl.valid < mrzN {
			t.Errorf("%s: %d/%d MRZs read exactly with valid check digits, want all", v, tl.valid, mrzN)
		}
		if v == docsynth.GlareMRZ && tl.glareFlag < tl.n {
			t.Errorf("glare over the MRZ flagged on %d/%d", tl.glareFlag, tl.n)
		}
	}
	t.Log(b.String())
}
