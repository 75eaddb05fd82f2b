package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/seal"
)

// The bounds of a session's client-reported (SDK) events. An SDK reports
// tens of events per session; the caps stop a client from filling the
// database or the memory of a timeline read.
const (
	// MaxEventsPerCall bounds the events of one RecordEvents call.
	MaxEventsPerCall = 100
	// DefaultMaxSDKEventsPerSession is the per-session cap of SDK events
	// when Deps.Events.MaxPerSession is 0. Server events do not count.
	DefaultMaxSDKEventsPerSession = 500
	// DefaultMaxEventPayloadBytes is the largest SDK event payload (its
	// JSON bytes) when Deps.Events.MaxPayloadBytes is 0.
	DefaultMaxEventPayloadBytes = 4 << 10
	// DefaultEventPageSize is the page size of a timeline read that gives
	// no limit; MaxEventPageSize is the largest limit accepted.
	DefaultEventPageSize = 100
	MaxEventPageSize     = 1000
)

// EventLimits bounds the SDK events a session keeps. Zero values take the
// defaults above.
type EventLimits struct {
	MaxPerSession   int // SDK events a session may hold in all
	MaxPayloadBytes int // JSON bytes of one SDK event payload
}

func (l EventLimits) withDefaults() EventLimits {
	if l.MaxPerSession <= 0 {
		l.MaxPerSession = DefaultMaxSDKEventsPerSession
	}
	if l.MaxPayloadBytes <= 0 {
		l.MaxPayloadBytes = DefaultMaxEventPayloadBytes
	}
	return l
}

// RecordEvents appends events reported by the applicant's client to the
// session's timeline, their payloads sealed. Every type must be one of the
// SDK event types, every payload at most the payload cap, and the session
// must have room for all of them under its SDK event cap: otherwise the
// whole call is refused and nothing is written (CodeInvalid for a bad
// event, CodeConflict when the session is full).
func (s *Service) RecordEvents(ctx context.Context, p Principal, id string, events []SDKEvent) error {
	if err := s.checkSDKEvents(events); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx idv.Tx) error {
		sess, err := loadForUpdate(ctx, tx, p, id, accessApplicant)
		if err != nil {
			return err
		}
		if err := goneError(sess); err != nil {
			return err
		}
		held, err := tx.CountEvents(ctx, id, idv.SourceSDK)
		if err != nil {
			return internal("count events", err)
		}
		if room := s.events.MaxPerSession - held; len(events) > room {
			return &idv.Error{Code: idv.CodeConflict,
				Message: fmt.Sprintf("This session holds %d client events, at most %d are kept: %d more are refused.",
					held, s.events.MaxPerSession, len(events)),
				Fields: []idv.FieldError{{Name: "events", Message: fmt.Sprintf("room for %d more", max(room, 0))}}}
		}
		dk, err := s.dataKey(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		out := make([]idv.Event, 0, len(events))
		for _, e := range events {
			payload := []byte(e.Payload)
			if len(payload) == 0 || string(payload) == "null" {
				payload = []byte("{}")
			}
			ev, err := s.event(id, e.Type, idv.SourceSDK, payload, dk, now)
			if err != nil {
				return err
			}
			out = append(out, ev)
		}
		if err := tx.AppendEvents(ctx, out...); err != nil {
			return internal("append events", err)
		}
		return nil
	})
}

// checkSDKEvents validates a batch before any write: its size, each type
// and payload, and each payload's size.
func (s *Service) checkSDKEvents(events []SDKEvent) error {
	switch {
	case len(events) == 0:
		return &idv.Error{Code: idv.CodeInvalid, Message: "No events given.",
			Fields: []idv.FieldError{{Name: "events", Message: "must not be empty"}}}
	case len(events) > MaxEventsPerCall:
		return &idv.Error{Code: idv.CodeInvalid, Message: fmt.Sprintf("At most %d events per call.", MaxEventsPerCall),
			Fields: []idv.FieldError{{Name: "events", Message: fmt.Sprintf("at most %d", MaxEventsPerCall)}}}
	}
	for i, e := range events {
		if n := len(e.Payload); n > s.events.MaxPayloadBytes {
			return &idv.Error{Code: idv.CodeInvalid,
				Message: fmt.Sprintf("An event payload is %d bytes; at most %d are accepted.", n, s.events.MaxPayloadBytes),
				Fields: []idv.FieldError{{Name: fmt.Sprintf("events[%d].payload", i),
					Message: fmt.Sprintf("at most %d bytes", s.events.MaxPayloadBytes)}}}
		}
		if err := idv.ValidateSDKEvent(e.Type, e.Payload); err != nil {
			return err
		}
	}
	return nil
}

