package postgres

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5"
)

// notifier sends the notices of committed transactions, batched, from one
// goroutine on a dedicated connection with synchronous_commit=off: a
// notice needs no durability, so its tiny transaction waits for no WAL
// flush and holds PostgreSQL's notify lock only briefly.
type notifier struct {
	cfg     *pgx.ConnConfig
	channel string

	mu   sync.Mutex
	ids  []string
	wake chan struct{} // capacity 1: "there may be ids"
}

func newNotifier(cfg *pgx.ConnConfig, channel string) *notifier {
	c := cfg.Copy()
	if c.RuntimeParams == nil {
		c.RuntimeParams = map[string]string{}
	}
	c.RuntimeParams["synchronous_commit"] = "off"
	return &notifier{cfg: c, channel: channel, wake: make(chan struct{}, 1)}
}

// push queues ids; it never blocks.
func (n *notifier) push(ids []string) {
	if len(ids) == 0 {
		return
	}
	n.mu.Lock()
	n.ids = append(n.ids, ids...)
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

func (n *notifier) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	ids := n.ids
	n.ids = nil
	return ids
}

// run sends queued notices until ctx ends. When the database cannot be
// reached the notices are dropped: subscribers re-read state instead.
func (n *notifier) run(ctx context.Context) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.WithoutCancel(ctx))
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
		}
		ids := n.take()
		if conn == nil {
			c, err := pgx.ConnectConfig(ctx, n.cfg)
			if err != nil {
				continue
			}
			conn = c
		}
		_, err := conn.Exec(ctx, `SELECT pg_notify($1, u.id)
			FROM unnest($2::text[]) WITH ORDINALITY AS u(id, n) ORDER BY u.n`, n.channel, ids)
		if err != nil {
			conn.Close(context.WithoutCancel(ctx))
			conn = nil
		}
	}
}
