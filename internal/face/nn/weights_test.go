package nn

import (
	"encoding/binary"
	"errors"
	"math"
	"testing"
)

func TestLoadEmbeddedModels(t *testing.T) {
	tests := []struct {
		name      string
		model     func() ([]byte, []byte)
		count     int
		params    int
		probe     string
		wantShape []int
	}{
		{"recognition", RecognitionModel, 117, 5_614_592, "conv256_down_out/conv2/conv/filters", []int{3, 3, 256, 256}},
		{"tinyface", TinyFaceDetectorModel, 19, 0, "conv8/filters", []int{1, 1, 512, 25}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := LoadWeights(tt.model())
			if err != nil {
				t.Fatal(err)
			}
			if len(m) != tt.count {
				t.Errorf("got %d tensors, want %d", len(m), tt.count)
			}
			n := 0
			for _, v := range m {
				n += len(v.Data)
			}
			if tt.params != 0 && n != tt.params {
				t.Errorf("got %d parameters, want %d", n, tt.params)
			}
			p := m[tt.probe]
			if p == nil || !equalInts(p.Shape, tt.wantShape) {
				t.Fatalf("%s: got %v, want shape %v", tt.probe, p, tt.wantShape)
			}
		})
	}
}

func TestLoadWeightsDtypes(t *testing.T) {
	bin := []byte{0, 255}                     // uint8 0 and 255
	bin = append(bin, 0x00, 0x3c, 0x00, 0xc0) // float16 1, -2
	bin = binary.LittleEndian.AppendUint32(bin, math.Float32bits(0.25))
	bin = binary.LittleEndian.AppendUint16(bin, 2)
	manifest := `[{"paths":["a.bin"],"weights":[
	 {"name":"q8","shape":[2],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}},
	 {"name":"h","shape":[2],"dtype":"float32","quantization":{"dtype":"float16"}}]},
	 {"paths":["b.bin"],"weights":[
	 {"name":"f","shape":[1,1],"dtype":"float32"},
	 {"name":"q16","shape":[],"dtype":"float32","quantization":{"dtype":"uint16","scale":3,"min":1}}]}]`
	m, err := LoadWeights([]byte(manifest), bin)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want []float32
	}{
		{"q8", []float32{-1, 126.5}},
		{"h", []float32{1, -2}},
		{"f", []float32{0.25}},
		{"q16", []float32{7}},
	}
	for _, tt := range tests {
		if got := m[tt.name].Data; !equalFloats(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLoadWeightsErrors(t *testing.T) {
	tests := []struct {
		name, manifest string
		bin            int
	}{
		{"not json", `{`, 0},
		{"object", `{"weights":[]}`, 0},
		{"short data", `[{"weights":[{"name":"a","shape":[4],"dtype":"float32"}]}]`, 15},
		{"trailing data", `[{"weights":[{"name":"a","shape":[1],"dtype":"float32"}]}]`, 5},
		{"negative dim", `[{"weights":[{"name":"a","shape":[-1],"dtype":"float32"}]}]`, 4},
		{"huge dims", `[{"weights":[{"name":"a","shape":[4294967296,4294967296,4],"dtype":"float32"}]}]`, 4},
		{"string dtype", `[{"weights":[{"name":"a","shape":[1],"dtype":"string"}]}]`, 4},
		{"bad quant", `[{"weights":[{"name":"a","shape":[1],"dtype":"float32","quantization":{"dtype":"int4"}}]}]`, 1},
		{"no scale", `[{"weights":[{"name":"a","shape":[1],"dtype":"float32","quantization":{"dtype":"uint8"}}]}]`, 1},
		{"no name", `[{"weights":[{"shape":[1],"dtype":"float32"}]}]`, 4},
		{"duplicate", `[{"weights":[{"name":"a","shape":[1],"dtype":"float32"},{"name":"a","shape":[1],"dtype":"float32"}]}]`, 8},
	}
	for _, tt := range tests {
		_, err := LoadWeights([]byte(tt.manifest), make([]byte, tt.bin))
		var me *ManifestError
		if !errors.Is(err, ErrManifest) || !errors.As(err, &me) {
			t.Errorf("%s: got %v, want a *ManifestError", tt.name, err)
		}
	}
}

func TestFloat16ToFloat32(t *testing.T) {
	tests := []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0}, {0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504},
		{0x0001, 5.9604645e-8}, {0x03ff, 6.097555e-5}, {0x3555, 0.33325195},
		{0x7c00, float32(math.Inf(1))}, {0xfc00, float32(math.Inf(-1))},
	}
	for _, tt := range tests {
		if got := Float16ToFloat32(tt.h); got != tt.want {
			t.Errorf("Float16ToFloat32(%#04x) = %g, want %g", tt.h, got, tt.want)
		}
	}
	if got := Float16ToFloat32(0x7e00); !math.IsNaN(float64(got)) {
		t.Errorf("Float16ToFloat32(0x7e00) = %g, want NaN", got)
	}
}

func FuzzLoadWeights(f *testing.F) {
	f.Add([]byte(`[{"weights":[{"name":"a","shape":[2],"dtype":"float32","quantization":{"dtype":"uint8","scale":0.5,"min":-1}}]}]`), []byte{1, 2})
	f.Add([]byte(`[{"weights":[{"name":"h","shape":[1,1],"dtype":"float32","quantization":{"dtype":"float16"}}]}]`), []byte{0, 0x3c})
	f.Add([]byte(`[{"weights":[{"name":"f","shape":[1],"dtype":"int32"}]}]`), []byte{1, 0, 0, 0})
	m, _ := TinyFaceDetectorModel()
	f.Add(m, []byte{})
	f.Fuzz(func(t *testing.T, manifest, bin []byte) {
		w, err := LoadWeights(manifest, bin)
		if err != nil {
			if !errors.Is(err, ErrManifest) {
				t.Fatalf("error %v does not wrap ErrManifest", err)
			}
			return
		}
		for name, v := range w {
			n := 1
			for _, d := range v.Shape {
				n *= d
			}
			if n != len(v.Data) {
				t.Fatalf("%s: shape %v but %d values", name, v.Shape, len(v.Data))
			}
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalFloats(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
