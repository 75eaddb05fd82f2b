package app

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/whsecret"
)

// MaxEventTypes caps the event-type filter of one endpoint.
const MaxEventTypes = 64

// DefaultDeliveryListLimit is how many deliveries a log page shows.
const DefaultDeliveryListLimit = 100

// WebhookEndpointInput creates or changes an endpoint; nil fields are
// absent (on update: unchanged; on create: EventTypes nil means every
// event and Enabled nil means true).
type WebhookEndpointInput struct {
	URL        *string
	EventTypes *[]string
	Enabled    *bool
}

// WebhookEndpointView is an endpoint as shown to its owner. Secret is set
// only in the answers that create it (create, rotate).
type WebhookEndpointView struct {
	idv.WebhookEndpoint
	Secret string
}

// ConfigEndpoint is an endpoint declared in the configuration file.
type ConfigEndpoint struct {
	Name       string
	URL        string
	Secret     string // whsec_…
	EventTypes []string
	Sandbox    bool
}

// webhookAccess checks the caller may manage webhooks (private keys only).
func webhookAccess(p Principal) error {
	if p.Kind != PrincipalPrivateKey {
		return idv.Errorf(idv.CodeForbidden, "Webhooks are managed with a private API key.")
	}
	return nil
}

func endpointNotFound() error { return idv.Errorf(idv.CodeNotFound, "Webhook endpoint not found.") }

func deliveryNotFound() error { return idv.Errorf(idv.CodeNotFound, "Webhook delivery not found.") }

// endpoint reads an endpoint of the caller's mode.
func (s *Service) endpoint(ctx context.Context, p Principal, id string) (idv.WebhookEndpoint, error) {
	if err := webhookAccess(p); err != nil {
		return idv.WebhookEndpoint{}, err
	}
	e, err := s.store.WebhookEndpoint(ctx, id)
	if idv.ErrorCode(err) == idv.CodeNotFound || (err == nil && e.Sandbox != p.Sandbox) {
		return idv.WebhookEndpoint{}, endpointNotFound()
	}
	if err != nil {
		return idv.WebhookEndpoint{}, internal("read webhook endpoint", err)
	}
	return e, nil
}

// validateEndpoint checks URL and filter, returning field errors.
func (s *Service) validateEndpoint(e idv.WebhookEndpoint) error {
	var fields []idv.FieldError
	if err := s.checkURL(e.URL); err != nil {
		fields = append(fields, idv.FieldError{Name: "url", Message: err.Error()})
	}
	if len(e.EventTypes) > MaxEventTypes {
		fields = append(fields, idv.FieldError{Name: "event_types", Message: "lists too many types"})
	}
	seen := map[string]bool{}
	for _, t := range e.EventTypes {
		switch {
		case !idv.IsWebhookEventType(t):
			fields = append(fields, idv.FieldError{Name: "event_types",
				Message: "unknown type " + quote(t) + "; known: " + strings.Join(idv.WebhookEventTypes(), ", ")})
		case seen[t]:
			fields = append(fields, idv.FieldError{Name: "event_types", Message: "lists " + quote(t) + " twice"})
		}
		seen[t] = true
	}
	if len(fields) > 0 {
		return &idv.Error{Code: idv.CodeInvalid, Message: "Invalid webhook endpoint.", Fields: fields}
	}
	return nil
}

// quote shortens and quotes an input value for a message.
func quote(v string) string {
	if len(v) > 64 {
		v = v[:64] + "…"
	}
	return `"` + strings.ToValidUTF8(v, "?") + `"`
}

// conflictURL rewords a store conflict.
func conflictURL(err error) error {
	if idv.ErrorCode(err) == idv.CodeConflict {
		return idv.Errorf(idv.CodeConflict, "An endpoint with this URL already exists.")
	}
	return internal("store webhook endpoint", err)
}

