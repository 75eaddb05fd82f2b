package main

import (
	"encoding/json"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/testdatadir"
)

// writeSyntheticTD3 renders the ICAO specimen passport in a photo and
// writes it as a PNG.
func writeSyntheticTD3(t *testing.T) string {
	t.Helper()
	rd, err := docsynth.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	page := rd.Render(docsynth.TD3, docsynth.Specimen(docsynth.TD3), nil, r)
	s, err := docsynth.Photo(page, docsynth.RandomPlacement(docsynth.TD3, r), docsynth.Clean, r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "td3.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, s.Image); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDocCLIExitCodes(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not an image"), 0o600); err != nil {
		t.Fatal(err)
	}
	grey := writeGreyJPEG(t)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"no subcommand", []string{"doc"}, 2},
		{"unknown subcommand", []string{"doc", "read", grey}, 2},
		{"no image", []string{"doc", "inspect"}, 2},
		{"bad date", []string{"doc", "inspect", "-now", "yesterday", grey}, 2},
		{"missing file", []string{"doc", "inspect", filepath.Join(dir, "absent.png")}, 1},
		{"text file", []string{"doc", "inspect", text}, 1},
		{"no document still ran", []string{"doc", "inspect", grey}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.want {
				t.Fatalf("exit code = %d, want %d (stderr %q)", code, tc.want, stderr)
			}
			if code != 0 && stderr == "" {
				t.Error("non-zero exit with nothing on stderr")
			}
		})
	}
}

// docReport is the part of the CLI's JSON the tests check.
type docReport struct {
	File    string   `json:"file"`
	Type    string   `json:"type"`
	Reasons []string `json:"reasons"`
	MRZ     *struct {
		Lines    []string          `json:"lines"`
		Valid    bool              `json:"valid"`
		Accepted bool              `json:"accepted"`
		Fields   map[string]string `json:"fields"`
		Checks   map[string]bool   `json:"checks"`
	} `json:"mrz"`
	Portrait *struct {
		Box struct{ Width float64 } `json:"box"`
	} `json:"portrait"`
	Timings map[string]float64 `json:"timings_ms"`
}

func decodeReports(t *testing.T, out string) []docReport {
	t.Helper()
	var reps []docReport
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r docReport
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("decode %q: %v", out, err)
		}
		reps = append(reps, r)
	}
	return reps
}

func TestDocCLIInspect(t *testing.T) {
	td3 := writeSyntheticTD3(t)
	grey := writeGreyJPEG(t)
	code, out, stderr := runCLI(t, "doc", "inspect", "-now", "2026-01-01", td3, grey)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	reps := decodeReports(t, out)
	if len(reps) != 2 {
		t.Fatalf("got %d reports, want 2", len(reps))
	}
	got := reps[0]
	if got.Type != "td3" || got.MRZ == nil || !got.MRZ.Accepted || got.MRZ.Fields["surname"] != "ERIKSSON" ||
		got.MRZ.Fields["birth_date"] != "1974-08-12" || !got.MRZ.Checks["composite"] {
		t.Errorf("td3 report = %+v, want an accepted ICAO specimen", got)
	}
	if !strings.Contains(out, `"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"`) {
		t.Errorf("MRZ line 1 missing or escaped in %s", out)
	}
	if got.Timings["total"] <= 0 || got.Timings["mrz"] <= 0 {
		t.Errorf("timings %v, want total and mrz", got.Timings)
	}
	if none := reps[1]; none.Type != "unknown" || len(none.Reasons) != 1 || none.Reasons[0] != "classificationFailed" {
		t.Errorf("grey report = %+v, want unknown with classificationFailed", none)
	}
}

func TestDocCLIRealSpecimen(t *testing.T) {
	path := testdatadir.Path(t, "documents", "passporteye", "passport-td2.png")
	code, out, stderr := runCLI(t, "doc", "inspect", "-now", "2026-01-01", path)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	r := decodeReports(t, out)[0]
	want := []string{"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"}
	if r.Type != "td2" || r.MRZ == nil || strings.Join(r.MRZ.Lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %+v, want td2 %q", r, want)
	}
	if r.Portrait == nil || r.Portrait.Box.Width <= 0 {
		t.Errorf("portrait = %+v, want the holder's face", r.Portrait)
	}
}
