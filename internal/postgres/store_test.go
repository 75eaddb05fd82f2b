package postgres

import (
	"context"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/storetest"
)

// testURL returns the database of OPENIDV_TEST_POSTGRES_URL or skips.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("OPENIDV_TEST_POSTGRES_URL")
	if u == "" {
		t.Skip("OPENIDV_TEST_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return u
}

// freshSchema creates a schema of its own for t, dropped when t ends, and
// returns a URL whose search_path points at it, and its name.
func freshSchema(t testing.TB) (string, string) {
	t.Helper()
	base := testURL(t)
	schema := "openidv_test_" + storetest.NewID(t)[:16]
	admin, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Errorf("connect for cleanup: %v", err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("OPENIDV_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

// openAt opens a store on dbURL, closed when t ends (before the schema is
// dropped), listening on the schema's own channel.
func openAt(t testing.TB, dbURL, schema string, opts ...Option) *Store {
	t.Helper()
	st, err := Open(t.Context(), dbURL, append([]Option{WithNotifyChannel(schema)}, opts...)...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

// open returns a migrated store in a fresh schema.
func open(t testing.TB, opts ...Option) *Store {
	t.Helper()
	dbURL, schema := freshSchema(t)
	st := openAt(t, dbURL, schema, opts...)
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return st
}

// TestConformance runs the shared suite with notices sent after commit
// (default) and inside the transaction, and without group commit.
func TestConformance(t *testing.T) {
	testURL(t)
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"NotifyAfterCommit", nil},
		{"NotifyInTransaction", []Option{WithNotifyInTransaction()}},
		{"GroupCommitOff", []Option{WithGroupCommit(0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) idv.Store { return open(t, tc.opts...) })
		})
	}
}

// TestReadyFailsUntilMigrated checks Ready reports pending migrations and
// that Migrate is idempotent.
func TestReadyFailsUntilMigrated(t *testing.T) {
	dbURL, schema := freshSchema(t)
	st := openAt(t, dbURL, schema)
	if err := st.Ready(t.Context()); err == nil {
		t.Fatalf("Ready before Migrate: got nil, want an error")
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := st.Ready(t.Context()); err != nil {
		t.Errorf("Ready after Migrate: %v", err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Errorf("second Migrate: %v", err)
	}
}

// subscribe runs st.Subscribe on its own goroutine, sending what it hears
// to the returned channel and its result to the error channel.
func subscribe(t *testing.T, st *Store) (<-chan string, <-chan error) {
	heard := make(chan string, 1024)
	errc := make(chan error, 1)
	go func() {
		errc <- st.Subscribe(t.Context(), func(id string) {
			select {
			case heard <- id:
			case <-t.Context().Done():
			}
		})
	}()
	return heard, errc
}

// probe commits sessions through via until heard delivers one of them,
// which proves the subscription listens; it fails if errc reports first.
func probe(t *testing.T, via *Store, heard <-chan string, errc <-chan error) {
	t.Helper()
	sent := map[string]bool{}
	retry := time.NewTicker(20 * time.Millisecond) // how often to commit another, not an assertion
	defer retry.Stop()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	for {
		id := storetest.NewID(t)
		sent[id] = true
		err := via.InTx(t.Context(), func(tx idv.Tx) error {
			return storetest.CreateRealistic(t.Context(), tx, id, time.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		for waiting := true; waiting; {
			select {
			case got := <-heard:
				if sent[got] {
					return
				}
			case err := <-errc:
				t.Fatalf("Subscribe returned: %v", err)
			case <-deadline.C:
				t.Fatal("no notice arrived")
			case <-retry.C:
				waiting = false
			}
		}
	}
}

// TestNoticesCrossStores checks that a change committed through one Store
// reaches a subscriber of another Store on the same database, as between
// replicas.
func TestNoticesCrossStores(t *testing.T) {
	dbURL, schema := freshSchema(t)
	writer := openAt(t, dbURL, schema)
	if err := writer.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	reader := openAt(t, dbURL, schema)
	heard, errc := subscribe(t, reader)
	probe(t, writer, heard, errc)
}

// TestSubscribeReportsLostConnection kills the listening connection:
// Subscribe must return an error (notices may have been missed), and a new
// Subscribe must hear later changes.
func TestSubscribeReportsLostConnection(t *testing.T) {
	st := open(t)
	heard, errc := subscribe(t, st)
	probe(t, st, heard, errc)
	var killed int
	err := st.pool.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query = $1 AND pid <> pg_backend_pid()`, "LISTEN "+pgx.Identifier{st.channel}.Sanitize()).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminating the listener: got %d killed, %v; want 1", killed, err)
	}
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	select {
	case err := <-errc:
		if err == nil {
			t.Errorf("Subscribe after losing its connection: got nil, want an error")
		}
	case <-deadline.C:
		t.Fatal("Subscribe did not return after losing its connection")
	}
	heard, errc = subscribe(t, st)
	probe(t, st, heard, errc)
}

// TestSubscribeEndsOnClose checks that Close ends a subscription with an
// error and that Subscribe on a closed store fails at once.
func TestSubscribeEndsOnClose(t *testing.T) {
	dbURL, schema := freshSchema(t)
	st, err := Open(t.Context(), dbURL, WithNotifyChannel(schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	heard, errc := subscribe(t, st)
	probe(t, st, heard, errc)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err == nil {
		t.Errorf("Subscribe when the store closed: got nil, want an error")
	}
	if err := st.Subscribe(t.Context(), func(string) {}); err == nil {
		t.Errorf("Subscribe on a closed store: got nil, want an error")
	}
}

// TestDurableCommit checks the server commits synchronously.
func TestDurableCommit(t *testing.T) {
	st := open(t)
	var v string
	if err := st.pool.QueryRow(t.Context(), `SHOW synchronous_commit`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != "on" {
		t.Errorf("synchronous_commit = %s, want on", v)
	}
}

// BenchmarkCreateSessionParallel measures session creation; PostgreSQL
// groups concurrent commits itself. OneConnection (every commit waits for
// its own WAL flush) is the baseline without grouping; NotifyInTransaction
// shows the cost of NOTIFY's commit lock.
func BenchmarkCreateSessionParallel(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"Default", nil},
		{"NotifyInTransaction", []Option{WithNotifyInTransaction()}},
		{"OneConnection", []Option{WithMaxConns(1)}},
		{"GroupCommitOff", []Option{WithGroupCommit(0)}},
		{"GroupCommit8", []Option{WithGroupCommit(8)}},
	} {
		b.Run(tc.name, func(b *testing.B) { storetest.BenchmarkCreate(b, open(b, tc.opts...)) })
	}
}

// TestInTxAfterClose checks a closed store refuses work.
func TestInTxAfterClose(t *testing.T) {
	dbURL, schema := freshSchema(t)
	st, err := Open(t.Context(), dbURL, WithNotifyChannel(schema))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	err = st.InTx(t.Context(), func(tx idv.Tx) error {
		return storetest.CreateRealistic(t.Context(), tx, storetest.NewID(t), time.Now())
	})
	if err == nil {
		t.Errorf("InTx after Close: got nil, want an error")
	}
	if err := st.Ready(t.Context()); err == nil {
		t.Errorf("Ready after Close: got nil, want an error")
	}
}
