package face

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/imaging"
)

// crop returns the w×h region of img centred on (cx, cy), JPEG-encoded at
// quality 90 and decoded again, as a camera upload would be.
func crop(t testing.TB, img image.Image, cx, cy, w, h int) image.Image {
	t.Helper()
	return reencode(t, cropRGBA(img, cx, cy, w, h))
}

func cropRGBA(img image.Image, cx, cy, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Rect, img, image.Pt(cx-w/2, cy-h/2), draw.Src)
	return dst
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func reencode(t testing.TB, img image.Image) image.Image {
	t.Helper()
	out, _, err := imaging.DecodeBytes(encodeJPEG(t, img), imaging.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// boxBlur blurs img with a (2r+1)² box, three times (close to a Gaussian).
func boxBlur(img image.Image, r int) *image.RGBA {
	src := imaging.ToRGBA(img)
	for range 3 {
		src = blurOnce(src, r)
	}
	return src
}

func blurOnce(src *image.RGBA, r int) *image.RGBA {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewRGBA(src.Rect)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var s [4]int
			n := 0
			for dy := -r; dy <= r; dy++ {
				for dx := -r; dx <= r; dx++ {
					xx, yy := min(max(x+dx, 0), w-1), min(max(y+dy, 0), h-1)
					p := src.Pix[src.PixOffset(xx, yy):]
					for c := range 4 {
						s[c] += int(p[c])
					}
					n++
				}
			}
			for c := range 4 {
				dst.Pix[dst.PixOffset(x, y)+c] = uint8(s[c] / n)
			}
		}
	}
	return dst
}

// whiteOut paints a white rectangle over img.
func whiteOut(img image.Image, r image.Rectangle) *image.RGBA {
	dst := imaging.ToRGBA(img)
	dst = cropRGBA(dst, dst.Rect.Dx()/2, dst.Rect.Dy()/2, dst.Rect.Dx(), dst.Rect.Dy())
	draw.Draw(dst, r, image.NewUniform(color.White), image.Point{}, draw.Src)
	return dst
}

// tile places n×n copies of img side by side.
func tile(img image.Image, n int) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, n*b.Dx(), n*b.Dy()))
	for i := range n {
		for j := range n {
			draw.Draw(dst, b.Sub(b.Min).Add(image.Pt(i*b.Dx(), j*b.Dy())), img, b.Min, draw.Src)
		}
	}
	return dst
}

func TestAnalyzeGates(t *testing.T) {
	dir, _ := readLabels(t)
	e := newTestEngine(t, loadModels(t))
	bbt4 := decodeFile(t, filepath.Join(dir, "group", "bbt4.jpg"))
	bbt3 := decodeFile(t, filepath.Join(dir, "group", "bbt3.jpg"))
	// Sheldon, front row of bbt4 (face centre about (505, 235), box 127 px).
	sheldon := crop(t, bbt4, 505, 245, 200, 260)
	grey := image.NewGray(image.Rect(0, 0, 300, 400))
	for i := range grey.Pix {
		grey.Pix[i] = 128
	}
	tests := []struct {
		name string
		img  image.Image
		kind Kind
		want []Reason
	}{
		{"single face portrait", sheldon, Selfie, nil},
		{"single face as ID portrait", sheldon, IDPortrait, nil},
		{"landscape selfie", crop(t, bbt4, 505, 245, 300, 220), Selfie, []Reason{ReasonImageNotPortrait}},
		{"landscape ID portrait is fine", crop(t, bbt4, 505, 245, 300, 220), IDPortrait, nil},
		{"no face", grey, Selfie, []Reason{ReasonFaceNotDetected}},
		{"group photo", bbt4, IDPortrait, []Reason{ReasonMultipleFaces}},
		{"many faces (4×4 tile)", tile(sheldon, 4), Selfie, []Reason{ReasonMultipleFaces}},
		{"small faces", bbt3, IDPortrait, []Reason{ReasonMultipleFaces}},
		{"downscaled face", reencode(t, imaging.ResizeRGBA(imaging.ToRGBA(sheldon), 100, 130)), Selfie, []Reason{ReasonTooFar}},
		{"blurred face", reencode(t, boxBlur(sheldon, 2)), Selfie, []Reason{ReasonLowSharpness}},
		{"chin cut by the border", crop(t, bbt4, 505, 180, 200, 220), IDPortrait, []Reason{ReasonCropTooSmall}},
		{"face cut in half", crop(t, bbt4, 505, 140, 200, 220), IDPortrait, []Reason{ReasonFaceNotDetected}},
		{"glare on the face", reencode(t, whiteOut(sheldon, image.Rect(65, 118, 130, 140))), Selfie, []Reason{ReasonGlare}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.Analyze(tt.img, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("faces %d ipd %.1f sharp %.1f glare %.3f outside %.3f", len(a.Faces), a.InterPupil, a.Sharpness, a.Glare, a.Outside)
			want := tt.want
			if want == nil {
				want = []Reason{}
			}
			if diff := cmp.Diff(want, a.Reasons); diff != "" {
				t.Errorf("reasons (-want +got):\n%s", diff)
			}
			if got, wantOK := a.Usable(), len(want) == 0; got != wantOK {
				t.Errorf("Usable: got %v, want %v", got, wantOK)
			}
		})
	}
}

func TestReasonsAreSDKEvents(t *testing.T) {
	// The event names of sdk-event-types.txt that a face gate may report.
	events := []string{"faceNotDetected", "multipleFacesDetected", "cropTooSmall", "imageNotPortrait", "tooFar", "lowSharpness", "glareDetected"}
	for _, r := range []Reason{ReasonFaceNotDetected, ReasonMultipleFaces, ReasonCropTooSmall, ReasonImageNotPortrait, ReasonTooFar, ReasonLowSharpness, ReasonGlare} {
		if !slices.Contains(events, string(r)) {
			t.Errorf("reason %q: not an SDK event name", r)
		}
	}
}
