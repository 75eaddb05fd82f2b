package face

import (
	"encoding/json"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/openidv/openidv/internal/imaging"
	"github.com/openidv/openidv/internal/testdatadir"
)

// labels is the part of the shared faces/labels.json the tests read.
type labels struct {
	Crops       map[string][]string `json:"crops"`
	GroupDetail map[string]struct {
		Size  [2]int `json:"size"`
		Faces []struct {
			Name   string     `json:"name"`
			Center [2]float64 `json:"approx_center"`
		} `json:"faces"`
	} `json:"group_detail"`
}

func readLabels(t testing.TB) (dir string, l labels) {
	t.Helper()
	dir = testdatadir.Path(t, "faces")
	data, err := os.ReadFile(filepath.Join(dir, "labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &l); err != nil {
		t.Fatal(err)
	}
	return dir, l
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodeFile(t testing.TB, path string) image.Image {
	t.Helper()
	img, _, err := imaging.DecodeBytes(readFile(t, path), imaging.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func newTestEngine(t testing.TB, m Models) *Engine {
	t.Helper()
	e, err := NewEngine(DefaultConfig(), m)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// loadModels loads the embedded networks or fails the test.
func loadModels(t testing.TB) Models {
	t.Helper()
	m, err := DefaultModels()
	if err != nil {
		t.Fatalf("DefaultModels: %v", err)
	}
	return m
}
