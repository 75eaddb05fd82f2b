package nn

import (
	"fmt"
	"math"
	"testing"
)

// naiveConv is the textbook definition of tfjs conv2d, used as reference.
func naiveConv(x, f *Tensor, stride int, pad Padding) *Tensor {
	h, w, cin := x.Shape[0], x.Shape[1], x.Shape[2]
	kh, kw, cout := f.Shape[0], f.Shape[1], f.Shape[3]
	oh, pt := outputSize(h, kh, stride, pad)
	ow, pl := outputSize(w, kw, stride, pad)
	out := NewTensor(oh, ow, cout)
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			for co := 0; co < cout; co++ {
				var s float64
				for ky := 0; ky < kh; ky++ {
					for kx := 0; kx < kw; kx++ {
						y, xx := oy*stride-pt+ky, ox*stride-pl+kx
						if y < 0 || y >= h || xx < 0 || xx >= w {
							continue
						}
						for ci := 0; ci < cin; ci++ {
							s += float64(x.Data[(y*w+xx)*cin+ci]) * float64(f.Data[((ky*kw+kx)*cin+ci)*cout+co])
						}
					}
				}
				out.Data[(oy*ow+ox)*cout+co] = float32(s)
			}
		}
	}
	return out
}

// patterned fills a tensor with a deterministic, sign-changing pattern.
func patterned(seed int, shape ...int) *Tensor {
	t := NewTensor(shape...)
	for i := range t.Data {
		t.Data[i] = float32((i*seed+7)%23-11) / 10
	}
	return t
}

func maxAbsDiff(a, b []float32) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(float64(a[i]-b[i])))
	}
	return m
}

func TestConv2DMatchesNaive(t *testing.T) {
	tests := []struct {
		h, w, cin, k, cout, stride int
		pad                        Padding
	}{
		{9, 7, 3, 3, 8, 1, Same},
		{9, 7, 3, 3, 5, 2, Same},
		{10, 10, 4, 3, 16, 2, Valid},
		{16, 12, 3, 7, 32, 2, Valid},
		{6, 5, 16, 1, 25, 1, Valid},
		{35, 35, 32, 3, 32, 1, Same},
		{3, 3, 8, 3, 8, 1, Same},
		{1, 1, 8, 3, 12, 1, Same},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%dx%dx%d_k%d_o%d_s%d_p%d", tt.h, tt.w, tt.cin, tt.k, tt.cout, tt.stride, tt.pad)
		t.Run(name, func(t *testing.T) {
			x := patterned(3, tt.h, tt.w, tt.cin)
			f := patterned(5, tt.k, tt.k, tt.cin, tt.cout)
			got, err := Conv2D(x, f, nil, tt.stride, tt.pad)
			if err != nil {
				t.Fatal(err)
			}
			want := naiveConv(x, f, tt.stride, tt.pad)
			if fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) {
				t.Fatalf("shape got %v, want %v", got.Shape, want.Shape)
			}
			if d := maxAbsDiff(got.Data, want.Data); d > 1e-3 {
				t.Errorf("max |got-want| = %g, want <= 1e-3", d)
			}
		})
	}
}

func TestDepthwiseConv2D(t *testing.T) {
	x := patterned(3, 6, 5, 4)
	f := patterned(7, 3, 3, 4, 1)
	bias := []float32{1, -1, 0.5, 0}
	got, err := DepthwiseConv2D(x, f, bias, 2, Same)
	if err != nil {
		t.Fatal(err)
	}
	// Reference: a full conv with a block-diagonal filter.
	full := NewTensor(3, 3, 4, 4)
	for k := 0; k < 9; k++ {
		for c := 0; c < 4; c++ {
			full.Data[(k*4+c)*4+c] = f.Data[k*4+c]
		}
	}
	want := naiveConv(x, full, 2, Same)
	addBias(want.Data, bias)
	if fmt.Sprint(got.Shape) != fmt.Sprint(want.Shape) {
		t.Fatalf("shape got %v, want %v", got.Shape, want.Shape)
	}
	if d := maxAbsDiff(got.Data, want.Data); d > 1e-4 {
		t.Errorf("max |got-want| = %g", d)
	}
}

func TestPool(t *testing.T) {
	x := &Tensor{Shape: []int{3, 3, 1}, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}}
	tests := []struct {
		name       string
		f          func(*Tensor, int, int, Padding) *Tensor
		size, strd int
		pad        Padding
		want       []float32
	}{
		{"max2s2valid", MaxPool, 2, 2, Valid, []float32{5}},
		{"max2s2same", MaxPool, 2, 2, Same, []float32{5, 6, 8, 9}},
		{"max2s1same", MaxPool, 2, 1, Same, []float32{5, 6, 6, 8, 9, 9, 8, 9, 9}},
		{"avg2s2valid", AvgPool, 2, 2, Valid, []float32{3}},
		{"avg2s2same", AvgPool, 2, 2, Same, []float32{3, 4.5, 7.5, 9}},
		{"max3s2valid", MaxPool, 3, 2, Valid, []float32{9}},
	}
	for _, tt := range tests {
		got := tt.f(x, tt.size, tt.strd, tt.pad)
		if fmt.Sprint(got.Data) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got.Data, tt.want)
		}
	}
}

func TestConv2DBias(t *testing.T) {
	x := patterned(3, 5, 6, 3)
	f := patterned(5, 3, 3, 3, 20)
	bias := make([]float32, 20)
	for i := range bias {
		bias[i] = float32(i) - 7.5
	}
	got, err := Conv2D(x, f, bias, 1, Same)
	if err != nil {
		t.Fatal(err)
	}
	want := naiveConv(x, f, 1, Same)
	addBias(want.Data, bias)
	if d := maxAbsDiff(got.Data, want.Data); d > 1e-4 {
		t.Errorf("max |got-want| = %g, want <= 1e-4", d)
	}
	if _, err := Conv2D(x, f, bias[:3], 1, Same); err == nil {
		t.Error("Conv2D with 3 bias values for 20 outputs: got nil error")
	}
	if _, err := Conv2D(patterned(1, 5, 5, 4), f, nil, 1, Same); err == nil {
		t.Error("Conv2D with 4 input channels for a 3-channel filter: got nil error")
	}
}

func TestElementwise(t *testing.T) {
	in := []float32{-2, -0.5, 0, 1.5}
	tests := []struct {
		name string
		op   func(*Tensor)
		want []float32
	}{
		{"relu", ReLU, []float32{0, 0, 0, 1.5}},
		{"leaky", func(x *Tensor) { LeakyReLU(x, 0.1) }, []float32{-0.2, -0.05, 0, 1.5}},
		{"add", func(x *Tensor) {
			if err := Add(x, &Tensor{Shape: []int{4}, Data: []float32{1, 1, 1, 1}}); err != nil {
				t.Fatal(err)
			}
		}, []float32{-1, 0.5, 1, 2.5}},
	}
	for _, tt := range tests {
		x := &Tensor{Shape: []int{4}, Data: append([]float32(nil), in...)}
		tt.op(x)
		if !equalFloats(x.Data, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, x.Data, tt.want)
		}
	}
	if err := Add(NewTensor(2, 2), NewTensor(4)); err == nil {
		t.Error("Add of [2 2] and [4]: got nil error")
	}
}
