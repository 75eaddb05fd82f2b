package seal

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
	"testing/iotest"
)

// testDataKey returns the data key whose raw bytes are testKey(b).
func testDataKey(t testing.TB, b byte) DataKey {
	t.Helper()
	dk, err := newDataKey(testKey(b))
	if err != nil {
		t.Fatal(err)
	}
	return dk
}

// pattern returns n deterministic bytes that depend on seed.
func pattern(n int, seed byte) []byte {
	out := make([]byte, n)
	var s [32]byte
	s[0] = seed
	rand.NewChaCha8(s).Read(out)
	return out
}

// saltSource returns a deterministic source of blob salts.
func saltSource(seed byte) io.Reader {
	return bytes.NewReader(bytes.Repeat([]byte{seed}, blobSaltSize))
}

// sealBlob encrypts plain into a blob with the given chunk size, writing it
// in one call.
func sealBlob(t testing.TB, dk DataKey, plain, aad []byte, chunkSize int, salt byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := dk.newBlobWriter(&buf, aad, saltSource(salt), chunkSize)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openBlob reads the whole blob and returns the plaintext read before the
// first error, with that error.
func openBlob(dk DataKey, blob, aad []byte) ([]byte, error) {
	r, err := dk.NewBlobReader(bytes.NewReader(blob), aad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestBlobRoundTrip(t *testing.T) {
	dk := testDataKey(t, 1)
	aad := AAD("session", "ses_1", "media", "med_1")
	const c = BlobChunkSize
	for _, tc := range []struct {
		name string
		n    int
	}{
		{"empty", 0}, {"one byte", 1}, {"chunk minus one", c - 1}, {"one chunk", c},
		{"chunk plus one", c + 1}, {"two chunks", 2 * c}, {"many chunks", 7*c + 123},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain := pattern(tc.n, byte(tc.n))
			var buf bytes.Buffer
			w, err := dk.NewBlobWriter(&buf, aad, saltSource(9))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(w, iotest.HalfReader(bytes.NewReader(plain))); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			blob := buf.Bytes()
			if got, want := int64(len(blob)), BlobSize(int64(tc.n)); got != want {
				t.Errorf("len(blob) = %d, BlobSize = %d", got, want)
			}
			if tc.n > 16 && bytes.Contains(blob, plain[:16]) {
				t.Errorf("blob contains plaintext")
			}
			for _, rd := range []struct {
				name string
				wrap func(io.Reader) io.Reader
			}{
				{"whole", func(r io.Reader) io.Reader { return r }},
				{"one byte reads", iotest.OneByteReader},
				{"data with EOF", iotest.DataErrReader},
			} {
				r, err := dk.NewBlobReader(rd.wrap(bytes.NewReader(blob)), aad)
				if err != nil {
					t.Fatalf("%s: NewBlobReader: %v", rd.name, err)
				}
				got, err := io.ReadAll(r)
				if err != nil || !bytes.Equal(got, plain) {
					t.Errorf("%s: read %d bytes, %v; want %d bytes, nil", rd.name, len(got), err, len(plain))
				}
			}
		})
	}
}

// TestBlobReaderContract checks the reader against testing/iotest's
// io.Reader conformance test.
func TestBlobReaderContract(t *testing.T) {
	dk := testDataKey(t, 1)
	plain := pattern(3*64+5, 2)
	r, err := dk.NewBlobReader(bytes.NewReader(sealBlob(t, dk, plain, nil, 64, 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := iotest.TestReader(r, plain); err != nil {
		t.Error(err)
	}
}

// TestBlobChunkingIgnoresWriteSizes shows the ciphertext depends on the
// plaintext only, not on how it was split into Write calls.
func TestBlobChunkingIgnoresWriteSizes(t *testing.T) {
	dk := testDataKey(t, 1)
	for _, n := range []int{0, 1, 63, 64, 65, 200, 256} {
		plain := pattern(n, 3)
		want := sealBlob(t, dk, plain, []byte("a"), 64, 4)
		for _, step := range []int{1, 7, 64, 65} {
			var buf bytes.Buffer
			w, err := dk.newBlobWriter(&buf, []byte("a"), saltSource(4), 64)
			if err != nil {
				t.Fatal(err)
			}
			for p := plain; len(p) > 0; {
				k := min(step, len(p))
				if m, err := w.Write(p[:k]); m != k || err != nil {
					t.Fatalf("Write = %d, %v", m, err)
				}
				p = p[k:]
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("n=%d, writes of %d: ciphertext differs from one write", n, step)
			}
		}
	}
}

func TestBlobSaltMakesBlobsDiffer(t *testing.T) {
	dk := testDataKey(t, 1)
	plain := []byte("same photo")
	a, b := sealBlob(t, dk, plain, nil, 64, 1), sealBlob(t, dk, plain, nil, 64, 2)
	if bytes.Equal(a[BlobHeaderSize:], b[BlobHeaderSize:]) {
		t.Errorf("two salts give the same chunks")
	}
}

// failingWriter accepts ok writes, then fails.
type failingWriter struct {
	ok  int
	err error
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.ok == 0 {
		return 0, f.err
	}
	f.ok--
	return len(p), nil
}

func TestBlobWriterErrors(t *testing.T) {
	dk := testDataKey(t, 1)
	boom := errors.New("disk full")

	if w, err := (DataKey{}).NewBlobWriter(io.Discard, nil, saltSource(1)); w != nil || !errors.Is(err, errZeroKey) {
		t.Errorf("zero key: NewBlobWriter = %v, %v; want nil, errZeroKey", w, err)
	}
	if _, err := dk.NewBlobWriter(io.Discard, nil, bytes.NewReader(make([]byte, 31))); err == nil {
		t.Errorf("short salt source: got nil error")
	}
	if _, err := dk.NewBlobWriter(&failingWriter{err: boom}, nil, saltSource(1)); !errors.Is(err, boom) {
		t.Errorf("header write fails: err = %v, want %v", err, boom)
	}
	for _, size := range []int{minBlobChunkSize - 1, maxBlobChunkSize + 1} {
		if _, err := dk.newBlobWriter(io.Discard, nil, saltSource(1), size); err == nil {
			t.Errorf("chunk size %d: got nil error", size)
		}
	}

	// The second chunk's write fails: Write, then every call, returns it.
	w, err := dk.newBlobWriter(&failingWriter{ok: 2, err: boom}, nil, saltSource(1), 16)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 40)); !errors.Is(err, boom) {
		t.Errorf("Write: err = %v, want %v", err, boom)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, boom) {
		t.Errorf("Write after failure: err = %v, want %v", err, boom)
	}
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close after failure: err = %v, want %v", err, boom)
	}

	// Close's final chunk fails.
	w, _ = dk.newBlobWriter(&failingWriter{ok: 1, err: boom}, nil, saltSource(1), 16)
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close: err = %v, want %v", err, boom)
	}

	// After Close, nothing more is written.
	var buf bytes.Buffer
	w, _ = dk.newBlobWriter(&buf, nil, saltSource(1), 16)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	n := buf.Len()
	if _, err := w.Write([]byte("x")); !errors.Is(err, errWriterClosed) {
		t.Errorf("Write after Close: err = %v, want errWriterClosed", err)
	}
	if err := w.Close(); !errors.Is(err, errWriterClosed) {
		t.Errorf("second Close: err = %v, want errWriterClosed", err)
	}
	if buf.Len() != n {
		t.Errorf("writes after Close added %d bytes", buf.Len()-n)
	}
}

