package seal

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"
)

// BenchmarkBlob measures streaming blob encryption and decryption of a 2 MB
// photo and a 20 MB video against two baselines in the same run: sealing the
// whole buffer at once with DataKey.Seal and Open (memory grows with the
// size), and copying the bytes through a 64 KiB buffer without encryption.
// B/op shows the streaming side's memory does not grow with the blob.
func BenchmarkBlob(b *testing.B) {
	dk := testDataKey(b, 1)
	aad := AAD("session", "ses_bench", "media", "med_1")
	for _, size := range []struct {
		name string
		n    int
	}{{"2MB", 2 << 20}, {"20MB", 20 << 20}} {
		plain := pattern(size.n, 1)
		blob := sealBlob(b, dk, plain, aad, BlobChunkSize, 1)
		sealed, _ := dk.Seal(plain, aad)
		bench := func(name string, f func() error) {
			b.Run(name+"/"+size.name, func(b *testing.B) {
				b.SetBytes(int64(size.n))
				b.ReportAllocs()
				for b.Loop() {
					if err := f(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		bench("StreamWrite", func() error {
			w, err := dk.NewBlobWriter(io.Discard, aad, rand.Reader)
			if err != nil {
				return err
			}
			if _, err := w.Write(plain); err != nil {
				return err
			}
			return w.Close()
		})
		bench("StreamRead", func() error {
			r, err := dk.NewBlobReader(bytes.NewReader(blob), aad)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, r)
			return err
		})
		bench("SealWhole", func() error {
			_, err := dk.Seal(plain, aad)
			return err
		})
		bench("OpenWhole", func() error {
			_, err := dk.Open(sealed, aad)
			return err
		})
		buf := make([]byte, BlobChunkSize)
		bench("CopyPlain", func() error {
			_, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{bytes.NewReader(plain)}, buf)
			return err
		})
	}
}
