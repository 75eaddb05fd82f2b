// Package storetest is the conformance suite that every idv.Store adapter
// runs from its own tests (internal/sqlite, internal/postgres), so both
// databases keep one behaviour.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/openidv/openidv/internal/idv"
)

// Run runs the suite, the job queue's (RunJobs) and the evidence records'
// (RunEvidence) included. open must return a migrated store of its own (no
// other test sees its rows) and close it when the test ends. Subtests run in
// parallel, so open is called concurrently.
func Run(t *testing.T, open func(t *testing.T) idv.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, st idv.Store)
	}{
		{"SessionRoundTrip", testSessionRoundTrip},
		{"Timestamps", testTimestamps},
		{"CreateSessionTwice", testCreateSessionTwice},
		{"UpdateSession", testUpdateSession},
		{"NotFound", testNotFound},
		{"ForUpdateSerialises", testForUpdateSerialises},
		{"RollbackLeavesNothing", testRollbackLeavesNothing},
		{"FailingCallRollsBackOnlyItself", testFailingCallRollsBackOnlyItself},
		{"FailedWriteRollsBackAll", testFailedWriteRollsBackAll},
		{"ReadYourWrites", testReadYourWrites},
		{"PanicRollsBack", testPanicRollsBack},
		{"GoexitRollsBack", testGoexitRollsBack},
		{"CanceledContext", testCanceledContext},
		{"NoticesAfterCommit", testNoticesAfterCommit},
		{"DataKeys", testDataKeys},
		{"Events", testEvents},
		{"EventPages", testEventPages},
		{"CountEvents", testCountEvents},
		{"Idempotency", testIdempotency},
		{"APIKeys", testAPIKeys},
		{"Expiry", testExpiry},
		{"Retention", testRetention},
		{"Stats", testStats},
		{"Ready", testReady},
		{"WebhookEndpoints", testWebhookEndpoints},
		{"WebhookFanOut", testWebhookFanOut},
		{"WebhookClaimAndFinish", testWebhookClaimAndFinish},
		{"WebhookEndpointHealth", testWebhookEndpointHealth},
		{"WebhookReplay", testWebhookReplay},
		{"WebhookClaimsAreExclusive", testWebhookClaimsAreExclusive},
		{"WebhookClaimPerEndpoint", testWebhookClaimPerEndpoint},
		{"WebhookRelease", testWebhookRelease},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
	t.Run("Jobs", func(t *testing.T) { RunJobs(t, open) })
	t.Run("Evidence", func(t *testing.T) { RunEvidence(t, open) })
}

// base is the suite's clock: nanoseconds and a non-UTC zone, so stores must
// normalise to UTC microseconds.
var base = time.Date(2026, 11, 21, 12, 30, 15, 123456789, time.FixedZone("UTC+2", 2*3600))

