package smtptest

import (
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// send delivers raw to srv with the standard library client.
func send(srv *Server, auth smtp.Auth, from string, to []string, raw string) error {
	return smtp.SendMail(srv.Addr(), auth, from, to, []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
}

func TestReceiveAndDecode(t *testing.T) {
	srv := Start(t)
	for _, tc := range []struct {
		name, raw, wantSubject, wantBody, wantCode string
	}{
		{"plain", "Subject: Hi\n\nYour code is 123456.\n", "Hi", "Your code is 123456.\n", "123456"},
		{"quoted-printable", "Subject: =?UTF-8?q?Caf=C3=A9?=\nContent-Transfer-Encoding: quoted-printable\n\nCode=3D 654321 l=\nong line\n",
			"Café", "Code= 654321 long line\n", "654321"},
		{"base64", "Subject: B\nContent-Transfer-Encoding: base64\n\nWW91ciBjb2RlIGlzIDAw\nMDAwMS4=\n", "B", "Your code is 000001.", "000001"},
		{"multipart", "Subject: M\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=XX\n\n--XX\nContent-Type: text/html\n\n<b>999999</b>\n--XX\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nY29kZSAxMTExMTE=\n--XX--\n",
			"M", "code 111111", "111111"},
		{"no code", "Subject: N\n\norder 1234567 shipped\n", "N", "order 1234567 shipped\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			to := strings.ReplaceAll(tc.name, " ", "-") + "@example.com"
			if err := send(srv, nil, "from@example.com", []string{to}, tc.raw); err != nil {
				t.Fatal(err)
			}
			got := srv.WaitFor(t, to, 5*time.Second)
			if got.Subject != tc.wantSubject || got.Body != tc.wantBody || got.Code() != tc.wantCode {
				t.Errorf("got subject %q, body %q, code %q; want %q, %q, %q",
					got.Subject, got.Body, got.Code(), tc.wantSubject, tc.wantBody, tc.wantCode)
			}
			if got.From != "from@example.com" {
				t.Errorf("From = %q, want from@example.com", got.From)
			}
		})
	}
}

func TestWaitForWaitsAndReturnsNewest(t *testing.T) {
	srv := Start(t)
	errc := make(chan error, 1)
	go func() {
		errc <- send(srv, nil, "a@example.com", []string{"other@example.com", "Late@Example.com"}, "Subject: 1\n\nfirst 100001\n")
	}()
	if got := srv.WaitFor(t, "late@example.com", 10*time.Second).Code(); got != "100001" {
		t.Errorf("code = %q, want 100001", got)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if err := send(srv, nil, "a@example.com", []string{"late@example.com"}, "Subject: 2\n\nsecond 100002\n"); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(t, "late@example.com", 5*time.Second).Code(); got != "100002" {
		t.Errorf("code = %q, want the newest 100002", got)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("len(Messages()) = %d, want 2", n)
	}
	srv.Reset()
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("len(Messages()) after Reset = %d, want 0", n)
	}
}

func TestAuthAndRejection(t *testing.T) {
	srv := StartWith(t, Options{Username: "u", Password: "p", RejectRcpt: func(to string) int {
		if strings.HasPrefix(to, "no@") {
			return 550
		}
		return 0
	}})
	for _, tc := range []struct {
		name     string
		auth     smtp.Auth
		to       string
		wantCode int
	}{
		{"no auth", nil, "yes@example.com", 530},
		{"wrong password", smtp.PlainAuth("", "u", "x", "127.0.0.1"), "yes@example.com", 535},
		{"refused recipient", smtp.PlainAuth("", "u", "p", "127.0.0.1"), "no@example.com", 550},
		{"accepted", smtp.PlainAuth("", "u", "p", "127.0.0.1"), "yes@example.com", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := send(srv, tc.auth, "a@example.com", []string{tc.to}, "Subject: x\n\nbody\n")
			var tp *textproto.Error
			switch {
			case tc.wantCode == 0 && err != nil:
				t.Fatalf("send: %v", err)
			case tc.wantCode != 0 && (!errors.As(err, &tp) || tp.Code != tc.wantCode):
				t.Fatalf("send = %v, want SMTP code %d", err, tc.wantCode)
			}
		})
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].Auth != "u" {
		t.Errorf("messages = %+v, want one sent as u", msgs)
	}
}
