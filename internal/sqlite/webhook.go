package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/openidv/openidv/internal/idv"
)

const endpointColumns = `id, sandbox, url, event_types, enabled, disabled_reason, failing_since,
	wrapped_key, sealed_secrets, source, created_at, updated_at`

// eventTypesText stores a filter as ' a b ' so that one type matches with
// instr(event_types, ' ' || type || ' '); ” means every type.
func eventTypesText(types []string) string {
	if len(types) == 0 {
		return ""
	}
	return " " + strings.Join(types, " ") + " "
}

func endpointArgs(e idv.WebhookEndpoint) []any {
	return []any{e.ID, boolInt(e.Sandbox), e.URL, eventTypesText(e.EventTypes), boolInt(e.Enabled),
		e.DisabledReason, microsPtr(e.FailingSince), nonNil(e.WrappedKey), nonNil(e.SealedSecrets), e.Source,
		micros(e.CreatedAt), micros(e.UpdatedAt)}
}

type scanner interface{ Scan(dest ...any) error }

func scanEndpoint(row scanner) (idv.WebhookEndpoint, error) {
	var r endpointRow
	if err := row.Scan(r.dest()...); err != nil {
		return idv.WebhookEndpoint{}, mapErr("read webhook endpoint", err)
	}
	return r.endpoint(), nil
}

// writeTx runs fn on the writer's transaction.
func (s *Store) writeTx(ctx context.Context, fn func(c context.Context, t *tx) error) error {
	return s.InTx(ctx, func(itx idv.Tx) error {
		t := itx.(*tx)
		c, err := t.begin(ctx)
		if err != nil {
			return err
		}
		return fn(c, t)
	})
}

// CreateWebhookEndpoint stores e; a URL already used in its mode conflicts.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e idv.WebhookEndpoint) error {
	return s.writeTx(ctx, func(c context.Context, t *tx) error {
		_, err := t.exec(c, "create webhook endpoint", `INSERT INTO webhook_endpoints (`+endpointColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, endpointArgs(e)...)
		return err
	})
}

// WebhookEndpoint reads one endpoint.
func (s *Store) WebhookEndpoint(ctx context.Context, id string) (idv.WebhookEndpoint, error) {
	return scanEndpoint(s.reads.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = $1`, id))
}

// WebhookEndpoints lists the endpoints of a mode, oldest first.
func (s *Store) WebhookEndpoints(ctx context.Context, sandbox bool) ([]idv.WebhookEndpoint, error) {
	rows, err := s.reads.QueryContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints
		WHERE sandbox = $1 ORDER BY created_at, id`, boolInt(sandbox))
	if err != nil {
		return nil, mapErr("list webhook endpoints", err)
	}
	defer rows.Close()
	var out []idv.WebhookEndpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, mapErr("list webhook endpoints", rows.Err())
}

// UpdateWebhookEndpoint replaces the stored endpoint's fields.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, e idv.WebhookEndpoint) error {
	return s.writeTx(ctx, func(c context.Context, t *tx) error {
		n, err := t.exec(c, "update webhook endpoint", `UPDATE webhook_endpoints SET sandbox = $2, url = $3,
			event_types = $4, enabled = $5, disabled_reason = $6, failing_since = $7, wrapped_key = $8,
			sealed_secrets = $9, source = $10, created_at = $11, updated_at = $12 WHERE id = $1`, endpointArgs(e)...)
		if err == nil && n == 0 {
			return idv.ErrNotFound
		}
		return err
	})
}

