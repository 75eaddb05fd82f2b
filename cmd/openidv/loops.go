package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/openidv/openidv/internal/app"
)

// The periods of the background work.
const (
	expireEvery      = time.Minute
	retentionEvery   = time.Hour
	idempotencyEvery = time.Hour
)

// startLoops runs the periodic housekeeping until ctx ends; wg counts the
// loops. Each loop runs once at start, then on its period.
//
// With several replicas on PostgreSQL every replica runs them; the work is
// idempotent (rows are locked) so this is safe, only redundant.
func startLoops(ctx context.Context, wg *sync.WaitGroup, svc *app.Service, log *slog.Logger) {
	every(ctx, wg, expireEvery, func(ctx context.Context) {
		n, err := svc.ExpireDue(ctx)
		report(ctx, log, "expire sessions", n, err)
	})
	every(ctx, wg, retentionEvery, func(ctx context.Context) {
		n, err := svc.PurgeRetention(ctx)
		report(ctx, log, "retention purge", n, err)
	})
	every(ctx, wg, idempotencyEvery, func(ctx context.Context) {
		report(ctx, log, "idempotency purge", 0, svc.PurgeIdempotency(ctx))
	})
}

// every calls fn now and then every period until ctx ends.
func every(ctx context.Context, wg *sync.WaitGroup, period time.Duration, fn func(context.Context)) {
	wg.Go(func() {
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			fn(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
}

// report logs the outcome of one housekeeping run.
func report(ctx context.Context, log *slog.Logger, what string, n int, err error) {
	switch {
	case err != nil && ctx.Err() == nil:
		log.ErrorContext(ctx, what+" failed", "error", err.Error())
	case n > 0:
		log.InfoContext(ctx, what, "sessions", n)
	}
}
