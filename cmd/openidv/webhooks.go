package main

import (
	"context"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/config"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/webhook"
	"github.com/prometheus/client_golang/prometheus"
)

// webhookPolicy is the destination policy of the configuration (validated
// by config.Load).
func webhookPolicy(cfg config.Config) webhook.Policy {
	nets, _ := cfg.Webhooks.Networks()
	return webhook.Policy{AllowHTTP: cfg.Webhooks.AllowHTTP, Allow: nets}
}

// checkWebhookURL validates endpoint URLs for the application service.
func checkWebhookURL(cfg config.Config) func(string) error {
	p := webhookPolicy(cfg)
	return func(raw string) error {
		_, err := p.CheckURL(raw)
		return err
	}
}

// configEndpoints maps the configuration file's endpoints.
func configEndpoints(cfg config.Config) []app.ConfigEndpoint {
	var out []app.ConfigEndpoint
	for _, e := range cfg.Webhooks.Endpoints {
		out = append(out, app.ConfigEndpoint{Name: e.Name, URL: e.URL, Secret: e.Secret,
			EventTypes: e.EventTypes, Sandbox: e.Sandbox})
	}
	return out
}

// version is the module version of the binary, or "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// startDispatcher delivers webhooks until ctx ends; wg counts it.
func startDispatcher(ctx context.Context, wg *sync.WaitGroup, cfg config.Config, st idv.Store, svc *app.Service,
	log *slog.Logger, reg prometheus.Registerer) error {
	schedule, _ := cfg.Webhooks.Schedule() // validated by config.Load
	d, err := webhook.New(webhook.Config{
		Store: st, Secrets: svc.SigningSecrets,
		Client:  webhook.NewClient(webhookPolicy(cfg), cfg.Webhooks.Timeout),
		Timeout: cfg.Webhooks.Timeout, Lease: cfg.Webhooks.Lease, Schedule: schedule,
		DisableAfter: cfg.Webhooks.DisableAfter, Workers: cfg.Webhooks.Workers,
		PerEndpoint: cfg.Webhooks.PerEndpoint,
		UserAgent:   "OpenIDV/" + version(), Logger: log, Registerer: reg,
	})
	if err != nil {
		return err
	}
	wg.Go(func() { d.Run(ctx) })
	return nil
}
