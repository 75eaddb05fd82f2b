package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/idv"
)

// SampleEndpoint returns an enabled API endpoint of the given mode.
func SampleEndpoint(t testing.TB, sandbox bool, url string, types ...string) idv.WebhookEndpoint {
	return idv.WebhookEndpoint{ID: "whe_" + NewID(t), Sandbox: sandbox, URL: url, EventTypes: types, Enabled: true,
		WrappedKey: []byte("wrapped"), SealedSecrets: []byte("sealed"), Source: idv.EndpointFromAPI,
		CreatedAt: base, UpdatedAt: base}
}

func createEndpoint(t *testing.T, st idv.Store, e idv.WebhookEndpoint) idv.WebhookEndpoint {
	t.Helper()
	if err := st.CreateWebhookEndpoint(t.Context(), e); err != nil {
		t.Fatalf("CreateWebhookEndpoint: %v", err)
	}
	e.CreatedAt, e.UpdatedAt = stored(e.CreatedAt), stored(e.UpdatedAt)
	return e
}

// enqueue commits one message of type typ for a new session of the mode.
func enqueue(t *testing.T, st idv.Store, sandbox bool, typ string, at time.Time) idv.OutboxMessage {
	t.Helper()
	s := SampleSession(NewID(t), base)
	s.Sandbox = sandbox
	createSessions(t, st, s)
	m := idv.OutboxMessage{ID: "msg_" + NewID(t), SessionID: s.ID, EventType: typ, Sandbox: sandbox,
		Payload: []byte(`{"type":"` + typ + `"}`), CreatedAt: at, NextAttemptAt: at}
	inTx(t, st, func(tx idv.Tx) error { return tx.EnqueueOutbox(t.Context(), m) })
	return m
}

func deliveriesOf(t *testing.T, st idv.Store, q idv.DeliveryQuery) []idv.WebhookDelivery {
	t.Helper()
	q.Limit = 100
	ds, err := st.WebhookDeliveries(t.Context(), q)
	if err != nil {
		t.Fatalf("WebhookDeliveries(%+v): %v", q, err)
	}
	return ds
}

