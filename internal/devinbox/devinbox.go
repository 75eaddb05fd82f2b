// Package devinbox is the development-only message sender, the default when
// no SMTP relay or SMS provider is configured. It sends nothing: it logs
// that a message was not sent (destination masked, code not logged) and
// keeps the last messages in memory for the dev inbox page, where a
// developer reads the codes.
//
// Never use it in production: anyone who can see the inbox page can
// complete any phone or email verification.
package devinbox

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/otp"
)

// The channels of an Entry.
const (
	ChannelSMS   = "sms"
	ChannelEmail = "email"
)

// DefaultCapacity is used when New is given a capacity below 1.
const DefaultCapacity = 100

// Entry is one message that was not sent.
type Entry struct {
	Channel string // ChannelSMS or ChannelEmail
	To      string
	Subject string // email only
	Body    string
	At      time.Time
}

// Inbox implements idv.SMSSender and idv.EmailSender by logging and keeping
// the last messages in a bounded ring. It is safe for concurrent use.
type Inbox struct {
	logger *slog.Logger
	now    func() time.Time

	mu   sync.Mutex
	ring []Entry // len ≤ capacity; next is the oldest once full
	next int
}

// New returns an inbox that keeps the last capacity messages and logs to
// logger (nil: slog.Default()).
func New(logger *slog.Logger, capacity int) *Inbox {
	return NewWithClock(logger, capacity, time.Now)
}

// NewWithClock is New with the clock that stamps entries.
func NewWithClock(logger *slog.Logger, capacity int, now func() time.Time) *Inbox {
	if logger == nil {
		logger = slog.Default()
	}
	if capacity < 1 {
		capacity = DefaultCapacity
	}
	return &Inbox{logger: logger, now: now, ring: make([]Entry, 0, capacity)}
}

// SendSMS implements idv.SMSSender.
func (i *Inbox) SendSMS(ctx context.Context, m idv.Message) error {
	return i.keep(ctx, ChannelSMS, m)
}

// SendEmail implements idv.EmailSender.
func (i *Inbox) SendEmail(ctx context.Context, m idv.Message) error {
	return i.keep(ctx, ChannelEmail, m)
}

// keep logs and stores one message.
func (i *Inbox) keep(ctx context.Context, channel string, m idv.Message) error {
	if err := ctx.Err(); err != nil {
		return &idv.Error{Code: idv.CodeInternal, Message: "the message could not be sent", Err: err}
	}
	e := Entry{Channel: channel, To: m.To, Subject: m.Subject, Body: m.Body, At: i.now()}
	i.mu.Lock()
	if len(i.ring) < cap(i.ring) {
		i.ring = append(i.ring, e)
	} else {
		i.ring[i.next] = e
		i.next = (i.next + 1) % len(i.ring)
	}
	i.mu.Unlock()
	// The log sender exists so that a developer can read the code: the
	// message text goes to the log, the destination stays masked.
	i.logger.LogAttrs(ctx, slog.LevelWarn, "development only: message not sent; its text is here and in the dev inbox",
		slog.String("channel", channel), slog.String("to", otp.Mask(m.To)), slog.String("text", m.Body))
	return nil
}

// Messages returns the kept messages, newest first.
func (i *Inbox) Messages() []Entry {
	i.mu.Lock()
	defer i.mu.Unlock()
	out := make([]Entry, 0, len(i.ring))
	n := len(i.ring)
	for k := 1; k <= n; k++ {
		out = append(out, i.ring[(i.next-k+n)%n])
	}
	return out
}
