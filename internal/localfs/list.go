package localfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/openidv/openidv/internal/idv"
)

// List calls fn for every object whose key starts with prefix, in key
// (byte) order. It reads one directory at a time and descends only into
// directories that can hold matching keys; temporaries and other names
// starting with a dot are skipped.
func (s *Store) List(ctx context.Context, prefix string, fn func(idv.BlobInfo) error) error {
	if err := idv.CheckBlobPrefix(prefix); err != nil {
		return err
	}
	// Start in the deepest directory the prefix names entirely.
	dir := ""
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		dir = prefix[:i]
	}
	return s.walk(ctx, dir, prefix, fn)
}

// entry is one name of a directory with the key (or key prefix, ending
// with a slash, for a directory) that orders it among the others.
type entry struct {
	key  string
	name string
	dir  bool
}

// walk lists the directory whose key prefix is dir ("" for the root),
// calling fn for files whose key starts with prefix.
func (s *Store) walk(ctx context.Context, dir, prefix string, fn func(idv.BlobInfo) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	full := s.root
	if dir != "" {
		full = filepath.Join(s.root, filepath.FromSlash(dir))
	}
	des, err := os.ReadDir(full)
	if err != nil {
		if dir != "" && errors.Is(err, fs.ErrNotExist) {
			return nil // removed by a concurrent Delete
		}
		return fmt.Errorf("localfs: list: %w", err)
	}
	entries := make([]entry, 0, len(des))
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") {
			continue
		}
		e := entry{key: path.Join(dir, de.Name()), name: de.Name(), dir: de.IsDir()}
		if e.dir {
			e.key += "/"
		}
		// Keep files that match, and directories whose keys may match.
		if !strings.HasPrefix(e.key, prefix) && !strings.HasPrefix(prefix, e.key) {
			continue
		}
		entries = append(entries, e)
	}
	// "a/" sorts as its keys do: after "a-b" and "a.b", before "a0".
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	for _, e := range entries {
		if e.dir {
			if err := s.walk(ctx, strings.TrimSuffix(e.key, "/"), prefix, fn); err != nil {
				return err
			}
			continue
		}
		fi, err := os.Lstat(filepath.Join(full, e.name))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // deleted since the directory was read
			}
			return fmt.Errorf("localfs: list: %w", err)
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		if err := fn(idv.BlobInfo{Key: e.key, Size: fi.Size(), ModTime: fi.ModTime()}); err != nil {
			return err
		}
	}
	return nil
}
