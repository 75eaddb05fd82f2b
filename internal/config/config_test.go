package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func defaultConfig() Config {
	return Config{
		Addr:            ":8080",
		DataDir:         "./data",
		SessionTTL:      168 * time.Hour,
		SMS:             SMSConfig{Provider: ProviderLog, Twilio: TwilioConfig{BaseURL: "https://api.twilio.com"}},
		Email:           EmailConfig{Provider: ProviderLog, SMTP: SMTPConfig{Port: 587, TLS: "starttls"}},
		CORSOrigins:     []string{},
		RateLimit:       RateLimit{RPS: 20, Burst: 40},
		AuthFailures:    AuthFailures{PerMinute: 10, Burst: 20},
		ShutdownTimeout: 25 * time.Second,
		LogLevel:        "info",
		AllowedHosts:    []string{},
		HostedPage:      HostedPageConfig{Name: "OpenIDV", Color: "#1d4ed8", FrameAncestors: []string{}},
		Webhooks: WebhooksConfig{AllowNetworks: []string{}, RetrySchedule: strings.Split(defaultRetrySchedule, ","),
			Timeout: 15 * time.Second, Lease: time.Minute, Workers: 32, PerEndpoint: 4, DisableAfter: 120 * time.Hour,
			Endpoints: []WebhookEndpointConfig{}},
		Events: EventsConfig{MaxPerSession: 500, MaxPayloadBytes: 4096},
		HTTP:   HTTPConfig{BodyReadTimeout: 20 * time.Second, MaxBodiesPerClient: 16, TrustedProxies: []string{}},
	}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "openidv.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func load(t *testing.T, args, environ []string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return Load(fs, environ)
}

