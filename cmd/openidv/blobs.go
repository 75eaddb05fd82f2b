package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/openidv/openidv/internal/config"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/localfs"
	"github.com/openidv/openidv/internal/s3"
)

// blobCheckTimeout bounds the start-up check of the blob store (the S3
// client retries a refused connection for several seconds).
const blobCheckTimeout = 20 * time.Second

// staleTemporaryAge is how old a local temporary file must be before the
// start-up sweep takes it for the leftover of a crashed write.
const staleTemporaryAge = time.Hour

// openBlobStore opens the blob store blob_url names (files under
// data_dir/blobs when it is empty) and checks that it answers: a List of
// the "health/" prefix must succeed, so a wrong bucket, endpoint or key
// stops the server at start-up rather than at the first upload. For local
// files it also starts a sweep of temporaries left by a crash, which ends
// with ctx.
func openBlobStore(ctx context.Context, cfg config.Config, log *slog.Logger) (idv.BlobStore, error) {
	var bs idv.BlobStore
	kind := "s3"
	if dir := cfg.BlobDir(); dir != "" {
		kind = "local"
		fs, err := localfs.Open(dir)
		if err != nil {
			return nil, fmt.Errorf("blob_url: %w", err)
		}
		go sweepTemporaries(ctx, fs, log)
		bs = fs
	} else if strings.HasPrefix(cfg.BlobURL, "s3://") {
		st, err := s3.OpenURL(cfg.BlobURL)
		if err != nil {
			return nil, fmt.Errorf("blob_url: %w", err)
		}
		bs = st
	} else {
		return nil, fmt.Errorf("blob_url: unsupported scheme") // config validation refuses it first
	}
	checkCtx, cancel := context.WithTimeout(ctx, blobCheckTimeout)
	defer cancel()
	if err := bs.List(checkCtx, "health/", func(idv.BlobInfo) error { return nil }); err != nil {
		return nil, fmt.Errorf("blob store (%s) is not reachable: %w", kind, err)
	}
	log.Info("blob store ready", "kind", kind)
	return bs, nil
}

// sweepTemporaries removes the temporary files of local writes that a
// crash interrupted.
func sweepTemporaries(ctx context.Context, fs *localfs.Store, log *slog.Logger) {
	n, err := fs.SweepTemporaries(ctx, staleTemporaryAge, time.Now())
	if err != nil && ctx.Err() == nil {
		log.Warn("blob temporaries sweep failed", "error", err.Error())
		return
	}
	if n > 0 {
		log.Info("blob temporaries swept", "removed", n)
	}
}
