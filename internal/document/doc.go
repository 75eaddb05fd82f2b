// Package document inspects a photo of an identity document: image
// quality (sharpness, glare, resolution, exposure), document detection and
// rectification, classification (ICAO TD1, TD2, TD3, MRV-A, MRV-B, an
// ID-1 card without MRZ), the MRZ reading (internal/document/mrzocr) and the
// holder's portrait. It does no I/O and reads no clock: callers decode the
// image (internal/imaging) and pass the time in.
package document