// EventQuery asks for one page of a timeline: at most Limit events (0:
// DefaultEventPageSize) after Cursor (empty: from the start).
type EventQuery struct {
	Limit  int
	Cursor string
}

// EventPage is one page of a timeline. NextCursor, set when HasMore, asks
// for the next page.
type EventPage struct {
	Events     []EventView
	NextCursor string
	HasMore    bool
}

// EventPage reads one page of a session's timeline, oldest first, with
// opened payloads (private key: SDK payloads may hold personal data).
// After erasure the payloads are null. A bad limit or cursor is
// CodeInvalid with a field error.
func (s *Service) EventPage(ctx context.Context, p Principal, id string, q EventQuery) (EventPage, error) {
	after, limit, err := parseEventQuery(q)
	if err != nil {
		return EventPage{}, err
	}
	sess, err := s.load(ctx, p, id, accessPrivate)
	if err != nil {
		return EventPage{}, err
	}
	var dk seal.DataKey
	if sess.Status != idv.StatusErased {
		if dk, err = s.readDataKey(ctx, id); err != nil && idv.ErrorCode(err) != idv.CodeGone {
			return EventPage{}, err
		}
	}
	evs, err := s.store.Events(ctx, id, after, limit+1)
	if err != nil {
		return EventPage{}, internal("read events", err)
	}
	var page EventPage
	if len(evs) > limit {
		evs = evs[:limit]
		page.HasMore = true
		page.NextCursor = idv.CursorAfter(evs[len(evs)-1]).String()
	}
	page.Events = make([]EventView, 0, len(evs))
	for i := range evs {
		v, err := openEvent(id, evs[i], dk)
		if err != nil {
			return EventPage{}, err
		}
		evs[i].SealedPayload = nil // let the sealed copy go as the page is opened
		page.Events = append(page.Events, v)
	}
	return page, nil
}

// Events lists a session's whole timeline, reading it page by page. It is
// for in-process callers; the API reads pages (EventPage).
func (s *Service) Events(ctx context.Context, p Principal, id string) ([]EventView, error) {
	var out []EventView
	q := EventQuery{Limit: MaxEventPageSize}
	for {
		page, err := s.EventPage(ctx, p, id, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Events...)
		if !page.HasMore {
			return out, nil
		}
		q.Cursor = page.NextCursor
	}
}

// parseEventQuery checks q and returns its cursor and limit.
func parseEventQuery(q EventQuery) (idv.EventCursor, int, error) {
	var fields []idv.FieldError
	limit := q.Limit
	switch {
	case limit == 0:
		limit = DefaultEventPageSize
	case limit < 0 || limit > MaxEventPageSize:
		fields = append(fields, idv.FieldError{Name: "limit", Message: fmt.Sprintf("must be 1 to %d", MaxEventPageSize)})
	}
	var after idv.EventCursor
	if q.Cursor != "" {
		c, ok := idv.ParseEventCursor(q.Cursor)
		if !ok {
			fields = append(fields, idv.FieldError{Name: "cursor", Message: "not a cursor given by this API"})
		}
		after = c
	}
	if len(fields) > 0 {
		return idv.EventCursor{}, 0, &idv.Error{Code: idv.CodeInvalid, Message: "Invalid timeline query.", Fields: fields}
	}
	return after, limit, nil
}

// openEvent makes the view of e, opening its payload with dk when both
// exist.
func openEvent(sessionID string, e idv.Event, dk seal.DataKey) (EventView, error) {
	v := EventView{ID: e.ID, Type: e.Type, Source: e.Source, Payload: json.RawMessage("null"), CreatedAt: e.CreatedAt}
	if len(e.SealedPayload) > 0 && dk != (seal.DataKey{}) {
		b, err := dk.Open(e.SealedPayload, eventAAD(sessionID, e.ID))
		if err != nil {
			return EventView{}, internal("open event", err)
		}
		v.Payload = b
	}
	return v, nil
}
