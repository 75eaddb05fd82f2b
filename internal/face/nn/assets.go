// Package nn holds the neural-network machinery of the face engine: a
// loader for tfjs weights manifests, float32 tensor kernels (convolution,
// pooling, activations) and the dlib ResNet-29 face descriptor as
// face-api.js computes it, in Go without cgo, with embedded weights.
//
// Activations are single images in HWC layout (height, width, channels),
// i.e. tfjs NHWC with a batch of one; convolution filters are HWIO as in
// tfjs. Nothing here does I/O, reads a clock or draws random numbers.
//
// Convolutions run as im2col plus a cache-blocked GEMM split across
// GOMAXPROCS goroutines. On amd64 CPUs with AVX2 and FMA the GEMM
// micro-kernel is Go assembly (gemm_amd64.s; no cgo); elsewhere, or when
// built with the purego tag, it is portable Go. Both are tested against
// the same reference.
package nn

import _ "embed" // weights are embedded with go:embed

//go:embed weights/face_recognition_model-weights_manifest.json
var recognitionManifest []byte

//go:embed weights/face_recognition_model.bin
var recognitionBin []byte

//go:embed weights/tiny_face_detector_model-weights_manifest.json
var tinyFaceManifest []byte

//go:embed weights/tiny_face_detector_model.bin
var tinyFaceBin []byte

// RecognitionModel returns the embedded face-api face_recognition_model
// (the dlib ResNet-29 port): its tfjs weights manifest and its weight
// bytes. The slices are shared; callers must not modify them.
func RecognitionModel() (manifest, bin []byte) {
	return recognitionManifest, recognitionBin
}

// TinyFaceDetectorModel returns the embedded face-api
// tiny_face_detector_model: its tfjs weights manifest and its weight
// bytes. The slices are shared; callers must not modify them.
func TinyFaceDetectorModel() (manifest, bin []byte) {
	return tinyFaceManifest, tinyFaceBin
}
