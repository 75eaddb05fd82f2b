package sms

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/otp"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "tok-secret-123"
	testMG    = "MG0123456789abcdef0123456789abcdef"
	testKey   = "SK0123456789abcdef0123456789abcdef"
)

// request is what the fake Twilio saw.
type request struct {
	method, path, user, pass, contentType string
	form                                  url.Values
}

// fakeTwilio is an httptest server standing in for Twilio.
type fakeTwilio struct {
	*httptest.Server
	mu   sync.Mutex
	seen []request
}

// startFake serves reply for every request.
func startFake(t *testing.T, reply http.HandlerFunc) *fakeTwilio {
	t.Helper()
	f := &fakeTwilio{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		f.mu.Lock()
		f.seen = append(f.seen, request{r.Method, r.URL.Path, user, pass, r.Header.Get("Content-Type"), form})
		f.mu.Unlock()
		reply(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

// requests returns what the fake saw.
func (f *fakeTwilio) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.seen...)
}

// reply answers with status and body.
func reply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// newTwilio builds a sender for f.
func newTwilio(t *testing.T, f *fakeTwilio, logs *bytes.Buffer, edit func(*TwilioConfig)) *Twilio {
	t.Helper()
	cfg := TwilioConfig{AccountSID: testSID, AuthToken: testToken, From: "+15005550006",
		BaseURL: f.URL, Logger: slog.New(slog.NewTextHandler(logs, nil))}
	if edit != nil {
		edit(&cfg)
	}
	tw, err := NewTwilio(cfg, f.Client())
	if err != nil {
		t.Fatalf("NewTwilio: %v", err)
	}
	return tw
}

func TestSendSMSRequest(t *testing.T) {
	for _, tc := range []struct {
		name     string
		edit     func(*TwilioConfig)
		wantUser string
		wantFrom string
		wantMG   string
	}{
		{"from number", nil, testSID, "+15005550006", ""},
		{"messaging service", func(c *TwilioConfig) { c.From, c.MessagingServiceSID = "", testMG }, testSID, "", testMG},
		{"api key", func(c *TwilioConfig) { c.APIKeySID = testKey }, testKey, "+15005550006", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake(t, reply(201, `{"sid":"SM123","status":"queued"}`))
			var logs bytes.Buffer
			tw := newTwilio(t, f, &logs, tc.edit)
			if err := tw.SendSMS(context.Background(), otp.PhoneMessage("+447911123456", "987654")); err != nil {
				t.Fatalf("SendSMS: %v", err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("Twilio got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			for _, c := range []struct{ name, got, want string }{
				{"method", r.method, http.MethodPost},
				{"path", r.path, "/2010-04-01/Accounts/" + testSID + "/Messages.json"},
				{"user", r.user, tc.wantUser},
				{"password", r.pass, testToken},
				{"content type", r.contentType, "application/x-www-form-urlencoded"},
				{"To", r.form.Get("To"), "+447911123456"},
				{"From", r.form.Get("From"), tc.wantFrom},
				{"MessagingServiceSid", r.form.Get("MessagingServiceSid"), tc.wantMG},
				{"Body", r.form.Get("Body"), otp.PhoneMessage("", "987654").Body},
			} {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
				}
			}
			checkLogs(t, &logs)
		})
	}
}

// checkLogs fails when the log holds the number, the code or the token.
func checkLogs(t *testing.T, logs *bytes.Buffer) {
	t.Helper()
	for _, secret := range []string{"7911123456", "987654", testToken} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log contains %q: %s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "+44*******456") {
		t.Errorf("log does not name the masked number: %s", logs.String())
	}
}

func TestSendSMSErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		handler    http.HandlerFunc
		wantCode   idv.Code
		wantStatus int
		wantTwilio int
		wantTemp   bool
	}{
		{"invalid number", reply(400, `{"code":21211,"message":"The 'To' number +447911123456 is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}`),
			idv.CodeInvalid, 400, 21211, false},
		{"not a mobile", reply(400, `{"code":21614,"message":"'To' number +447911123456 is not a mobile number","status":400}`),
			idv.CodeInvalid, 400, 21614, false},
		{"region disabled", reply(400, `{"code":21408,"message":"Permission to send an SMS has not been enabled for the region indicated by the 'To' number: +447911123456.","status":400}`),
			idv.CodeInvalid, 400, 21408, false},
		{"bad credentials", reply(401, `{"code":20003,"message":"Authenticate","status":401}`),
			idv.CodeInternal, 401, 20003, false},
		{"rate limited", reply(429, `{"code":20429,"message":"Too Many Requests","status":429}`),
			idv.CodeRateLimited, 429, 20429, true},
		{"server error", reply(500, `<html>oops</html>`), idv.CodeInternal, 500, 0, true},
		{"redirect not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
		}, idv.CodeInternal, 302, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake(t, tc.handler)
			var logs bytes.Buffer
			tw := newTwilio(t, f, &logs, nil)
			err := tw.SendSMS(context.Background(), otp.PhoneMessage("+447911123456", "987654"))
			if idv.ErrorCode(err) != tc.wantCode {
				t.Fatalf("SendSMS = %v, want code %q", err, tc.wantCode)
			}
			var te *TwilioError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TwilioError inside", err)
			}
			if te.Status != tc.wantStatus || te.Code != tc.wantTwilio || te.Temporary != tc.wantTemp {
				t.Errorf("TwilioError = %+v, want status %d, code %d, temporary %v", te, tc.wantStatus, tc.wantTwilio, tc.wantTemp)
			}
			if strings.Contains(err.Error(), "7911123456") {
				t.Errorf("error repeats the number: %v", err)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("Twilio got %d requests, want 1", n)
			}
			checkLogs(t, &logs)
		})
	}
}

func TestSendSMSTimeout(t *testing.T) {
	release := make(chan struct{})
	f := startFake(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	var logs bytes.Buffer
	tw := newTwilio(t, f, &logs, func(c *TwilioConfig) { c.Timeout = 50 * time.Millisecond })
	err := tw.SendSMS(context.Background(), otp.PhoneMessage("+447911123456", "987654"))
	var te *TwilioError
	if idv.ErrorCode(err) != idv.CodeInternal || !errors.As(err, &te) || !te.Timeout || !te.Temporary {
		t.Errorf("SendSMS = %v, want an internal temporary timeout", err)
	}
}

func TestSendSMSConnectionRefused(t *testing.T) {
	f := startFake(t, reply(201, `{}`))
	var logs bytes.Buffer
	tw := newTwilio(t, f, &logs, nil)
	f.Close()
	err := tw.SendSMS(context.Background(), otp.PhoneMessage("+447911123456", "987654"))
	var te *TwilioError
	if idv.ErrorCode(err) != idv.CodeInternal || !errors.As(err, &te) || te.Status != 0 || !te.Temporary {
		t.Errorf("SendSMS = %v, want an internal temporary error without status", err)
	}
}

func TestSendSMSRefusesBadInput(t *testing.T) {
	f := startFake(t, reply(201, `{}`))
	var logs bytes.Buffer
	tw := newTwilio(t, f, &logs, nil)
	for _, m := range []idv.Message{
		{To: "07911123456", Body: "x"},
		{To: "+447911123456", Body: ""},
		{To: "+447911123456", Body: strings.Repeat("x", 1601)},
	} {
		if err := tw.SendSMS(context.Background(), m); idv.ErrorCode(err) != idv.CodeInvalid {
			t.Errorf("SendSMS(%q, %d chars) = %v, want code %q", m.To, len(m.Body), err, idv.CodeInvalid)
		}
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("Twilio got %d requests, want 0", n)
	}
}

func TestNewTwilioValidates(t *testing.T) {
	ok := TwilioConfig{AccountSID: testSID, AuthToken: testToken, From: "+15005550006"}
	for _, tc := range []struct {
		name string
		edit func(*TwilioConfig)
		ok   bool
	}{
		{"minimal", func(*TwilioConfig) {}, true},
		{"bad account", func(c *TwilioConfig) { c.AccountSID = "AC123/../x" }, false},
		{"wrong prefix", func(c *TwilioConfig) { c.AccountSID = testMG }, false},
		{"no token", func(c *TwilioConfig) { c.AuthToken = "" }, false},
		{"no sender", func(c *TwilioConfig) { c.From = "" }, false},
		{"two senders", func(c *TwilioConfig) { c.MessagingServiceSID = testMG }, false},
		{"bad service", func(c *TwilioConfig) { c.From, c.MessagingServiceSID = "", "MGxyz" }, false},
		{"bad key", func(c *TwilioConfig) { c.APIKeySID = "SKnope" }, false},
		{"bad base URL", func(c *TwilioConfig) { c.BaseURL = "ftp://x" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.edit(&cfg)
			if _, err := NewTwilio(cfg, nil); (err == nil) != tc.ok {
				t.Errorf("NewTwilio = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestNewTwilioLeavesCallerClientAlone(t *testing.T) {
	client := &http.Client{}
	if _, err := NewTwilio(TwilioConfig{AccountSID: testSID, AuthToken: "x", From: "+1"}, client); err != nil {
		t.Fatal(err)
	}
	if client.CheckRedirect != nil {
		t.Errorf("NewTwilio changed the caller's client")
	}
}
