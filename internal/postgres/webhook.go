package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openidv/openidv/internal/idv"
)

const endpointColumns = `id, sandbox, url, event_types, enabled, disabled_reason, failing_since,
	wrapped_key, sealed_secrets, source, created_at, updated_at`

// eventTypesText stores a filter as ' a b ' so that one type matches with
// strpos(event_types, ' ' || type || ' '); ” means every type.
func eventTypesText(types []string) string {
	if len(types) == 0 {
		return ""
	}
	return " " + strings.Join(types, " ") + " "
}

func endpointArgs(e idv.WebhookEndpoint) []any {
	return []any{e.ID, e.Sandbox, e.URL, eventTypesText(e.EventTypes), e.Enabled, e.DisabledReason,
		tsPtr(e.FailingSince), nonNil(e.WrappedKey), nonNil(e.SealedSecrets), e.Source, ts(e.CreatedAt), ts(e.UpdatedAt)}
}

// endpointRow receives endpoint columns scanned alone or with others.
type endpointRow struct {
	e     idv.WebhookEndpoint
	types string
}

func (r *endpointRow) dest() []any {
	return []any{&r.e.ID, &r.e.Sandbox, &r.e.URL, &r.types, &r.e.Enabled, &r.e.DisabledReason, &r.e.FailingSince,
		&r.e.WrappedKey, &r.e.SealedSecrets, &r.e.Source, &r.e.CreatedAt, &r.e.UpdatedAt}
}

func (r *endpointRow) endpoint() idv.WebhookEndpoint {
	e := r.e
	e.EventTypes = strings.Fields(r.types)
	e.FailingSince = utcPtr(e.FailingSince)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e
}

// CreateWebhookEndpoint stores e; a URL already used in its mode conflicts.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e idv.WebhookEndpoint) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO webhook_endpoints (`+endpointColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, endpointArgs(e)...)
	return mapErr("create webhook endpoint", err)
}

// WebhookEndpoint reads one endpoint.
func (s *Store) WebhookEndpoint(ctx context.Context, id string) (idv.WebhookEndpoint, error) {
	var r endpointRow
	err := s.pool.QueryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = $1`, id).Scan(r.dest()...)
	if err != nil {
		return idv.WebhookEndpoint{}, mapErr("read webhook endpoint", err)
	}
	return r.endpoint(), nil
}

// WebhookEndpoints lists the endpoints of a mode, oldest first.
func (s *Store) WebhookEndpoints(ctx context.Context, sandbox bool) ([]idv.WebhookEndpoint, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE sandbox = $1 ORDER BY created_at, id`, sandbox)
	if err != nil {
		return nil, mapErr("list webhook endpoints", err)
	}
	var (
		r   endpointRow
		out []idv.WebhookEndpoint
	)
	_, err = pgx.ForEachRow(rows, r.dest(), func() error {
		out = append(out, r.endpoint())
		return nil
	})
	return out, mapErr("list webhook endpoints", err)
}

// UpdateWebhookEndpoint replaces the stored endpoint's fields.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, e idv.WebhookEndpoint) error {
	tag, err := s.pool.Exec(ctx, `UPDATE webhook_endpoints SET sandbox = $2, url = $3,
		event_types = $4, enabled = $5, disabled_reason = $6, failing_since = $7, wrapped_key = $8,
		sealed_secrets = $9, source = $10, created_at = $11, updated_at = $12 WHERE id = $1`, endpointArgs(e)...)
	if err != nil {
		return mapErr("update webhook endpoint", err)
	}
	if tag.RowsAffected() == 0 {
		return idv.ErrNotFound
	}
	return nil
}

