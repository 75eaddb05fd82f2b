package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Blob encryption: the streaming counterpart of Seal, for evidence files
// (photos, documents, video) that should never sit whole in memory.
//
// A blob is a header followed by chunks (the STREAM construction of Hoang,
// Reyhanitabar, Rogaway and Vizár, as in age and Tink's streaming AEAD):
//
//	header  = magic "OIDVBLOB" | version 0x01 | chunk size (uint32, big endian) | salt (32 random bytes)
//	key     = HKDF-SHA256(secret = data key, salt = salt, info = "openidv/seal/v1/blob" | header[:13] | aad)
//	chunk i = AES-256-GCM(key, nonce = 0x000000 | i (uint64, big endian) | last, plaintext_i)
//
// Every chunk but the last holds exactly chunk-size bytes of plaintext; the
// last holds 1 to chunk-size bytes, or 0 when the whole blob is empty, and
// its nonce ends in 0x01 where the others end in 0x00. The counter detects
// dropped, repeated and reordered chunks, the flag detects truncation at a
// chunk boundary and appended data, and the per-blob key (bound to the
// header and the caller's additional data) detects another key, another
// aad and a changed header. docs/encryption.md describes the format.

const (
	// BlobChunkSize is how many plaintext bytes each chunk of a blob holds
	// (the last one may hold fewer). Readers and writers keep one chunk in
	// memory, whatever the size of the blob.
	BlobChunkSize = 64 << 10

	// BlobHeaderSize is the length of a blob's header.
	BlobHeaderSize = 8 + 1 + 4 + blobSaltSize // magic, version, chunk size, salt

	// BlobChunkOverhead is how many bytes each chunk adds (the GCM tag).
	BlobChunkOverhead = 16
)

const (
	blobMagic          = "OIDVBLOB"
	versionBlob   byte = 1
	blobSaltSize       = 32
	blobNonceSize      = 12
	infoBlob           = "openidv/seal/v1/blob"

	// Chunk sizes a reader accepts from a header: the upper bound caps the
	// memory a forged header can make a reader allocate.
	minBlobChunkSize = 16
	maxBlobChunkSize = 1 << 20
)

// Causes behind a blob that does not open; each wraps errUnreadable, so
// IsUnreadable reports all of them.
var (
	errBlobHeader    = fmt.Errorf("%w: not a blob of a known format", errUnreadable)
	errBlobTruncated = fmt.Errorf("%w: blob is truncated", errUnreadable)
	errBlobEmptyLast = fmt.Errorf("%w: blob ends with an empty chunk", errUnreadable)
	errBlobChunk     = fmt.Errorf("%w: blob chunk failed authentication", errUnreadable)
	errWriterClosed  = errors.New("seal: blob writer is closed")
)

// BlobSize returns the length of the blob that NewBlobWriter writes for
// plaintextSize bytes of plaintext.
func BlobSize(plaintextSize int64) int64 {
	chunks := max(1, (plaintextSize+BlobChunkSize-1)/BlobChunkSize)
	return int64(BlobHeaderSize) + plaintextSize + chunks*BlobChunkOverhead
}

// blobAEAD derives the blob's key from the data key, the header (which holds
// the salt) and the caller's additional data.
func blobAEAD(raw *[KeySize]byte, header, aad []byte) (cipher.AEAD, error) {
	info := make([]byte, 0, len(infoBlob)+BlobHeaderSize+len(aad))
	info = append(info, infoBlob...)
	info = append(info, header[:BlobHeaderSize-blobSaltSize]...)
	info = append(info, aad...)
	key, err := hkdf.Key(sha256.New, raw[:], header[BlobHeaderSize-blobSaltSize:BlobHeaderSize], string(info), KeySize)
	if err != nil {
		return nil, fmt.Errorf("seal: derive blob key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: blob key: %w", err)
	}
	return cipher.NewGCM(block)
}

// setBlobNonce makes n the nonce of chunk i. (Writers and readers keep
// their nonce in a field: a local array passed to the AEAD would escape to
// the heap once per chunk.)
func setBlobNonce(n *[blobNonceSize]byte, i uint64, last bool) {
	*n = [blobNonceSize]byte{}
	binary.BigEndian.PutUint64(n[3:11], i)
	if last {
		n[11] = 1
	}
}

