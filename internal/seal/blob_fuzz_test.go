package seal

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
)

// FuzzBlobReader feeds arbitrary bytes to the blob reader. It must never
// panic, fail only with unreadable errors, and never return plaintext that
// was not authenticated: what it returns, re-encrypted with the blob's own
// salt and chunk size, must give back the very bytes it read (all of them
// when the blob opened; the whole chunks before the failure otherwise).
func FuzzBlobReader(f *testing.F) {
	dk := testDataKey(f, 1)
	aad := []byte("fuzz")
	for i, n := range []int{0, 1, 16, 17, 32, 50} {
		f.Add(sealBlob(f, dk, pattern(n, byte(i)), aad, 16, byte(i)))
	}
	long := sealBlob(f, dk, pattern(70, 9), aad, 32, 9)
	f.Add(long[:len(long)-1])
	f.Add(append(bytes.Clone(long), 0))
	f.Add([]byte(blobMagic))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := dk.NewBlobReader(bytes.NewReader(data), aad)
		if err != nil {
			if !IsUnreadable(err) {
				t.Fatalf("NewBlobReader: %v is not an unreadable error", err)
			}
			return
		}
		got, readErr := io.ReadAll(r)
		if readErr != nil && !IsUnreadable(readErr) {
			t.Fatalf("Read: %v is not an unreadable error", readErr)
		}
		chunkSize := int(binary.BigEndian.Uint32(data[len(blobMagic)+1:]))
		var again bytes.Buffer
		w, err := dk.newBlobWriter(&again, aad, bytes.NewReader(data[BlobHeaderSize-blobSaltSize:]), chunkSize)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(got); err != nil {
			t.Fatal(err)
		}
		if readErr == nil {
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Bytes(), data) {
				t.Fatalf("opened %d bytes of input that is not the encryption of its %d bytes of output", len(data), len(got))
			}
			return
		}
		if len(got)%chunkSize != 0 {
			t.Fatalf("returned %d bytes before failing, not whole chunks of %d", len(got), chunkSize)
		}
		if _, err := w.Write([]byte{0}); err != nil { // pushes out the chunks of got as non-final
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, again.Bytes()) {
			t.Fatalf("returned %d bytes before failing that the input does not authenticate", len(got))
		}
	})
}
