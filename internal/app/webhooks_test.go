package app_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
)

func ptr[T any](v T) *T { return &v }

// TestWebhookEndpointAccess checks that only private keys manage
// endpoints and that modes do not see each other's endpoints.
func TestWebhookEndpointAccess(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		e := be.NewEnv(t)
		ctx := context.Background()
		in := app.WebhookEndpointInput{URL: ptr("https://hooks.example.com/a")}
		if _, err := e.Svc.CreateWebhookEndpoint(ctx, e.Public, in); idv.ErrorCode(err) != idv.CodeForbidden {
			t.Errorf("public key: got %v, want forbidden", err)
		}
		live, err := e.Svc.CreateWebhookEndpoint(ctx, e.Private, in)
		if err != nil {
			t.Fatal(err)
		}
		sandbox := e.Key(t, idv.KeyPrivate, true)
		if _, err := e.Svc.WebhookEndpoint(ctx, sandbox, live.ID); idv.ErrorCode(err) != idv.CodeNotFound {
			t.Errorf("sandbox key reading a live endpoint: got %v, want not found", err)
		}
		if list, err := e.Svc.WebhookEndpoints(ctx, sandbox); err != nil || len(list) != 0 {
			t.Errorf("sandbox list: %d endpoints, %v; want none", len(list), err)
		}
		if _, err := e.Svc.CreateWebhookEndpoint(ctx, sandbox, in); err != nil {
			t.Errorf("the same URL in the other mode: %v", err)
		}
		// A session's deliveries are private too.
		cs, tok := e.ContactSession(t)
		if _, err := e.Svc.SessionDeliveries(ctx, tok, cs.SessionID, 0); idv.ErrorCode(err) != idv.CodeForbidden {
			t.Errorf("client token reading deliveries: got %v, want forbidden", err)
		}
		ds, err := e.Svc.SessionDeliveries(ctx, e.Private, cs.SessionID, 0)
		if err != nil || len(ds) != 1 || ds[0].EventType != "session.created" || ds[0].EndpointID != live.ID {
			t.Errorf("session deliveries: %+v, %v; want one session.created to the live endpoint", ds, err)
		}
		if _, err := e.Svc.SessionDeliveries(ctx, sandbox, cs.SessionID, 0); idv.ErrorCode(err) != idv.CodeNotFound {
			t.Errorf("sandbox key reading a live session's deliveries: got %v, want not found", err)
		}
	})
}

// TestWebhookSecrets checks that secrets are sealed at rest and that a
// rotation signs with both secrets for 24 hours.
func TestWebhookSecrets(t *testing.T) {
	e := idvtest.NewEnv(t)
	ctx := context.Background()
	v, err := e.Svc.CreateWebhookEndpoint(ctx, e.Private, app.WebhookEndpointInput{URL: ptr("https://hooks.example.com/a")})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := e.Store.WebhookEndpoint(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored.SealedSecrets, []byte(v.Secret[6:])) || bytes.Contains(stored.WrappedKey, []byte(v.Secret[6:])) {
		t.Fatal("the stored endpoint holds its secret in clear")
	}
	rotated, err := e.Svc.RotateWebhookSecret(ctx, e.Private, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ = e.Store.WebhookEndpoint(ctx, v.ID)
	now := e.Clock.Now()
	got, err := e.Svc.SigningSecrets(stored, now.Add(time.Hour))
	if err != nil || len(got) != 2 || got[0] != rotated.Secret || got[1] != v.Secret {
		t.Errorf("signing secrets during the overlap: %v, %v; want new then old", got, err)
	}
	if got, _ := e.Svc.SigningSecrets(stored, now.Add(25*time.Hour)); len(got) != 1 || got[0] != rotated.Secret {
		t.Errorf("signing secrets after 25 h: %v, want the new one only", got)
	}
}

// TestSyncConfigEndpoints checks that file endpoints are created, updated,
// protected from API changes and disabled when removed from the file.
func TestSyncConfigEndpoints(t *testing.T) {
	e := idvtest.NewEnv(t)
	ctx := context.Background()
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	crm := app.ConfigEndpoint{Name: "crm", URL: "https://crm.example.com/h", Secret: secret, EventTypes: []string{"session.completed"}}
	if err := e.Svc.SyncConfigEndpoints(ctx, []app.ConfigEndpoint{crm}); err != nil {
		t.Fatal(err)
	}
	ep, err := e.Svc.WebhookEndpoint(ctx, e.Private, "whe_config_crm")
	if err != nil || ep.URL != crm.URL || !ep.Enabled || ep.Source != idv.EndpointFromConfig {
		t.Fatalf("config endpoint: %+v, %v", ep, err)
	}
	if got, _ := e.Svc.SigningSecrets(ep.WebhookEndpoint, e.Clock.Now()); len(got) != 1 || got[0] != secret {
		t.Errorf("config endpoint signs with %v, want the configured secret", got)
	}
	if _, err := e.Svc.UpdateWebhookEndpoint(ctx, e.Private, ep.ID, app.WebhookEndpointInput{Enabled: ptr(false)}); idv.ErrorCode(err) != idv.CodeConflict {
		t.Errorf("API update of a config endpoint: got %v, want conflict", err)
	}
	crm.URL = "https://crm.example.com/v2"
	if err := e.Svc.SyncConfigEndpoints(ctx, []app.ConfigEndpoint{crm}); err != nil {
		t.Fatal(err)
	}
	if ep, _ := e.Svc.WebhookEndpoint(ctx, e.Private, "whe_config_crm"); ep.URL != crm.URL {
		t.Errorf("after a URL change in the file: %s", ep.URL)
	}
	if err := e.Svc.SyncConfigEndpoints(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if ep, _ := e.Svc.WebhookEndpoint(ctx, e.Private, "whe_config_crm"); ep.Enabled || ep.DisabledReason == "" {
		t.Errorf("after removal from the file: enabled %v, reason %q", ep.Enabled, ep.DisabledReason)
	}
	bad := app.ConfigEndpoint{Name: "bad", URL: "https://x.example", Secret: secret, EventTypes: []string{"nope"}}
	if err := e.Svc.SyncConfigEndpoints(ctx, []app.ConfigEndpoint{bad}); err == nil {
		t.Error("an unknown event type in the file was accepted")
	}
}
