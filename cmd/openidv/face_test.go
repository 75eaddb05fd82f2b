package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/openidv/openidv/internal/testdatadir"
)

// runCLI runs `openidv args…` in-process and returns the exit code and
// the two streams.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeGreyJPEG writes a plain 320×480 JPEG with no face in it.
func writeGreyJPEG(t *testing.T) string {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 320, 480))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	img.Set(10, 10, color.Gray{Y: 250})
	path := filepath.Join(t.TempDir(), "grey.jpg")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, nil); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFaceCLIExitCodes(t *testing.T) {
	dir := t.TempDir()
	truncated := filepath.Join(dir, "truncated.jpg")
	grey := writeGreyJPEG(t)
	data, err := os.ReadFile(grey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truncated, data[:len(data)/3], 0o600); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not an image"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"no subcommand", []string{"face"}, 2},
		{"unknown subcommand", []string{"face", "frobnicate", grey}, 2},
		{"compare needs two images", []string{"face", "compare", grey}, 2},
		{"bad detector", []string{"face", "detect", "-detector", "nope", grey}, 2},
		{"missing file", []string{"face", "detect", filepath.Join(dir, "absent.jpg")}, 1},
		{"text file", []string{"face", "detect", text}, 1},
		{"truncated JPEG", []string{"face", "compare", grey, truncated}, 1},
		{"no face still ran", []string{"face", "detect", grey}, 0},
		{"unusable compare still ran", []string{"face", "compare", grey, grey}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != tc.want {
				t.Fatalf("exit code = %d, want %d (stderr %q)", code, tc.want, stderr)
			}
			if code != 0 && stderr == "" {
				t.Errorf("exit %d with nothing on stderr", code)
			}
			if code == 0 && !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not JSON: %q", stdout)
			}
		})
	}
}

func TestFaceCLICompareUnusableReasons(t *testing.T) {
	grey := writeGreyJPEG(t)
	code, stdout, stderr := runCLI(t, "face", "compare", grey, grey)
	if code != 0 {
		t.Fatalf("exit code = %d, want 0 (stderr %q)", code, stderr)
	}
	var got struct {
		Distance  *float64           `json:"distance"`
		Verdict   string             `json:"verdict"`
		Reasons   []string           `json:"reasons"`
		TimingsMS map[string]float64 `json:"timings_ms"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout %q: %v", stdout, err)
	}
	if got.Verdict != "unusable" || !contains(got.Reasons, "faceNotDetected") || got.TimingsMS == nil {
		t.Errorf("compare of two faceless images = %+v, want verdict unusable with faceNotDetected and timings", got)
	}
}

func TestFaceCLIDetectAndEmbedRealFaces(t *testing.T) {
	group := testdatadir.Path(t, "faces", "group", "bbt3.jpg")
	code, stdout, stderr := runCLI(t, "face", "detect", group)
	if code != 0 {
		t.Fatalf("detect exit code = %d (stderr %q)", code, stderr)
	}
	var det struct {
		Faces []struct {
			Box    map[string]float64 `json:"box"`
			Score  float64            `json:"score"`
			Pupils map[string]any     `json:"pupils"`
		} `json:"faces"`
		TimingsMS map[string]float64 `json:"timings_ms"`
	}
	if err := json.Unmarshal([]byte(stdout), &det); err != nil {
		t.Fatal(err)
	}
	if len(det.Faces) != 5 {
		t.Errorf("bbt3 has five people; detect found %d faces", len(det.Faces))
	}
	for i, f := range det.Faces {
		for _, k := range []string{"x", "y", "width", "height"} {
			if _, ok := f.Box[k]; !ok {
				t.Errorf("face %d box lacks %q: %v", i, k, f.Box)
			}
		}
		if f.Pupils == nil {
			t.Errorf("face %d has no pupils", i)
		}
	}

	crop := testdatadir.Path(t, "faces", "crops", "sheldon", "sheldon1.png")
	code, stdout, stderr = runCLI(t, "face", "embed", "-crop", crop)
	if code != 0 {
		t.Fatalf("embed exit code = %d (stderr %q)", code, stderr)
	}
	var emb struct {
		Descriptor []float64 `json:"descriptor"`
	}
	if err := json.Unmarshal([]byte(stdout), &emb); err != nil {
		t.Fatal(err)
	}
	var norm float64
	for _, v := range emb.Descriptor {
		norm += v * v
	}
	if len(emb.Descriptor) != 128 || norm == 0 {
		t.Errorf("embed -crop gave %d numbers (squared norm %v), want 128 non-zero", len(emb.Descriptor), norm)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