// DeleteWebhookEndpoint removes an endpoint, its deliveries and attempts.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM webhook_endpoints WHERE id = $1`, id)
		if err != nil {
			return mapErr("delete webhook endpoint", err)
		}
		if tag.RowsAffected() == 0 {
			return idv.ErrNotFound
		}
		_, err = tx.Exec(ctx, `DELETE FROM webhook_attempts WHERE delivery_id IN
			(SELECT id FROM webhook_deliveries WHERE endpoint_id = $1)`, id)
		if err != nil {
			return mapErr("delete webhook attempts", err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM webhook_deliveries WHERE endpoint_id = $1`, id)
		return mapErr("delete webhook deliveries", err)
	})
}

// fanOutInsert starts the statement that queues the deliveries of one
// outbox message ($1 id, $2 session, $3 type, $6 created, $8 first attempt)
// to each endpoint e it is joined with (in EnqueueOutbox).
const fanOutInsert = `INSERT INTO webhook_deliveries (id, message_id,
		endpoint_id, session_id, event_type, state, attempts, round_attempts, next_attempt_at, claim,
		last_status, last_error, created_at)
		SELECT 'dlv_' || replace(gen_random_uuid()::text, '-', ''), $1::text, e.id, $2::text, $3::text, 'pending', 0, 0,
			$8::timestamptz, '', 0, '', $6::timestamptz`

// newClaim returns a random lease token.
func newClaim() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

const deliveryColumns = `d.id, d.message_id, d.endpoint_id, d.session_id, d.event_type, d.state, d.attempts,
	d.round_attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at`

func deliveryDest(d *idv.WebhookDelivery) []any {
	return []any{&d.ID, &d.MessageID, &d.EndpointID, &d.SessionID, &d.EventType, &d.State, &d.Attempts,
		&d.RoundAttempts, &d.NextAttemptAt, &d.LastStatus, &d.LastError, &d.CreatedAt, &d.DeliveredAt}
}

func utcDelivery(d idv.WebhookDelivery) idv.WebhookDelivery {
	d.NextAttemptAt, d.CreatedAt, d.DeliveredAt = d.NextAttemptAt.UTC(), d.CreatedAt.UTC(), utcPtr(d.DeliveredAt)
	return d
}

// prefixed qualifies every column of a list with p.
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// ClaimWebhookDeliveries leases due deliveries in one statement: rows
// locked by another replica's claim are skipped (FOR UPDATE SKIP LOCKED),
// and once claimed they are not due again before leaseUntil.
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, r idv.ClaimRequest) ([]idv.ClaimedDelivery, error) {
	claim := newClaim()
	held := r.Held
	if held == nil {
		held = map[string]int{}
	}
	heldJSON, err := json.Marshal(held)
	if err != nil {
		return nil, fmt.Errorf("postgres: encode held deliveries: %w", err)
	}
	// first takes the first due deliveries of endpoints with room ($7 of
	// them: a claim's cost follows the batch, not the backlog); ranked
	// numbers each endpoint's (n) in due order after those the caller holds
	// ($5); only those within the per-endpoint limit ($6, none when not
	// positive) compete for the batch. picked repeats the due test on d so
	// that a row claimed meanwhile is rechecked and left.
	rows, err := s.pool.Query(ctx, `WITH first AS (
			SELECT d.seq, d.endpoint_id, d.next_attempt_at AS due, COALESCE(h.value::int, 0) AS held
			FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
			LEFT JOIN jsonb_each_text($5::jsonb) h ON h.key = d.endpoint_id
			WHERE d.state = 'pending' AND d.next_attempt_at <= $3 AND e.enabled
				AND ($6 <= 0 OR COALESCE(h.value::int, 0) < $6)
			ORDER BY d.next_attempt_at, d.seq LIMIT $7
		), ranked AS (
			SELECT seq, due, held + row_number() OVER (PARTITION BY endpoint_id ORDER BY due, seq) AS n FROM first
		), picked AS (
			SELECT d.seq FROM webhook_deliveries d JOIN ranked r ON r.seq = d.seq
			WHERE ($6 <= 0 OR r.n <= $6) AND d.state = 'pending' AND d.next_attempt_at <= $3
			ORDER BY r.due, r.seq LIMIT $4
			FOR UPDATE OF d SKIP LOCKED
		), claimed AS (
			UPDATE webhook_deliveries d SET next_attempt_at = $1, claim = $2
			FROM picked WHERE d.seq = picked.seq RETURNING d.*
		)
		SELECT `+deliveryColumns+`, o.payload, `+prefixed("e.", endpointColumns)+`
		FROM claimed d JOIN outbox o ON o.id = d.message_id JOIN webhook_endpoints e ON e.id = d.endpoint_id
		ORDER BY d.seq`, ts(r.LeaseUntil), claim, ts(r.Now), r.Limit, string(heldJSON), r.PerEndpoint,
		r.Limit*max(r.PerEndpoint, 1))
	if err != nil {
		return nil, mapErr("claim webhook deliveries", err)
	}
	var (
		cd  idv.ClaimedDelivery
		ep  endpointRow
		out []idv.ClaimedDelivery
	)
	dest := append(append(deliveryDest(&cd.Delivery), &cd.Payload), ep.dest()...)
	_, err = pgx.ForEachRow(rows, dest, func() error {
		out = append(out, idv.ClaimedDelivery{Delivery: utcDelivery(cd.Delivery), Claim: claim,
			Payload: append([]byte(nil), cd.Payload...), Endpoint: ep.endpoint()})
		return nil
	})
	return out, mapErr("claim webhook deliveries", err)
}

// FinishWebhookAttempts records attempts whose claim still holds, in one
// transaction and one round trip: each result is one statement whose
// data-modifying CTEs update the delivery (if the claim holds), insert the
// attempt and apply the outcome to the endpoint.
func (s *Store) FinishWebhookAttempts(ctx context.Context, results []idv.AttemptResult) error {
	var batch pgx.Batch
	for _, r := range results {
		a := r.Attempt
		args := []any{r.DeliveryID, r.Claim, string(r.State), ts(r.NextAttemptAt), a.StatusCode, a.Error,
			ts(a.StartedAt.Add(a.Latency)), ts(a.StartedAt), a.Latency.Microseconds(), a.Response}
		if r.Success {
			batch.Queue(finishDelivery+finishSuccess, args...)
		} else {
			batch.Queue(finishDelivery+finishFailure, append(args, r.Disable, ts(r.FailingCutoff), r.FailingReason)...)
		}
	}
	// A batch sent outside a transaction runs as one implicit transaction.
	return mapErr("finish webhook attempts", s.pool.SendBatch(ctx, &batch).Close())
}

// finishDelivery updates a delivery whose claim holds and records the
// attempt; finishSuccess or finishFailure completes the statement.
const finishDelivery = `WITH d AS (
		UPDATE webhook_deliveries SET state = $3, attempts = attempts + 1, round_attempts = round_attempts + 1,
			next_attempt_at = $4, claim = '', last_status = $5, last_error = $6,
			delivered_at = CASE WHEN $3 = 'delivered' THEN $7::timestamptz ELSE delivered_at END
		WHERE id = $1 AND claim = $2 RETURNING attempts, endpoint_id
	), a AS (
		INSERT INTO webhook_attempts (delivery_id, n, started_at, latency_us, status, response, error)
		SELECT $1, d.attempts, $8, $9, $5, $10, $6 FROM d
	)
	`

const finishSuccess = `UPDATE webhook_endpoints SET failing_since = NULL
	WHERE id IN (SELECT endpoint_id FROM d) AND failing_since IS NOT NULL`

const finishFailure = `UPDATE webhook_endpoints SET
		failing_since = COALESCE(failing_since, $8),
		enabled = CASE WHEN $11 <> '' OR COALESCE(failing_since, $8) < $12 THEN false ELSE enabled END,
		disabled_reason = CASE WHEN $11 <> '' THEN $11 WHEN COALESCE(failing_since, $8) < $12 THEN $13 ELSE disabled_reason END
	WHERE id IN (SELECT endpoint_id FROM d) AND enabled`

// ReleaseWebhookClaims makes still-held claims due at now.
func (s *Store) ReleaseWebhookClaims(ctx context.Context, claims []idv.ClaimedDelivery, now time.Time) error {
	var batch pgx.Batch
	for _, cd := range claims {
		batch.Queue(`UPDATE webhook_deliveries SET next_attempt_at = $3, claim = ''
			WHERE id = $1 AND claim = $2 AND state = 'pending'`, cd.Delivery.ID, cd.Claim, ts(now))
	}
	return mapErr("release webhook claims", s.pool.SendBatch(ctx, &batch).Close())
}

// WebhookDeliveries lists deliveries, newest first, with their attempts.
func (s *Store) WebhookDeliveries(ctx context.Context, q idv.DeliveryQuery) ([]idv.WebhookDelivery, error) {
	where, arg := "d.endpoint_id = $1", q.EndpointID
	if q.SessionID != "" {
		where, arg = "d.session_id = $1", q.SessionID
	}
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d
		WHERE `+where+` ORDER BY d.seq DESC LIMIT $2`, arg, q.Limit)
	if err != nil {
		return nil, mapErr("list webhook deliveries", err)
	}
	var (
		d   idv.WebhookDelivery
		out []idv.WebhookDelivery
	)
	if _, err = pgx.ForEachRow(rows, deliveryDest(&d), func() error {
		out = append(out, utcDelivery(d))
		return nil
	}); err != nil {
		return nil, mapErr("list webhook deliveries", err)
	}
	if err := s.attachAttempts(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// attachAttempts reads the attempts of every delivery of ds in one query.
func (s *Store) attachAttempts(ctx context.Context, ds []idv.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]string, len(ds))
	at := make(map[string]int, len(ds))
	for i, d := range ds {
		ids[i], at[d.ID] = d.ID, i
	}
	rows, err := s.pool.Query(ctx, `SELECT delivery_id, n, started_at, latency_us, status, response, error
		FROM webhook_attempts WHERE delivery_id = ANY($1) ORDER BY delivery_id, n`, ids)
	if err != nil {
		return mapErr("list webhook attempts", err)
	}
	var (
		a       idv.WebhookAttempt
		latency int64
	)
	_, err = pgx.ForEachRow(rows, []any{&a.DeliveryID, &a.N, &a.StartedAt, &latency, &a.StatusCode, &a.Response, &a.Error}, func() error {
		a.StartedAt, a.Latency = a.StartedAt.UTC(), time.Duration(latency)*time.Microsecond
		d := &ds[at[a.DeliveryID]]
		d.AttemptLog = append(d.AttemptLog, a)
		return nil
	})
	return mapErr("list webhook attempts", err)
}

