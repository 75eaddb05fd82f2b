package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/config"
	"github.com/openidv/openidv/internal/devinbox"
	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/postgres"
	"github.com/openidv/openidv/internal/seal"
	"github.com/openidv/openidv/internal/sms"
	"github.com/openidv/openidv/internal/smtp"
	"github.com/openidv/openidv/internal/sqlite"
)

// migrator is a store that can apply its embedded migrations.
type migrator interface {
	idv.Store
	Migrate(ctx context.Context) error
}

// parseConfig parses args with the configuration flags (plus any flags
// extra registers) and loads the configuration. It prints problems to
// stderr; ok is false when the command must exit with code.
// keys, when given, limits the configuration flags to those settings (the
// others still come from the environment or the file).
func parseConfig(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet),
	keys ...string) (cfg config.Config, fs *flag.FlagSet, code int, ok bool) {
	fs = flag.NewFlagSet("openidv "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	config.AddFlags(fs, keys...)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, fs, 0, false
		}
		return cfg, fs, 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "openidv %s: unexpected arguments %q\n", name, fs.Args())
		return cfg, fs, 2, false
	}
	cfg, err := config.Load(fs, os.Environ())
	if err != nil {
		fmt.Fprintf(stderr, "openidv %s: %v\n", name, err)
		return cfg, fs, 2, false
	}
	return cfg, fs, 0, true
}

// newLogger returns the JSON logger at the configured level.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// openStore opens the configured store and applies its migrations.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (migrator, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	var st migrator
	var err error
	if cfg.UsesPostgres() {
		st, err = openPostgres(ctx, cfg.DatabaseURL)
	} else {
		st, err = sqlite.Open(ctx, cfg.DatabasePath())
	}
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	log.Info("store ready", "postgres", cfg.UsesPostgres())
	return st, nil
}

// openPostgres opens the PostgreSQL store.
func openPostgres(ctx context.Context, url string) (migrator, error) {
	st, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	return st, nil
}

// loadLevels returns the levels of levels_file, or the built-in ones.
func loadLevels(cfg config.Config) ([]idv.Level, error) {
	if cfg.LevelsFile == "" {
		return flow.DefaultLevels(), nil
	}
	b, err := os.ReadFile(cfg.LevelsFile)
	if err != nil {
		return nil, fmt.Errorf("levels file: %w", err)
	}
	levels, err := flow.ParseLevels(b)
	if err != nil {
		return nil, fmt.Errorf("levels file %s: %w", cfg.LevelsFile, err)
	}
	return levels, nil
}

// loadKeyring returns the keyring of master_key, or of the key file in
// data_dir, made on first start.
func loadKeyring(cfg config.Config, log *slog.Logger) (*seal.Keyring, error) {
	var master []byte
	var err error
	if cfg.MasterKey != "" {
		if master, err = seal.ParseMasterKey(cfg.MasterKey); err != nil {
			return nil, fmt.Errorf("master_key: %w", err)
		}
	} else {
		var created bool
		master, created, err = seal.LoadOrCreateMasterKey(cfg.MasterKeyPath(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("master key: %w", err)
		}
		if created {
			log.Warn("created a new master key; back it up: without it no personal data can be read", "path", cfg.MasterKeyPath())
		}
		if cfg.UsesPostgres() {
			log.Warn("master key read from a local file while using PostgreSQL: every replica needs the same key; set master_key (OPENIDV_MASTER_KEY)")
		}
	}
	return seal.NewKeyring(master)
}

// senders returns the SMS and email senders, and the development inbox
// when a log sender is in use in development mode (nil otherwise).
func senders(cfg config.Config, log *slog.Logger) (idv.SMSSender, idv.EmailSender, *devinbox.Inbox, error) {
	dev := devinbox.New(log, devinbox.DefaultCapacity)
	var smsSender idv.SMSSender = dev
	var email idv.EmailSender = dev
	if cfg.SMS.Provider == config.ProviderTwilio {
		tw, err := sms.NewTwilio(twilioConfig(cfg, log), nil)
		if err != nil {
			return nil, nil, nil, err
		}
		smsSender = tw
	}
	if cfg.Email.Provider == config.ProviderSMTP {
		s, err := smtp.New(smtpConfig(cfg, log))
		if err != nil {
			return nil, nil, nil, err
		}
		email = s
	}
	if !cfg.Dev || !usesLogSender(cfg) {
		dev = nil
	}
	return smsSender, email, dev, nil
}

// usesLogSender reports whether SMS or email codes go to the log sender
// (the server log) instead of a provider.
func usesLogSender(cfg config.Config) bool {
	return cfg.SMS.Provider == config.ProviderLog || cfg.Email.Provider == config.ProviderLog
}

// twilioConfig maps the configuration onto the Twilio sender's.
func twilioConfig(cfg config.Config, log *slog.Logger) sms.TwilioConfig {
	c := cfg.SMS.Twilio
	return sms.TwilioConfig{AccountSID: c.AccountSID, AuthToken: c.AuthToken, From: c.From,
		MessagingServiceSID: c.MessagingServiceSID, BaseURL: c.BaseURL, Logger: log}
}

// smtpConfig maps the configuration onto the SMTP sender's.
func smtpConfig(cfg config.Config, log *slog.Logger) smtp.Config {
	tls := map[string]smtp.TLSPolicy{"starttls": smtp.TLSMandatory, "tls": smtp.TLSImplicit, "none": smtp.TLSNone}
	c := cfg.Email.SMTP
	return smtp.Config{Host: c.Host, Port: c.Port, Username: c.Username, Password: c.Password, From: c.From,
		TLS: tls[c.TLS], Logger: log}
}

// newService builds the application service on st and blobs (nil when the
// command stores and erases no evidence objects).
func newService(cfg config.Config, st idv.Store, blobs idv.BlobStore, log *slog.Logger) (*app.Service, *devinbox.Inbox, error) {
	levels, err := loadLevels(cfg)
	if err != nil {
		return nil, nil, err
	}
	keys, err := loadKeyring(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	sms, email, dev, err := senders(cfg, log)
	if err != nil {
		return nil, nil, err
	}
	svc, err := app.New(app.Deps{
		Store: st, Blobs: blobs, Keyring: keys, Levels: levels, SMS: sms, Email: email, Logger: log,
		SessionTTL: cfg.SessionTTL, Retention: cfg.Retention, CheckWebhookURL: checkWebhookURL(cfg),
		Events: app.EventLimits{MaxPerSession: cfg.Events.MaxPerSession, MaxPayloadBytes: cfg.Events.MaxPayloadBytes},
	})
	return svc, dev, err
}
