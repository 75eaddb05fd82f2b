package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
)

// WebhookService is the part of *app.Service behind the webhook routes.
type WebhookService interface {
	CreateWebhookEndpoint(ctx context.Context, p app.Principal, in app.WebhookEndpointInput) (app.WebhookEndpointView, error)
	WebhookEndpoints(ctx context.Context, p app.Principal) ([]app.WebhookEndpointView, error)
	WebhookEndpoint(ctx context.Context, p app.Principal, id string) (app.WebhookEndpointView, error)
	UpdateWebhookEndpoint(ctx context.Context, p app.Principal, id string, in app.WebhookEndpointInput) (app.WebhookEndpointView, error)
	DeleteWebhookEndpoint(ctx context.Context, p app.Principal, id string) error
	RotateWebhookSecret(ctx context.Context, p app.Principal, id string) (app.WebhookEndpointView, error)
	EndpointDeliveries(ctx context.Context, p app.Principal, id string, limit int) ([]idv.WebhookDelivery, error)
	SessionDeliveries(ctx context.Context, p app.Principal, sessionID string, limit int) ([]idv.WebhookDelivery, error)
	ReplayDelivery(ctx context.Context, p app.Principal, id string) (idv.WebhookDelivery, error)
	RecoverDeliveries(ctx context.Context, p app.Principal, endpointID string, since time.Time) (int, error)
}

// webhookRoutes are the routes of endpoints and deliveries.
func (s *Server) webhookRoutes() []route {
	const ep = "/v1/webhook-endpoints"
	body := s.opts.MaxBodyBytes
	return []route{
		{"POST " + ep, s.api(endpoint{auth: authKey, body: body, idempotent: true, fn: s.createEndpoint})},
		{"GET " + ep, s.api(endpoint{auth: authKey, fn: s.listEndpoints})},
		{"GET " + ep + "/{id}", s.api(endpoint{auth: authKey, fn: s.showEndpoint})},
		{"PATCH " + ep + "/{id}", s.api(endpoint{auth: authKey, body: body, fn: s.updateEndpoint})},
		{"DELETE " + ep + "/{id}", s.api(endpoint{auth: authKey, fn: s.deleteEndpoint})},
		{"POST " + ep + "/{id}/rotate-secret", s.api(endpoint{auth: authKey, idempotent: true, fn: s.rotateSecret})},
		{"GET " + ep + "/{id}/deliveries", s.api(endpoint{auth: authKey, fn: s.endpointDeliveries})},
		{"POST " + ep + "/{id}/recover", s.api(endpoint{auth: authKey, idempotent: true, fn: s.recoverDeliveries})},
		{"GET /v1/sessions/{id}/webhook-deliveries", s.api(endpoint{auth: authKey, fn: s.sessionDeliveries})},
		{"POST /v1/webhook-deliveries/{id}/replay", s.api(endpoint{auth: authKey, idempotent: true, fn: s.replayDelivery})},
	}
}

// webhooks returns the service, or an error when webhooks are not wired.
func (s *Server) webhooks() (WebhookService, error) {
	if s.opts.Webhooks == nil {
		return nil, idv.Errorf(idv.CodeNotFound, "Webhooks are not enabled on this server.")
	}
	return s.opts.Webhooks, nil
}

// endpointRequest is the body of POST and PATCH /v1/webhook-endpoints.
type endpointRequest struct {
	URL        *string   `json:"url"`
	EventTypes *[]string `json:"event_types"`
	Enabled    *bool     `json:"enabled"`
}

func decodeEndpoint(b []byte) (app.WebhookEndpointInput, error) {
	var req endpointRequest
	if err := decodeStrict(b, &req); err != nil {
		return app.WebhookEndpointInput{}, err
	}
	return app.WebhookEndpointInput(req), nil
}

