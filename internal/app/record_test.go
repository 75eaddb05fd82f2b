package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openidv/openidv/internal/flow"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/seal"
)

// effectSamples holds one value of every effect type flow can emit, by
// type name, with the row record must write for it ("event" or "outbox").
func effectSamples() map[string]struct {
	effect flow.Effect
	row    string
} {
	payload := json.RawMessage(`{"step":"phone"}`)
	return map[string]struct {
		effect flow.Effect
		row    string
	}{
		"TimelineEvent": {flow.TimelineEvent{Type: "session.phone.verified", Source: idv.SourceServer, Payload: payload}, "event"},
		"WebhookEvent":  {flow.WebhookEvent{Type: "session.phone.verified", Payload: payload}, "outbox"},
	}
}

// flowEffectTypes lists, from internal/flow's source, the types that have
// an isEffect method: every effect type flow can emit.
func flowEffectTypes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "flow", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("listing internal/flow: %v (%d files)", err, len(files))
	}
	var names []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv == nil || fd.Name.Name != "isEffect" || len(fd.Recv.List) != 1 {
				continue
			}
			typ := fd.Recv.List[0].Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			if id, ok := typ.(*ast.Ident); ok {
				names = append(names, id.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// recordingTx is the part of a store transaction record writes to; any
// other method panics (the embedded interface is nil).
type recordingTx struct {
	idv.Tx
	events   []idv.Event
	msgs     []idv.OutboxMessage
	notified []string
}

func (tx *recordingTx) AppendEvents(_ context.Context, events ...idv.Event) error {
	tx.events = append(tx.events, events...)
	return nil
}

func (tx *recordingTx) EnqueueOutbox(_ context.Context, msgs ...idv.OutboxMessage) error {
	tx.msgs = append(tx.msgs, msgs...)
	return nil
}

func (tx *recordingTx) NotifySession(_ context.Context, id string) error {
	tx.notified = append(tx.notified, id)
	return nil
}

// TestRecordHandlesEveryEffect checks that record writes a row for every
// effect type flow declares, and that the samples cover them all: adding
// an effect to flow fails this test until record handles it.
func TestRecordHandlesEveryEffect(t *testing.T) {
	samples := effectSamples()
	var sampled []string
	for name := range samples {
		sampled = append(sampled, name)
	}
	slices.Sort(sampled)
	if got := flowEffectTypes(t); !slices.Equal(got, sampled) {
		t.Fatalf("flow's effect types = %v, samples here = %v: add the new type to effectSamples and to record", got, sampled)
	}
	s := &Service{rand: rand.Reader}
	sess := idv.Session{ID: "ses_1"}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for name, sample := range samples {
		tx := &recordingTx{}
		if err := s.record(context.Background(), tx, sess, seal.DataKey{}, []flow.Effect{sample.effect}, now); err != nil {
			t.Errorf("record(%s) = %v", name, err)
			continue
		}
		got := map[string]int{"event": len(tx.events), "outbox": len(tx.msgs)}
		want := map[string]int{"event": 0, "outbox": 0}
		want[sample.row] = 1
		if got["event"] != want["event"] || got["outbox"] != want["outbox"] {
			t.Errorf("record(%s) wrote %v, want %v", name, got, want)
		}
		if !slices.Equal(tx.notified, []string{sess.ID}) {
			t.Errorf("record(%s) notified %v, want [%s]", name, tx.notified, sess.ID)
		}
	}
}

// alienEffect is an effect type flow does not declare (it satisfies
// flow.Effect only through the embedded interface).
type alienEffect struct{ flow.Effect }

// TestRecordRefusesUnknownEffect checks that an effect record does not
// know is an internal error and that nothing is written, not even the
// effects before it: a nil transaction would panic if touched.
func TestRecordRefusesUnknownEffect(t *testing.T) {
	s := &Service{rand: rand.Reader}
	known := effectSamples()["WebhookEvent"].effect
	for name, effects := range map[string][]flow.Effect{
		"alien":         {alienEffect{}},
		"nil":           {nil},
		"after a known": {known, alienEffect{}},
	} {
		err := s.record(context.Background(), nil, idv.Session{ID: "ses_1"}, seal.DataKey{}, effects, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		var e *idv.Error
		if !errors.As(err, &e) || e.Code != idv.CodeInternal {
			t.Errorf("%s: record = %v, want a CodeInternal *idv.Error", name, err)
		}
	}
}
