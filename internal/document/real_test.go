package document_test

import (
	"encoding/json"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openidv/openidv/internal/imaging"
	"github.com/openidv/openidv/internal/testdatadir"
)

// specimen is one entry of the shared documents' ground_truth.json.
type specimen struct {
	Path     string
	Format   string   `json:"mrz_format"`
	Source   []string `json:"mrz_source"`
	Eye      []string `json:"mrz_eye_transcription"`
	Document string   `json:"document"`
	Notes    string   `json:"notes"`
}

// Lines returns the expected MRZ: the source's, else the eye transcription.
func (s specimen) Lines() []string {
	if s.Source != nil {
		return s.Source
	}
	return s.Eye
}

// specimens reads ground_truth.json (skipping t without the shared data),
// sorted by path.
func specimens(t testing.TB) (dir string, out []specimen) {
	t.Helper()
	dir = testdatadir.Path(t, "documents")
	b, err := os.ReadFile(filepath.Join(dir, "ground_truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gt struct {
		Images map[string]specimen `json:"images"`
	}
	if err := json.Unmarshal(b, &gt); err != nil {
		t.Fatal(err)
	}
	for p, s := range gt.Images {
		if s.Format == "" {
			continue
		}
		s.Path = p
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b specimen) int { return strings.Compare(a.Path, b.Path) })
	return dir, out
}

// decodeFile reads and decodes one image with the default limits.
func decodeFile(t testing.TB, path string) (image.Image, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, _, err := imaging.DecodeBytes(b, imaging.Limits{})
	return m, err
}