// blobWriter encrypts a blob chunk by chunk; see NewBlobWriter.
type blobWriter struct {
	aead      cipher.AEAD
	dst       io.Writer
	chunkSize int
	buf       []byte // chunkSize plus the tag; buf[:n] is plaintext not yet sealed
	n         int
	counter   uint64
	nonce     [blobNonceSize]byte
	err       error // sticky: the first failure, or errWriterClosed
}

// NewBlobWriter returns a writer that encrypts what is written to it into w
// as a blob under the data key. It writes the header to w at once, drawing
// the blob's 32-byte salt from rand (crypto/rand in production).
//
// aad is authenticated but not stored: NewBlobReader needs the same aad.
// Pass what identifies the blob, e.g. AAD("session", id, "media", mediaID),
// so that a blob copied under another name does not open. nil and empty aad
// are the same.
//
// Close must be called: it writes the final chunk, without which the blob
// does not open. Close does not close w. After an error from w, every Write
// and Close returns that error. The writer holds one chunk (BlobChunkSize)
// in memory and is not safe for concurrent use.
func (d DataKey) NewBlobWriter(w io.Writer, aad []byte, rand io.Reader) (io.WriteCloser, error) {
	bw, err := d.newBlobWriter(w, aad, rand, BlobChunkSize)
	if err != nil {
		return nil, err // not a nil *blobWriter in a non-nil interface
	}
	return bw, nil
}

// newBlobWriter is NewBlobWriter with another chunk size, for tests.
func (d DataKey) newBlobWriter(w io.Writer, aad []byte, rand io.Reader, chunkSize int) (*blobWriter, error) {
	if d.raw == nil {
		return nil, errZeroKey
	}
	if chunkSize < minBlobChunkSize || chunkSize > maxBlobChunkSize {
		return nil, fmt.Errorf("seal: blob chunk size %d out of range", chunkSize)
	}
	header := make([]byte, BlobHeaderSize)
	copy(header, blobMagic)
	header[len(blobMagic)] = versionBlob
	binary.BigEndian.PutUint32(header[len(blobMagic)+1:], uint32(chunkSize))
	if _, err := io.ReadFull(rand, header[BlobHeaderSize-blobSaltSize:]); err != nil {
		return nil, fmt.Errorf("seal: read random blob salt: %w", err)
	}
	aead, err := blobAEAD(d.raw, header, aad)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(header); err != nil {
		return nil, fmt.Errorf("seal: write blob header: %w", err)
	}
	return &blobWriter{
		aead:      aead,
		dst:       w,
		chunkSize: chunkSize,
		buf:       make([]byte, chunkSize+BlobChunkOverhead),
	}, nil
}

// Write buffers p and writes every chunk it completes. A full chunk is
// sealed only once more data arrives, since only Close knows which chunk
// is the last.
func (w *blobWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	written := 0
	for len(p) > 0 {
		if w.n == w.chunkSize {
			if err := w.flush(false); err != nil {
				w.err = err
				return written, err
			}
		}
		c := copy(w.buf[w.n:w.chunkSize], p)
		w.n += c
		p = p[c:]
		written += c
	}
	return written, nil
}

// Close seals and writes the final chunk. It does not close the underlying
// writer.
func (w *blobWriter) Close() error {
	if w.err != nil {
		return w.err
	}
	if err := w.flush(true); err != nil {
		w.err = err
		return err
	}
	w.err = errWriterClosed
	w.buf = nil
	return nil
}

// flush seals buf[:n] in place as the next chunk and writes it.
func (w *blobWriter) flush(last bool) error {
	if w.counter == math.MaxUint64 { // unreachable: 2^64 chunks
		return errors.New("seal: blob has too many chunks")
	}
	setBlobNonce(&w.nonce, w.counter, last)
	sealed := w.aead.Seal(w.buf[:0], w.nonce[:], w.buf[:w.n], nil)
	w.counter++
	w.n = 0
	if _, err := w.dst.Write(sealed); err != nil {
		return fmt.Errorf("seal: write blob: %w", err)
	}
	return nil
}

// blobReader decrypts a blob chunk by chunk; see NewBlobReader.
type blobReader struct {
	aead      cipher.AEAD
	src       io.Reader
	chunkSize int
	buf       []byte // one sealed chunk plus one byte of look-ahead
	plain     []byte // verified plaintext not read yet, backed by buf
	ahead     byte   // the byte read past the current chunk
	hasAhead  bool
	eof       bool // src has returned io.EOF
	counter   uint64
	nonce     [blobNonceSize]byte
	last      bool  // the final chunk has been opened
	err       error // sticky: the first failure, or io.EOF
}

