// Package localfs is the BlobStore adapter that keeps objects as files under
// one root directory (by default <data_dir>/blobs).
//
// Put is crash-safe: the bytes go to a temporary file in the key's own
// directory, which is fsynced and then renamed over the key, and the
// directory is fsynced after the rename. A crash leaves either the old file
// or the new one under the key, plus at most a stale temporary, which List
// never shows and SweepTemporaries removes. Temporaries are named
// ".tmp-<random>": keys never have a segment starting with a dot
// (idv.CheckBlobKey), so no key can collide with one.
//
// Files are 0600 and directories 0700. Memory is bounded: Put copies with
// a fixed buffer and Get hands out the open file.
package localfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

// tempPrefix starts the name of every temporary file.
const tempPrefix = ".tmp-"

// Store is a BlobStore on the local file system.
type Store struct {
	root string
}

var _ idv.BlobStore = (*Store)(nil)

// Open returns a store rooted at dir, creating it (0700) when missing.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("localfs: empty root directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localfs: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("localfs: create root: %w", err)
	}
	return &Store{root: abs}, nil
}

// Root returns the absolute root directory.
func (s *Store) Root() string { return s.root }

// path returns the file of a checked key.
func (s *Store) path(key string) string { return filepath.Join(s.root, filepath.FromSlash(key)) }

// Put writes r to a temporary file beside the key's file, fsyncs it,
// renames it into place and fsyncs the directory. On any error, ctx's end
// included, the temporary is removed and the key keeps its old object.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (err error) {
	if err := idv.CheckBlobKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dst := s.path(key)
	tmp, err := s.createTemp(filepath.Dir(dst))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, ctxReader{ctx: ctx, r: r}); err != nil {
		return fmt.Errorf("localfs: write %s: %w", key, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("localfs: fsync %s: %w", key, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("localfs: close %s: %w", key, err)
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), dst); err != nil {
		if fi, statErr := os.Stat(dst); statErr == nil && fi.IsDir() {
			return &idv.Error{Code: idv.CodeConflict, Message: "blob key is the prefix directory of other keys", Err: err}
		}
		return fmt.Errorf("localfs: rename %s: %w", key, err)
	}
	if err = syncDir(filepath.Dir(dst)); err != nil {
		return fmt.Errorf("localfs: fsync directory of %s: %w", key, err)
	}
	return nil
}

// createTemp makes the directory chain of dir (fsyncing each parent whose
// entries changed) and a temporary file in it. A concurrent Delete may
// remove an emptied directory between the two steps, so it tries again.
func (s *Store) createTemp(dir string) (*os.File, error) {
	var lastErr error
	for range 5 {
		if err := s.mkdirAll(dir); err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			lastErr = err
			continue
		}
		f, err := os.CreateTemp(dir, tempPrefix+"*")
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("localfs: create temporary: %w", err)
		}
		lastErr = err
	}
	return nil, fmt.Errorf("localfs: create temporary: %w", lastErr)
}

// mkdirAll creates dir and its missing parents under the root with mode
// 0700, and fsyncs the parent of every directory it made so that the new
// entries survive a crash.
func (s *Store) mkdirAll(dir string) error {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return nil
	}
	rel, err := filepath.Rel(s.root, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("localfs: %s is outside the root", dir)
	}
	cur := s.root
	for _, seg := range strings.Split(rel, string(filepath.Separator)) {
		next := filepath.Join(cur, seg)
		err := os.Mkdir(next, 0o700)
		switch {
		case err == nil:
			if err := syncDir(cur); err != nil {
				return fmt.Errorf("localfs: fsync %s: %w", cur, err)
			}
		case errors.Is(err, fs.ErrExist):
			if fi, statErr := os.Stat(next); statErr != nil || !fi.IsDir() {
				return &idv.Error{Code: idv.CodeConflict, Message: "a blob key is used as a directory of another key", Err: err}
			}
		default:
			return fmt.Errorf("localfs: create directory: %w", err) // ErrNotExist: a parent was just removed
		}
		cur = next
	}
	return nil
}

// Get opens the key's file; CodeNotFound when absent.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := idv.CheckBlobKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(key))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, &idv.Error{Code: idv.CodeNotFound, Message: "blob not found", Err: err}
		}
		return nil, fmt.Errorf("localfs: open %s: %w", key, err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, &idv.Error{Code: idv.CodeNotFound, Message: "blob not found"}
	}
	return f, nil
}

// Delete removes the key's file and fsyncs its directory, then removes the
// directories the removal left empty (up to the root). An absent key is
// not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := idv.CheckBlobKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := s.path(key)
	if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
		return nil // a prefix of other keys, not an object
	}
	if err := os.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil
		}
		return fmt.Errorf("localfs: delete %s: %w", key, err)
	}
	dir := filepath.Dir(p)
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("localfs: fsync directory of %s: %w", key, err)
	}
	for dir != s.root && os.Remove(dir) == nil {
		dir = filepath.Dir(dir)
	}
	return nil
}

// syncDir fsyncs a directory so that renames and removals in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// ctxReader stops a copy once ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// SweepTemporaries removes the temporary files a crashed Put left behind
// that are older than maxAge (so the temporaries of Puts in progress stay),
// and returns how many it removed.
func (s *Store) SweepTemporaries(ctx context.Context, maxAge time.Duration, now time.Time) (int, error) {
	removed := 0
	err := filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed by a concurrent Delete
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil //nolint:nilerr // gone since the directory was read
		}
		if now.Sub(fi.ModTime()) < maxAge {
			return nil
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		removed++
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("localfs: sweep temporaries: %w", err)
	}
	return removed, nil
}
