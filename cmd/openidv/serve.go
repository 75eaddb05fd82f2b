package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/config"
	"github.com/openidv/openidv/internal/devinbox"
	"github.com/openidv/openidv/internal/httpapi"
	"github.com/openidv/openidv/internal/idv"
	"github.com/prometheus/client_golang/prometheus"
)

// HTTP server limits (docs/operations.md, Limits).
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
	logFlushInterval  = 100 * time.Millisecond // how stale the log file may be
)

// runServe runs the server until ctx ends (SIGINT/SIGTERM), then shuts
// down gracefully: readiness fails at once, the listener closes, in-flight
// requests finish within shutdown_timeout, websockets are closed, the
// background loops stop and the store is closed.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, _, code, ok := parseConfig("serve", args, stderr, nil)
	if !ok {
		return code
	}
	if cfg.Dev {
		fmt.Fprintln(stderr, devBanner)
	}
	logs := newBufferedLog(stderr, logFlushInterval)
	defer logs.Close()
	log := newLogger(cfg, logs)
	if err := serve(ctx, cfg, log, stdout); err != nil {
		log.Error("openidv serve stopped", "error", err.Error())
		return 1
	}
	return 0
}

// serve wires everything and blocks until ctx ends.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	blobs, err := openBlobStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	svc, dev, err := newService(cfg, st, blobs, log)
	if err != nil {
		return err
	}
	if err := printAdminKey(ctx, svc, stdout); err != nil {
		return err
	}
	if err := svc.SyncConfigEndpoints(ctx, configEndpoints(cfg)); err != nil {
		return fmt.Errorf("webhooks.endpoints: %w", err)
	}
	reg := prometheus.NewRegistry()
	var stopping atomic.Bool
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	cfg.AllowedHosts = append(listenHosts(ln.Addr()), cfg.AllowedHosts...)
	warnExposure(cfg, log)
	handler := newHandler(cfg, svc, dev, log, &stopping, reg)
	ln = handler.WrapListener(ln) // net/http's own 400/431 answers as JSON envelopes
	stopMetrics, err := startMetrics(cfg, handler, log)
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{
		Handler: handler, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	loopCtx, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	var loops sync.WaitGroup
	if err := startJobs(loopCtx, &loops, cfg, st, svc, log, reg); err != nil {
		stopLoops()
		loops.Wait()
		return err
	}
	if err := startDispatcher(loopCtx, &loops, cfg, st, svc, log, reg); err != nil {
		stopLoops()
		loops.Wait()
		return fmt.Errorf("webhooks: %w", err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("openidv listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "dev", cfg.Dev)

	select {
	case err = <-served:
	case <-ctx.Done():
	}
	stopping.Store(true)
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := handler.Shutdown(sctx); err != nil {
			log.Warn("closing websockets", "error", err.Error())
		}
	})
	if serr := srv.Shutdown(sctx); serr != nil {
		log.Warn("http shutdown", "error", serr.Error())
	}
	wg.Wait()
	stopMetrics(sctx)
	stopLoops()
	loops.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("stopped")
	return err
}

// printAdminKey makes the first private key on first start and prints it
// once to stdout; only its hash is stored.
func printAdminKey(ctx context.Context, svc *app.Service, stdout io.Writer) error {
	secret, created, err := svc.EnsureAdminKey(ctx)
	if err != nil || !created {
		return err
	}
	fmt.Fprintln(stdout, "OpenIDV admin API key (private, live). It is shown only this once; store it now:")
	fmt.Fprintln(stdout, secret)
	return nil
}

// newHandler builds the HTTP handler. Readiness fails as soon as stopping
// is set so that load balancers drain the replica.
func newHandler(cfg config.Config, svc *app.Service, dev *devinbox.Inbox, log *slog.Logger, stopping *atomic.Bool,
	reg *prometheus.Registry) *httpapi.Server {
	opts := httpapi.Options{
		Logger:         log,
		Registerer:     reg,
		Gatherer:       reg,
		Webhooks:       svc,
		AllowedOrigins: cfg.CORSOrigins,
		Branding:       httpapi.Branding{Name: cfg.HostedPage.Name, Color: cfg.HostedPage.Color},
		FrameAncestors: cfg.HostedPage.FrameAncestors,
		AllowedHosts:   cfg.AllowedHosts,
		RateLimit:      httpapi.RateLimit{PerMinute: cfg.RateLimit.RPS * 60, Burst: cfg.RateLimit.Burst},
		AuthFailures:   httpapi.RateLimit{PerMinute: cfg.AuthFailures.PerMinute, Burst: cfg.AuthFailures.Burst},
		Ready: func(ctx context.Context) error {
			if stopping.Load() {
				return errors.New("shutting down")
			}
			return svc.Ready(ctx)
		},
	}
	if cfg.RateLimit.RPS == 0 {
		opts.RateLimit.PerMinute = -1
	}
	if cfg.AuthFailures.PerMinute == 0 {
		opts.AuthFailures.PerMinute = -1
	}
	opts.MetricsToken = cfg.Metrics.Token
	opts.TrustedProxies, _ = cfg.HTTP.Proxies() // validated by config
	opts.BodyReadTimeout, opts.MaxBodiesPerClient = cfg.HTTP.BodyReadTimeout, cfg.HTTP.MaxBodiesPerClient
	if cfg.HTTP.MaxBodiesPerClient == 0 {
		opts.MaxBodiesPerClient = -1 // disabled
	}
	if cfg.PublicURL != "" {
		opts.PublicURL, _ = url.Parse(cfg.PublicURL) // validated by config
	}
	if dev != nil {
		opts.DevInbox = inboxPage{inbox: dev}
	}
	return httpapi.New(svc, opts)
}

// storeKeys are the settings offered as flags by the commands that only
// open the store (migrate, apikey create); every other setting still comes
// from OPENIDV_* variables or the --config file.
var storeKeys = []string{"data_dir", "database_url", "log_level"}

// runMigrate applies the store's migrations and exits.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, _, code, ok := parseConfig("migrate", args, stderr, nil, storeKeys...)
	if !ok {
		return code
	}
	log := newLogger(cfg, stderr)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		log.Error("migrate failed", "error", err.Error())
		return 1
	}
	if err := st.Close(); err != nil {
		log.Error("closing store", "error", err.Error())
		return 1
	}
	fmt.Fprintln(stdout, "migrations applied")
	return 0
}

