package face

import (
	"encoding/binary"
	"image"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/imaging"
)

// rotateCCW turns img 90° counter-clockwise (what a phone stores when it
// is held upright and tags the file with EXIF orientation 6).
func rotateCCW(img image.Image) *image.RGBA {
	src := imaging.ToRGBA(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, h, w))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dst.SetRGBA(y, w-1-x, src.RGBAAt(x, y))
		}
	}
	return dst
}

// withOrientation6 inserts an APP1 EXIF segment with Orientation = 6
// after the SOI of a JPEG.
func withOrientation6(jpg []byte) []byte {
	tiff := []byte("II*\x00\x08\x00\x00\x00\x01\x00")
	entry := make([]byte, 12)
	binary.LittleEndian.PutUint16(entry[0:], 0x0112)
	binary.LittleEndian.PutUint16(entry[2:], 3)
	binary.LittleEndian.PutUint32(entry[4:], 1)
	binary.LittleEndian.PutUint16(entry[8:], 6)
	tiff = append(append(tiff, entry...), 0, 0, 0, 0)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{0xFF, 0xD8}, append(seg, payload...)...)
	return append(out, jpg[2:]...)
}

// TestSelfieWithEXIFRotation decodes a selfie stored sideways with EXIF
// orientation 6: once turned upright it is a usable portrait selfie;
// without the EXIF tag the same pixels are a landscape image whose face
// lies on its side.
func TestSelfieWithEXIFRotation(t *testing.T) {
	e := newTestEngine(t, loadModels(t))
	l4, _, _ := portraits(t)
	stored := encodeJPEG(t, rotateCCW(l4))
	tests := []struct {
		name string
		data []byte
		want []Reason
	}{
		{"EXIF orientation 6", withOrientation6(stored), []Reason{}},
		{"no EXIF", stored, []Reason{ReasonImageNotPortrait, ReasonFaceNotDetected}},
	}
	for _, tt := range tests {
		img, info, err := imaging.DecodeBytes(tt.data, imaging.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		a, err := e.Analyze(img, Selfie)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %dx%d orientation %d, reasons %v", tt.name, info.Width, info.Height, info.Orientation, a.Reasons)
		if diff := cmp.Diff(tt.want, a.Reasons); diff != "" {
			t.Errorf("%s: reasons (-want +got):\n%s", tt.name, diff)
		}
	}
}
