// Package smtp sends one-time-code emails through an SMTP relay with
// github.com/wneessen/go-mail. It implements idv.EmailSender.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/otp"
)

// TLSPolicy says how the connection to the relay is protected.
type TLSPolicy string

// The TLS policies.
const (
	// TLSMandatory requires STARTTLS; a relay without it is refused. The default.
	TLSMandatory TLSPolicy = "mandatory"
	// TLSOpportunistic uses STARTTLS when the relay offers it.
	TLSOpportunistic TLSPolicy = "opportunistic"
	// TLSNone never uses TLS (for a relay on the same host or network).
	TLSNone TLSPolicy = "none"
	// TLSImplicit connects with TLS from the first byte (SMTPS, port 465).
	TLSImplicit TLSPolicy = "implicit"
)

// ParseTLSPolicy reads a policy from configuration: "mandatory" or
// "starttls" (also the default for ""), "opportunistic", "none", and
// "implicit" or "tls" (SMTPS). Case is ignored.
func ParseTLSPolicy(s string) (TLSPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "mandatory", "starttls":
		return TLSMandatory, nil
	case "opportunistic":
		return TLSOpportunistic, nil
	case "none":
		return TLSNone, nil
	case "implicit", "tls", "ssl":
		return TLSImplicit, nil
	}
	return "", fmt.Errorf("smtp: unknown TLS policy %q (want starttls, opportunistic, tls or none)", s)
}

// DefaultTimeout bounds one send (connect, TLS, AUTH and transfer).
const DefaultTimeout = 15 * time.Second

// Config configures a Sender.
type Config struct {
	Host     string    // relay host name; required
	Port     int       // default 587 (465 for TLSImplicit)
	Username string    // AUTH PLAIN user; empty: no authentication
	Password string    // AUTH PLAIN password
	From     string    // sender address, optionally with a name: "OpenIDV <no-reply@example.com>"; required
	TLS      TLSPolicy // default TLSMandatory
	// TLSConfig overrides the TLS client configuration (e.g. a private CA);
	// its ServerName defaults to Host.
	TLSConfig *tls.Config
	Timeout   time.Duration    // default DefaultTimeout
	HELO      string           // name sent in EHLO; default "localhost"
	Logger    *slog.Logger     // default slog.Default()
	Now       func() time.Time // Date header clock; default time.Now
}

// Sender sends emails through one relay. It is safe for concurrent use:
// each send opens its own connection.
type Sender struct {
	cfg  Config
	from *mail.Address
}

// New checks cfg and returns a Sender. It does not connect.
func New(cfg Config) (*Sender, error) {
	if strings.TrimSpace(cfg.Host) == "" {
		return nil, errors.New("smtp: host is required")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: from address %q: %w", cfg.From, err)
	}
	policy, err := ParseTLSPolicy(string(cfg.TLS))
	if err != nil {
		return nil, err
	}
	cfg.TLS = policy
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == TLSImplicit {
			cfg.Port = 465
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp: port %d out of range", cfg.Port)
	}
	if cfg.Password != "" && cfg.Username == "" {
		return nil, errors.New("smtp: password given without a username")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.HELO == "" {
		cfg.HELO = "localhost"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Sender{cfg: cfg, from: from}, nil
}

// SendEmail implements idv.EmailSender: it sends m as a plain-text email.
// Failures are *idv.Error: CodeInvalid when the relay permanently refuses
// the recipient, CodeInternal otherwise; both wrap a *DeliveryError, which
// never contains the address.
func (s *Sender) SendEmail(ctx context.Context, m idv.Message) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	client, err := s.client()
	if err != nil {
		return &idv.Error{Code: idv.CodeInternal, Message: "the email could not be sent", Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		de := classify(err)
		s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "email not sent",
			slog.String("to", otp.Mask(m.To)), slog.String("stage", de.Stage),
			slog.Int("smtp_code", de.SMTPCode), slog.Bool("temporary", de.Temporary))
		return de.toIDV()
	}
	s.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "email sent", slog.String("to", otp.Mask(m.To)))
	return nil
}

// message builds the go-mail message for m.
func (s *Sender) message(m idv.Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(s.from.Name, s.from.Address); err != nil {
		return nil, &idv.Error{Code: idv.CodeInternal, Message: "the email could not be sent", Err: err}
	}
	if strings.ContainsAny(m.To, "\r\n,;<>") {
		return nil, invalidRecipient(nil)
	}
	if err := msg.To(m.To); err != nil {
		return nil, invalidRecipient(nil)
	}
	msg.Subject(strings.NewReplacer("\r", " ", "\n", " ").Replace(m.Subject))
	msg.SetDateWithValue(s.cfg.Now())
	msg.SetMessageID()
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	return msg, nil
}

// client builds a go-mail client for one send.
func (s *Sender) client() (*gomail.Client, error) {
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port),
		gomail.WithTimeout(s.cfg.Timeout),
		gomail.WithHELO(s.cfg.HELO),
	}
	switch s.cfg.TLS {
	case TLSMandatory:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	tlsCfg := &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
	if s.cfg.TLSConfig != nil {
		tlsCfg = s.cfg.TLSConfig.Clone()
		if tlsCfg.ServerName == "" {
			tlsCfg.ServerName = s.cfg.Host
		}
	}
	opts = append(opts, gomail.WithTLSConfig(tlsCfg))
	if s.cfg.Username != "" {
		// PLAIN is refused by go-mail over an unencrypted connection except
		// to localhost, so credentials never cross the network in clear.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}
