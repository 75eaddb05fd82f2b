package smtp

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/otp"
	"github.com/openidv/openidv/internal/smtp/smtptest"
)

// fixedNow is the clock of the tests.
func fixedNow() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) }

// newSender builds a Sender for srv with policy, logging into logs.
func newSender(t *testing.T, srv *smtptest.Server, policy TLSPolicy, logs *bytes.Buffer, edit func(*Config)) *Sender {
	t.Helper()
	cfg := Config{
		Host: srv.Host(), Port: srv.Port(), From: "OpenIDV <no-reply@openidv.test>", TLS: policy,
		Timeout: 10 * time.Second, Now: fixedNow,
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestSendEmailArrives(t *testing.T) {
	srv := smtptest.Start(t)
	var logs bytes.Buffer
	s := newSender(t, srv, TLSNone, &logs, nil)
	if err := s.SendEmail(context.Background(), otp.EmailMessage("jane@example.com", "042424")); err != nil {
		t.Fatalf("SendEmail: %v", err)
	}
	got := srv.WaitFor(t, "jane@example.com", 5*time.Second)
	for _, tc := range []struct{ name, got, want string }{
		{"MAIL FROM", got.From, "no-reply@openidv.test"},
		{"RCPT TO", strings.Join(got.To, ","), "jane@example.com"},
		{"From", got.Header.Get("From"), `"OpenIDV" <no-reply@openidv.test>`},
		{"To", got.Header.Get("To"), "<jane@example.com>"},
		{"Subject", got.Subject, "Your verification code"},
		{"Date", got.Header.Get("Date"), "Sat, 21 Nov 2026 12:00:00 +0000"},
		{"Auto-Submitted", got.Header.Get("Auto-Submitted"), "auto-generated"},
		{"Content-Type", got.Header.Get("Content-Type"), "text/plain; charset=UTF-8"},
		{"code", got.Code(), "042424"},
		{"auth", got.Auth, ""},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if !strings.Contains(got.Body, "30 minutes") {
		t.Errorf("body %q does not state the validity", got.Body)
	}
	if id := got.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") {
		t.Errorf("Message-ID = %q, want one", id)
	}
	if strings.Contains(logs.String(), "jane@") || !strings.Contains(logs.String(), "j***@example.com") {
		t.Errorf("log does not mask the address: %s", logs.String())
	}
}

func TestSendEmailAuth(t *testing.T) {
	srv := smtptest.StartWith(t, smtptest.Options{Username: "relay-user", Password: "s3cret"})
	for _, tc := range []struct {
		name, user, pass string
		wantAuth         string
		wantCode         idv.Code
	}{
		{"right credentials", "relay-user", "s3cret", "relay-user", ""},
		{"wrong password", "relay-user", "nope", "", idv.CodeInternal},
		{"no credentials", "", "", "", idv.CodeInternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			var logs bytes.Buffer
			s := newSender(t, srv, TLSNone, &logs, func(c *Config) { c.Username, c.Password = tc.user, tc.pass })
			err := s.SendEmail(context.Background(), otp.EmailMessage("bob@example.org", "111111"))
			if tc.wantCode != "" {
				if idv.ErrorCode(err) != tc.wantCode {
					t.Fatalf("SendEmail = %v, want code %q", err, tc.wantCode)
				}
				if n := len(srv.Messages()); n != 0 {
					t.Errorf("%d messages arrived, want 0", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("SendEmail: %v", err)
			}
			if got := srv.WaitFor(t, "bob@example.org", 5*time.Second).Auth; got != tc.wantAuth {
				t.Errorf("authenticated as %q, want %q", got, tc.wantAuth)
			}
			if strings.Contains(logs.String(), tc.pass) {
				t.Errorf("the password is in the log")
			}
		})
	}
}

func TestSendEmailTLS(t *testing.T) {
	tlsSrv := smtptest.StartWith(t, smtptest.Options{TLS: true, Username: "u", Password: "p"})
	plainSrv := smtptest.Start(t)
	implicitSrv := smtptest.StartWith(t, smtptest.Options{ImplicitTLS: true})
	for _, tc := range []struct {
		name     string
		srv      *smtptest.Server
		policy   TLSPolicy
		trust    bool
		wantErr  bool
		wantTLS  bool
		username string
	}{
		{"mandatory with STARTTLS", tlsSrv, TLSMandatory, true, false, true, "u"},
		{"opportunistic with STARTTLS", tlsSrv, TLSOpportunistic, true, false, true, "u"},
		{"mandatory, untrusted certificate", tlsSrv, TLSMandatory, false, true, false, "u"},
		{"mandatory without STARTTLS", plainSrv, TLSMandatory, false, true, false, ""},
		{"opportunistic without STARTTLS", plainSrv, TLSOpportunistic, false, false, false, ""},
		{"implicit TLS", implicitSrv, TLSImplicit, true, false, true, ""},
		{"implicit TLS, untrusted certificate", implicitSrv, TLSImplicit, false, true, false, ""},
		{"implicit TLS to a plain server", plainSrv, TLSImplicit, true, true, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.srv.Reset()
			var logs bytes.Buffer
			s := newSender(t, tc.srv, tc.policy, &logs, func(c *Config) {
				c.Username, c.Password = tc.username, "p"
				if tc.username == "" {
					c.Password = ""
				}
				if tc.trust {
					c.TLSConfig = tc.srv.ClientTLSConfig()
				}
			})
			err := s.SendEmail(context.Background(), otp.EmailMessage("tls@example.com", "222222"))
			if (err != nil) != tc.wantErr {
				t.Fatalf("SendEmail = %v, want error %v", err, tc.wantErr)
			}
			if tc.wantErr {
				if n := len(tc.srv.Messages()); n != 0 {
					t.Errorf("%d messages arrived, want 0", n)
				}
				return
			}
			if got := tc.srv.WaitFor(t, "tls@example.com", 5*time.Second); got.TLS != tc.wantTLS {
				t.Errorf("TLS = %v, want %v", got.TLS, tc.wantTLS)
			}
		})
	}
}

func TestSendEmailRefused(t *testing.T) {
	srv := smtptest.StartWith(t, smtptest.Options{RejectRcpt: func(to string) int {
		switch {
		case strings.HasPrefix(to, "gone@"):
			return 550
		case strings.HasPrefix(to, "busy@"):
			return 451
		}
		return 0
	}})
	for _, tc := range []struct {
		to       string
		wantCode idv.Code
		wantSMTP int
		wantTemp bool
	}{
		{"gone@example.com", idv.CodeInvalid, 550, false},
		{"busy@example.com", idv.CodeInternal, 451, true},
	} {
		t.Run(tc.to, func(t *testing.T) {
			var logs bytes.Buffer
			s := newSender(t, srv, TLSNone, &logs, nil)
			err := s.SendEmail(context.Background(), otp.EmailMessage(tc.to, "333333"))
			if idv.ErrorCode(err) != tc.wantCode {
				t.Fatalf("SendEmail = %v, want code %q", err, tc.wantCode)
			}
			var de *DeliveryError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DeliveryError inside", err)
			}
			if de.Stage != StageRecipient || de.SMTPCode != tc.wantSMTP || de.Temporary != tc.wantTemp {
				t.Errorf("DeliveryError = %+v, want stage %q, code %d, temporary %v", de, StageRecipient, tc.wantSMTP, tc.wantTemp)
			}
			local := strings.Split(tc.to, "@")[0]
			if strings.Contains(err.Error(), local+"@") || strings.Contains(logs.String(), local+"@") {
				t.Errorf("error or log repeats the address: %v / %s", err, logs.String())
			}
		})
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages arrived, want 0", n)
	}
}

func TestSendEmailConnectionRefused(t *testing.T) {
	srv := smtptest.Start(t)
	var logs bytes.Buffer
	s := newSender(t, srv, TLSNone, &logs, func(c *Config) { c.Port = freePortClosed(t) })
	err := s.SendEmail(context.Background(), otp.EmailMessage("x@example.com", "444444"))
	var de *DeliveryError
	if idv.ErrorCode(err) != idv.CodeInternal || !errors.As(err, &de) || de.Stage != StageConnect || !de.Temporary {
		t.Errorf("SendEmail = %v, want an internal temporary connect error", err)
	}
}

func TestSendEmailCancelled(t *testing.T) {
	srv := smtptest.Start(t)
	var logs bytes.Buffer
	s := newSender(t, srv, TLSNone, &logs, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.SendEmail(ctx, otp.EmailMessage("x@example.com", "555555")); idv.ErrorCode(err) != idv.CodeInternal {
		t.Errorf("SendEmail with a cancelled context = %v, want an internal error", err)
	}
}

func TestSendEmailRefusesHeaderInjection(t *testing.T) {
	srv := smtptest.Start(t)
	var logs bytes.Buffer
	s := newSender(t, srv, TLSNone, &logs, nil)
	for _, to := range []string{"a@example.com\r\nBcc: evil@example.com", "a@example.com, b@example.com", "not an address"} {
		if err := s.SendEmail(context.Background(), idv.Message{To: to, Subject: "x", Body: "y"}); idv.ErrorCode(err) != idv.CodeInvalid {
			t.Errorf("SendEmail(to %q) = %v, want code %q", to, err, idv.CodeInvalid)
		}
	}
	m := otp.EmailMessage("a@example.com", "666666")
	m.Subject = "hi\r\nBcc: evil@example.com"
	if err := s.SendEmail(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, "a@example.com", 5*time.Second)
	if got.Header.Get("Bcc") != "" || len(got.To) != 1 {
		t.Errorf("subject injected a header: To %v, Bcc %q", got.To, got.Header.Get("Bcc"))
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages arrived, want 1", n)
	}
}

func TestParseTLSPolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want TLSPolicy
		ok   bool
	}{
		{"", TLSMandatory, true}, {"starttls", TLSMandatory, true}, {"Mandatory", TLSMandatory, true},
		{"opportunistic", TLSOpportunistic, true}, {"none", TLSNone, true},
		{"tls", TLSImplicit, true}, {"implicit", TLSImplicit, true}, {"ssl", TLSImplicit, true},
		{"maybe", "", false},
	} {
		got, err := ParseTLSPolicy(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseTLSPolicy(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"minimal", Config{Host: "mail.example.com", From: "a@example.com"}, true},
		{"no host", Config{From: "a@example.com"}, false},
		{"no from", Config{Host: "h"}, false},
		{"bad from", Config{Host: "h", From: "nope"}, false},
		{"bad policy", Config{Host: "h", From: "a@example.com", TLS: "sometimes"}, false},
		{"bad port", Config{Host: "h", From: "a@example.com", Port: 70000}, false},
		{"password without user", Config{Host: "h", From: "a@example.com", Password: "x"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); (err == nil) != tc.ok {
				t.Errorf("New = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