// CreateWebhookEndpoint registers an endpoint of the caller's mode with a
// new secret, shown in this answer only.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, p Principal, in WebhookEndpointInput) (WebhookEndpointView, error) {
	if err := webhookAccess(p); err != nil {
		return WebhookEndpointView{}, err
	}
	id, err := s.newID("whe_")
	if err != nil {
		return WebhookEndpointView{}, internal("endpoint id", err)
	}
	now := s.now().UTC()
	e := idv.WebhookEndpoint{ID: id, Sandbox: p.Sandbox, Enabled: true, Source: idv.EndpointFromAPI,
		CreatedAt: now, UpdatedAt: now}
	if in.URL == nil {
		return WebhookEndpointView{}, &idv.Error{Code: idv.CodeInvalid, Message: "Invalid webhook endpoint.",
			Fields: []idv.FieldError{{Name: "url", Message: "is required"}}}
	}
	apply(&e, in)
	if err := s.validateEndpoint(e); err != nil {
		return WebhookEndpointView{}, err
	}
	secret, err := whsecret.New(s.rand)
	if err != nil {
		return WebhookEndpointView{}, internal("webhook secret", err)
	}
	if e.WrappedKey, e.SealedSecrets, err = whsecret.Seal(s.keys, id, nil, []whsecret.Secret{{Key: secret}}, s.rand); err != nil {
		return WebhookEndpointView{}, internal("seal webhook secret", err)
	}
	if err := s.store.CreateWebhookEndpoint(ctx, e); err != nil {
		return WebhookEndpointView{}, conflictURL(err)
	}
	return WebhookEndpointView{WebhookEndpoint: e, Secret: secret}, nil
}

// apply copies the present fields of in onto e.
func apply(e *idv.WebhookEndpoint, in WebhookEndpointInput) {
	if in.URL != nil {
		e.URL = *in.URL
	}
	if in.EventTypes != nil {
		e.EventTypes = slices.Clone(*in.EventTypes)
	}
	if in.Enabled != nil {
		e.Enabled = *in.Enabled
		if e.Enabled {
			e.DisabledReason, e.FailingSince = "", nil // re-enabled by its owner: a fresh start
		}
	}
}

// WebhookEndpoints lists the endpoints of the caller's mode.
func (s *Service) WebhookEndpoints(ctx context.Context, p Principal) ([]WebhookEndpointView, error) {
	if err := webhookAccess(p); err != nil {
		return nil, err
	}
	es, err := s.store.WebhookEndpoints(ctx, p.Sandbox)
	if err != nil {
		return nil, internal("list webhook endpoints", err)
	}
	out := make([]WebhookEndpointView, len(es))
	for i, e := range es {
		out[i] = WebhookEndpointView{WebhookEndpoint: e}
	}
	return out, nil
}

// WebhookEndpoint shows one endpoint (without its secret).
func (s *Service) WebhookEndpoint(ctx context.Context, p Principal, id string) (WebhookEndpointView, error) {
	e, err := s.endpoint(ctx, p, id)
	return WebhookEndpointView{WebhookEndpoint: e}, err
}

// managedByConfig refuses API changes to configuration-file endpoints.
func managedByConfig(e idv.WebhookEndpoint) error {
	if e.Source == idv.EndpointFromConfig {
		return idv.Errorf(idv.CodeConflict, "This endpoint is defined in the configuration file; change it there.")
	}
	return nil
}

// UpdateWebhookEndpoint changes URL, filter or enabled flag.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, p Principal, id string, in WebhookEndpointInput) (WebhookEndpointView, error) {
	e, err := s.endpoint(ctx, p, id)
	if err != nil {
		return WebhookEndpointView{}, err
	}
	if err := managedByConfig(e); err != nil {
		return WebhookEndpointView{}, err
	}
	apply(&e, in)
	e.UpdatedAt = s.now().UTC()
	if err := s.validateEndpoint(e); err != nil {
		return WebhookEndpointView{}, err
	}
	if err := s.store.UpdateWebhookEndpoint(ctx, e); err != nil {
		return WebhookEndpointView{}, conflictURL(err)
	}
	return WebhookEndpointView{WebhookEndpoint: e}, nil
}

