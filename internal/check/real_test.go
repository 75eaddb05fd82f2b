package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/check"
	"github.com/openidv/openidv/internal/docsynth"
	"github.com/openidv/openidv/internal/document"
	"github.com/openidv/openidv/internal/face"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/imaging"
	"github.com/openidv/openidv/internal/testdatadir"
)

// specimen is one passport of the shared documents' ground_truth.json.
type specimen struct {
	Path   string
	Format string   `json:"mrz_format"`
	Source []string `json:"mrz_source"`
	Eye    []string `json:"mrz_eye_transcription"`
}

func (s specimen) lines() []string {
	if s.Source != nil {
		return s.Source
	}
	return s.Eye
}

// validNow is the day before the specimen's expiry (every specimen has
// expired by now): the zone's own date, so the verdict is about the photo.
func (s specimen) validNow(t testing.TB) time.Time {
	l := s.lines()[1]
	d, err := time.Parse("060102", l[21:27])
	if err != nil {
		t.Fatalf("%s: expiry %q: %v", s.Path, l[21:27], err)
	}
	return time.Date(2000+d.Year()%100, d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
}

// passports reads the TD3 specimens (skipping t without the shared data).
func passports(t testing.TB) (string, []specimen) {
	t.Helper()
	dir := testdatadir.Path(t, "documents")
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
	var out []specimen
	for p, s := range gt.Images {
		if s.Format == "TD3" && len(s.lines()) == 2 {
			s.Path = p
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b specimen) int { return strings.Compare(a.Path, b.Path) })
	return dir, out
}

var (
	facesOnce sync.Once
	faces     *face.Engine
	facesErr  error
)

// reader returns a reader that also finds portraits (pigo only, as
// `openidv doc inspect` does).
func reader(t testing.TB) *check.DocumentReader {
	t.Helper()
	facesOnce.Do(func() { faces, facesErr = face.NewEngine(face.DefaultConfig(), face.Models{}) })
	if facesErr != nil {
		t.Fatal(facesErr)
	}
	return check.NewDocumentReader(check.DocumentOptions{Faces: faces})
}

// TestPassportSpecimens reads every specimen passport through the adapter
// and compares with the bare engine on the same image: type passport, no
// back, accepted exactly when the engine finds no issue and accepts the
// zone, and then fields equal to the ground truth and a portrait crop.
func TestPassportSpecimens(t *testing.T) {
	dir, specs := passports(t)
	if raceEnabled && len(specs) > 3 {
		specs = specs[len(specs)-3:]
	}
	rd := reader(t)
	accepted, portraits := 0, 0
	for _, s := range specs {
		data, err := os.ReadFile(filepath.Join(dir, s.Path))
		if err != nil {
			t.Fatal(err)
		}
		now := s.validNow(t)
		got, err := rd.ReadDocument(context.Background(), idv.DocumentRequest{Side: idv.DocumentFront, Image: data, Now: now})
		if err != nil {
			t.Fatalf("%s: %v", s.Path, err)
		}
		img, _, err := imaging.DecodeBytes(data, imaging.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := document.Inspect(img, document.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		engineOK := len(rep.Issues) == 0 && rep.MRZ != nil && rep.MRZ.Accepted
		if got.DocumentType != idv.DocumentPassport || got.NeedsBack {
			t.Errorf("%s: type %q needs back %v, want passport without back", s.Path, got.DocumentType, got.NeedsBack)
		}
		if got.Accepted != engineOK {
			t.Errorf("%s: accepted %v (%s/%v), engine accepts %v (%v)", s.Path, got.Accepted, got.Reason, got.Codes, engineOK, rep.Reasons)
		}
		t.Logf("%-32s accepted %-5v reason %-20s codes %v", s.Path, got.Accepted, got.Reason, got.Codes)
		if !got.Accepted {
			continue
		}
		accepted++
		want := s.lines()
		f := got.Fields
		if !slices.Equal(f.MRZLines, want) {
			t.Errorf("%s: lines %q, want %q", s.Path, f.MRZLines, want)
		}
		if f.DocumentNumber != strings.TrimRight(want[1][:9], "<") || f.Nationality != strings.TrimRight(want[1][10:13], "<") ||
			f.Sex != want[1][20:21] || f.IssuingState != strings.TrimRight(want[0][2:5], "<") || !f.ChecksValid || f.Expired {
			t.Errorf("%s: fields %+v disagree with %q", s.Path, f, want)
		}
		if got.Portrait != nil {
			portraits++
			if _, err := png.Decode(bytes.NewReader(got.Portrait)); err != nil {
				t.Errorf("%s: portrait is no PNG: %v", s.Path, err)
			}
		}
	}
	if accepted < len(specs)/2 {
		t.Fatalf("accepted %d of %d specimen passports", accepted, len(specs))
	}
	if portraits == 0 {
		t.Errorf("no portrait on any of the %d accepted passports", accepted)
	}
	t.Logf("accepted %d of %d specimen passports (the others the engine itself refuses), %d with a portrait", accepted, len(specs), portraits)
}

// TestExpiredSpecimenIsRefused: the same specimen, judged today, is
// refused for its expiry, not for the photo.
func TestExpiredSpecimenIsRefused(t *testing.T) {
	dir := testdatadir.Path(t, "documents")
	data, err := os.ReadFile(filepath.Join(dir, "passporteye", "passport-td3.png"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got, err := reader(t).ReadDocument(context.Background(), idv.DocumentRequest{Side: idv.DocumentFront, Image: data, Now: now, MinAge: 18})
	if err != nil {
		t.Fatal(err)
	}
	if got.Accepted || got.Reason != idv.ReasonClassificationFailed || got.Code != check.CodeExpired {
		t.Fatalf("got accepted %v %s/%s, want classificationFailed/%s", got.Accepted, got.Reason, got.Code, check.CodeExpired)
	}
}

// TestBlurredPassportIsLowSharpness blurs a specimen the adapter accepts.
func TestBlurredPassportIsLowSharpness(t *testing.T) {
	dir := testdatadir.Path(t, "documents")
	img := decode(t, filepath.Join(dir, "passporteye", "passport-td3.png"))
	now := time.Date(2012, 4, 14, 0, 0, 0, 0, time.UTC)
	got, err := reader(t).ReadDocument(context.Background(), idv.DocumentRequest{Side: idv.DocumentFront, Image: encodePNG(t, gaussianBlur(img, 3.5)), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if got.Accepted || got.Reason != idv.ReasonLowSharpness {
		t.Fatalf("got accepted %v %s/%v, want lowSharpness", got.Accepted, got.Reason, got.Codes)
	}
}

// TestFacePhotoIsNotADocument: a group photo is classificationFailed.
func TestFacePhotoIsNotADocument(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdatadir.Path(t, "faces", "group"), "bbt1.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := reader(t).ReadDocument(context.Background(), idv.DocumentRequest{Side: idv.DocumentFront, Image: data, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if got.Accepted || got.Reason != idv.ReasonClassificationFailed || got.Fields != nil {
		t.Fatalf("got accepted %v %s/%v fields %v, want classificationFailed without fields", got.Accepted, got.Reason, got.Codes, got.Fields)
	}
	t.Logf("code %s", got.Code)
}

// TestSyntheticTD1NeedsTheBack renders a clean TD1 card with docsynth.
func TestSyntheticTD1NeedsTheBack(t *testing.T) {
	rd, err := docsynth.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(7))
	id := docsynth.Specimen(docsynth.TD1)
	id.ExpiryDate = "300415"
	page := rd.Render(docsynth.TD1, id, nil, r)
	s, err := docsynth.Photo(page, docsynth.RandomPlacement(docsynth.TD1, r), docsynth.Clean, r)
	if err != nil {
		t.Fatal(err)
	}
	data := encodePNG(t, s.Image)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		side      idv.DocumentSide
		needsBack bool
	}{{idv.DocumentFront, true}, {idv.DocumentBack, false}} {
		got, err := reader(t).ReadDocument(context.Background(), idv.DocumentRequest{Side: tt.side, Image: data, Now: now, MinAge: 18})
		if err != nil {
			t.Fatal(err)
		}
		if !got.Accepted || got.DocumentType != idv.DocumentIDCard || got.NeedsBack != tt.needsBack {
			t.Errorf("%s: got accepted %v (%s/%v) type %q needs back %v, want an accepted id_card needing back %v",
				tt.side, got.Accepted, got.Reason, got.Codes, got.DocumentType, got.NeedsBack, tt.needsBack)
		}
		if got.Fields == nil || !slices.Equal(got.Fields.MRZLines, s.MRZ) {
			t.Errorf("%s: fields %+v, want lines %q", tt.side, got.Fields, s.MRZ)
		}
	}
}

func TestUnusableBytesAreTypedErrors(t *testing.T) {
	dir := testdatadir.Path(t, "documents")
	data, err := os.ReadFile(filepath.Join(dir, "passporteye", "passport-td3.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	tiny := check.NewDocumentReader(check.DocumentOptions{Limits: imaging.Limits{MaxPixels: 1000}})
	tests := []struct {
		name string
		rd   *check.DocumentReader
		data []byte
		want idv.Code
		is   error
	}{
		{"truncated", reader(t), data[:len(data)/2], idv.CodeInvalid, imaging.ErrCorrupt},
		{"empty", reader(t), nil, idv.CodeInvalid, imaging.ErrEmpty},
		{"not an image", reader(t), []byte("%PDF-1.7\n"), idv.CodeUnsupportedMediaType, imaging.ErrUnsupportedFormat},
		{"over the limits", tiny, data, idv.CodePayloadTooLarge, imaging.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.rd.ReadDocument(context.Background(), idv.DocumentRequest{Image: tt.data, Now: time.Now()})
			if got := idv.ErrorCode(err); got != tt.want || !errors.Is(err, tt.is) {
				t.Fatalf("got %v (code %q), want code %q wrapping %v", err, got, tt.want, tt.is)
			}
		})
	}
}

func TestCancelledContextIsAnError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := check.NewDocumentReader(check.DocumentOptions{}).ReadDocument(ctx, idv.DocumentRequest{Image: []byte{1}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func decode(t testing.TB, path string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := imaging.DecodeBytes(b, imaging.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gaussianBlur is a separable Gaussian blur of standard deviation sigma.
func gaussianBlur(img image.Image, sigma float64) *image.RGBA {
	src := imaging.ToRGBA(img)
	rad := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*rad+1)
	sum := 0.0
	for i := range k {
		d := float64(i - rad)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	return convolve(convolve(src, k, 1, 0), k, 0, 1)
}

func convolve(src *image.RGBA, k []float64, dx, dy int) *image.RGBA {
	b := src.Rect
	dst := image.NewRGBA(b)
	rad := len(k) / 2
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			var acc [4]float64
			for i, w := range k {
				sx := min(max(x+(i-rad)*dx, b.Min.X), b.Max.X-1)
				sy := min(max(y+(i-rad)*dy, b.Min.Y), b.Max.Y-1)
				o := src.PixOffset(sx, sy)
				for c := range 4 {
					acc[c] += w * float64(src.Pix[o+c])
				}
			}
			o := dst.PixOffset(x, y)
			for c := range 4 {
				dst.Pix[o+c] = uint8(math.Round(acc[c]))
			}
		}
	}
	return dst
}
