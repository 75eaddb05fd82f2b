package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/seal"
)

// access is who may call a session use case. The model:
//
//   - a public key creates sessions and nothing else: it reads and changes
//     no session, whatever the id;
//   - applicant calls (accessApplicant) take the client token of that
//     session, or a private key acting for the integrator;
//   - integrator calls (accessPrivate) take a private key only.
//
// A key sees only sessions of its own mode (sandbox or live).
type access int

const (
	accessApplicant access = iota // the session's client token, or a private key
	accessPrivate                 // private key only
)

// permit decides, before the session is read, whether p may make a call of
// the given access on session id. Its answer depends only on p and id, so
// it tells nothing about whether the session exists; another session's
// client token is not found, as that session would be.
func permit(p Principal, id string, need access) error {
	switch p.Kind {
	case PrincipalPrivateKey:
		return nil
	case PrincipalClientToken:
		if p.SessionID != id {
			return notFound()
		}
		if need == accessPrivate {
			return idv.Errorf(idv.CodeForbidden, "This call needs a private API key.")
		}
		return nil
	case PrincipalPublicKey:
		return idv.Errorf(idv.CodeForbidden, "A public key only creates sessions; this call needs the session's client token or a private key.")
	}
	return unauthorized()
}

// authorize checks, once sess is read, that p (already permitted) may see
// it: a session of the other mode (sandbox/live) is not found.
func authorize(p Principal, sess idv.Session) error {
	if p.Sandbox != sess.Sandbox || (p.Kind == PrincipalClientToken && p.SessionID != sess.ID) {
		return notFound()
	}
	return nil
}

// notFound is the answer for a session the caller cannot see.
func notFound() error { return idv.Errorf(idv.CodeNotFound, "Session not found.") }

// loadForUpdate locks and authorises a session inside tx.
func loadForUpdate(ctx context.Context, tx idv.Tx, p Principal, id string, need access) (idv.Session, error) {
	if err := permit(p, id, need); err != nil {
		return idv.Session{}, err
	}
	sess, err := tx.SessionForUpdate(ctx, id)
	if idv.ErrorCode(err) == idv.CodeNotFound {
		return idv.Session{}, notFound()
	}
	if err != nil {
		return idv.Session{}, internal("lock session", err)
	}
	if err := authorize(p, sess); err != nil {
		return idv.Session{}, err
	}
	return sess, nil
}

// load reads and authorises a session without locking it, or reuses the
// copy that the client-token check of the same request read.
func (s *Service) load(ctx context.Context, p Principal, id string, need access) (idv.Session, error) {
	if err := permit(p, id, need); err != nil {
		return idv.Session{}, err
	}
	if p.read != nil && p.read.ID == id {
		if err := authorize(p, *p.read); err != nil {
			return idv.Session{}, err
		}
		return *p.read, nil
	}
	sess, err := s.store.Session(ctx, id)
	if idv.ErrorCode(err) == idv.CodeNotFound {
		return idv.Session{}, notFound()
	}
	if err != nil {
		return idv.Session{}, internal("read session", err)
	}
	if err := authorize(p, sess); err != nil {
		return idv.Session{}, err
	}
	return sess, nil
}

// step is one use case's part of a state change, run inside the
// transaction after the session is locked and the data key unwrapped.
type step func(sess *idv.Session, dk seal.DataKey) (flow.Input, error)

// after runs inside the transaction when Advance accepted the input, to
// change the rest of the session (e.g. the sealed applicant).
type after func(sess *idv.Session, dk seal.DataKey) error

// advance runs one state change: lock, authorise, build the input, run the
// engine, and commit state, timeline, outbox and notice together. Following
// the flow contract, effects are committed even when the engine also
// returns an error (a wrong code counts); that error is returned after the
// commit. The committed (or unchanged) session is returned.
func (s *Service) advance(ctx context.Context, p Principal, id string, need access, build step, then after) (idv.Session, error) {
	var out idv.Session
	var flowErr error
	err := s.store.InTx(ctx, func(tx idv.Tx) error {
		flowErr = nil
		sess, err := loadForUpdate(ctx, tx, p, id, need)
		if err != nil {
			return err
		}
		now := s.now()
		var dk seal.DataKey
		if sess.Status != idv.StatusErased {
			if dk, err = s.dataKey(ctx, tx, id); err != nil {
				return err
			}
		}
		in, err := build(&sess, dk)
		if err != nil {
			return err
		}
		next, effects, aerr := flow.Advance(flow.FromSession(sess), in, now)
		out, flowErr = sess, aerr
		if len(effects) == 0 {
			return nil
		}
		next.ApplyTo(&sess, now)
		if aerr == nil && then != nil {
			if err := then(&sess, dk); err != nil {
				return err
			}
		}
		if err := s.save(ctx, tx, &sess, dk, effects, now); err != nil {
			return err
		}
		out = sess
		return nil
	})
	if err != nil {
		return idv.Session{}, err
	}
	return out, flowErr
}