// endpointReply is an endpoint; secret appears only when it was just made.
type endpointReply struct {
	ID             string     `json:"id"`
	URL            string     `json:"url"`
	EventTypes     []string   `json:"event_types"`
	Enabled        bool       `json:"enabled"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	FailingSince   *time.Time `json:"failing_since,omitempty"`
	Sandbox        bool       `json:"sandbox"`
	Source         string     `json:"source"`
	Secret         string     `json:"secret,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

func toEndpointReply(v app.WebhookEndpointView) endpointReply {
	types := v.EventTypes
	if types == nil {
		types = []string{}
	}
	return endpointReply{ID: v.ID, URL: v.URL, EventTypes: types, Enabled: v.Enabled,
		DisabledReason: v.DisabledReason, FailingSince: v.FailingSince, Sandbox: v.Sandbox, Source: v.Source,
		Secret: v.Secret, CreatedAt: v.CreatedAt.UTC(), UpdatedAt: v.UpdatedAt.UTC()}
}

type endpointsReply struct {
	WebhookEndpoints []endpointReply `json:"webhook_endpoints"`
}

func (s *Server) createEndpoint(ctx context.Context, c *call) (reply, error) {
	wh, err := s.webhooks()
	if err != nil {
		return reply{}, err
	}
	in, err := decodeEndpoint(c.body)
	if err != nil {
		return reply{}, err
	}
	v, err := wh.CreateWebhookEndpoint(ctx, c.p, in)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusCreated, toEndpointReply(v)}, nil
}

func (s *Server) listEndpoints(ctx context.Context, c *call) (reply, error) {
	wh, err := s.webhooks()
	if err != nil {
		return reply{}, err
	}
	vs, err := wh.WebhookEndpoints(ctx, c.p)
	if err != nil {
		return reply{}, err
	}
	out := endpointsReply{WebhookEndpoints: []endpointReply{}}
	for _, v := range vs {
		out.WebhookEndpoints = append(out.WebhookEndpoints, toEndpointReply(v))
	}
	return reply{http.StatusOK, out}, nil
}

func (s *Server) showEndpoint(ctx context.Context, c *call) (reply, error) {
	return s.endpointAnswer(http.StatusOK, func(wh WebhookService) (app.WebhookEndpointView, error) {
		return wh.WebhookEndpoint(ctx, c.p, c.id)
	})
}

func (s *Server) updateEndpoint(ctx context.Context, c *call) (reply, error) {
	in, err := decodeEndpoint(c.body)
	if err != nil {
		return reply{}, err
	}
	return s.endpointAnswer(http.StatusOK, func(wh WebhookService) (app.WebhookEndpointView, error) {
		return wh.UpdateWebhookEndpoint(ctx, c.p, c.id, in)
	})
}

func (s *Server) rotateSecret(ctx context.Context, c *call) (reply, error) {
	return s.endpointAnswer(http.StatusOK, func(wh WebhookService) (app.WebhookEndpointView, error) {
		return wh.RotateWebhookSecret(ctx, c.p, c.id)
	})
}

// endpointAnswer runs fn and answers its endpoint.
func (s *Server) endpointAnswer(status int, fn func(WebhookService) (app.WebhookEndpointView, error)) (reply, error) {
	wh, err := s.webhooks()
	if err != nil {
		return reply{}, err
	}
	v, err := fn(wh)
	if err != nil {
		return reply{}, err
	}
	return reply{status, toEndpointReply(v)}, nil
}

func (s *Server) deleteEndpoint(ctx context.Context, c *call) (reply, error) {
	wh, err := s.webhooks()
	if err != nil {
		return reply{}, err
	}
	if err := wh.DeleteWebhookEndpoint(ctx, c.p, c.id); err != nil {
		return reply{}, err
	}
	return reply{status: http.StatusNoContent}, nil
}

// attemptReply is one attempt of a delivery.
type attemptReply struct {
	N          int       `json:"n"`
	StartedAt  time.Time `json:"started_at"`
	LatencyMS  float64   `json:"latency_ms"`
	StatusCode int       `json:"status_code,omitempty"`
	Response   string    `json:"response,omitempty"`
	Error      string    `json:"error,omitempty"`
}

