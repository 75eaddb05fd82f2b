package sqlite

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/storetest"
)

func TestSessionCacheRefusesOlderVersions(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	at := func(v int64) idv.Session {
		s := storetest.SampleSession("ses_a", now)
		s.Version = v
		return s
	}
	for _, tc := range []struct {
		name    string
		do      func(c *sessionCache)
		want    int64 // cached version; 0: nothing cached
		wantHit bool
	}{
		{"read fills", func(c *sessionCache) { c.offer(at(1)) }, 1, true},
		{"newer read replaces", func(c *sessionCache) { c.offer(at(1)); c.offer(at(2)) }, 2, true},
		{"older read is refused", func(c *sessionCache) { c.offer(at(2)); c.offer(at(1)) }, 2, true},
		{"write leaves a tombstone", func(c *sessionCache) { c.offer(at(1)); c.written("ses_a", 2) }, 0, false},
		{"a read that raced the write cannot come back", func(c *sessionCache) {
			c.written("ses_a", 2)
			c.offer(at(1))
		}, 0, false},
		{"the written version may fill", func(c *sessionCache) { c.written("ses_a", 2); c.offer(at(2)) }, 2, true},
		{"off", func(c *sessionCache) { c.limit = 0; c.offer(at(1)) }, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newSessionCache(10)
			tc.do(c)
			got, hit := c.get("ses_a")
			if hit != tc.wantHit || (hit && got.Version != tc.want) {
				t.Errorf("get = version %d, hit %v; want version %d, hit %v", got.Version, hit, tc.want, tc.wantHit)
			}
		})
	}
}

func TestSessionCacheIsBoundedAndCopies(t *testing.T) {
	c := newSessionCache(2)
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for _, id := range []string{"a", "b", "c"} {
		c.offer(storetest.SampleSession(id, now))
	}
	if _, hit := c.get("a"); hit {
		t.Error("the least recently used session is still cached past the limit")
	}
	got, hit := c.get("c")
	if !hit {
		t.Fatal("the newest session is not cached")
	}
	if len(got.Steps) == 0 {
		t.Fatal("sample session has no steps")
	}
	got.Steps[0].Status = "tampered"
	got.SealedApplicant[0] ^= 0xff
	again, _ := c.get("c")
	if diff := cmp.Diff(storetest.SampleSession("c", now), again); diff != "" {
		t.Errorf("a caller's changes reached the cache (-want +got):\n%s", diff)
	}
}

// TestReadYourWritesThroughTheCache runs readers beside a writer and
// checks that once InTx returns, a read sees the version it wrote.
func TestReadYourWritesThroughTheCache(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	if err := st.InTx(ctx, func(tx idv.Tx) error {
		return tx.CreateSession(ctx, storetest.SampleSession("ses_hot", now))
	}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					if _, err := st.Session(ctx, "ses_hot"); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	for range 300 {
		var wrote int64
		err := st.InTx(ctx, func(tx idv.Tx) error {
			s, err := tx.SessionForUpdate(ctx, "ses_hot")
			if err != nil {
				return err
			}
			s.Version++
			wrote = s.Version
			return tx.UpdateSession(ctx, s)
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.Session(ctx, "ses_hot")
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != wrote {
			t.Fatalf("read version %d right after committing version %d", got.Version, wrote)
		}
	}
	close(stop)
	readers.Wait()
}
