package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
)

// fakeService is a small in-memory Service for tests of the HTTP layer
// alone: one session "ses_1" whose client token is "tok_ses_1".
type fakeService struct {
	mu       sync.Mutex
	consent  *bool
	creates  int
	idem     map[string]*idv.IdempotencyRecord
	changes  chan string
	block    chan struct{} // when set, CreateSession waits on it
	readyErr error
	events   []app.SDKEvent
}

func newFake() *fakeService {
	return &fakeService{idem: map[string]*idv.IdempotencyRecord{}, changes: make(chan string, 16)}
}

var _ Service = (*fakeService)(nil)

func (f *fakeService) Authenticate(_ context.Context, bearer string) (app.Principal, error) {
	switch bearer {
	case "private_test":
		return app.Principal{Kind: app.PrincipalPrivateKey, KeyID: "k_private"}, nil
	case "public_test":
		return app.Principal{Kind: app.PrincipalPublicKey, KeyID: "k_public"}, nil
	case "boom":
		return app.Principal{}, errors.New("driver: connection refused at 10.0.0.7")
	case "panic":
		panic("secret panic value")
	}
	return app.Principal{}, idv.Errorf(idv.CodeUnauthorized, "unknown key")
}

func (f *fakeService) AuthenticateSession(ctx context.Context, bearer, id string) (app.Principal, error) {
	if strings.HasPrefix(bearer, "tok_") {
		if bearer != "tok_"+id || id != "ses_1" {
			return app.Principal{}, idv.Errorf(idv.CodeNotFound, "session not found")
		}
		return app.Principal{Kind: app.PrincipalClientToken, SessionID: id}, nil
	}
	p, err := f.Authenticate(ctx, bearer)
	if err == nil && id != "ses_1" {
		return app.Principal{}, idv.Errorf(idv.CodeNotFound, "session not found")
	}
	return p, err
}

func (f *fakeService) CreateSession(_ context.Context, _ app.Principal, in app.NewSession) (app.CreatedSession, error) {
	if f.block != nil {
		<-f.block
	}
	if in.KYCLevel != "basic" {
		return app.CreatedSession{}, fieldError("kyc_level", "is not a configured level")
	}
	f.mu.Lock()
	f.creates++
	f.mu.Unlock()
	return app.CreatedSession{SessionID: "ses_1", ClientToken: "tok_ses_1",
		ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Preflight: f.pf()}, nil
}

func (f *fakeService) pf() idv.Preflight {
	f.mu.Lock()
	defer f.mu.Unlock()
	show := idv.ScreenConsent
	if f.consent != nil {
		show = idv.ScreenCompleted
	}
	return idv.Preflight{SessionID: "ses_1", Status: idv.StatusInProgress,
		Screen: idv.ScreenView{Show: show, Parameters: map[string]any{}}}
}

func (f *fakeService) Session(_ context.Context, p app.Principal, id string) (app.SessionView, error) {
	v := app.SessionView{SessionID: id, Status: idv.StatusInProgress, KYCLevel: "basic"}
	if p.CanReadPersonalData() {
		v.Applicant = &idv.Applicant{FirstName: "Ada"}
	}
	return v, nil
}

func (f *fakeService) UpdateSession(ctx context.Context, p app.Principal, id string, _ app.SessionUpdate) (app.SessionView, error) {
	return f.Session(ctx, p, id)
}

func (f *fakeService) CancelSession(context.Context, app.Principal, string) error { return nil }
func (f *fakeService) EraseSession(context.Context, app.Principal, string) error  { return nil }

func (f *fakeService) Consent(_ context.Context, _ app.Principal, id string, accepted bool) (idv.Preflight, error) {
	f.mu.Lock()
	f.consent = &accepted
	f.mu.Unlock()
	f.changes <- id
	return f.pf(), nil
}

func (f *fakeService) Preflight(context.Context, app.Principal, string) (idv.Preflight, error) {
	return f.pf(), nil
}