// DeleteWebhookEndpoint removes an endpoint and its delivery log.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, p Principal, id string) error {
	e, err := s.endpoint(ctx, p, id)
	if err != nil {
		return err
	}
	if err := managedByConfig(e); err != nil {
		return err
	}
	if err := s.store.DeleteWebhookEndpoint(ctx, id); err != nil && idv.ErrorCode(err) != idv.CodeNotFound {
		return internal("delete webhook endpoint", err)
	}
	return nil
}

// RotateWebhookSecret issues a new secret (shown once); the previous one
// keeps signing alongside it for whsecret.RotationOverlap.
func (s *Service) RotateWebhookSecret(ctx context.Context, p Principal, id string) (WebhookEndpointView, error) {
	e, err := s.endpoint(ctx, p, id)
	if err != nil {
		return WebhookEndpointView{}, err
	}
	if err := managedByConfig(e); err != nil {
		return WebhookEndpointView{}, err
	}
	old, err := whsecret.Open(s.keys, e.ID, e.WrappedKey, e.SealedSecrets)
	if err != nil {
		return WebhookEndpointView{}, internal("open webhook secrets", err)
	}
	secret, err := whsecret.New(s.rand)
	if err != nil {
		return WebhookEndpointView{}, internal("webhook secret", err)
	}
	now := s.now().UTC()
	if e.WrappedKey, e.SealedSecrets, err = whsecret.Seal(s.keys, e.ID, e.WrappedKey, whsecret.Rotate(old, secret, now), s.rand); err != nil {
		return WebhookEndpointView{}, internal("seal webhook secrets", err)
	}
	e.UpdatedAt = now
	if err := s.store.UpdateWebhookEndpoint(ctx, e); err != nil {
		return WebhookEndpointView{}, internal("store webhook secrets", err)
	}
	return WebhookEndpointView{WebhookEndpoint: e, Secret: secret}, nil
}

// SigningSecrets returns the secrets that sign for e at now, the current
// one first (the dispatcher's whsecret opener).
func (s *Service) SigningSecrets(e idv.WebhookEndpoint, now time.Time) ([]string, error) {
	secrets, err := whsecret.Open(s.keys, e.ID, e.WrappedKey, e.SealedSecrets)
	if err != nil {
		return nil, err
	}
	return whsecret.Signing(secrets, now), nil
}

// limitOr returns limit within 1..1000, or the default.
func limitOr(limit int) int {
	if limit <= 0 {
		return DefaultDeliveryListLimit
	}
	return min(limit, 1000)
}

// EndpointDeliveries lists an endpoint's deliveries with their attempts,
// newest first.
func (s *Service) EndpointDeliveries(ctx context.Context, p Principal, id string, limit int) ([]idv.WebhookDelivery, error) {
	if _, err := s.endpoint(ctx, p, id); err != nil {
		return nil, err
	}
	ds, err := s.store.WebhookDeliveries(ctx, idv.DeliveryQuery{EndpointID: id, Limit: limitOr(limit)})
	return ds, internalOrNil("list webhook deliveries", err)
}

// SessionDeliveries lists the webhook deliveries of a session.
func (s *Service) SessionDeliveries(ctx context.Context, p Principal, sessionID string, limit int) ([]idv.WebhookDelivery, error) {
	if err := webhookAccess(p); err != nil {
		return nil, err
	}
	if _, err := s.load(ctx, p, sessionID, accessPrivate); err != nil {
		return nil, err
	}
	ds, err := s.store.WebhookDeliveries(ctx, idv.DeliveryQuery{SessionID: sessionID, Limit: limitOr(limit)})
	return ds, internalOrNil("list webhook deliveries", err)
}

func internalOrNil(what string, err error) error {
	if err == nil {
		return nil
	}
	return internal(what, err)
}

// ReplayDelivery sends a delivery again (with a fresh retry schedule),
// whatever its state.
func (s *Service) ReplayDelivery(ctx context.Context, p Principal, id string) (idv.WebhookDelivery, error) {
	if err := webhookAccess(p); err != nil {
		return idv.WebhookDelivery{}, err
	}
	d, err := s.store.WebhookDelivery(ctx, id)
	if idv.ErrorCode(err) == idv.CodeNotFound {
		return idv.WebhookDelivery{}, deliveryNotFound()
	}
	if err != nil {
		return idv.WebhookDelivery{}, internal("read webhook delivery", err)
	}
	if _, err := s.endpoint(ctx, p, d.EndpointID); err != nil {
		return idv.WebhookDelivery{}, deliveryNotFound()
	}
	now := s.now().UTC()
	if err := s.store.ReplayWebhookDelivery(ctx, id, now); err != nil {
		return idv.WebhookDelivery{}, internal("replay webhook delivery", err)
	}
	d.State, d.RoundAttempts, d.NextAttemptAt = idv.DeliveryPending, 0, now
	return d, nil
}

