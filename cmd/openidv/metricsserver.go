package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/openidv/openidv/internal/config"
	"github.com/openidv/openidv/internal/httpapi"
)

// startMetrics serves GET /metrics alone on cfg.Metrics.Addr, when set,
// without authentication: bind it to loopback or an operators' network.
// The returned function shuts it down.
func startMetrics(cfg config.Config, handler *httpapi.Server, log *slog.Logger) (func(context.Context), error) {
	if cfg.Metrics.Addr == "" {
		return func(context.Context) {}, nil
	}
	ln, err := net.Listen("tcp", cfg.Metrics.Addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", handler.MetricsHandler())
	srv := &http.Server{
		Handler: mux, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readHeaderTimeout,
		WriteTimeout: writeTimeout, IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "error", err.Error())
		}
	}()
	log.Info("metrics listening", "addr", ln.Addr().String())
	return func(ctx context.Context) {
		if err := srv.Shutdown(ctx); err != nil {
			log.Warn("metrics shutdown", "error", err.Error())
		}
	}, nil
}