func testWebhookEndpoints(t *testing.T, st idv.Store) {
	ctx := t.Context()
	a := createEndpoint(t, st, SampleEndpoint(t, true, "https://a.example/hook", "session.completed", "session.created"))
	b := SampleEndpoint(t, true, "https://b.example/hook")
	b.CreatedAt = base.Add(time.Second)
	b = createEndpoint(t, st, b)
	createEndpoint(t, st, SampleEndpoint(t, false, "https://a.example/hook")) // other mode: allowed
	got, err := st.WebhookEndpoint(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got, opts); diff != "" {
		t.Errorf("WebhookEndpoint (-want +got):\n%s", diff)
	}
	list, err := st.WebhookEndpoints(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]idv.WebhookEndpoint{a, b}, list, opts); diff != "" {
		t.Errorf("WebhookEndpoints (-want +got):\n%s", diff)
	}
	dup := SampleEndpoint(t, true, a.URL)
	wantCode(t, "CreateWebhookEndpoint with a known URL", st.CreateWebhookEndpoint(ctx, dup), idv.CodeConflict)

	failing := base.Add(time.Hour)
	a.URL, a.EventTypes, a.Enabled, a.DisabledReason, a.FailingSince = "https://c.example/x", nil, false, "410 Gone", &failing
	a.UpdatedAt = base.Add(2 * time.Hour)
	if err := st.UpdateWebhookEndpoint(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, _ = st.WebhookEndpoint(ctx, a.ID)
	a.UpdatedAt, a.FailingSince = stored(a.UpdatedAt), &[]time.Time{stored(failing)}[0]
	if diff := cmp.Diff(a, got, opts); diff != "" {
		t.Errorf("after UpdateWebhookEndpoint (-want +got):\n%s", diff)
	}
	b.URL = a.URL
	wantCode(t, "UpdateWebhookEndpoint to a known URL", st.UpdateWebhookEndpoint(ctx, b), idv.CodeConflict)
	wantCode(t, "UpdateWebhookEndpoint of unknown", st.UpdateWebhookEndpoint(ctx, SampleEndpoint(t, true, "https://d")), idv.CodeNotFound)
	if err := st.DeleteWebhookEndpoint(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = st.WebhookEndpoint(ctx, a.ID)
	wantCode(t, "WebhookEndpoint after delete", err, idv.CodeNotFound)
	wantCode(t, "second delete", st.DeleteWebhookEndpoint(ctx, a.ID), idv.CodeNotFound)
}

func testWebhookFanOut(t *testing.T, st idv.Store) {
	all := createEndpoint(t, st, SampleEndpoint(t, true, "https://all.example"))
	done := createEndpoint(t, st, SampleEndpoint(t, true, "https://done.example", "session.completed"))
	off := SampleEndpoint(t, true, "https://off.example")
	off.Enabled = false
	createEndpoint(t, st, off)
	createEndpoint(t, st, SampleEndpoint(t, false, "https://live.example"))

	created := enqueue(t, st, true, "session.created", base)
	completed := enqueue(t, st, true, "session.completed", base)
	endpoints := func(m idv.OutboxMessage) []string {
		var ids []string
		for _, d := range deliveriesOf(t, st, idv.DeliveryQuery{SessionID: m.SessionID}) {
			if d.MessageID != m.ID || d.State != idv.DeliveryPending || d.EventType != m.EventType || d.Attempts != 0 {
				t.Errorf("delivery %+v does not match message %s", d, m.ID)
			}
			ids = append(ids, d.EndpointID)
		}
		slices.Sort(ids)
		return ids
	}
	if got, want := endpoints(created), []string{all.ID}; !slices.Equal(got, want) {
		t.Errorf("session.created went to %v, want %v", got, want)
	}
	want := []string{all.ID, done.ID}
	slices.Sort(want)
	if got := endpoints(completed); !slices.Equal(got, want) {
		t.Errorf("session.completed went to %v, want %v", got, want)
	}
	if got := len(deliveriesOf(t, st, idv.DeliveryQuery{EndpointID: all.ID})); got != 2 {
		t.Errorf("deliveries of the catch-all endpoint: got %d, want 2", got)
	}
}

func claim(t *testing.T, st idv.Store, now time.Time, lease time.Duration, limit int) []idv.ClaimedDelivery {
	t.Helper()
	cs, err := st.ClaimWebhookDeliveries(t.Context(), idv.ClaimRequest{Now: now, LeaseUntil: now.Add(lease), Limit: limit})
	if err != nil {
		t.Fatalf("ClaimWebhookDeliveries: %v", err)
	}
	return cs
}

func result(c idv.ClaimedDelivery, state idv.DeliveryState, at time.Time, status int) idv.AttemptResult {
	return idv.AttemptResult{DeliveryID: c.Delivery.ID, Claim: c.Claim, EndpointID: c.Endpoint.ID, State: state,
		NextAttemptAt: at.Add(time.Minute), Success: state == idv.DeliveryDelivered,
		Attempt: idv.WebhookAttempt{StartedAt: at, Latency: 1500 * time.Microsecond, StatusCode: status,
			Response: "ok ✓", Error: map[bool]string{true: "", false: "HTTP 500"}[status < 300]},
		FailingCutoff: at.Add(-5 * 24 * time.Hour), FailingReason: "failing for 5 days"}
}

func testWebhookClaimAndFinish(t *testing.T, st idv.Store) {
	ctx := t.Context()
	ep := createEndpoint(t, st, SampleEndpoint(t, true, "https://ep.example"))
	m1 := enqueue(t, st, true, "session.created", base)
	m2 := enqueue(t, st, true, "session.completed", base.Add(time.Second))
	enqueue(t, st, true, "session.canceled", base.Add(time.Hour)) // not due yet

	cs := claim(t, st, base.Add(2*time.Second), time.Minute, 10)
	if len(cs) != 2 || cs[0].Delivery.MessageID != m1.ID || cs[1].Delivery.MessageID != m2.ID {
		t.Fatalf("first claim: got %+v, want m1 then m2", cs)
	}
	if string(cs[0].Payload) != string(m1.Payload) || cs[0].Endpoint.ID != ep.ID || cs[0].Endpoint.URL != ep.URL ||
		string(cs[0].Endpoint.SealedSecrets) != "sealed" || cs[0].Claim == "" {
		t.Errorf("claimed delivery lacks payload, endpoint or claim: %+v", cs[0])
	}
	if again := claim(t, st, base.Add(3*time.Second), time.Minute, 10); len(again) != 0 {
		t.Errorf("claim during the lease got %d deliveries, want 0", len(again))
	}
	// The lease of cs[1] expires; a new claim takes it over, and the stale
	// claim's result is dropped.
	retaken := claim(t, st, base.Add(2*time.Minute), time.Minute, 10)
	if len(retaken) != 2 || retaken[1].Claim == cs[1].Claim {
		t.Fatalf("claim after the lease: got %+v, want both again with a new claim", retaken)
	}
	at := base.Add(2 * time.Minute)
	err := st.FinishWebhookAttempts(ctx, []idv.AttemptResult{
		result(cs[1], idv.DeliveryDelivered, at, 200), // stale: dropped
		result(retaken[0], idv.DeliveryDelivered, at, 204),
		result(retaken[1], idv.DeliveryPending, at, 500),
	})
	if err != nil {
		t.Fatal(err)
	}
	byMsg := map[string]idv.WebhookDelivery{}
	for _, d := range deliveriesOf(t, st, idv.DeliveryQuery{EndpointID: ep.ID}) {
		byMsg[d.MessageID] = d
	}
	d1, d2 := byMsg[m1.ID], byMsg[m2.ID]
	if d1.State != idv.DeliveryDelivered || d1.Attempts != 1 || d1.LastStatus != 204 || d1.DeliveredAt == nil ||
		len(d1.AttemptLog) != 1 || d1.AttemptLog[0].N != 1 || d1.AttemptLog[0].Response != "ok ✓" ||
		d1.AttemptLog[0].Latency != 1500*time.Microsecond || !d1.AttemptLog[0].StartedAt.Equal(stored(at)) {
		t.Errorf("delivered: got %+v", d1)
	}
	if d2.State != idv.DeliveryPending || d2.Attempts != 1 || d2.RoundAttempts != 1 || d2.LastStatus != 500 ||
		d2.LastError != "HTTP 500" || !d2.NextAttemptAt.Equal(stored(at.Add(time.Minute))) || len(d2.AttemptLog) != 1 {
		t.Errorf("retry: got %+v", d2)
	}
	if s, err := st.Stats(ctx); err != nil || s.OutboxBacklog != 2 {
		t.Errorf("backlog: got %+v, %v; want 2 (one retry, one not due)", s, err)
	}
	got, err := st.WebhookDelivery(ctx, d2.ID)
	d2.AttemptLog = nil
	if diff := cmp.Diff(d2, got, opts); err != nil || diff != "" {
		t.Errorf("WebhookDelivery: %v (-want +got):\n%s", err, diff)
	}
	if next := claim(t, st, at.Add(time.Minute), time.Minute, 10); len(next) != 1 || next[0].Delivery.ID != d2.ID ||
		next[0].Delivery.RoundAttempts != 1 {
		t.Errorf("claim of the retry: got %+v", next)
	}
}

func testWebhookEndpointHealth(t *testing.T, st idv.Store) {
	ctx := t.Context()
	ep := createEndpoint(t, st, SampleEndpoint(t, true, "https://ep.example"))
	for i := range 4 {
		enqueue(t, st, true, "session.created", base.Add(time.Duration(i)*time.Second))
	}
	read := func() idv.WebhookEndpoint {
		e, err := st.WebhookEndpoint(ctx, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	finish := func(r idv.AttemptResult) {
		if err := st.FinishWebhookAttempts(ctx, []idv.AttemptResult{r}); err != nil {
			t.Fatal(err)
		}
	}
	t0 := base.Add(time.Minute)
	cs := claim(t, st, t0, time.Minute, 10)
	if len(cs) != 4 {
		t.Fatalf("claimed %d, want 4", len(cs))
	}
	finish(result(cs[0], idv.DeliveryPending, t0, 500))
	if e := read(); e.FailingSince == nil || !e.FailingSince.Equal(stored(t0)) || !e.Enabled {
		t.Errorf("after a failure: %+v, want failing since t0 and enabled", e)
	}
	finish(result(cs[1], idv.DeliveryDelivered, t0.Add(time.Hour), 200))
	if e := read(); e.FailingSince != nil {
		t.Errorf("after a success: failing since %v, want nil", e.FailingSince)
	}
	finish(result(cs[2], idv.DeliveryPending, t0.Add(2*time.Hour), 500))
	late := result(cs[3], idv.DeliveryPending, t0.Add(2*time.Hour+5*24*time.Hour+time.Second), 500)
	finish(late)
	if e := read(); e.Enabled || e.DisabledReason != "failing for 5 days" {
		t.Errorf("after 5 days of failures: enabled %v, reason %q; want disabled, failing for 5 days", e.Enabled, e.DisabledReason)
	}
	if cs := claim(t, st, t0.Add(30*24*time.Hour), time.Minute, 10); len(cs) != 0 {
		t.Errorf("a disabled endpoint's deliveries were claimed: %d", len(cs))
	}

	gone := createEndpoint(t, st, SampleEndpoint(t, true, "https://gone.example"))
	enqueue(t, st, true, "session.created", base)
	c := claim(t, st, t0, time.Minute, 10)
	if len(c) != 1 || c[0].Endpoint.ID != gone.ID {
		t.Fatalf("claim: got %+v, want the new endpoint's delivery", c)
	}
	r := result(c[0], idv.DeliveryFailed, t0, 410)
	r.Disable = "410 Gone"
	finish(r)
	if e, _ := st.WebhookEndpoint(ctx, gone.ID); e.Enabled || e.DisabledReason != "410 Gone" {
		t.Errorf("after 410: enabled %v, reason %q", e.Enabled, e.DisabledReason)
	}
}

func testWebhookReplay(t *testing.T, st idv.Store) {
	ctx := t.Context()
	ep := createEndpoint(t, st, SampleEndpoint(t, true, "https://ep.example"))
	old := enqueue(t, st, true, "session.created", base)
	mid := enqueue(t, st, true, "session.created", base.Add(time.Hour))
	ok := enqueue(t, st, true, "session.created", base.Add(2*time.Hour))
	at := base.Add(3 * time.Hour)
	cs := claim(t, st, at, time.Minute, 10)
	var rs []idv.AttemptResult
	for _, c := range cs {
		state := idv.DeliveryFailed
		if c.Delivery.MessageID == ok.ID {
			state = idv.DeliveryDelivered
		}
		rs = append(rs, result(c, state, at, map[bool]int{true: 200, false: 500}[state == idv.DeliveryDelivered]))
	}
	if err := st.FinishWebhookAttempts(ctx, rs); err != nil {
		t.Fatal(err)
	}
	n, err := st.RecoverWebhookDeliveries(ctx, ep.ID, base.Add(30*time.Minute), at)
	if err != nil || n != 1 {
		t.Errorf("RecoverWebhookDeliveries: got %d, %v; want 1 (mid only)", n, err)
	}
	got := claim(t, st, at, time.Minute, 10)
	if len(got) != 1 || got[0].Delivery.MessageID != mid.ID || got[0].Delivery.RoundAttempts != 0 || got[0].Delivery.Attempts != 1 {
		t.Errorf("after recover: claimed %+v, want mid with a fresh round", got)
	}
	for _, c := range got { // mid's second attempt
		if err := st.FinishWebhookAttempts(ctx, []idv.AttemptResult{result(c, idv.DeliveryFailed, at, 500)}); err != nil {
			t.Fatal(err)
		}
	}
	var delivered string
	for _, d := range deliveriesOf(t, st, idv.DeliveryQuery{EndpointID: ep.ID}) {
		if d.MessageID == ok.ID {
			delivered = d.ID
		}
		if want := map[bool]int{true: 2, false: 1}[d.MessageID == mid.ID]; !attemptsInOrder(d, want) {
			t.Errorf("delivery %s lists attempts %+v, want its own %d numbered from 1", d.MessageID, d.AttemptLog, want)
		}
		if d.MessageID == old.ID && d.State != idv.DeliveryFailed {
			t.Errorf("old failure state %s, want failed (before since)", d.State)
		}
	}
	if err := st.ReplayWebhookDelivery(ctx, delivered, at); err != nil {
		t.Fatal(err)
	}
	if got := claim(t, st, at, time.Minute, 10); len(got) != 1 || got[0].Delivery.ID != delivered {
		t.Errorf("after replay of a delivered one: claimed %+v", got)
	}
	wantCode(t, "replay unknown", st.ReplayWebhookDelivery(ctx, "dlv_nope", at), idv.CodeNotFound)
}

// attemptsInOrder reports whether d lists n attempts, its own, numbered 1 to n.
func attemptsInOrder(d idv.WebhookDelivery, n int) bool {
	if len(d.AttemptLog) != n {
		return false
	}
	for i, a := range d.AttemptLog {
		if a.N != i+1 || a.DeliveryID != d.ID {
			return false
		}
	}
	return true
}

// testWebhookClaimsAreExclusive claims concurrently: every delivery is
// claimed exactly once.
func testWebhookClaimsAreExclusive(t *testing.T, st idv.Store) {
	createEndpoint(t, st, SampleEndpoint(t, true, "https://a.example"))
	createEndpoint(t, st, SampleEndpoint(t, true, "https://b.example"))
	const msgs = 40
	for i := range msgs {
		enqueue(t, st, true, "session.created", base.Add(time.Duration(i)*time.Millisecond))
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for range 8 {
		wg.Go(func() {
			for {
				cs, err := st.ClaimWebhookDeliveries(t.Context(), idv.ClaimRequest{Now: base.Add(time.Minute),
					LeaseUntil: base.Add(time.Hour), Limit: 3, PerEndpoint: 2})
				if err != nil {
					t.Error(err)
					return
				}
				if len(cs) == 0 {
					return
				}
				mu.Lock()
				for _, c := range cs {
					seen[c.Delivery.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 2*msgs {
		t.Errorf("claimed %d distinct deliveries, want %d", len(seen), 2*msgs)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s claimed %d times", id, n)
		}
	}
}

// testWebhookClaimPerEndpoint: an endpoint whose many deliveries are due
// first takes no more of a claim than its per-endpoint room (the limit less
// what the caller holds), and once it has none a claim looks past its
// backlog to the other endpoints.
func testWebhookClaimPerEndpoint(t *testing.T, st idv.Store) {
	slow := createEndpoint(t, st, SampleEndpoint(t, true, "https://slow.example"))
	fast := createEndpoint(t, st, SampleEndpoint(t, true, "https://fast.example", "session.completed"))
	first := enqueue(t, st, true, "session.created", base)
	for i := range 19 {
		enqueue(t, st, true, "session.created", base.Add(time.Duration(i+1)*time.Millisecond))
	}
	var done []string
	for i := range 3 {
		done = append(done, enqueue(t, st, true, "session.completed", base.Add(time.Second+time.Duration(i)*time.Millisecond)).ID)
	}
	now := base.Add(time.Minute)
	claimHeld := func(held map[string]int) (slowIDs, fastIDs []string) {
		cs, err := st.ClaimWebhookDeliveries(t.Context(), idv.ClaimRequest{Now: now, LeaseUntil: now.Add(time.Hour),
			Limit: 3, PerEndpoint: 2, Held: held})
		if err != nil {
			t.Fatalf("ClaimWebhookDeliveries: %v", err)
		}
		for _, c := range cs {
			if c.Endpoint.ID == slow.ID {
				slowIDs = append(slowIDs, c.Delivery.MessageID)
			} else {
				fastIDs = append(fastIDs, c.Delivery.MessageID)
			}
		}
		return slowIDs, fastIDs
	}
	gotSlow, gotFast := claimHeld(map[string]int{slow.ID: 1})
	if want := []string{first.ID}; !slices.Equal(gotSlow, want) {
		t.Errorf("claim with room for 1 slow: slow got %v, want %v", gotSlow, want)
	}
	// The slow endpoint is full: the claim looks past its backlog.
	more, moreFast := claimHeld(map[string]int{slow.ID: 2, fast.ID: len(gotFast)})
	gotFast = append(gotFast, moreFast...)
	if len(more) != 0 || !slices.Equal(gotFast, done[:2]) {
		t.Errorf("claims with room for 2 fast: got slow %v, fast %v, want fast %v", more, gotFast, done[:2])
	}
	if s, f := claimHeld(map[string]int{slow.ID: 2, fast.ID: 2}); len(s)+len(f) != 0 {
		t.Errorf("claim with no room: got %v %v, want none", s, f)
	}
	if s, f := claimHeld(map[string]int{slow.ID: 2, fast.ID: 1}); len(s) != 0 || !slices.Equal(f, done[2:]) {
		t.Errorf("claim with room for 1 fast: got %v %v, want %v", s, f, done[2:])
	}
}

func testWebhookRelease(t *testing.T, st idv.Store) {
	ctx := t.Context()
	createEndpoint(t, st, SampleEndpoint(t, true, "https://ep.example"))
	enqueue(t, st, true, "session.created", base)
	enqueue(t, st, true, "session.created", base)
	cs := claim(t, st, base, time.Hour, 10)
	if len(cs) != 2 {
		t.Fatalf("claimed %d, want 2", len(cs))
	}
	// cs[1]'s lease is lost to a newer claim: releasing it must not touch it.
	stale := cs[1]
	stale.Claim = "not-the-claim"
	if err := st.ReleaseWebhookClaims(ctx, []idv.ClaimedDelivery{cs[0], stale}, base); err != nil {
		t.Fatal(err)
	}
	got := claim(t, st, base, time.Hour, 10)
	if len(got) != 1 || got[0].Delivery.ID != cs[0].Delivery.ID || got[0].Delivery.Attempts != 0 {
		t.Errorf("after release: claimed %+v, want only the released one, with no attempt recorded", got)
	}
}