// WebhookDelivery reads one delivery.
func (s *Store) WebhookDelivery(ctx context.Context, id string) (idv.WebhookDelivery, error) {
	var d idv.WebhookDelivery
	err := s.pool.QueryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d WHERE d.id = $1`, id).Scan(deliveryDest(&d)...)
	if err != nil {
		return idv.WebhookDelivery{}, mapErr("read webhook delivery", err)
	}
	return utcDelivery(d), nil
}

// ReplayWebhookDelivery makes a delivery due again with a fresh schedule.
func (s *Store) ReplayWebhookDelivery(ctx context.Context, id string, now time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE webhook_deliveries SET state = 'pending',
		round_attempts = 0, next_attempt_at = $2, claim = '' WHERE id = $1`, id, ts(now))
	if err != nil {
		return mapErr("replay webhook delivery", err)
	}
	if tag.RowsAffected() == 0 {
		return idv.ErrNotFound
	}
	return nil
}

// RecoverWebhookDeliveries replays failed deliveries created since.
func (s *Store) RecoverWebhookDeliveries(ctx context.Context, endpointID string, since, now time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE webhook_deliveries SET state = 'pending',
		round_attempts = 0, next_attempt_at = $3, claim = ''
		WHERE endpoint_id = $1 AND state = 'failed' AND created_at >= $2`, endpointID, ts(since), ts(now))
	return int(tag.RowsAffected()), mapErr("recover webhook deliveries", err)
}
