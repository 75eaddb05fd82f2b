package idv

import (
	"context"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// BlobStore keeps opaque objects (the caller encrypts them before Put). Keys are slash-separated
// paths such as "sessions/<session id>/<blob id>"; adapters refuse keys that are empty, absolute, contain
// "..", backslashes, NUL or other control characters, or exceed 512 bytes (CodeInvalid). CheckBlobKey
// states the full rule, which both adapters apply.
type BlobStore interface {
	// Put stores r's bytes under key; when it returns nil the object is durable (fsynced / acknowledged).
	// An existing key is replaced atomically: readers see the old or the new object, never a mix.
	Put(ctx context.Context, key string, r io.Reader) error
	// Get opens the object; CodeNotFound when absent.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the object; deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for each object whose key starts with prefix, in key order, with its size and
	// modification time (the orphan sweeper uses it); fn's error stops the walk and is returned.
	List(ctx context.Context, prefix string, fn func(BlobInfo) error) error
}

// BlobInfo describes one stored object.
type BlobInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
}

// MaxBlobKeyLen is the longest key, in bytes, a BlobStore accepts.
const MaxBlobKeyLen = 512

// MaxBlobSegmentLen is the longest segment (between slashes) of a key, in
// bytes: the longest file name most file systems take.
const MaxBlobSegmentLen = 255

// CheckBlobKey returns a CodeInvalid error unless key is a well-formed blob
// key: 1 to MaxBlobKeyLen bytes of valid UTF-8, no leading or trailing
// slash, no empty segment ("a//b") nor one over MaxBlobSegmentLen bytes, no segment starting with a dot (so no
// "." or ".." and no hidden names, which the file adapter keeps for its
// temporaries), no ".." anywhere, no backslash and no control character
// (NUL, C0, DEL, C1).
func CheckBlobKey(key string) error {
	if key == "" {
		return Errorf(CodeInvalid, "blob key is empty")
	}
	if strings.HasSuffix(key, "/") {
		return Errorf(CodeInvalid, "blob key must not end with a slash")
	}
	return checkBlobPath("blob key", key)
}

// CheckBlobPrefix returns a CodeInvalid error unless prefix may start a
// blob key: empty (everything), or the start of a well-formed key, which
// may end with a slash ("sessions/") or in the middle of a segment
// ("sessions/ab").
func CheckBlobPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	return checkBlobPath("blob prefix", strings.TrimSuffix(prefix, "/"))
}

// checkBlobPath applies the rules shared by keys and prefixes.
func checkBlobPath(what, p string) error {
	switch {
	case p == "" || strings.HasPrefix(p, "/"):
		return Errorf(CodeInvalid, "%s must be a relative path", what)
	case len(p) > MaxBlobKeyLen:
		return Errorf(CodeInvalid, "%s is longer than %d bytes", what, MaxBlobKeyLen)
	case strings.Contains(p, ".."):
		return Errorf(CodeInvalid, "%s must not contain \"..\"", what)
	case strings.ContainsRune(p, '\\'):
		return Errorf(CodeInvalid, "%s must not contain a backslash", what)
	}
	if !utf8.ValidString(p) {
		return Errorf(CodeInvalid, "%s must be UTF-8", what)
	}
	for _, r := range p {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return Errorf(CodeInvalid, "%s must be UTF-8 without control characters", what)
		}
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "" {
			return Errorf(CodeInvalid, "%s must not have an empty segment", what)
		}
		if len(seg) > MaxBlobSegmentLen {
			return Errorf(CodeInvalid, "%s has a segment longer than %d bytes", what, MaxBlobSegmentLen)
		}
		if seg[0] == '.' {
			return Errorf(CodeInvalid, "%s must not have a segment starting with a dot", what)
		}
	}
	return nil
}