// NewBlobReader returns a reader of the plaintext of the blob that r holds,
// made by NewBlobWriter under the same data key and aad. It reads the header
// and opens the first chunk before returning, so a wrong key, a wrong aad
// or a damaged header fail here, before any plaintext is read.
//
// The reader returns a chunk's plaintext only after its tag has been
// verified. A damaged, dropped, repeated, reordered or appended chunk, or
// a blob cut short (at a chunk boundary too), makes Read fail with an
// internal *idv.Error (see IsUnreadable) after the plaintext of the chunks
// before it: a consumer that must not act on part of a blob should hold
// its output until Read returns io.EOF. An error from r itself is returned
// as it is (wrapped), not as unreadable data. Errors are sticky. The reader
// holds one chunk in memory (at most 1 MiB, whatever the header claims)
// and is not safe for concurrent use.
func (d DataKey) NewBlobReader(r io.Reader, aad []byte) (io.Reader, error) {
	if d.raw == nil {
		return nil, errZeroKey
	}
	br := &blobReader{src: r}
	header := make([]byte, BlobHeaderSize)
	if n, err := br.fill(header); err != nil {
		return nil, fmt.Errorf("seal: read blob header: %w", err)
	} else if n < BlobHeaderSize {
		return nil, unreadable(errBlobTruncated)
	}
	br.chunkSize = int(binary.BigEndian.Uint32(header[len(blobMagic)+1:]))
	if string(header[:len(blobMagic)]) != blobMagic || header[len(blobMagic)] != versionBlob ||
		br.chunkSize < minBlobChunkSize || br.chunkSize > maxBlobChunkSize {
		return nil, unreadable(errBlobHeader)
	}
	var err error
	if br.aead, err = blobAEAD(d.raw, header, aad); err != nil {
		return nil, err
	}
	br.buf = make([]byte, br.chunkSize+BlobChunkOverhead+1)
	if err := br.next(); err != nil {
		return nil, err
	}
	return br, nil
}

// Read returns verified plaintext, then io.EOF after the final chunk.
func (r *blobReader) Read(p []byte) (int, error) {
	if len(r.plain) > 0 {
		n := copy(p, r.plain)
		r.plain = r.plain[n:]
		return n, nil
	}
	if r.err != nil {
		return 0, r.err
	}
	if r.last {
		r.err, r.buf = io.EOF, nil
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := r.next(); err != nil {
		r.err, r.buf = err, nil
		return 0, err
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

// fill reads from src until p is full or src ends, and returns how many
// bytes it read. Only io.EOF itself marks the end: any other error of src,
// io.ErrUnexpectedEOF from a cut connection included, is returned.
func (r *blobReader) fill(p []byte) (int, error) {
	n := 0
	for n < len(p) && !r.eof {
		m, err := r.src.Read(p[n:])
		n += m
		if err == io.EOF { // io.Reader returns io.EOF itself, never wrapped
			r.eof = true
		} else if err != nil {
			return n, err
		}
	}
	return n, nil
}

// next reads the next chunk and opens it into r.plain. One byte is read
// past the chunk: a chunk followed by more data is not the last, one
// followed by the end of src is.
func (r *blobReader) next() error {
	sealedSize := r.chunkSize + BlobChunkOverhead
	start := 0
	if r.hasAhead {
		r.buf[0], start = r.ahead, 1
	}
	n, err := r.fill(r.buf[start : sealedSize+1])
	if err != nil {
		return fmt.Errorf("seal: read blob: %w", err)
	}
	n += start
	if n == sealedSize+1 {
		r.ahead, r.hasAhead = r.buf[sealedSize], true
		n = sealedSize
	} else {
		r.last, r.hasAhead = true, false
		if n < BlobChunkOverhead {
			return unreadable(errBlobTruncated)
		}
		if n == BlobChunkOverhead && r.counter > 0 {
			return unreadable(errBlobEmptyLast)
		}
	}
	setBlobNonce(&r.nonce, r.counter, r.last)
	plain, err := r.aead.Open(r.buf[:0], r.nonce[:], r.buf[:n], nil)
	if err != nil {
		return unreadable(errBlobChunk)
	}
	r.counter++
	r.plain = plain
	return nil
}