// TestBlobReaderPassesSourceErrors shows that a failing source (a network
// error, say) is reported as itself, not as unreadable data, and stays.
func TestBlobReaderPassesSourceErrors(t *testing.T) {
	dk := testDataKey(t, 1)
	blob := sealBlob(t, dk, pattern(100, 1), nil, 16, 1)
	for _, boom := range []error{errors.New("connection reset"), io.ErrUnexpectedEOF} {
		if _, err := dk.NewBlobReader(iotest.ErrReader(boom), nil); !errors.Is(err, boom) || IsUnreadable(err) {
			t.Errorf("header: err = %v, want %v and not unreadable", err, boom)
		}
		src := io.MultiReader(bytes.NewReader(blob[:BlobHeaderSize+40]), iotest.ErrReader(boom))
		r, err := dk.NewBlobReader(src, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if !errors.Is(err, boom) || IsUnreadable(err) {
			t.Errorf("ReadAll: err = %v, want %v and not unreadable", err, boom)
		}
		if len(got) != 16 {
			t.Errorf("read %d bytes before the error, want the first chunk's 16", len(got))
		}
		if n, err := r.Read(make([]byte, 10)); n != 0 || !errors.Is(err, boom) {
			t.Errorf("Read after error = %d, %v; want 0, %v", n, err, boom)
		}
	}
	if r, err := (DataKey{}).NewBlobReader(bytes.NewReader(blob), nil); r != nil || !errors.Is(err, errZeroKey) {
		t.Errorf("zero key: NewBlobReader = %v, %v; want nil, errZeroKey", r, err)
	}
}

// TestBlobStreamsThroughPipe encrypts 20 MB into an io.Pipe and decrypts
// it on the other side, and checks that the memory allocated in all stays
// far below the blob's size.
func TestBlobStreamsThroughPipe(t *testing.T) {
	const size = 20 << 20
	dk := testDataKey(t, 1)
	aad := AAD("session", "ses_1", "media", "video")
	src := rand.NewChaCha8([32]byte{7})

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	pr, pw := io.Pipe()
	wantSum := make(chan []byte, 1)
	go func() {
		h := sha256.New()
		w, err := dk.NewBlobWriter(pw, aad, saltSource(3))
		if err == nil {
			_, err = io.CopyN(io.MultiWriter(w, h), src, size)
		}
		if err == nil {
			err = w.Close()
		}
		wantSum <- h.Sum(nil)
		pw.CloseWithError(err)
	}()
	r, err := dk.NewBlobReader(pr, aad)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil || n != size {
		t.Fatalf("io.Copy = %d, %v; want %d, nil", n, err, size)
	}
	if got, want := h.Sum(nil), <-wantSum; !bytes.Equal(got, want) {
		t.Errorf("SHA-256 of the output %x, of the input %x", got, want)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
		t.Errorf("streaming %d MB allocated %d bytes, want under 2 MiB", size>>20, alloc)
	}
}

func TestBlobSize(t *testing.T) {
	for _, tc := range []struct{ plain, want int64 }{
		{0, BlobHeaderSize + 16},
		{1, BlobHeaderSize + 1 + 16},
		{BlobChunkSize, BlobHeaderSize + BlobChunkSize + 16},
		{BlobChunkSize + 1, BlobHeaderSize + BlobChunkSize + 1 + 32},
		{20 << 20, BlobHeaderSize + 20<<20 + 320*16},
	} {
		if got := BlobSize(tc.plain); got != tc.want {
			t.Errorf("BlobSize(%d) = %d, want %d", tc.plain, got, tc.want)
		}
	}
}

// TestBlobAllocationsDoNotGrow checks that writing and reading a blob of
// sixteen chunks allocates no more than a blob of one: nothing is
// allocated per chunk.
func TestBlobAllocationsDoNotGrow(t *testing.T) {
	dk := testDataKey(t, 1)
	allocs := func(n int) (write, read float64) {
		plain := pattern(n, 1)
		blob := sealBlob(t, dk, plain, nil, BlobChunkSize, 1)
		salt := bytes.NewReader(nil)
		src := bytes.NewReader(nil)
		out := make([]byte, 4096)
		write = testing.AllocsPerRun(5, func() {
			salt.Reset(blob[BlobHeaderSize-blobSaltSize : BlobHeaderSize])
			w, err := dk.NewBlobWriter(io.Discard, nil, salt)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(plain)
			w.Close()
		})
		read = testing.AllocsPerRun(5, func() {
			src.Reset(blob)
			r, err := dk.NewBlobReader(src, nil)
			if err != nil {
				t.Fatal(err)
			}
			for err == nil {
				_, err = r.Read(out)
			}
		})
		return write, read
	}
	w1, r1 := allocs(BlobChunkSize)
	w16, r16 := allocs(16 * BlobChunkSize)
	if w16 > w1 || r16 > r1 {
		t.Errorf("allocations for 1 chunk: write %v, read %v; for 16 chunks: write %v, read %v; want no growth", w1, r1, w16, r16)
	}
}