// stored is how a store gives a time back.
func stored(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

// NewID returns a random 128-bit hex id.
func NewID(t testing.TB) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// SampleSession returns a session with every field set, Version 1.
func SampleSession(id string, now time.Time) idv.Session {
	return idv.Session{
		ID:           id,
		Sandbox:      true,
		LevelName:    "basic",
		LevelVersion: "v1-abc",
		Status:       idv.StatusInProgress,
		Steps: []idv.StepState{
			{Kind: idv.StepConsent, Status: idv.StepPassed, FlowOrder: 100, MaxAttempts: 1, UpdatedAt: now},
			{Kind: idv.StepPhone, Status: idv.StepAwaitingCode, FlowOrder: 200, Attempts: 1, MaxAttempts: 3,
				LastError: &idv.StepError{Reason: "otpFailure", Message: "wrong code"},
				OTP:       &idv.OTPState{CodeMAC: []byte{1, 2, 3}, SentAt: now, ExpiresAt: now.Add(10 * time.Minute), Sends: 1}},
		},
		ClientTokenHash: []byte("token-hash"),
		UniqueIDHash:    []byte("unique-hash"),
		SealedApplicant: []byte{0, 1, 2, 255},
		ReturnURL:       "https://example.com/back",
		Locale:          "en",
		CreatedAt:       now,
		UpdatedAt:       now,
		ExpiresAt:       now.Add(24 * time.Hour),
		Version:         1,
	}
}

// canonical is s as a store returns it.
func canonical(s idv.Session) idv.Session {
	s.CreatedAt, s.UpdatedAt, s.ExpiresAt = stored(s.CreatedAt), stored(s.UpdatedAt), stored(s.ExpiresAt)
	return s
}

// opts compares stored values: nil and empty slices are the same.
var opts = cmp.Options{cmpopts.EquateEmpty()}

// inTx runs fn and fails the test on error.
func inTx(t *testing.T, st idv.Store, fn func(idv.Tx) error) {
	t.Helper()
	if err := st.InTx(t.Context(), fn); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// createSessions commits sessions in one transaction.
func createSessions(t *testing.T, st idv.Store, ss ...idv.Session) {
	t.Helper()
	inTx(t, st, func(tx idv.Tx) error {
		for _, s := range ss {
			if err := tx.CreateSession(t.Context(), s); err != nil {
				return err
			}
		}
		return nil
	})
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, what string, err error, code idv.Code) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got nil error, want %s", what, code)
		return
	}
	if got := idv.ErrorCode(err); got != code {
		t.Errorf("%s: got code %s (%v), want %s", what, got, err, code)
	}
}

// waitFor reads ids from ch until want arrives and returns those before it.
// The deadline only guards against a hang; it is not a timing assertion.
func waitFor(t *testing.T, ch <-chan string, want string) []string {
	t.Helper()
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	var before []string
	for {
		select {
		case id := <-ch:
			if id == want {
				return before
			}
			before = append(before, id)
		case <-timeout.C:
			t.Fatalf("notice for %s never arrived (got %v)", want, before)
			return nil
		}
	}
}

// errBoom is what failing transactions return.
var errBoom = errors.New("boom")

// subscribe returns a channel receiving every notice (markers aside)
// until the test ends.
func subscribe(t *testing.T, st idv.Store) <-chan string {
	t.Helper()
	ch := make(chan string, 1024)
	startSubscriber(t, st, func(id string) {
		select {
		case ch <- id:
		case <-t.Context().Done():
		}
	})
	return ch
}

// markerPrefix starts the ids of the sessions startSubscriber commits.
const markerPrefix = "marker-"

// startSubscriber runs st.Subscribe(fn) on its own goroutine until the test
// ends, and returns once the subscription provably hears notices: it
// commits marker sessions until one arrives. Markers never reach fn.
func startSubscriber(t *testing.T, st idv.Store, fn func(id string)) {
	t.Helper()
	ctx := t.Context()
	heard := make(chan struct{}, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- st.Subscribe(ctx, func(id string) {
			if strings.HasPrefix(id, markerPrefix) {
				select {
				case heard <- struct{}{}:
				default:
				}
				return
			}
			fn(id)
		})
	}()
	retry := time.NewTicker(20 * time.Millisecond) // how often to send another marker, not an assertion
	defer retry.Stop()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		id := markerPrefix + NewID(t)
		inTx(t, st, func(tx idv.Tx) error {
			if err := tx.CreateSession(ctx, SampleSession(id, base)); err != nil {
				return err
			}
			return tx.NotifySession(ctx, id)
		})
		select {
		case <-heard:
			return
		case err := <-errc:
			t.Fatalf("Subscribe returned before the test ended: %v", err)
		case <-deadline.C:
			t.Fatalf("the subscription never heard a notice")
		case <-retry.C:
		}
	}
}

// background is a context for subscriber callbacks, which may run after
// the caller's context ends.
func background() context.Context { return context.Background() }
