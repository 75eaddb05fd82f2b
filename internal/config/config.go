// Package config loads OpenIDV's settings with koanf. The precedence is
// command-line flags over OPENIDV_* environment variables over an optional
// YAML file (--config or OPENIDV_CONFIG) over the defaults below.
//
// Every setting has one key (for example `sms.twilio.account_sid`), one
// environment variable (OPENIDV_SMS_TWILIO_ACCOUNT_SID) and one flag
// (--sms-twilio-account-sid), all derived from the key.
package config

import (
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// Config is the whole server configuration.
type Config struct {
	Addr            string        `koanf:"addr"`
	DataDir         string        `koanf:"data_dir"`
	DatabaseURL     string        `koanf:"database_url"` // empty: SQLite at DataDir/openidv.db
	BlobURL         string        `koanf:"blob_url"`     // empty: files under DataDir/blobs; file:///path or s3://bucket?…
	PublicURL       string        `koanf:"public_url"`   // base of hosted-page and websocket URLs
	MasterKey       string        `koanf:"master_key"`   // empty: read or made at DataDir/master.key
	LevelsFile      string        `koanf:"levels_file"`  // empty: the built-in levels
	SessionTTL      time.Duration `koanf:"session_ttl"`
	Retention       time.Duration `koanf:"retention"` // 0 keeps sessions forever
	SMS             SMSConfig     `koanf:"sms"`
	Email           EmailConfig   `koanf:"email"`
	CORSOrigins     []string      `koanf:"cors_origins"`
	RateLimit       RateLimit     `koanf:"rate_limit"`
	AuthFailures    AuthFailures  `koanf:"auth_failures"` // failed-authentication throttle per client address
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
	LogLevel        string        `koanf:"log_level"`
	// Dev turns on development mode: GET /dev/inbox shows the messages
	// the log senders kept, one-time codes included, to anyone.
	Dev bool `koanf:"dev"`
	// AllowedHosts are the Host header values (host or host:port) the
	// server builds URLs from when PublicURL is empty, besides the
	// listening address.
	AllowedHosts []string `koanf:"allowed_hosts"`
	// HostedPage configures the verification page GET /s/{id}.
	HostedPage HostedPageConfig `koanf:"hosted_page"`
	// Webhooks tunes webhook delivery.
	Webhooks WebhooksConfig `koanf:"webhooks"`
	// Events bounds the events clients report to session timelines.
	Events EventsConfig `koanf:"events"`
	// HTTP limits slow and hostile clients of the API listener.
	HTTP HTTPConfig `koanf:"http"`
	// Metrics says where GET /metrics is served.
	Metrics MetricsConfig `koanf:"metrics"`
}

// HostedPageConfig brands the hosted verification page and says who may
// embed it.
type HostedPageConfig struct {
	Name           string   `koanf:"name"`            // integrator name shown on the page
	Color          string   `koanf:"color"`           // brand colour, #rrggbb
	FrameAncestors []string `koanf:"frame_ancestors"` // origins allowed to frame the page; empty: none
}

// SMSConfig chooses the SMS sender.
type SMSConfig struct {
	Provider string       `koanf:"provider"` // log or twilio
	Twilio   TwilioConfig `koanf:"twilio"`
}

// TwilioConfig holds the Twilio Messaging API credentials.
type TwilioConfig struct {
	AccountSID          string `koanf:"account_sid"`
	AuthToken           string `koanf:"auth_token"`
	From                string `koanf:"from"`                  // sender number (E.164)
	MessagingServiceSID string `koanf:"messaging_service_sid"` // alternative to From
	BaseURL             string `koanf:"base_url"`              // Twilio API base (a stand-in in tests)
}

// EmailConfig chooses the email sender.
type EmailConfig struct {
	Provider string     `koanf:"provider"` // log or smtp
	SMTP     SMTPConfig `koanf:"smtp"`
}

// SMTPConfig holds the SMTP relay settings.
type SMTPConfig struct {
	Host     string `koanf:"host"`
	Port     int    `koanf:"port"`
	Username string `koanf:"username"`
	Password string `koanf:"password"`
	From     string `koanf:"from"`
	TLS      string `koanf:"tls"` // starttls (default), tls (implicit) or none
}

// RateLimit is the per-caller token bucket.
type RateLimit struct {
	RPS   float64 `koanf:"rps"`   // sustained requests per second per key or token; 0 disables
	Burst int     `koanf:"burst"` // bucket size
}

// AuthFailures is the token bucket of failed authentications kept per
// client address; an address that has spent it gets 429 on every
// authenticated route until a token comes back.
type AuthFailures struct {
	PerMinute float64 `koanf:"per_minute"` // tokens regained per minute; 0 disables
	Burst     int     `koanf:"burst"`      // failures allowed in a row
}

// The sender providers.
const (
	ProviderLog    = "log"
	ProviderTwilio = "twilio"
	ProviderSMTP   = "smtp"
)

// EnvPrefix starts every environment variable read by Load.
const EnvPrefix = "OPENIDV_"

// EnvConfigFile names the YAML file to read when --config is not given.
const EnvConfigFile = "OPENIDV_CONFIG"

// setting describes one key: its default and its help text.
type setting struct {
	key    string
	def    any
	usage  string
	secret bool
	list   bool
	// fileOnly settings are read from the YAML file only (no flag, no
	// environment variable).
	fileOnly bool
}

// settings lists every key. Flags and environment names derive from it.
func settings() []setting {
	return append([]setting{
		{key: "addr", def: ":8080", usage: "listen address"},
		{key: "data_dir", def: "./data", usage: "directory for the SQLite database, master key and files"},
		{key: "database_url", def: "", usage: "postgres://… URL; empty uses SQLite in data_dir", secret: true},
		{key: "blob_url", def: "", usage: "where evidence objects are kept: empty for files under data_dir/blobs, file:///absolute/path, or s3://bucket?endpoint=…&region=…&path_style=true (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)", secret: true},
		{key: "public_url", def: "", usage: "public base URL of hosted-page and websocket URLs; empty builds them from the Host header, which must then be the listening address or one of allowed_hosts"},
		{key: "allowed_hosts", def: []string{}, usage: "comma-separated Host values (host or host:port) accepted besides the listening address when public_url is empty", list: true},
		{key: "master_key", def: "", usage: "master key (base64); empty reads or makes data_dir/master.key", secret: true},
		{key: "levels_file", def: "", usage: "YAML file of verification levels; empty uses the built-in levels"},
		{key: "session_ttl", def: "168h", usage: "lifetime of a new session"},
		{key: "retention", def: "0s", usage: "erase sessions older than this; 0 keeps them"},
		{key: "sms.provider", def: ProviderLog, usage: "SMS sender: log or twilio"},
		{key: "sms.twilio.account_sid", def: "", usage: "Twilio account SID"},
		{key: "sms.twilio.auth_token", def: "", usage: "Twilio auth token", secret: true},
		{key: "sms.twilio.from", def: "", usage: "Twilio sender number"},
		{key: "sms.twilio.messaging_service_sid", def: "", usage: "Twilio messaging service SID"},
		{key: "sms.twilio.base_url", def: "https://api.twilio.com", usage: "Twilio API base URL"},
		{key: "email.provider", def: ProviderLog, usage: "email sender: log or smtp"},
		{key: "email.smtp.host", def: "", usage: "SMTP host"},
		{key: "email.smtp.port", def: 587, usage: "SMTP port"},
		{key: "email.smtp.username", def: "", usage: "SMTP user name"},
		{key: "email.smtp.password", def: "", usage: "SMTP password", secret: true},
		{key: "email.smtp.from", def: "", usage: "sender address of code emails"},
		{key: "email.smtp.tls", def: "starttls", usage: "SMTP TLS: starttls, tls or none"},
		{key: "cors_origins", def: []string{}, usage: "comma-separated browser origins allowed by CORS", list: true},
		{key: "rate_limit.rps", def: 20.0, usage: "requests per second per key or client token; 0 disables"},
		{key: "rate_limit.burst", def: 40, usage: "burst of requests per key or client token"},
		{key: "auth_failures.per_minute", def: 10.0, usage: "failed authentications per minute a client address regains; 0 disables the throttle"},
		{key: "auth_failures.burst", def: 20, usage: "failed authentications a client address may make in a row before it gets 429"},
		{key: "shutdown_timeout", def: "25s", usage: "time allowed to finish in-flight requests on shutdown"},
		{key: "log_level", def: "info", usage: "debug, info, warn or error"},
		{key: "hosted_page.name", def: "OpenIDV", usage: "integrator name shown on the hosted verification page"},
		{key: "hosted_page.color", def: "#1d4ed8", usage: "brand colour of the hosted page (#rrggbb)"},
		{key: "hosted_page.frame_ancestors", def: []string{}, usage: "comma-separated origins allowed to embed the hosted page in a frame; empty forbids framing", list: true},
		{key: "dev", def: false, usage: "development mode: serve GET /dev/inbox, which shows every one-time code of the log senders to anyone (never in production)"},
	}, append(append(webhookSettings(), eventSettings()...), edgeSettings()...)...)
}

// EnvName returns the environment variable of key.
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// FlagName returns the command-line flag of key (without dashes).
func FlagName(key string) string {
	return strings.NewReplacer(".", "-", "_", "-").Replace(key)
}

// DatabasePath returns the SQLite file used when DatabaseURL is empty.
func (c Config) DatabasePath() string { return filepath.Join(c.DataDir, "openidv.db") }

// MasterKeyPath returns the file the master key is read from or made in.
func (c Config) MasterKeyPath() string { return filepath.Join(c.DataDir, "master.key") }

// BlobDir returns the directory of the local blob store: the path of a
// file:// BlobURL, or DataDir/blobs when BlobURL is empty. It returns ""
// when BlobURL names another service (s3://).
func (c Config) BlobDir() string {
	switch {
	case c.BlobURL == "":
		return filepath.Join(c.DataDir, "blobs")
	case strings.HasPrefix(c.BlobURL, "file://"):
		if u, err := url.Parse(c.BlobURL); err == nil {
			return filepath.FromSlash(u.Path)
		}
	}
	return ""
}

// UsesPostgres reports whether DatabaseURL points at PostgreSQL.
func (c Config) UsesPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// BaseURL returns PublicURL without a trailing slash, or a localhost URL
// on the port of Addr when PublicURL is empty.
func (c Config) BaseURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	port := c.Addr
	if i := strings.LastIndex(port, ":"); i >= 0 {
		port = port[i+1:]
	}
	if port == "" {
		port = "8080"
	}
	return "http://localhost:" + port
}
