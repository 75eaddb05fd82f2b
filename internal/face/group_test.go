package face

import (
	"math"
	"path/filepath"
	"sort"
	"testing"
)

// identify returns the gallery identity nearest to d and its distance.
func identify(g []galleryEntry, d Descriptor) (string, float64) {
	best, bestD := "", math.Inf(1)
	for _, x := range g {
		if dd := Distance(x.d, d); dd < bestD {
			best, bestD = x.name, dd
		}
	}
	return best, bestD
}

// nearestFace returns the index of the face whose box centre is nearest to
// c, and that distance.
func nearestFace(faces []Face, c [2]float64) (int, float64) {
	best, bestD := -1, math.Inf(1)
	for i, f := range faces {
		fc := f.Box.Center()
		if d := math.Hypot(fc.X-c[0], fc.Y-c[1]); d < bestD {
			best, bestD = i, d
		}
	}
	return best, bestD
}

// TestGroupPhotos detects every labelled face of the group photos (pigo
// merged with the TinyFaceDetector), aligns and embeds it, and identifies
// it against the 40 crops. bbt1 (disguise wigs and beards) is the hard
// case; it passes too (distances 0.47–0.55 to the right person).
func TestGroupPhotos(t *testing.T) {
	dir, l := readLabels(t)
	m := loadModels(t)
	cfg := DefaultConfig()
	cfg.Fallback = FallbackMerge
	e, err := NewEngine(cfg, m)
	if err != nil {
		t.Fatal(err)
	}
	g := loadGallery(t, e, dir, l)
	const maxCentreOffset = 45.0 // labels are ±30 px; pigo boxes sit a little low
	images := make([]string, 0, len(l.GroupDetail))
	for name := range l.GroupDetail {
		images = append(images, name)
	}
	sort.Strings(images)
	found, identified, total := 0, 0, 0
	for _, name := range images {
		img := decodeFile(t, filepath.Join(dir, "group", name))
		faces, err := e.Detect(img)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, want := range l.GroupDetail[name].Faces {
			if want.Name == "unknown" {
				continue
			}
			total++
			i, off := nearestFace(faces, want.Center)
			if i < 0 || off > maxCentreOffset {
				t.Errorf("%s %s at %v: no face within %.0f px (nearest %.0f px)", name, want.Name, want.Center, maxCentreOffset, off)
				continue
			}
			found++
			f := faces[i]
			chip, _ := Align(img, f.Pupils)
			d, err := e.Embed(chip)
			if err != nil {
				t.Fatal(err)
			}
			got, dist := identify(g, d)
			own := math.Inf(1)
			for _, x := range g {
				if x.name == want.Name {
					own = min(own, Distance(x.d, d))
				}
			}
			t.Logf("%s %-10s %-8s ipd %5.1f: nearest %-10s %.3f (own %.3f)", name, want.Name, f.Detector, f.Pupils.Distance(), got, dist, own)
			if got == want.Name {
				identified++
			} else {
				t.Errorf("%s %s: identified as %s (%.3f; own best %.3f)", name, want.Name, got, dist, own)
			}
		}
	}
	t.Logf("group photos: %d/%d labelled faces found, %d/%d identified at rank 1", found, total, identified, total)
	if total != 22 {
		t.Errorf("labelled faces: got %d, want 22", total)
	}
}