// deliveryReply is one delivery with its attempts.
type deliveryReply struct {
	ID            string         `json:"id"`
	WebhookID     string         `json:"webhook_id"`
	EndpointID    string         `json:"endpoint_id"`
	SessionID     string         `json:"session_id"`
	EventType     string         `json:"event_type"`
	State         string         `json:"state"`
	Attempts      int            `json:"attempts"`
	NextAttemptAt *time.Time     `json:"next_attempt_at,omitempty"`
	LastStatus    int            `json:"last_status,omitempty"`
	LastError     string         `json:"last_error,omitempty"`
	CreatedAt     time.Time      `json:"created_at"`
	DeliveredAt   *time.Time     `json:"delivered_at,omitempty"`
	AttemptLog    []attemptReply `json:"attempt_log"`
}

type deliveriesReply struct {
	Deliveries []deliveryReply `json:"deliveries"`
}

func toDeliveryReply(d idv.WebhookDelivery) deliveryReply {
	out := deliveryReply{ID: d.ID, WebhookID: d.MessageID, EndpointID: d.EndpointID, SessionID: d.SessionID,
		EventType: d.EventType, State: string(d.State), Attempts: d.Attempts, LastStatus: d.LastStatus,
		LastError: d.LastError, CreatedAt: d.CreatedAt.UTC(), DeliveredAt: d.DeliveredAt, AttemptLog: []attemptReply{}}
	if d.State == idv.DeliveryPending {
		next := d.NextAttemptAt.UTC()
		out.NextAttemptAt = &next
	}
	for _, a := range d.AttemptLog {
		out.AttemptLog = append(out.AttemptLog, attemptReply{N: a.N, StartedAt: a.StartedAt.UTC(),
			LatencyMS: float64(a.Latency.Microseconds()) / 1000, StatusCode: a.StatusCode, Response: a.Response, Error: a.Error})
	}
	return out
}

// limitParam reads ?limit= (1..1000; absent: the default).
func limitParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		return 0, fieldError("limit", "must be an integer from 1 to 1000")
	}
	return n, nil
}

func (s *Server) endpointDeliveries(ctx context.Context, c *call) (reply, error) {
	return s.deliveriesAnswer(c, func(wh WebhookService, limit int) ([]idv.WebhookDelivery, error) {
		return wh.EndpointDeliveries(ctx, c.p, c.id, limit)
	})
}

func (s *Server) sessionDeliveries(ctx context.Context, c *call) (reply, error) {
	return s.deliveriesAnswer(c, func(wh WebhookService, limit int) ([]idv.WebhookDelivery, error) {
		return wh.SessionDeliveries(ctx, c.p, c.id, limit)
	})
}

// deliveriesAnswer runs list with the request's limit and answers its
// deliveries.
func (s *Server) deliveriesAnswer(c *call, list func(WebhookService, int) ([]idv.WebhookDelivery, error)) (reply, error) {
	wh, err := s.webhooks()
	if err != nil {
		return reply{}, err
	}
	limit, err := limitParam(c.r)
	if err != nil {
		return reply{}, err
	}
	ds, err := list(wh, limit)
	if err != nil {
		return reply{}, err
	}
	out := deliveriesReply{Deliveries: []deliveryReply{}}
	for _, d := range ds {
		out.Deliveries = append(out.Deliveries, toDeliveryReply(d))
	}
	return reply{http.StatusOK, out}, nil
}

func (s *Server) replayDelivery(ctx context.Context, c *call) (reply, error) {
	wh, err := s.webhooks()
	if err != nil {
		return reply{}, err
	}
	d, err := wh.ReplayDelivery(ctx, c.p, c.id)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusAccepted, toDeliveryReply(d)}, nil
}

// recoverReply says how many deliveries were queued again.
type recoverReply struct {
	Recovered int `json:"recovered"`
}

func (s *Server) recoverDeliveries(ctx context.Context, c *call) (reply, error) {
	wh, err := s.webhooks()
	if err != nil {
		return reply{}, err
	}
	v := c.r.URL.Query().Get("since")
	since, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return reply{}, fieldError("since", "is required: an RFC 3339 time such as 2026-01-02T15:04:05Z")
	}
	n, err := wh.RecoverDeliveries(ctx, c.p, c.id, since)
	if err != nil {
		return reply{}, err
	}
	return reply{http.StatusAccepted, recoverReply{Recovered: n}}, nil
}
