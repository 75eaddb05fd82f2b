package idvtest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

func TestClockMovesOnlyByHand(t *testing.T) {
	c := idvtest.NewClock(idvtest.Start)
	if got := c.Now(); !got.Equal(idvtest.Start) {
		t.Fatalf("Now = %v, want %v", got, idvtest.Start)
	}
	c.Add(90 * time.Second)
	if got, want := c.Now(), idvtest.Start.Add(90*time.Second); !got.Equal(want) {
		t.Fatalf("after Add: Now = %v, want %v", got, want)
	}
}

func TestRandRepeatsPerSeed(t *testing.T) {
	read := func(seed byte) []byte {
		b := make([]byte, 64)
		if _, err := io.ReadFull(idvtest.NewRand(seed), b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	if a, b := read(1), read(1); !bytes.Equal(a, b) {
		t.Errorf("seed 1 gave %x then %x, want the same bytes", a, b)
	}
	if a, b := read(1), read(2); bytes.Equal(a, b) {
		t.Errorf("seeds 1 and 2 gave the same bytes %x", a)
	}
}

func TestInboxKeepsMessagesAndFails(t *testing.T) {
	ctx := context.Background()
	in := &idvtest.Inbox{}
	for _, m := range []idv.Message{
		{To: "+1", Body: "code 111111"}, {To: "a@b.c", Body: "code 222222"}, {To: "+1", Body: "code 333333"},
		{To: "+1", Body: "no code here"},
	} {
		send := in.SendSMS
		if m.To == "a@b.c" {
			send = in.SendEmail
		}
		if err := send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := in.LastCode(t, "+1"), "333333"; got != want {
		t.Errorf("LastCode(+1) = %q, want %q", got, want)
	}
	if got, want := in.LastCode(t, "a@b.c"), "222222"; got != want {
		t.Errorf("LastCode(a@b.c) = %q, want %q", got, want)
	}
	down := errors.New("provider down")
	in.Fail(down)
	if err := in.SendSMS(ctx, idv.Message{To: "+1", Body: "444444"}); !errors.Is(err, down) {
		t.Errorf("SendSMS after Fail = %v, want %v", err, down)
	}
	in.Fail(nil)
	if got, want := len(in.Messages()), 4; got != want {
		t.Errorf("len(Messages) = %d, want %d (a failed send is not kept)", got, want)
	}
}

// TestEnvOnEachBackend checks that an Env's keys authenticate as what they
// are, that its service runs on the Env's clock and inbox, and where its
// SQLite file is.
func TestEnvOnEachBackend(t *testing.T) {
	idvtest.EachBackend(t, "openidv_idvtest", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		for _, tc := range []struct {
			p    app.Principal
			want app.PrincipalKind
		}{{e.Private, app.PrincipalPrivateKey}, {e.Public, app.PrincipalPublicKey}} {
			if tc.p.Kind != tc.want || tc.p.Sandbox {
				t.Errorf("principal = %s (sandbox %v), want %s live", tc.p.Kind, tc.p.Sandbox, tc.want)
			}
			if _, err := e.Svc.Authenticate(ctx, e.Secrets[string(tc.want)]); err != nil {
				t.Errorf("Authenticate(Secrets[%s]): %v", tc.want, err)
			}
		}
		if sb := e.Key(t, idv.KeyPrivate, true); !sb.Sandbox || e.Secrets["private_key/sandbox"] == "" {
			t.Errorf("sandbox key: principal sandbox %v, secret recorded %v", sb.Sandbox, e.Secrets["private_key/sandbox"] != "")
		}
		cs, tok := e.ContactSession(t)
		if _, err := e.Svc.Consent(ctx, tok, cs.SessionID, true); err != nil {
			t.Fatalf("Consent: %v", err)
		}
		if _, err := e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, "+44 7911 123456"); err != nil {
			t.Fatalf("StartPhoneVerification: %v", err)
		}
		if code := e.Inbox.LastCode(t, "+447911123456"); len(code) != 6 {
			t.Errorf("code %q, want six digits", code)
		}
		view, err := e.Svc.Session(ctx, e.Private, cs.SessionID)
		if err != nil {
			t.Fatal(err)
		}
		if !view.CreatedAt.Equal(idvtest.Start) {
			t.Errorf("CreatedAt = %v, want the Env's clock %v", view.CreatedAt, idvtest.Start)
		}
		if be.Name == "sqlite" {
			if _, err := os.Stat(e.DBPath); err != nil {
				t.Errorf("DBPath: %v", err)
			}
		} else if e.DBPath != "" {
			t.Errorf("DBPath = %q on %s, want empty", e.DBPath, be.Name)
		}
	})
}
