package app

import (
	"bytes"
	"context"
	"time"

	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
)

// sweepBatch is how many sessions one housekeeping transaction handles.
const sweepBatch = 100

// idempotencyStale is how long a first request may stay unanswered before
// its Idempotency-Key is considered abandoned (the replica died).
const idempotencyStale = 10 * time.Minute

// ExpireDue ends the in-progress sessions past their expiry (a
// session.expired timeline entry and webhook each) and returns how many.
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more, err := s.expireBatch(ctx)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// expireBatch expires up to sweepBatch sessions in one transaction; more
// tells whether the batch was full.
func (s *Service) expireBatch(ctx context.Context) (n int, more bool, err error) {
	err = s.store.InTx(ctx, func(tx idv.Tx) error {
		n = 0
		now := s.now()
		// A session is expired from its ExpiresAt on (flow.View); the store
		// lists those strictly before t, at microsecond resolution.
		ids, err := tx.SessionIDsExpiringBefore(ctx, now.Add(time.Microsecond), sweepBatch)
		if err != nil {
			return internal("list expiring sessions", err)
		}
		more = len(ids) == sweepBatch
		for _, id := range ids {
			sess, err := tx.SessionForUpdate(ctx, id)
			if err != nil {
				return internal("lock session", err)
			}
			next, effects, _ := flow.Advance(flow.FromSession(sess), flow.Expire{}, now)
			if len(effects) == 0 {
				continue
			}
			dk, err := s.dataKey(ctx, tx, id)
			if err != nil {
				return err
			}
			next.ApplyTo(&sess, now)
			if err := s.save(ctx, tx, &sess, dk, effects, now); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return n, more && n > 0, nil
}

// PurgeRetention erases the sessions created longer ago than the
// retention period (deleting their evidence objects after each batch
// commits) and returns how many; 0 retention keeps everything.
func (s *Service) PurgeRetention(ctx context.Context) (int, error) {
	if s.retention <= 0 {
		return 0, nil
	}
	total := 0
	for {
		n := 0
		var keys []string
		err := s.store.InTx(ctx, func(tx idv.Tx) error {
			keys = nil // a retried transaction starts afresh
			ids, err := tx.SessionIDsCreatedBefore(ctx, s.now().Add(-s.retention), sweepBatch)
			if err != nil {
				return internal("list old sessions", err)
			}
			n = len(ids)
			for _, id := range ids {
				sess, err := tx.SessionForUpdate(ctx, id)
				if err != nil {
					return internal("lock session", err)
				}
				erased, err := s.erase(ctx, tx, sess)
				if err != nil {
					return err
				}
				keys = append(keys, erased...)
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		s.deleteBlobs(ctx, keys)
		total += n
		if n < sweepBatch {
			return total, nil
		}
	}
}

// BeginIdempotent starts a request carrying an Idempotency-Key. nil, nil
// means go ahead (and call FinishIdempotent or AbortIdempotent); a finished
// record is returned for replay. The same key still in flight is
// CodeConflict; the same key with another request is CodeUnprocessable.
func (s *Service) BeginIdempotent(ctx context.Context, scope string, requestHash []byte) (*idv.IdempotencyRecord, error) {
	var out *idv.IdempotencyRecord
	err := s.store.InTx(ctx, func(tx idv.Tx) error {
		now := s.now()
		rec := idv.IdempotencyRecord{Scope: scope, RequestHash: requestHash, CreatedAt: now}
		got, created, err := tx.BeginIdempotent(ctx, rec)
		if err != nil {
			return internal("begin idempotent", err)
		}
		expired := now.Sub(got.CreatedAt) >= IdempotencyWindow
		abandoned := got.Status == 0 && now.Sub(got.CreatedAt) >= idempotencyStale
		if !created && (expired || abandoned) {
			if err := tx.DeleteIdempotent(ctx, scope); err != nil {
				return internal("delete idempotent", err)
			}
			if _, created, err = tx.BeginIdempotent(ctx, rec); err != nil {
				return internal("begin idempotent", err)
			}
		}
		switch {
		case created:
			return nil
		case !bytes.Equal(got.RequestHash, requestHash):
			return idv.Errorf(idv.CodeUnprocessable, "This Idempotency-Key was used with another request.")
		case got.Status == 0:
			return idv.Errorf(idv.CodeConflict, "A request with this Idempotency-Key is still being processed.")
		}
		body, err := s.replayKey.Open(got.Body, []byte(scope))
		if err != nil {
			return internal("open idempotent answer", err)
		}
		got.Body = body
		out = &got
		return nil
	})
	return out, err
}

// FinishIdempotent stores the answer of the request that began scope,
// sealed: a created session's answer carries its client token.
func (s *Service) FinishIdempotent(ctx context.Context, scope string, status int, body []byte) error {
	sealed, err := s.replayKey.Seal(body, []byte(scope))
	if err != nil {
		return internal("seal idempotent answer", err)
	}
	return s.store.InTx(ctx, func(tx idv.Tx) error {
		if err := tx.FinishIdempotent(ctx, scope, status, sealed); err != nil {
			return internal("finish idempotent", err)
		}
		return nil
	})
}

// AbortIdempotent forgets scope: the request failed before answering and
// may be retried with the same key.
func (s *Service) AbortIdempotent(ctx context.Context, scope string) error {
	return s.store.InTx(ctx, func(tx idv.Tx) error {
		if err := tx.DeleteIdempotent(ctx, scope); err != nil {
			return internal("delete idempotent", err)
		}
		return nil
	})
}

// PurgeIdempotency forgets Idempotency-Key answers older than
// IdempotencyWindow.
func (s *Service) PurgeIdempotency(ctx context.Context) error {
	return s.store.InTx(ctx, func(tx idv.Tx) error {
		if err := tx.PurgeIdempotentBefore(ctx, s.now().Add(-IdempotencyWindow)); err != nil {
			return internal("purge idempotency", err)
		}
		return nil
	})
}