// DeleteWebhookEndpoint removes an endpoint, its deliveries and attempts.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	return s.writeTx(ctx, func(c context.Context, t *tx) error {
		n, err := t.exec(c, "delete webhook endpoint", `DELETE FROM webhook_endpoints WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return idv.ErrNotFound
		}
		if _, err := t.exec(c, "delete webhook attempts", `DELETE FROM webhook_attempts WHERE delivery_id IN
			(SELECT id FROM webhook_deliveries WHERE endpoint_id = $1)`, id); err != nil {
			return err
		}
		_, err = t.exec(c, "delete webhook deliveries", `DELETE FROM webhook_deliveries WHERE endpoint_id = $1`, id)
		return err
	})
}

// fanOut creates the deliveries of one outbox message (in EnqueueOutbox).
func (t *tx) fanOut(ctx context.Context, m idv.OutboxMessage) error {
	_, err := t.exec(ctx, "enqueue webhook deliveries", `INSERT INTO webhook_deliveries (id, message_id,
		endpoint_id, session_id, event_type, state, attempts, round_attempts, next_attempt_at, claim,
		last_status, last_error, created_at)
		SELECT 'dlv_' || lower(hex(randomblob(16))), $1, e.id, $2, $3, 'pending', 0, 0, $4, '', 0, '', $5
		FROM webhook_endpoints e
		WHERE e.sandbox = $6 AND e.enabled = 1 AND (e.event_types = '' OR instr(e.event_types, ' ' || $3 || ' ') > 0)
		ORDER BY e.created_at, e.id`,
		m.ID, m.SessionID, m.EventType, micros(m.NextAttemptAt), micros(m.CreatedAt), boolInt(m.Sandbox))
	return err
}

// newClaim returns a random lease token.
func newClaim() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

const deliveryColumns = `d.id, d.message_id, d.endpoint_id, d.session_id, d.event_type, d.state, d.attempts,
	d.round_attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at`

func scanDelivery(row scanner, extra ...any) (idv.WebhookDelivery, error) {
	var (
		d             idv.WebhookDelivery
		next, created int64
		delivered     sql.NullInt64
	)
	dest := append([]any{&d.ID, &d.MessageID, &d.EndpointID, &d.SessionID, &d.EventType, &d.State, &d.Attempts,
		&d.RoundAttempts, &next, &d.LastStatus, &d.LastError, &created, &delivered}, extra...)
	if err := row.Scan(dest...); err != nil {
		return idv.WebhookDelivery{}, mapErr("read webhook delivery", err)
	}
	d.NextAttemptAt, d.CreatedAt, d.DeliveredAt = fromMicros(next), fromMicros(created), fromMicrosPtr(delivered)
	return d, nil
}

// ClaimWebhookDeliveries leases due deliveries; the single writer makes the
// claim exclusive. CROSS JOIN makes SQLite walk the due index first: left
// to itself it starts from the (small) endpoint table and scans all of an
// endpoint's deliveries, which with a large backlog blocks the writer.
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, r idv.ClaimRequest) ([]idv.ClaimedDelivery, error) {
	claim := newClaim()
	held, err := json.Marshal(nonNilHeld(r.Held))
	if err != nil {
		return nil, fmt.Errorf("sqlite: encode held deliveries: %w", err)
	}
	var out []idv.ClaimedDelivery
	err = s.writeTx(ctx, func(c context.Context, t *tx) error {
		out = nil
		seqs, err := t.claimSeqs(c, r, claim, string(held))
		if err != nil || len(seqs) == 0 {
			return err
		}
		list, err := json.Marshal(seqs)
		if err != nil {
			return fmt.Errorf("sqlite: encode claimed seqs: %w", err)
		}
		// One JSON array keeps the query text constant for the statement cache.
		rows, err := t.q.QueryContext(c, `SELECT `+deliveryColumns+`, o.payload, `+prefixed("e.", endpointColumns)+`
			FROM webhook_deliveries d JOIN outbox o ON o.id = d.message_id JOIN webhook_endpoints e ON e.id = d.endpoint_id
			WHERE d.seq IN (SELECT value FROM json_each($1)) ORDER BY d.seq`, string(list))
		if err != nil {
			return mapErr("read claimed deliveries", err)
		}
		defer rows.Close()
		for rows.Next() {
			cd := idv.ClaimedDelivery{Claim: claim}
			var ep endpointRow
			if cd.Delivery, err = scanDelivery(rows, append([]any{&cd.Payload}, ep.dest()...)...); err != nil {
				return err
			}
			cd.Endpoint = ep.endpoint()
			out = append(out, cd)
		}
		return mapErr("read claimed deliveries", rows.Err())
	})
	return out, err
}

// nonNilHeld makes a nil map encode as {}.
func nonNilHeld(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// candidates is how many of the first due deliveries of endpoints with
// room a claim considers: enough for a full batch unless a few endpoints
// own them all, in which case those fill up and the next claim looks past
// them. It keeps a claim's cost bounded by the batch, not the backlog.
func candidates(r idv.ClaimRequest) int {
	return r.Limit * max(r.PerEndpoint, 1)
}

// claimSeqs leases due deliveries and returns their seq numbers. Of the
// first due deliveries of endpoints with room, each endpoint's are
// numbered (n) in due order after those the caller holds ($5, a JSON
// object of endpoint id → count); only those within the per-endpoint limit
// ($6, none when not positive) compete for the batch.
func (t *tx) claimSeqs(c context.Context, r idv.ClaimRequest, claim, held string) ([]int64, error) {
	rows, err := t.q.QueryContext(c, `UPDATE webhook_deliveries SET next_attempt_at = $1, claim = $2
		WHERE seq IN (SELECT seq FROM (
				SELECT seq, due, held + row_number() OVER (PARTITION BY endpoint_id ORDER BY due, seq) AS n FROM (
					SELECT d.seq, d.endpoint_id, d.next_attempt_at AS due, COALESCE(h.value, 0) AS held
					FROM webhook_deliveries d CROSS JOIN webhook_endpoints e ON e.id = d.endpoint_id
					LEFT JOIN json_each($5) h ON h.key = d.endpoint_id
					WHERE d.state = 'pending' AND d.next_attempt_at <= $3 AND e.enabled = 1
						AND ($6 <= 0 OR COALESCE(h.value, 0) < $6)
					ORDER BY d.next_attempt_at, d.seq LIMIT $7))
			WHERE $6 <= 0 OR n <= $6
			ORDER BY due, seq LIMIT $4)
		RETURNING seq`, micros(r.LeaseUntil), claim, micros(r.Now), r.Limit, held, r.PerEndpoint, candidates(r))
	if err != nil {
		return nil, mapErr("claim webhook deliveries", err)
	}
	defer rows.Close()
	var seqs []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, mapErr("claim webhook deliveries", err)
		}
		seqs = append(seqs, seq)
	}
	return seqs, mapErr("claim webhook deliveries", rows.Err())
}

// prefixed qualifies every column of a list with p.
func prefixed(p, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// endpointRow receives endpoint columns scanned alone or with others.
type endpointRow struct {
	e                idv.WebhookEndpoint
	sandbox, enabled int64
	types            string
	failing          sql.NullInt64
	created, updated int64
}

func (r *endpointRow) dest() []any {
	return []any{&r.e.ID, &r.sandbox, &r.e.URL, &r.types, &r.enabled, &r.e.DisabledReason, &r.failing,
		&r.e.WrappedKey, &r.e.SealedSecrets, &r.e.Source, &r.created, &r.updated}
}

func (r *endpointRow) endpoint() idv.WebhookEndpoint {
	e := r.e
	e.Sandbox, e.Enabled = r.sandbox != 0, r.enabled != 0
	e.EventTypes = strings.Fields(r.types)
	e.FailingSince = fromMicrosPtr(r.failing)
	e.CreatedAt, e.UpdatedAt = fromMicros(r.created), fromMicros(r.updated)
	return e
}

// FinishWebhookAttempts records attempts whose claim still holds.
func (s *Store) FinishWebhookAttempts(ctx context.Context, results []idv.AttemptResult) error {
	return s.writeTx(ctx, func(c context.Context, t *tx) error {
		for _, r := range results {
			if err := t.finish(c, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func (t *tx) finish(c context.Context, r idv.AttemptResult) error {
	a := r.Attempt
	n, err := t.exec(c, "finish webhook attempt", `UPDATE webhook_deliveries SET state = $3, attempts = attempts + 1,
		round_attempts = round_attempts + 1, next_attempt_at = $4, claim = '', last_status = $5, last_error = $6,
		delivered_at = CASE WHEN $3 = 'delivered' THEN $7 ELSE delivered_at END
		WHERE id = $1 AND claim = $2`,
		r.DeliveryID, r.Claim, string(r.State), micros(r.NextAttemptAt), a.StatusCode, a.Error, micros(a.StartedAt.Add(a.Latency)))
	if err != nil || n == 0 {
		return err // n == 0: the lease was lost; another attempt owns the row
	}
	_, err = t.exec(c, "record webhook attempt", `INSERT INTO webhook_attempts (delivery_id, n, started_at, latency_us,
		status, response, error) SELECT $1, attempts, $2, $3, $4, $5, $6 FROM webhook_deliveries WHERE id = $1`,
		r.DeliveryID, micros(a.StartedAt), a.Latency.Microseconds(), a.StatusCode, a.Response, a.Error)
	if err != nil {
		return err
	}
	return t.endpointOutcome(c, r)
}

// endpointOutcome applies an attempt's effect on its endpoint.
func (t *tx) endpointOutcome(c context.Context, r idv.AttemptResult) error {
	if r.Success {
		_, err := t.exec(c, "webhook endpoint success", `UPDATE webhook_endpoints SET failing_since = NULL
			WHERE id = $1 AND failing_since IS NOT NULL`, r.EndpointID)
		return err
	}
	_, err := t.exec(c, "webhook endpoint failure", `UPDATE webhook_endpoints SET
		failing_since = COALESCE(failing_since, $2),
		enabled = CASE WHEN $3 <> '' OR COALESCE(failing_since, $2) < $4 THEN 0 ELSE enabled END,
		disabled_reason = CASE WHEN $3 <> '' THEN $3 WHEN COALESCE(failing_since, $2) < $4 THEN $5 ELSE disabled_reason END
		WHERE id = $1 AND enabled = 1`,
		r.EndpointID, micros(r.Attempt.StartedAt), r.Disable, micros(r.FailingCutoff), r.FailingReason)
	return err
}

// ReleaseWebhookClaims makes still-held claims due at now.
func (s *Store) ReleaseWebhookClaims(ctx context.Context, claims []idv.ClaimedDelivery, now time.Time) error {
	return s.writeTx(ctx, func(c context.Context, t *tx) error {
		for _, cd := range claims {
			_, err := t.exec(c, "release webhook claim", `UPDATE webhook_deliveries SET next_attempt_at = $3, claim = ''
				WHERE id = $1 AND claim = $2 AND state = 'pending'`, cd.Delivery.ID, cd.Claim, micros(now))
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// WebhookDeliveries lists deliveries, newest first, with their attempts.
func (s *Store) WebhookDeliveries(ctx context.Context, q idv.DeliveryQuery) ([]idv.WebhookDelivery, error) {
	where, arg := "d.endpoint_id = $1", q.EndpointID
	if q.SessionID != "" {
		where, arg = "d.session_id = $1", q.SessionID
	}
	rows, err := s.reads.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d
		WHERE `+where+` ORDER BY d.seq DESC LIMIT $2`, arg, q.Limit)
	if err != nil {
		return nil, mapErr("list webhook deliveries", err)
	}
	var out []idv.WebhookDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr("list webhook deliveries", err)
	}
	if err := s.attachAttempts(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// attachAttempts reads the attempts of every delivery of ds in one query.
// The ids travel as one JSON array so that the query text stays constant
// (the statement cache holds one statement per text).
func (s *Store) attachAttempts(ctx context.Context, ds []idv.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	ids := make([]string, len(ds))
	at := make(map[string]int, len(ds))
	for i, d := range ds {
		ids[i], at[d.ID] = d.ID, i
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("sqlite: encode delivery ids: %w", err)
	}
	rows, err := s.reads.QueryContext(ctx, `SELECT delivery_id, n, started_at, latency_us, status, response, error
		FROM webhook_attempts WHERE delivery_id IN (SELECT value FROM json_each($1)) ORDER BY delivery_id, n`, string(list))
	if err != nil {
		return mapErr("list webhook attempts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			a                idv.WebhookAttempt
			started, latency int64
		)
		if err := rows.Scan(&a.DeliveryID, &a.N, &started, &latency, &a.StatusCode, &a.Response, &a.Error); err != nil {
			return mapErr("list webhook attempts", err)
		}
		a.StartedAt, a.Latency = fromMicros(started), time.Duration(latency)*time.Microsecond
		d := &ds[at[a.DeliveryID]]
		d.AttemptLog = append(d.AttemptLog, a)
	}
	return mapErr("list webhook attempts", rows.Err())
}

// WebhookDelivery reads one delivery.
func (s *Store) WebhookDelivery(ctx context.Context, id string) (idv.WebhookDelivery, error) {
	return scanDelivery(s.reads.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d WHERE d.id = $1`, id))
}

// ReplayWebhookDelivery makes a delivery due again with a fresh schedule.
func (s *Store) ReplayWebhookDelivery(ctx context.Context, id string, now time.Time) error {
	return s.writeTx(ctx, func(c context.Context, t *tx) error {
		n, err := t.exec(c, "replay webhook delivery", `UPDATE webhook_deliveries SET state = 'pending',
			round_attempts = 0, next_attempt_at = $2, claim = '' WHERE id = $1`, id, micros(now))
		if err == nil && n == 0 {
			return idv.ErrNotFound
		}
		return err
	})
}

// RecoverWebhookDeliveries replays failed deliveries created since.
func (s *Store) RecoverWebhookDeliveries(ctx context.Context, endpointID string, since, now time.Time) (int, error) {
	var n int64
	err := s.writeTx(ctx, func(c context.Context, t *tx) (err error) {
		n, err = t.exec(c, "recover webhook deliveries", `UPDATE webhook_deliveries SET state = 'pending',
			round_attempts = 0, next_attempt_at = $3, claim = ''
			WHERE endpoint_id = $1 AND state = 'failed' AND created_at >= $2`, endpointID, micros(since), micros(now))
		return err
	})
	return int(n), err
}
