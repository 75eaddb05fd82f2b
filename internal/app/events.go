package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/seal"
)

// MaxEventsPerCall bounds the events of one RecordEvents call.
const MaxEventsPerCall = 100

// RecordEvents appends events reported by the applicant's client to the
// session's timeline, their payloads sealed. Every type must be one of
// `sdk-event-types.txt`; an unknown one refuses the whole call.
func (s *Service) RecordEvents(ctx context.Context, p Principal, id string, events []SDKEvent) error {
	switch {
	case len(events) == 0:
		return &idv.Error{Code: idv.CodeInvalid, Message: "No events given.",
			Fields: []idv.FieldError{{Name: "events", Message: "must not be empty"}}}
	case len(events) > MaxEventsPerCall:
		return &idv.Error{Code: idv.CodeInvalid, Message: fmt.Sprintf("At most %d events per call.", MaxEventsPerCall),
			Fields: []idv.FieldError{{Name: "events", Message: fmt.Sprintf("at most %d", MaxEventsPerCall)}}}
	}
	for _, e := range events {
		if err := idv.ValidateSDKEvent(e.Type, e.Payload); err != nil {
			return err
		}
	}
	return s.store.InTx(ctx, func(tx idv.Tx) error {
		sess, err := loadForUpdate(ctx, tx, p, id, accessApplicant)
		if err != nil {
			return err
		}
		if err := goneError(sess); err != nil {
			return err
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

// Events lists a session's timeline with opened payloads (private key:
// SDK payloads may hold personal data). After erasure the payloads are
// null.
func (s *Service) Events(ctx context.Context, p Principal, id string) ([]EventView, error) {
	sess, err := s.load(ctx, p, id, accessPrivate)
	if err != nil {
		return nil, err
	}
	var dk seal.DataKey
	if sess.Status != idv.StatusErased {
		if dk, err = s.readDataKey(ctx, id); err != nil && idv.ErrorCode(err) != idv.CodeGone {
			return nil, err
		}
	}
	evs, err := s.store.Events(ctx, id)
	if err != nil {
		return nil, internal("read events", err)
	}
	out := make([]EventView, 0, len(evs))
	for _, e := range evs {
		v := EventView{ID: e.ID, Type: e.Type, Source: e.Source, Payload: json.RawMessage("null"), CreatedAt: e.CreatedAt}
		if len(e.SealedPayload) > 0 && dk != (seal.DataKey{}) {
			b, err := dk.Open(e.SealedPayload, eventAAD(id, e.ID))
			if err != nil {
				return nil, internal("open event", err)
			}
			v.Payload = b
		}
		out = append(out, v)
	}
	return out, nil
}
