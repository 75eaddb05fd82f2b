package idvtest

import (
	"context"
	"regexp"
	"sync"
	"testing"

	"github.com/openidv/openidv/internal/idv"
)

// Inbox is an SMS and email sender that keeps every message in memory,
// safe for concurrent use. After Fail(err) every send fails with err.
type Inbox struct {
	mu   sync.Mutex
	msgs []idv.Message
	fail error
}

var (
	_ idv.SMSSender   = (*Inbox)(nil)
	_ idv.EmailSender = (*Inbox)(nil)
)

// SendSMS records m.
func (b *Inbox) SendSMS(_ context.Context, m idv.Message) error { return b.add(m) }

// SendEmail records m.
func (b *Inbox) SendEmail(_ context.Context, m idv.Message) error { return b.add(m) }

func (b *Inbox) add(m idv.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.msgs = append(b.msgs, m)
	return nil
}

// Fail makes every later send fail with err (nil: succeed again). A
// failed send is not recorded.
func (b *Inbox) Fail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = err
}

// Messages returns a copy of the messages sent so far, oldest first.
func (b *Inbox) Messages() []idv.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]idv.Message(nil), b.msgs...)
}

var codeRE = regexp.MustCompile(`\b\d{6}\b`)

// LastCode returns the six-digit code of the latest message sent to `to`
// that holds one, and fails the test when there is none.
func (b *Inbox) LastCode(t testing.TB, to string) string {
	t.Helper()
	msgs := b.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == to {
			if c := codeRE.FindString(msgs[i].Body); c != "" {
				return c
			}
		}
	}
	t.Fatalf("no code sent to %q; inbox has %d messages", to, len(msgs))
	return ""
}
