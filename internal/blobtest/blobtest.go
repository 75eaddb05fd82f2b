// Package blobtest is the conformance suite of idv.BlobStore: every blob
// adapter (internal/localfs, internal/s3) runs it from its tests, so both
// keep one contract.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/openidv/openidv/internal/idv"
)

// Run runs every case against stores made by open. Each case gets a store
// of its own from open (a fresh root or bucket is best; the cases use
// distinct key prefixes so a shared one works too).
func Run(t *testing.T, open func(t *testing.T) idv.BlobStore) {
	cases := []struct {
		name string
		run  func(t *testing.T, s idv.BlobStore)
	}{
		{"RoundTrip", testRoundTrip},
		{"Replace", testReplace},
		{"Absent", testAbsent},
		{"List", testList},
		{"ListStops", testListStops},
		{"BadKeys", testBadKeys},
		{"ConcurrentKeys", testConcurrentKeys},
		{"ConcurrentSameKey", testConcurrentSameKey},
		{"CancelledPut", testCancelledPut},
		{"FailingReader", testFailingReader},
		{"BoundedMemory", testBoundedMemory},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

// pattern returns n deterministic bytes that differ with seed.
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// stream hides the concrete reader so that adapters cannot learn the size
// up front: Put must stream.
type stream struct{ r io.Reader }

func (s stream) Read(p []byte) (int, error) { return s.r.Read(p) }

func put(t *testing.T, s idv.BlobStore, key string, data []byte) {
	t.Helper()
	if err := s.Put(t.Context(), key, stream{bytes.NewReader(data)}); err != nil {
		t.Fatalf("Put(%q, %d bytes): %v", key, len(data), err)
	}
}

func get(t *testing.T, s idv.BlobStore, key string) []byte {
	t.Helper()
	rc, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q): read: %v", key, err)
	}
	return b
}

func list(t *testing.T, s idv.BlobStore, prefix string) []idv.BlobInfo {
	t.Helper()
	var got []idv.BlobInfo
	if err := s.List(t.Context(), prefix, func(bi idv.BlobInfo) error { got = append(got, bi); return nil }); err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return got
}

func keys(infos []idv.BlobInfo) []string {
	k := make([]string, len(infos))
	for i, bi := range infos {
		k[i] = bi.Key
	}
	return k
}

func wantCode(t *testing.T, what string, err error, want idv.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got nil error, want %s", what, want)
	}
	if got := idv.ErrorCode(err); got != want {
		t.Fatalf("%s: got code %s (%v), want %s", what, got, err, want)
	}
}

func testRoundTrip(t *testing.T, s idv.BlobStore) {
	sizes := []struct {
		name string
		n    int
	}{{"empty", 0}, {"small", 37}, {"multi-MB", 6<<20 + 12345}}
	for i, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			key := "roundtrip/" + sz.name
			want := pattern(sz.n, byte(i+1))
			put(t, s, key, want)
			if got := get(t, s, key); !bytes.Equal(got, want) {
				t.Fatalf("Get(%q): got %d bytes (sha256 %x), want %d (sha256 %x)",
					key, len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
			}
			infos := list(t, s, key)
			if len(infos) != 1 || infos[0].Key != key || infos[0].Size != int64(sz.n) || infos[0].ModTime.IsZero() {
				t.Fatalf("List(%q): got %+v, want one %q of %d bytes with a ModTime", key, infos, key, sz.n)
			}
		})
	}
}

func testReplace(t *testing.T, s idv.BlobStore) {
	put(t, s, "replace/a", []byte("old object, longer than the new one"))
	put(t, s, "replace/a", []byte("new"))
	if got, want := string(get(t, s, "replace/a")), "new"; got != want {
		t.Fatalf("after replace: got %q, want %q", got, want)
	}
	if got := list(t, s, "replace/"); len(got) != 1 || got[0].Size != 3 {
		t.Fatalf("List after replace: got %+v, want one object of 3 bytes", got)
	}
}