// RecoverDeliveries replays every failed delivery of the endpoint created
// at or after since, and returns how many.
func (s *Service) RecoverDeliveries(ctx context.Context, p Principal, endpointID string, since time.Time) (int, error) {
	if _, err := s.endpoint(ctx, p, endpointID); err != nil {
		return 0, err
	}
	now := s.now().UTC()
	if since.After(now) {
		return 0, &idv.Error{Code: idv.CodeInvalid, Message: "Invalid recovery.",
			Fields: []idv.FieldError{{Name: "since", Message: "must not be in the future"}}}
	}
	n, err := s.store.RecoverWebhookDeliveries(ctx, endpointID, since, now)
	return n, internalOrNil("recover webhook deliveries", err)
}

// removedFromConfig is the DisabledReason of a configuration endpoint no
// longer in the file; it is enabled again if it comes back.
const removedFromConfig = "removed from the configuration file"

// SyncConfigEndpoints makes the configuration file's endpoints exist as
// given (id whe_config_<name>) and disables configuration endpoints that
// were removed from the file.
func (s *Service) SyncConfigEndpoints(ctx context.Context, eps []ConfigEndpoint) error {
	keep := map[string]bool{}
	for _, c := range eps {
		id := "whe_config_" + c.Name
		keep[id] = true
		if err := s.syncConfigEndpoint(ctx, id, c); err != nil {
			return err
		}
	}
	for _, sandbox := range []bool{false, true} {
		es, err := s.store.WebhookEndpoints(ctx, sandbox)
		if err != nil {
			return internal("list webhook endpoints", err)
		}
		for _, e := range es {
			if e.Source == idv.EndpointFromConfig && !keep[e.ID] && e.Enabled {
				e.Enabled, e.DisabledReason = false, removedFromConfig
				if err := s.store.UpdateWebhookEndpoint(ctx, e); err != nil {
					return internal("disable webhook endpoint", err)
				}
			}
		}
	}
	return nil
}

func (s *Service) syncConfigEndpoint(ctx context.Context, id string, c ConfigEndpoint) error {
	now := s.now().UTC()
	e, err := s.store.WebhookEndpoint(ctx, id)
	exists := err == nil
	if err != nil && idv.ErrorCode(err) != idv.CodeNotFound {
		return internal("read webhook endpoint", err)
	}
	if !exists {
		e = idv.WebhookEndpoint{ID: id, CreatedAt: now}
	}
	e.Sandbox, e.URL, e.EventTypes, e.Source, e.UpdatedAt = c.Sandbox, c.URL, c.EventTypes, idv.EndpointFromConfig, now
	if !exists || e.DisabledReason == removedFromConfig {
		e.Enabled, e.DisabledReason = true, ""
	}
	if err := s.validateEndpoint(e); err != nil {
		return idv.Errorf(idv.CodeInvalid, "webhooks.endpoints %s: %v", c.Name, err)
	}
	if e.WrappedKey, e.SealedSecrets, err = whsecret.Seal(s.keys, id, e.WrappedKey, []whsecret.Secret{{Key: c.Secret}}, s.rand); err != nil {
		return internal("seal webhook secret", err)
	}
	if exists {
		err = s.store.UpdateWebhookEndpoint(ctx, e)
	} else {
		err = s.store.CreateWebhookEndpoint(ctx, e)
	}
	if err != nil {
		return conflictURL(err)
	}
	return nil
}

// httpsURL is the default URL check: absolute https with a host.
func httpsURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Hostname() == "" {
		return errors.New("must be an absolute https URL")
	}
	return nil
}
