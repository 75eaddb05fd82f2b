// Package sms sends one-time-code text messages. Twilio implements
// idv.SMSSender over Twilio's REST API with plain net/http (no SDK).
package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/otp"
)

// DefaultBaseURL is Twilio's API root.
const DefaultBaseURL = "https://api.twilio.com"

// DefaultTimeout bounds one API call.
const DefaultTimeout = 10 * time.Second

// maxBody is the longest message body Twilio accepts, in characters.
const maxBody = 1600

// maxResponse bounds how much of a response is read.
const maxResponse = 64 << 10

// TwilioConfig configures the Twilio sender.
type TwilioConfig struct {
	AccountSID string // "AC…"; required
	// AuthToken is the account's auth token, or the secret of APIKeySID.
	AuthToken string
	// APIKeySID ("SK…"), when set, authenticates with an API key instead
	// of the account's auth token (Twilio's recommendation).
	APIKeySID string
	// From is the sender: an E.164 number or an alphanumeric sender id.
	// Exactly one of From and MessagingServiceSID is required.
	From                string
	MessagingServiceSID string        // "MG…"
	BaseURL             string        // default DefaultBaseURL; tests point it at httptest
	Timeout             time.Duration // default DefaultTimeout
	Logger              *slog.Logger  // default slog.Default()
}

// sidPattern checks Twilio SIDs, which go into the URL path.
var sidPattern = regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)

// Twilio sends SMS through Twilio's Messages API. It is safe for
// concurrent use.
type Twilio struct {
	cfg      TwilioConfig
	client   *http.Client
	endpoint string
}

// NewTwilio checks cfg and returns a sender using a copy of client (nil:
// a new client) that never follows redirects.
func NewTwilio(cfg TwilioConfig, client *http.Client) (*Twilio, error) {
	if !sidPattern.MatchString(cfg.AccountSID) || !strings.HasPrefix(cfg.AccountSID, "AC") {
		return nil, errors.New(`sms: twilio account SID must be "AC" and 32 hex digits`)
	}
	if cfg.APIKeySID != "" && (!sidPattern.MatchString(cfg.APIKeySID) || !strings.HasPrefix(cfg.APIKeySID, "SK")) {
		return nil, errors.New(`sms: twilio API key SID must be "SK" and 32 hex digits`)
	}
	if cfg.AuthToken == "" {
		return nil, errors.New("sms: twilio auth token (or API key secret) is required")
	}
	if (cfg.From == "") == (cfg.MessagingServiceSID == "") {
		return nil, errors.New("sms: twilio needs exactly one of from and messaging service SID")
	}
	if cfg.MessagingServiceSID != "" && (!sidPattern.MatchString(cfg.MessagingServiceSID) || !strings.HasPrefix(cfg.MessagingServiceSID, "MG")) {
		return nil, errors.New(`sms: twilio messaging service SID must be "MG" and 32 hex digits`)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("sms: twilio base URL %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &http.Client{}
	if client != nil {
		copied := *client
		c = &copied
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	endpoint := strings.TrimRight(cfg.BaseURL, "/") + "/2010-04-01/Accounts/" + cfg.AccountSID + "/Messages.json"
	return &Twilio{cfg: cfg, client: c, endpoint: endpoint}, nil
}

// SendSMS implements idv.SMSSender. m.To must be E.164. Failures are
// *idv.Error wrapping a *TwilioError: CodeInvalid when Twilio says the
// number cannot receive the message, CodeRateLimited on 429, CodeInternal
// otherwise. Neither the error nor the log contains the number or the body.
func (t *Twilio) SendSMS(ctx context.Context, m idv.Message) error {
	if !strings.HasPrefix(m.To, "+") || utf8.RuneCountInString(m.Body) > maxBody || m.Body == "" {
		return invalidNumber(nil)
	}
	ctx, cancel := context.WithTimeout(ctx, t.cfg.Timeout)
	defer cancel()
	form := url.Values{"To": {m.To}, "Body": {m.Body}}
	if t.cfg.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", t.cfg.MessagingServiceSID)
	} else {
		form.Set("From", t.cfg.From)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return t.fail(ctx, m, &TwilioError{Temporary: false})
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	user := t.cfg.AccountSID
	if t.cfg.APIKeySID != "" {
		user = t.cfg.APIKeySID
	}
	req.SetBasicAuth(user, t.cfg.AuthToken)
	resp, err := t.client.Do(req)
	if err != nil {
		return t.fail(ctx, m, &TwilioError{Temporary: true, Timeout: errors.Is(err, context.DeadlineExceeded)})
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
		var ok struct {
			SID string `json:"sid"`
		}
		_ = json.Unmarshal(body, &ok)
		t.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "sms sent", slog.String("to", otp.Mask(m.To)),
			slog.String("twilio_sid", ok.SID))
		return nil
	}
	return t.fail(ctx, m, parseError(resp.StatusCode, body))
}

// fail logs a failed send and returns the error the caller sees.
func (t *Twilio) fail(ctx context.Context, m idv.Message, te *TwilioError) error {
	t.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "sms not sent", slog.String("to", otp.Mask(m.To)),
		slog.Int("http_status", te.Status), slog.Int("twilio_code", te.Code),
		slog.Bool("temporary", te.Temporary), slog.Bool("timeout", te.Timeout))
	return te.toIDV()
}