func (f *fakeService) PreflightJSON(context.Context, app.Principal, string) ([]byte, error) {
	b, err := json.Marshal(f.pf())
	return append(b, '\n'), err
}

func (f *fakeService) RecordEvents(_ context.Context, _ app.Principal, _ string, evs []app.SDKEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, evs...)
	return nil
}

func (f *fakeService) EventPage(context.Context, app.Principal, string, app.EventQuery) (app.EventPage, error) {
	return app.EventPage{}, nil
}

func (f *fakeService) StartPhoneVerification(context.Context, app.Principal, string, string) (idv.Preflight, error) {
	return idv.Preflight{}, &idv.Error{Code: idv.CodeRateLimited, Message: "wait before asking for a new code",
		Err: &app.RetryAfterError{After: 42 * time.Second}}
}

func (f *fakeService) CompletePhoneVerification(context.Context, app.Principal, string, string) (idv.Preflight, error) {
	return f.pf(), nil
}

func (f *fakeService) StartEmailVerification(context.Context, app.Principal, string, string) (idv.Preflight, error) {
	return f.pf(), nil
}

func (f *fakeService) CompleteEmailVerification(context.Context, app.Principal, string, string) (idv.Preflight, error) {
	return f.pf(), nil
}

func (f *fakeService) WatchSessions(ctx context.Context, fn func(string)) error {
	for {
		select {
		case id := <-f.changes:
			fn(id)
		case <-ctx.Done():
			return nil
		}
	}
}

func (f *fakeService) PreflightFor(context.Context, string) (idv.Preflight, error) {
	return f.pf(), nil
}

func (f *fakeService) BeginIdempotent(_ context.Context, scope string, hash []byte) (*idv.IdempotencyRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rec, ok := f.idem[scope]
	switch {
	case !ok:
		f.idem[scope] = &idv.IdempotencyRecord{Scope: scope, RequestHash: hash}
		return nil, nil
	case !bytes.Equal(rec.RequestHash, hash):
		return nil, idv.Errorf(idv.CodeUnprocessable, "Idempotency-Key reused with another request")
	case rec.Status == 0:
		return nil, idv.Errorf(idv.CodeConflict, "a request with this Idempotency-Key is in progress")
	}
	cp := *rec
	return &cp, nil
}

func (f *fakeService) FinishIdempotent(_ context.Context, scope string, status int, body []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.idem[scope].Status, f.idem[scope].Body = status, body
	return nil
}

func (f *fakeService) AbortIdempotent(_ context.Context, scope string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.idem, scope)
	return nil
}

func (f *fakeService) Ready(context.Context) error { return f.readyErr }

func (f *fakeService) Stats(context.Context) (idv.StoreStats, error) {
	return idv.StoreStats{SessionsByStatus: map[idv.SessionStatus]int{idv.StatusInProgress: 3}, OutboxBacklog: 7}, nil
}

// newTestServer serves New(svc, opts) over httptest with a discarded
// log unless opts.Logger is set; it shuts both down at cleanup.
func newTestServer(t *testing.T, svc Service, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = discardLogger()
	}
	s := New(svc, opts)
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		ts.Close()
	})
	return s, ts
}

// do sends one request and returns the status, headers and body (none
// when it switched protocols).
func do(t *testing.T, ts *httptest.Server, method, path, auth, body string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Content-Length" && hdr[i+1] == "" {
			req.ContentLength = -1 // chunked, no length announced
			req.Body = io.NopCloser(strings.NewReader(body))
			continue
		}
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return resp.StatusCode, resp.Header, nil // a websocket: its body never ends
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// envelope decodes an error answer, failing when it is not one.
func envelope(t *testing.T, b []byte) errorBody {
	t.Helper()
	var env errorEnvelope
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&env); err != nil || env.Error.Type == "" || env.Error.Message == "" || env.Error.RequestID == "" {
		t.Fatalf("not an error envelope (%v): %s", err, b)
	}
	return env.Error
}

func discardLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
