package devinbox

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/otp"
)

// Both ports are implemented.
var (
	_ idv.SMSSender   = (*Inbox)(nil)
	_ idv.EmailSender = (*Inbox)(nil)
)

// stepClock returns t0, t0+1s, t0+2s, …
func stepClock() func() time.Time {
	t := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func TestInboxKeepsAndLogs(t *testing.T) {
	var logs bytes.Buffer
	in := NewWithClock(slog.New(slog.NewTextHandler(&logs, nil)), 10, stepClock())
	ctx := context.Background()
	if err := in.SendSMS(ctx, otp.PhoneMessage("+447911123456", "123456")); err != nil {
		t.Fatal(err)
	}
	if err := in.SendEmail(ctx, otp.EmailMessage("jane@example.com", "654321")); err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Channel: ChannelEmail, To: "jane@example.com", Subject: "Your verification code",
			Body: otp.EmailMessage("", "654321").Body, At: time.Date(2026, 11, 21, 12, 0, 2, 0, time.UTC)},
		{Channel: ChannelSMS, To: "+447911123456",
			Body: otp.PhoneMessage("", "123456").Body, At: time.Date(2026, 11, 21, 12, 0, 1, 0, time.UTC)},
	}
	if diff := cmp.Diff(want, in.Messages()); diff != "" {
		t.Errorf("Messages() mismatch (-want +got):\n%s", diff)
	}
	log := logs.String()
	for _, secret := range []string{"7911123456", "jane@"} {
		if strings.Contains(log, secret) {
			t.Errorf("log contains %q:\n%s", secret, log)
		}
	}
	// The codes are in the log on purpose: reading them there is what the
	// development sender is for.
	for _, want := range []string{"development only: message not sent", "+44*******456", "j***@example.com", "123456", "654321"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestInboxIsBounded(t *testing.T) {
	for _, tc := range []struct {
		capacity, sends int
		want            []string // bodies, newest first
	}{
		{3, 0, []string{}},
		{3, 2, []string{"m1", "m0"}},
		{3, 3, []string{"m2", "m1", "m0"}},
		{3, 7, []string{"m6", "m5", "m4"}},
		{1, 5, []string{"m4"}},
	} {
		t.Run(fmt.Sprintf("cap%d_sends%d", tc.capacity, tc.sends), func(t *testing.T) {
			in := New(slog.New(slog.DiscardHandler), tc.capacity)
			for k := range tc.sends {
				if err := in.SendSMS(context.Background(), idv.Message{To: "+1", Body: fmt.Sprintf("m%d", k)}); err != nil {
					t.Fatal(err)
				}
			}
			got := []string{}
			for _, e := range in.Messages() {
				got = append(got, e.Body)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("bodies mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInboxDefaultCapacity(t *testing.T) {
	in := New(nil, 0)
	for range DefaultCapacity + 5 {
		_ = in.SendEmail(context.Background(), idv.Message{To: "a@b.co"})
	}
	if got := len(in.Messages()); got != DefaultCapacity {
		t.Errorf("len(Messages()) = %d, want %d", got, DefaultCapacity)
	}
}

func TestInboxCancelledContext(t *testing.T) {
	in := New(slog.New(slog.DiscardHandler), 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := in.SendSMS(ctx, idv.Message{To: "+1", Body: "x"}); idv.ErrorCode(err) != idv.CodeInternal {
		t.Errorf("SendSMS = %v, want an internal error", err)
	}
	if n := len(in.Messages()); n != 0 {
		t.Errorf("kept %d messages, want 0", n)
	}
}

func TestInboxConcurrent(t *testing.T) {
	in := New(slog.New(slog.DiscardHandler), 16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for k := range 50 {
				_ = in.SendSMS(context.Background(), idv.Message{To: "+1", Body: fmt.Sprintf("%d-%d", g, k)})
				_ = in.Messages()
			}
		})
	}
	wg.Wait()
	if got := len(in.Messages()); got != 16 {
		t.Errorf("len(Messages()) = %d, want 16", got)
	}
}
