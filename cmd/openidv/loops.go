package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/config"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/job"
	"github.com/prometheus/client_golang/prometheus"
)

// The periods of the housekeeping jobs.
const (
	expireEvery      = time.Minute
	retentionEvery   = time.Hour
	idempotencyEvery = time.Hour
)

// The kinds of the housekeeping jobs.
const (
	kindExpire      = "housekeeping.expire"
	kindRetention   = "housekeeping.retention"
	kindIdempotency = "housekeeping.idempotency"
)

// housekeepingTimeout bounds one housekeeping run; a run that overruns is
// retried (job.Periodic) and the next period runs anyway.
const housekeepingTimeout = 10 * time.Minute

// startJobs runs the job runner until ctx ends; wg counts it. The
// housekeeping (expiry, retention, idempotency purge) is periodic work:
// each period's run happens once across all replicas, on whichever claims
// it, instead of on every replica's tickers.
func startJobs(ctx context.Context, wg *sync.WaitGroup, cfg config.Config, st idv.Store, svc *app.Service,
	log *slog.Logger, reg prometheus.Registerer) error {
	kinds := job.NewRegistry()
	for _, k := range []struct {
		name string
		run  func(context.Context) (int, error)
	}{
		{kindExpire, svc.ExpireDue},
		{kindRetention, svc.PurgeRetention},
		{kindIdempotency, func(ctx context.Context) (int, error) { return 0, svc.PurgeIdempotency(ctx) }},
	} {
		if err := kinds.Register(k.name, job.Kind{Timeout: housekeepingTimeout, Handler: housekeeping(k.name, k.run, log)}); err != nil {
			return err
		}
	}
	runner, err := job.New(st, kinds, job.Config{
		ShutdownGrace: cfg.ShutdownTimeout,
		Periodic: []job.Periodic{
			{Kind: kindExpire, Every: expireEvery},
			{Kind: kindRetention, Every: retentionEvery},
			{Kind: kindIdempotency, Every: idempotencyEvery},
		},
		Log:        log,
		Registerer: reg,
	})
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	wg.Go(func() { runner.Run(ctx) })
	return nil
}

// housekeeping adapts a sweep to a job handler that logs what it did.
func housekeeping(what string, run func(context.Context) (int, error), log *slog.Logger) job.Handler {
	return func(ctx context.Context, _ idv.ClaimedJob) error {
		n, err := run(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.ErrorContext(ctx, what+" failed", "error", err.Error())
		case n > 0:
			log.InfoContext(ctx, what, "sessions", n)
		}
		return err
	}
}