func testAbsent(t *testing.T, s idv.BlobStore) {
	_, err := s.Get(t.Context(), "absent/never-put")
	wantCode(t, "Get of an absent key", err, idv.CodeNotFound)
	if err := s.Delete(t.Context(), "absent/never-put"); err != nil {
		t.Fatalf("Delete of an absent key: got %v, want nil", err)
	}
	put(t, s, "absent/once", []byte("x"))
	for range 2 {
		if err := s.Delete(t.Context(), "absent/once"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	_, err = s.Get(t.Context(), "absent/once")
	wantCode(t, "Get after Delete", err, idv.CodeNotFound)
	if got := list(t, s, "absent/"); len(got) != 0 {
		t.Fatalf("List after Delete: got %v, want nothing", keys(got))
	}
}

func testList(t *testing.T, s idv.BlobStore) {
	all := []string{
		"list/a-b", "list/a.b", "list/a/x", "list/a/y/z", "list/a0", "list/ab/c", "list/b",
		"list/sessions/s1/1", "list/sessions/s1/2", "list/sessions/s10/1", "list/sessions/s2/1",
	}
	for i, k := range slices.Backward(all) {
		put(t, s, k, pattern(i, byte(i)))
	}
	sorted := slices.Clone(all)
	slices.Sort(sorted)
	tests := []struct {
		prefix string
		want   []string
	}{
		{"list/", sorted},
		{"list", sorted},
		{"list/a/", []string{"list/a/x", "list/a/y/z"}},
		{"list/a", []string{"list/a-b", "list/a.b", "list/a/x", "list/a/y/z", "list/a0", "list/ab/c"}},
		{"list/sessions/s1/", []string{"list/sessions/s1/1", "list/sessions/s1/2"}},
		// A key's prefix that is not a "directory".
		{"list/sessions/s1", []string{"list/sessions/s1/1", "list/sessions/s1/2", "list/sessions/s10/1"}},
		{"list/a/y/z", []string{"list/a/y/z"}},
		{"list/nothing/", nil},
		{"list/c", nil},
	}
	for _, tt := range tests {
		got := keys(list(t, s, tt.prefix))
		if !slices.Equal(got, tt.want) {
			t.Errorf("List(%q): got %q, want %q", tt.prefix, got, tt.want)
		}
	}
	for _, bi := range list(t, s, "list/") {
		want := slices.Index(all, bi.Key)
		if bi.Size != int64(want) {
			t.Errorf("List: %s has size %d, want %d", bi.Key, bi.Size, want)
		}
	}
}

func testListStops(t *testing.T, s idv.BlobStore) {
	for i := range 5 {
		put(t, s, fmt.Sprintf("stop/%d", i), []byte{byte(i)})
	}
	stop := errors.New("enough")
	var seen []string
	err := s.List(t.Context(), "stop/", func(bi idv.BlobInfo) error {
		seen = append(seen, bi.Key)
		if len(seen) == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("List: got error %v, want fn's error", err)
	}
	if want := []string{"stop/0", "stop/1"}; !slices.Equal(seen, want) {
		t.Fatalf("List: fn saw %q, want %q", seen, want)
	}
}

func testBadKeys(t *testing.T, s idv.BlobStore) {
	bad := []string{
		"", "/abs", "a/../b", "..", "a/..", "a\\b", "a\x00b", "a\nb", "a\x7fb", "a/", "a//b", "./a", "a/.hidden",
		"\xff\xfe", strings.Repeat("k", idv.MaxBlobSegmentLen+1), longKey() + "k",
	}
	for _, k := range bad {
		wantCode(t, fmt.Sprintf("Put(%q)", k), s.Put(t.Context(), k, strings.NewReader("x")), idv.CodeInvalid)
		_, err := s.Get(t.Context(), k)
		wantCode(t, fmt.Sprintf("Get(%q)", k), err, idv.CodeInvalid)
		wantCode(t, fmt.Sprintf("Delete(%q)", k), s.Delete(t.Context(), k), idv.CodeInvalid)
	}
	for _, p := range []string{"/abs", "a/../", "a\\", "a\x00", "a//"} {
		err := s.List(t.Context(), p, func(idv.BlobInfo) error { return nil })
		wantCode(t, fmt.Sprintf("List(%q)", p), err, idv.CodeInvalid)
	}
	long := longKey()
	put(t, s, long, []byte("longest key"))
	if got := string(get(t, s, long)); got != "longest key" {
		t.Fatalf("Get of a %d-byte key: got %q", len(long), got)
	}
	if err := s.Delete(t.Context(), long); err != nil {
		t.Fatal(err)
	}
}

// longKey returns a key of exactly idv.MaxBlobKeyLen bytes.
func longKey() string {
	seg := strings.Repeat("k", 99) + "/"
	k := strings.Repeat(seg, idv.MaxBlobKeyLen/len(seg))
	return k + strings.Repeat("z", idv.MaxBlobKeyLen-len(k))
}

func testConcurrentKeys(t *testing.T, s idv.BlobStore) {
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Put(t.Context(), fmt.Sprintf("conc/k%02d", i), stream{bytes.NewReader(pattern(1000+i, byte(i)))})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Put %d: %v", i, err)
		}
	}
	for i := range n {
		if got, want := get(t, s, fmt.Sprintf("conc/k%02d", i)), pattern(1000+i, byte(i)); !bytes.Equal(got, want) {
			t.Fatalf("key %d: got %d bytes, want %d", i, len(got), len(want))
		}
	}
	if got := list(t, s, "conc/"); len(got) != n {
		t.Fatalf("List: got %d objects, want %d", len(got), n)
	}
}

// testConcurrentSameKey races writers of whole objects on one key against
// readers: every read returns one writer's object entirely.
func testConcurrentSameKey(t *testing.T, s idv.BlobStore) {
	const writers, size = 6, 256 << 10
	versions := make(map[[32]byte]bool, writers+1)
	first := pattern(size, 100)
	versions[sha256.Sum256(first)] = true
	put(t, s, "same/key", first)
	for i := range writers {
		versions[sha256.Sum256(pattern(size, byte(i)))] = true
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for i := range writers {
		wg.Go(func() {
			if err := s.Put(t.Context(), "same/key", stream{bytes.NewReader(pattern(size, byte(i)))}); err != nil {
				errs <- fmt.Errorf("put %d: %w", i, err)
			}
		})
		wg.Go(func() {
			rc, err := s.Get(t.Context(), "same/key")
			if err != nil {
				errs <- fmt.Errorf("get: %w", err)
				return
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				errs <- fmt.Errorf("read: %w", err)
				return
			}
			if !versions[sha256.Sum256(b)] {
				errs <- fmt.Errorf("a reader saw %d bytes that are no writer's whole object", len(b))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if b := get(t, s, "same/key"); !versions[sha256.Sum256(b)] {
		t.Fatalf("after the race: %d bytes that are no writer's whole object", len(b))
	}
}

// cancelReader yields n bytes, then cancels the Put's context and blocks
// until the adapter notices.
type cancelReader struct {
	ctx    context.Context
	cancel context.CancelFunc
	n      int
}

func (c *cancelReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		c.cancel()
		<-c.ctx.Done()
		return 0, c.ctx.Err()
	}
	k := min(len(p), c.n)
	for i := range p[:k] {
		p[i] = 'c'
	}
	c.n -= k
	return k, nil
}

func testCancelledPut(t *testing.T, s idv.BlobStore) {
	for _, tt := range []struct {
		name string
		key  string
		old  []byte
		n    int
	}{
		{"new key small", "cancel/new-small", nil, 1000},
		{"new key large", "cancel/new-large", nil, 9 << 20},
		{"existing key", "cancel/existing", []byte("kept"), 9 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.old != nil {
				put(t, s, tt.key, tt.old)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if err := s.Put(ctx, tt.key, &cancelReader{ctx: ctx, cancel: cancel, n: tt.n}); err == nil {
				t.Fatal("Put with a context cancelled mid-stream: got nil error")
			}
			checkUnchanged(t, s, tt.key, tt.old)
		})
	}
}

func testFailingReader(t *testing.T, s idv.BlobStore) {
	put(t, s, "fail/existing", []byte("kept"))
	boom := errors.New("reader broke")
	r := io.MultiReader(bytes.NewReader(pattern(1<<20, 7)), &errReader{boom})
	if err := s.Put(t.Context(), "fail/existing", r); !errors.Is(err, boom) {
		t.Fatalf("Put from a failing reader: got %v, want the reader's error", err)
	}
	checkUnchanged(t, s, "fail/existing", []byte("kept"))
	if err := s.Put(t.Context(), "fail/new", &errReader{boom}); !errors.Is(err, boom) {
		t.Fatalf("Put from a failing reader: got %v, want the reader's error", err)
	}
	checkUnchanged(t, s, "fail/new", nil)
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

// checkUnchanged asserts that key holds old (nil: is absent) and that List
// shows exactly that.
func checkUnchanged(t *testing.T, s idv.BlobStore, key string, old []byte) {
	t.Helper()
	infos := list(t, s, key)
	if old == nil {
		_, err := s.Get(t.Context(), key)
		wantCode(t, "Get after a failed Put", err, idv.CodeNotFound)
		if len(infos) != 0 {
			t.Fatalf("List after a failed Put: got %v, want nothing", keys(infos))
		}
		return
	}
	if got := get(t, s, key); !bytes.Equal(got, old) {
		t.Fatalf("after a failed Put: got %d bytes, want the old %q", len(got), old)
	}
	if len(infos) != 1 || infos[0].Size != int64(len(old)) {
		t.Fatalf("List after a failed Put: got %+v, want the old object only", infos)
	}
}

// zeros yields n zero bytes without holding them, and samples the live
// heap at every read.
type zeros struct {
	n    int64
	peak uint64
}

func (z *zeros) Read(p []byte) (int, error) {
	z.peak = max(z.peak, heap())
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), z.n))
	clear(p[:k])
	z.n -= int64(k)
	return k, nil
}

// discard counts bytes and samples the live heap at every write.
type discard struct {
	n    int64
	peak uint64
}

func (d *discard) Write(p []byte) (int, error) {
	d.peak = max(d.peak, heap())
	d.n += int64(len(p))
	return len(p), nil
}

// heap returns the bytes of heap objects, live or not yet collected.
func heap() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// testBoundedMemory streams an object several times larger than the
// allowance through Put and Get and checks that the heap never grew by the
// allowance meanwhile: neither side holds the whole object.
func testBoundedMemory(t *testing.T, s idv.BlobStore) {
	const size, allowance = 96 << 20, 32 << 20
	runtime.GC()
	base := heap()
	src := &zeros{n: size}
	if err := s.Put(t.Context(), "memory/big", src); err != nil {
		t.Fatal(err)
	}
	putGrowth := int64(src.peak) - int64(base)
	if putGrowth > allowance {
		t.Errorf("Put of %d MiB grew the heap by %d MiB, want at most %d MiB", size>>20, putGrowth>>20, allowance>>20)
	}
	runtime.GC()
	base = heap()
	rc, err := s.Get(t.Context(), "memory/big")
	if err != nil {
		t.Fatal(err)
	}
	dst := &discard{}
	_, err = io.CopyBuffer(dst, rc, make([]byte, 256<<10))
	_ = rc.Close()
	if err != nil || dst.n != size {
		t.Fatalf("Get: read %d bytes, %v; want %d", dst.n, err, size)
	}
	getGrowth := int64(dst.peak) - int64(base)
	if getGrowth > allowance {
		t.Errorf("Get of %d MiB grew the heap by %d MiB, want at most %d MiB", size>>20, getGrowth>>20, allowance>>20)
	}
	t.Logf("streaming %d MiB grew the heap by at most %.1f MiB in Put and %.1f MiB in Get", size>>20,
		float64(putGrowth)/(1<<20), float64(getGrowth)/(1<<20))
}
