package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// validate returns every problem of c, one line each.
func (c Config) validate() []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		add("addr %q must be host:port (for example :8080)", c.Addr)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		add("data_dir must not be empty")
	}
	if c.DatabaseURL != "" && !c.UsesPostgres() {
		add("database_url must be a postgres:// or postgresql:// URL, or empty for SQLite")
	}
	if msg := validateBlobURL(c.BlobURL); msg != "" {
		add("%s", msg)
	}
	if c.PublicURL != "" && !isHTTPURL(c.PublicURL, true) {
		add("public_url %q must be an absolute http(s) URL", c.PublicURL)
	}
	for _, h := range c.AllowedHosts {
		if !isHostPort(h) {
			add("allowed_hosts: %q must be a host or host:port like idv.internal:8080 (no scheme, path or wildcard)", h)
		}
	}
	if c.SessionTTL <= 0 || c.SessionTTL > 90*24*time.Hour {
		add("session_ttl %s must be between 1s and 2160h (90 days)", c.SessionTTL)
	}
	if c.Retention < 0 {
		add("retention %s must not be negative (0 keeps sessions)", c.Retention)
	}
	if c.Retention > 0 && c.Retention < c.SessionTTL {
		add("retention %s must be 0 or at least session_ttl %s", c.Retention, c.SessionTTL)
	}
	p = append(p, c.SMS.validate()...)
	p = append(p, c.Email.validate()...)
	p = append(p, c.Webhooks.validate()...)
	p = append(p, c.Events.validate()...)
	p = append(p, c.HTTP.validate()...)
	p = append(p, c.Metrics.validate(c.Addr)...)
	for _, o := range c.CORSOrigins {
		if !isOrigin(o) {
			add("cors_origins: %q must be an origin like https://shop.example (scheme and host, no path, no wildcard)", o)
		}
	}
	p = append(p, c.HostedPage.validate()...)
	if c.RateLimit.RPS < 0 {
		add("rate_limit.rps %v must not be negative (0 disables)", c.RateLimit.RPS)
	}
	if c.RateLimit.RPS > 0 && c.RateLimit.Burst < 1 {
		add("rate_limit.burst %d must be at least 1", c.RateLimit.Burst)
	}
	if c.AuthFailures.PerMinute < 0 {
		add("auth_failures.per_minute %v must not be negative (0 disables)", c.AuthFailures.PerMinute)
	}
	if c.AuthFailures.PerMinute > 0 && c.AuthFailures.Burst < 1 {
		add("auth_failures.burst %d must be at least 1", c.AuthFailures.Burst)
	}
	if c.ShutdownTimeout <= 0 {
		add("shutdown_timeout %s must be positive", c.ShutdownTimeout)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		add("log_level %q must be debug, info, warn or error", c.LogLevel)
	}
	return p
}

// validateBlobURL checks the form of blob_url (the S3 adapter checks its
// parameters when it opens); it returns "" when the URL is fine. The URL is
// never quoted: it may carry a secret key.
func validateBlobURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "blob_url must be empty, file:///absolute/path or s3://bucket?…"
	}
	switch u.Scheme {
	case "file":
		if (u.Host != "" && u.Host != "localhost") || !strings.HasPrefix(u.Path, "/") || u.RawQuery != "" || u.Path == "/" {
			return "blob_url file:// must name an absolute directory other than /, like file:///var/lib/openidv/blobs"
		}
	case "s3":
		if u.Host == "" || (u.Path != "" && u.Path != "/") || u.User != nil {
			return "blob_url s3:// must name a bucket and no path, like s3://bucket?endpoint=http://127.0.0.1:7070&region=us-east-1"
		}
	default:
		return "blob_url must be empty (files under data_dir/blobs), file:///absolute/path or s3://bucket?…"
	}
	return ""
}

func (h HostedPageConfig) validate() []string {
	var p []string
	if n := strings.TrimSpace(h.Name); n == "" || len(n) > 80 {
		p = append(p, "hosted_page.name must be 1 to 80 characters")
	}
	if !isHexColor(h.Color) {
		p = append(p, fmt.Sprintf("hosted_page.color %q must be a colour like #1d4ed8", h.Color))
	}
	for _, o := range h.FrameAncestors {
		if !isOrigin(o) {
			p = append(p, fmt.Sprintf("hosted_page.frame_ancestors: %q must be an origin like https://shop.example", o))
		}
	}
	return p
}

// isHexColor accepts #rrggbb.
func isHexColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func (s SMSConfig) validate() []string {
	switch s.Provider {
	case ProviderLog:
		return nil
	case ProviderTwilio:
		var p []string
		if s.Twilio.AccountSID == "" {
			p = append(p, "sms.twilio.account_sid is required with sms.provider=twilio")
		}
		if s.Twilio.AuthToken == "" {
			p = append(p, "sms.twilio.auth_token is required with sms.provider=twilio")
		}
		if s.Twilio.From == "" && s.Twilio.MessagingServiceSID == "" {
			p = append(p, "sms.twilio.from or sms.twilio.messaging_service_sid is required with sms.provider=twilio")
		}
		return p
	}
	return []string{fmt.Sprintf("sms.provider %q must be log or twilio", s.Provider)}
}

func (e EmailConfig) validate() []string {
	switch e.Provider {
	case ProviderLog:
		return nil
	case ProviderSMTP:
		var p []string
		if e.SMTP.Host == "" {
			p = append(p, "email.smtp.host is required with email.provider=smtp")
		}
		if e.SMTP.Port < 1 || e.SMTP.Port > 65535 {
			p = append(p, fmt.Sprintf("email.smtp.port %d must be between 1 and 65535", e.SMTP.Port))
		}
		if !strings.Contains(e.SMTP.From, "@") {
			p = append(p, "email.smtp.from must be an email address with email.provider=smtp")
		}
		if !slices.Contains([]string{"starttls", "tls", "none"}, e.SMTP.TLS) {
			p = append(p, fmt.Sprintf("email.smtp.tls %q must be starttls, tls or none", e.SMTP.TLS))
		}
		return p
	}
	return []string{fmt.Sprintf("email.provider %q must be log or smtp", e.Provider)}
}

// isHTTPURL reports whether s is an absolute http or https URL; a path is
// allowed only when withPath is true.
func isHTTPURL(s string, withPath bool) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	return withPath || u.Path == ""
}

// isHostPort reports whether s is a Host header value: a DNS name or IP
// address, with an optional port ([::1]:8080 for IPv6).
func isHostPort(s string) bool {
	u, err := url.Parse("http://" + s)
	if err != nil || u.Host != s || u.User != nil || u.Hostname() == "" {
		return false
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	return !strings.ContainsAny(s, "*/ ") && !strings.HasSuffix(u.Hostname(), ".")
}

// isOrigin reports whether s is a browser origin (scheme://host[:port]).
func isOrigin(s string) bool {
	return isHTTPURL(s, false) && !strings.Contains(s, "*") && !strings.HasSuffix(s, ".")
}