// save writes an updated session (Version+1) and records its effects.
func (s *Service) save(ctx context.Context, tx idv.Tx, sess *idv.Session, dk seal.DataKey, effects []flow.Effect, now time.Time) error {
	sess.Version++
	sess.UpdatedAt = now
	if err := tx.UpdateSession(ctx, *sess); err != nil {
		return internal("update session", err)
	}
	return s.record(ctx, tx, *sess, dk, effects, now)
}

// record appends the timeline events (payloads sealed with dk) and outbox
// messages of effects, and publishes the change notice. An effect of a type
// it does not know is an internal error, and nothing is written.
func (s *Service) record(ctx context.Context, tx idv.Tx, sess idv.Session, dk seal.DataKey, effects []flow.Effect, now time.Time) error {
	events, msgs, err := s.effectRows(sess, dk, effects, now)
	if err != nil {
		return err
	}
	if len(events) > 0 {
		if err := tx.AppendEvents(ctx, events...); err != nil {
			return internal("append events", err)
		}
	}
	if len(msgs) > 0 {
		if err := tx.EnqueueOutbox(ctx, msgs...); err != nil {
			return internal("enqueue outbox", err)
		}
	}
	if err := tx.NotifySession(ctx, sess.ID); err != nil {
		return internal("notify", err)
	}
	return nil
}

// effectRows turns effects into the timeline events and outbox messages
// to write. Every effect type flow emits has a case here (a test lists
// them from flow's source); any other type is refused, so an effect added
// to flow cannot be dropped silently.
func (s *Service) effectRows(sess idv.Session, dk seal.DataKey, effects []flow.Effect, now time.Time) ([]idv.Event, []idv.OutboxMessage, error) {
	var events []idv.Event
	var msgs []idv.OutboxMessage
	for _, e := range effects {
		switch v := e.(type) {
		case flow.TimelineEvent:
			ev, err := s.event(sess.ID, v.Type, v.Source, v.Payload, dk, now)
			if err != nil {
				return nil, nil, err
			}
			events = append(events, ev)
		case flow.WebhookEvent:
			m, err := s.outbox(sess, v.Type, v.Payload, now)
			if err != nil {
				return nil, nil, err
			}
			msgs = append(msgs, m)
		default:
			return nil, nil, internal("record", fmt.Errorf("unknown effect type %T", e))
		}
	}
	return events, msgs, nil
}

// event builds a timeline entry; its payload is sealed with dk (left nil
// when the session has no data key any more).
func (s *Service) event(sessionID, typ string, src idv.EventSource, payload []byte, dk seal.DataKey, now time.Time) (idv.Event, error) {
	if src == idv.SourceServer && !idv.IsServerEventType(typ) {
		return idv.Event{}, internal("event", fmt.Errorf("server event type %q is not in the timeline vocabulary (idv.ServerEventTypes, docs/events.md)", typ))
	}
	id, err := s.newID("evt_")
	if err != nil {
		return idv.Event{}, internal("event id", err)
	}
	ev := idv.Event{ID: id, SessionID: sessionID, Type: typ, Source: src, CreatedAt: now}
	if len(payload) > 0 && dk != (seal.DataKey{}) {
		if ev.SealedPayload, err = dk.Seal(payload, eventAAD(sessionID, id)); err != nil {
			return idv.Event{}, internal("seal event", err)
		}
	}
	return ev, nil
}

// webhookBody is the JSON body of a webhook (Standard Webhooks style): ids
// and statuses only, never personal data.
type webhookBody struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// outbox builds the outbox row of one webhook event.
func (s *Service) outbox(sess idv.Session, typ string, data []byte, now time.Time) (idv.OutboxMessage, error) {
	id, err := s.newID("msg_")
	if err != nil {
		return idv.OutboxMessage{}, internal("message id", err)
	}
	body, err := json.Marshal(webhookBody{Type: typ, Timestamp: now.UTC(), Data: data})
	if err != nil {
		return idv.OutboxMessage{}, internal("encode webhook", err)
	}
	return idv.OutboxMessage{
		ID: id, SessionID: sess.ID, EventType: typ, Payload: body, Sandbox: sess.Sandbox,
		CreatedAt: now, NextAttemptAt: now,
	}, nil
}

// preflight renders the preflight payload of sess at the current time.
func (s *Service) preflight(sess idv.Session) idv.Preflight {
	p := flow.View(flow.FromSession(sess), s.now())
	if l, ok := s.levels[sess.LevelName]; ok {
		p = flow.WithLevelText(p, l, sess.Locale)
	}
	return p
}