// runAPIKey runs `apikey create --kind private|public [--sandbox]`: it
// prints a new key once to stdout; only its hash is stored.
func runAPIKey(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "usage: openidv apikey create --kind private|public [--sandbox] [config flags]")
		return 2
	}
	var kind string
	var sandbox bool
	cfg, _, code, ok := parseConfig("apikey create", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&kind, "kind", "", "key kind: private (server side) or public (front end)")
		fs.BoolVar(&sandbox, "sandbox", false, "make a sandbox key (its sessions are isolated from live ones)")
	}, append(slices.Clone(storeKeys), "master_key")...)
	if !ok {
		return code
	}
	if kind != string(idv.KeyPrivate) && kind != string(idv.KeyPublic) {
		fmt.Fprintln(stderr, "openidv apikey create: --kind must be private or public")
		return 2
	}
	log := newLogger(cfg, stderr)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		log.Error("apikey failed", "error", err.Error())
		return 1
	}
	defer st.Close()
	svc, _, err := newService(cfg, st, nil, log)
	if err != nil {
		log.Error("apikey failed", "error", err.Error())
		return 1
	}
	secret, key, err := svc.CreateAPIKey(ctx, idv.KeyKind(kind), sandbox)
	if err != nil {
		log.Error("apikey failed", "error", err.Error())
		return 1
	}
	fmt.Fprintf(stderr, "created API key %s (%s, sandbox=%v); it is shown only this once:\n", key.ID, key.Kind, key.Sandbox)
	fmt.Fprintln(stdout, secret)
	return 0
}
