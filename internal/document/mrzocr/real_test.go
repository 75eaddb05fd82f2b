package mrzocr_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/document/mrzocr"
	"github.com/openidv/openidv/internal/imaging"
	"github.com/openidv/openidv/internal/testdatadir"
)

// groundTruth is the part of ../shared/testdata/documents/ground_truth.json
// this test uses.
type groundTruth struct {
	Images map[string]struct {
		MRZSource []string `json:"mrz_source"`
		MRZEye    []string `json:"mrz_eye_transcription"`
	} `json:"images"`
}

// minExactReal is the number of real specimen scans read exactly so far,
// and minValidReal the number of those also accepted (Result.Valid: every
// check digit and field passes and no unprotected character is doubtful);
// the test fails if a change does worse.
const (
	minExactReal = 25
	minValidReal = 22
)

// loadGroundTruth reads the specimen scans' ground truth (skipping when
// the shared test data is absent) and returns their folder, the entries
// and the entries' names in order.
func loadGroundTruth(t *testing.T) (string, groundTruth, []string) {
	t.Helper()
	dir := testdatadir.Path(t, "documents")
	raw, err := os.ReadFile(filepath.Join(dir, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gt groundTruth
	if err := json.Unmarshal(raw, &gt); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(gt.Images))
	for name := range gt.Images {
		names = append(names, name)
	}
	sort.Strings(names)
	return dir, gt, names
}

// TestReadRealScans reads every specimen scan with a known zone. A zone
// read with valid check digits but wrong characters fails the test at
// once; the count of exact reads may not fall below minExactReal.
func TestReadRealScans(t *testing.T) {
	dir, gt, names := loadGroundTruth(t)
	exact, valid, total := 0, 0, 0
	for _, name := range names {
		entry := gt.Images[name]
		want := entry.MRZSource
		if want == nil {
			want = entry.MRZEye // transcribed by eye; its check digits all validate
		}
		if want == nil {
			continue
		}
		total++
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := imaging.DecodeBytes(data, imaging.DefaultLimits())
		if err != nil {
			t.Errorf("%s: decode: %v", name, err)
			continue
		}
		rd, err := mrzocr.Read(imaging.ToGray(img), now)
		switch {
		case err != nil:
			t.Logf("%-40s unread: %v", name, err)
		case strings.Join(rd.Lines, "\n") == strings.Join(want, "\n"):
			exact++
			if rd.Result.Valid {
				valid++
			}
			t.Logf("%-40s exact (valid %v %v, %d corrected, min confidence %.2f, unprotected %.2f, angle %.1f°)", name, rd.Result.Valid, rd.Result.Problems, rd.Corrected, rd.MinConfidence(), rd.MinUnprotectedConfidence(), rd.Angle)
		case rd.Result.Valid:
			t.Errorf("%-40s VALID BUT WRONG:\n got %q\nwant %q", name, rd.Lines, want)
		default:
			t.Logf("%-40s invalid read (%d chars differ, checks valid %v, problems %v): %q", name, diffChars(rd.Lines, want), rd.Result.ChecksValid, rd.Result.Problems, rd.Lines)
		}
	}
	t.Logf("real scans: %d/%d exact, %d of them accepted as valid", exact, total, valid)
	if exact < minExactReal || valid < minValidReal {
		t.Errorf("%d exact reads (%d valid), want at least %d (%d)", exact, valid, minExactReal, minValidReal)
	}
}

func diffChars(got, want []string) int {
	n := 0
	g, w := strings.Join(got, ""), strings.Join(want, "")
	for i := 0; i < max(len(g), len(w)); i++ {
		if i >= len(g) || i >= len(w) || g[i] != w[i] {
			n++
		}
	}
	return n
}