func TestLoadPrecedence(t *testing.T) {
	file := writeFile(t, "addr: \":7000\"\nlog_level: warn\nsession_ttl: 48h\ncors_origins: [\"https://a.example\"]\nsms:\n  provider: log\nemail:\n  smtp:\n    port: 2525\n")
	tests := []struct {
		name    string
		args    []string
		environ []string
		edit    func(*Config)
	}{
		{name: "defaults", edit: func(*Config) {}},
		{name: "file", args: []string{"--config", file}, edit: func(c *Config) {
			c.Addr, c.LogLevel, c.SessionTTL = ":7000", "warn", 48*time.Hour
			c.CORSOrigins = []string{"https://a.example"}
			c.Email.SMTP.Port = 2525
		}},
		{name: "file from env", environ: []string{"OPENIDV_CONFIG=" + file}, edit: func(c *Config) {
			c.Addr, c.LogLevel, c.SessionTTL = ":7000", "warn", 48*time.Hour
			c.CORSOrigins = []string{"https://a.example"}
			c.Email.SMTP.Port = 2525
		}},
		{name: "env over file", args: []string{"--config", file},
			environ: []string{"OPENIDV_ADDR=:7100", "OPENIDV_CORS_ORIGINS=https://b.example, https://c.example", "OPENIDV_EMAIL_SMTP_PORT=25", "OPENIDV_TEST_POSTGRES_URL=x"},
			edit: func(c *Config) {
				c.Addr, c.LogLevel, c.SessionTTL = ":7100", "warn", 48*time.Hour
				c.CORSOrigins = []string{"https://b.example", "https://c.example"}
				c.Email.SMTP.Port = 25
			}},
		{name: "flags over env", args: []string{"--config", file, "--addr", ":7200", "--rate-limit-rps", "2.5", "--retention", "720h"},
			environ: []string{"OPENIDV_ADDR=:7100", "OPENIDV_RATE_LIMIT_RPS=9"},
			edit: func(c *Config) {
				c.Addr, c.LogLevel, c.SessionTTL = ":7200", "warn", 48*time.Hour
				c.CORSOrigins = []string{"https://a.example"}
				c.Email.SMTP.Port = 2525
				c.RateLimit.RPS = 2.5
				c.Retention = 720 * time.Hour
			}},
		{name: "nested env", environ: []string{"OPENIDV_SMS_PROVIDER=twilio", "OPENIDV_SMS_TWILIO_ACCOUNT_SID=AC1", "OPENIDV_SMS_TWILIO_AUTH_TOKEN=t", "OPENIDV_SMS_TWILIO_FROM=+15550100"},
			edit: func(c *Config) {
				c.SMS = SMSConfig{Provider: ProviderTwilio, Twilio: TwilioConfig{AccountSID: "AC1", AuthToken: "t", From: "+15550100", BaseURL: "https://api.twilio.com"}}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load(t, tt.args, tt.environ)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := defaultConfig()
			tt.edit(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	file := writeFile(t, "adr: \":1\"\n")
	tests := []struct {
		name    string
		args    []string
		environ []string
		want    []string // substrings, one per expected problem
	}{
		{name: "missing file", args: []string{"--config", "/nonexistent/openidv.yaml"}, want: []string{"does not exist"}},
		{name: "unknown file key", args: []string{"--config", file}, want: []string{`unknown setting "adr"`}},
		{name: "many", environ: []string{
			"OPENIDV_ADDR=nonsense", "OPENIDV_LOG_LEVEL=loud", "OPENIDV_SMS_PROVIDER=twilio",
			"OPENIDV_EMAIL_PROVIDER=smtp", "OPENIDV_CORS_ORIGINS=*,https://ok.example,https://x.example/path",
			"OPENIDV_DATABASE_URL=mysql://x", "OPENIDV_RETENTION=-1h",
		}, want: []string{
			"addr", "log_level", "sms.twilio.account_sid", "sms.twilio.auth_token", "sms.twilio.from",
			"email.smtp.host", "email.smtp.from", `"*"`, "x.example/path", "database_url", "retention",
		}},
		{name: "bad types", environ: []string{"OPENIDV_SESSION_TTL=soon", "OPENIDV_RATE_LIMIT_BURST=lots"},
			want: []string{"session_ttl", "burst"}},
		{name: "hosted page", environ: []string{"OPENIDV_HOSTED_PAGE_NAME= ", "OPENIDV_HOSTED_PAGE_COLOR=blue",
			"OPENIDV_HOSTED_PAGE_FRAME_ANCESTORS=https://ok.example,*"},
			want: []string{"hosted_page.name", `"blue"`, `frame_ancestors: "*"`}},
		{name: "allowed hosts", environ: []string{"OPENIDV_ALLOWED_HOSTS=ok.example:8080,https://x.example,*.example,y.example:99999,a/b"},
			want: []string{`"https://x.example"`, `"*.example"`, `"y.example:99999"`, `"a/b"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.args, tt.environ)
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("Load error = %v, want *config.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if got, want := len(cerr.Problems), len(tt.want); got < want {
				t.Errorf("got %d problems, want at least %d: %v", got, want, cerr.Problems)
			}
		})
	}
}

func TestDevFlag(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		environ []string
		want    bool
	}{
		{name: "off by default", want: false},
		{name: "flag", args: []string{"--dev"}, want: true},
		{name: "flag false", args: []string{"--dev=false"}, environ: []string{"OPENIDV_DEV=true"}, want: false},
		{name: "env", environ: []string{"OPENIDV_DEV=true"}, want: true},
		{name: "file", args: []string{"--config", writeFile(t, "dev: true\n")}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.args, tt.environ)
			if err != nil {
				t.Fatal(err)
			}
			if c.Dev != tt.want {
				t.Errorf("Dev = %v, want %v", c.Dev, tt.want)
			}
		})
	}
}

// TestFlagsHelp checks that -h shows each flag's default and that a
// command asking for some keys gets only those flags.
func TestFlagsHelp(t *testing.T) {
	var all strings.Builder
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	fs.SetOutput(&all)
	AddFlags(fs)
	fs.PrintDefaults()
	for _, want := range []string{`-addr string`, `(default ":8080")`, `(default "168h")`, `(default "log")`,
		`(default "#1d4ed8")`, `(default "5s,5m,30m`, "-dev\n", "-webhooks-allow-http\n"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("help of every flag lacks %q:\n%s", want, all.String())
		}
	}
	some := flag.NewFlagSet("some", flag.ContinueOnError)
	AddFlags(some, "data_dir", "database_url")
	var got []string
	some.VisitAll(func(f *flag.Flag) { got = append(got, f.Name) })
	if want := []string{"config", "data-dir", "database-url"}; !cmp.Equal(got, want) {
		t.Errorf("flags of AddFlags(data_dir, database_url) = %v, want %v", got, want)
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ key, env, flag string }{
		{"data_dir", "OPENIDV_DATA_DIR", "data-dir"},
		{"sms.twilio.account_sid", "OPENIDV_SMS_TWILIO_ACCOUNT_SID", "sms-twilio-account-sid"},
	}
	for _, tt := range tests {
		if got := EnvName(tt.key); got != tt.env {
			t.Errorf("EnvName(%q) = %q, want %q", tt.key, got, tt.env)
		}
		if got := FlagName(tt.key); got != tt.flag {
			t.Errorf("FlagName(%q) = %q, want %q", tt.key, got, tt.flag)
		}
	}
}

func TestBaseURL(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{Addr: ":8080"}, "http://localhost:8080"},
		{Config{Addr: "127.0.0.1:9000"}, "http://localhost:9000"},
		{Config{Addr: ":8080", PublicURL: "https://idv.example/"}, "https://idv.example"},
	}
	for _, tt := range tests {
		if got := tt.cfg.BaseURL(); got != tt.want {
			t.Errorf("BaseURL(%+v) = %q, want %q", tt.cfg, got, tt.want)
		}
	}
}

func TestWebhookSettings(t *testing.T) {
	path := writeFile(t, `webhooks:
  allow_http: true
  allow_networks: [127.0.0.0/8, "::1/128"]
  retry_schedule: [10ms, 1s]
  endpoints:
    - name: crm
      url: https://crm.example/hooks
      secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
      event_types: [session.completed]
`)
	c, err := Load(nil, []string{EnvConfigFile + "=" + path, "OPENIDV_WEBHOOKS_TIMEOUT=2s", "OPENIDV_WEBHOOKS_LEASE=5s"})
	if err != nil {
		t.Fatal(err)
	}
	sched, err := c.Webhooks.Schedule()
	if err != nil || len(sched) != 2 || sched[0] != 10*time.Millisecond {
		t.Errorf("Schedule = %v, %v", sched, err)
	}
	nets, err := c.Webhooks.Networks()
	if err != nil || len(nets) != 2 {
		t.Errorf("Networks = %v, %v", nets, err)
	}
	want := []WebhookEndpointConfig{{Name: "crm", URL: "https://crm.example/hooks",
		Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", EventTypes: []string{"session.completed"}}}
	if diff := cmp.Diff(want, c.Webhooks.Endpoints); diff != "" || !c.Webhooks.AllowHTTP || c.Webhooks.Timeout != 2*time.Second {
		t.Errorf("webhooks = %+v (-want +got endpoints):\n%s", c.Webhooks, diff)
	}

	bad := writeFile(t, `webhooks:
  allow_networks: [nonsense]
  retry_schedule: [soon]
  timeout: 30s
  lease: 40s
  endpoints:
    - name: Bad Name
      url: https://x.example
      secret: short
`)
	_, err = Load(nil, []string{EnvConfigFile + "=" + bad})
	var ce *Error
	if !errors.As(err, &ce) || len(ce.Problems) != 5 {
		t.Errorf("Load of bad webhook settings = %v, want 5 problems", err)
	}
}

func TestEdgeSettings(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    []string // problems
	}{
		{"metrics on a separate address", []string{"OPENIDV_METRICS_ADDR=127.0.0.1:9090", "OPENIDV_HTTP_BODY_READ_TIMEOUT=90s", "OPENIDV_HTTP_MAX_BODIES_PER_CLIENT=0"}, nil},
		{"metrics token", []string{"OPENIDV_METRICS_TOKEN=0123456789abcdef"}, nil},
		{"bad values", []string{"OPENIDV_METRICS_ADDR=9090", "OPENIDV_METRICS_TOKEN=short", "OPENIDV_HTTP_BODY_READ_TIMEOUT=0s", "OPENIDV_HTTP_MAX_BODIES_PER_CLIENT=-1"}, []string{
			"http.body_read_timeout 0s must be between 1s and 10m",
			"http.max_bodies_per_client -1 must not be negative (0 disables)",
			`metrics.addr "9090" must be host:port (for example 127.0.0.1:9090)`,
			"metrics.token must be at least 16 characters",
		}},
		{"metrics on the API address", []string{"OPENIDV_ADDR=:8080", "OPENIDV_METRICS_ADDR=:8080"}, []string{`metrics.addr ":8080" must differ from addr`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(nil, tt.environ)
			var got []string
			if ce, ok := err.(*Error); ok {
				got = ce.Problems
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
