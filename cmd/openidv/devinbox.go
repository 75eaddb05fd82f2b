package main

import (
	"github.com/openidv/openidv/internal/devinbox"
	"github.com/openidv/openidv/internal/idv"
)

// inboxPage shows the development inbox on GET /dev/inbox.
type inboxPage struct{ inbox *devinbox.Inbox }

// Messages lists the kept messages, newest first.
func (p inboxPage) Messages() []idv.Message {
	entries := p.inbox.Messages()
	out := make([]idv.Message, len(entries))
	for i, e := range entries {
		out[i] = idv.Message{To: e.To, Subject: e.Subject, Body: e.Body}
	}
	return out
}
