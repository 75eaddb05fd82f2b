package app_test

import (
	"context"
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
	"github.com/openidv/openidv/internal/localfs"
)

// newBlobs opens a local blob store in the test's temporary directory.
func newBlobs(t *testing.T) *localfs.Store {
	t.Helper()
	bs, err := localfs.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

// putEvidence records two media and a check result naming a derived object
// for session sid, straight through the store, puts the three objects into
// bs and returns the media ids and the object keys.
func putEvidence(t *testing.T, e *idvtest.Env, bs idv.BlobStore, sid string) (mediaIDs, keys []string) {
	t.Helper()
	ctx := context.Background()
	sum := sha256.Sum256([]byte(sid))
	var media []idv.Media
	for i, side := range []string{idv.MediaFront, idv.MediaBack} {
		id := side + "-" + sid
		media = append(media, idv.Media{ID: id, SessionID: sid, Step: "id_document",
			AppScreen: idv.Screen("scan_id_document_" + side + "_screen"), Side: side, ContentType: "image/jpeg", Size: 3,
			SHA256: sum[:], BlobKey: "sessions/" + sid + "/" + id, Status: idv.MediaReceived, Attempt: 1,
			CreatedAt: e.Clock.Now().Add(time.Duration(i) * time.Millisecond)})
		mediaIDs = append(mediaIDs, id)
		keys = append(keys, media[i].BlobKey)
	}
	derived := "sessions/" + sid + "/portrait-" + media[0].ID
	keys = append(keys, derived)
	for _, k := range keys {
		if err := bs.Put(ctx, k, strings.NewReader("enc")); err != nil {
			t.Fatalf("Put(%s): %v", k, err)
		}
	}
	err := e.Store.InTx(ctx, func(tx idv.Tx) error {
		for _, m := range media {
			if err := tx.PutMedia(ctx, m); err != nil {
				return err
			}
		}
		return tx.PutCheckResult(ctx, idv.CheckResult{MediaID: media[0].ID, Outcome: idv.CheckAccepted,
			BlobKeys: []string{derived}, CreatedAt: e.Clock.Now()})
	})
	if err != nil {
		t.Fatalf("put evidence: %v", err)
	}
	return mediaIDs, keys
}

// objects lists every key in bs.
func objects(t *testing.T, bs idv.BlobStore) []string {
	t.Helper()
	var keys []string
	err := bs.List(context.Background(), "", func(b idv.BlobInfo) error {
		keys = append(keys, b.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	return keys
}

// wantObjects fails unless bs holds exactly want, in any order.
func wantObjects(t *testing.T, what string, bs idv.BlobStore, want ...[]string) {
	t.Helper()
	all := []string{}
	for _, w := range want {
		all = append(all, w...)
	}
	if diff := cmp.Diff(all, objects(t, bs), cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s: objects (-want +got):\n%s", what, diff)
	}
}

// wantMedia fails unless session sid has n media rows.
func wantMedia(t *testing.T, what string, e *idvtest.Env, sid string, n int) {
	t.Helper()
	got, err := e.Store.MediaOfSession(context.Background(), sid)
	if err != nil || len(got) != n {
		t.Errorf("%s: MediaOfSession = %d media, %v; want %d, nil", what, len(got), err, n)
	}
}

func TestEraseDeletesEvidence(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		bs := newBlobs(t)
		e := be.NewEnv(t, func(d *app.Deps) { d.Blobs = bs })
		ctx := context.Background()
		erased, _ := e.ContactSession(t)
		kept, _ := e.ContactSession(t)
		media, gone := putEvidence(t, e, bs, erased.SessionID)
		_, keep := putEvidence(t, e, bs, kept.SessionID)

		err := e.Svc.EraseSession(ctx, e.Public, erased.SessionID)
		wantCode(t, "erase with a public key", err, idv.CodeForbidden)
		wantMedia(t, "after the refused erase", e, erased.SessionID, 2)
		wantObjects(t, "after the refused erase", bs, gone, keep)

		wantCode(t, "erase", e.Svc.EraseSession(ctx, e.Private, erased.SessionID), "")
		wantMedia(t, "erased session", e, erased.SessionID, 0)
		_, err = e.Store.CheckResultOf(ctx, media[0])
		wantCode(t, "check result after erase", err, idv.CodeNotFound)
		wantMedia(t, "other session", e, kept.SessionID, 2)
		wantObjects(t, "after erase", bs, keep)
		wantCode(t, "erase twice", e.Svc.EraseSession(ctx, e.Private, erased.SessionID), "")
		wantObjects(t, "after the second erase", bs, keep)
	})
}

func TestEraseWithoutBlobStore(t *testing.T) {
	e := idvtest.NewEnv(t) // Deps.Blobs nil: rows go, nothing else to delete
	bs := newBlobs(t)
	cs, _ := e.ContactSession(t)
	_, keys := putEvidence(t, e, bs, cs.SessionID)
	wantCode(t, "erase", e.Svc.EraseSession(context.Background(), e.Private, cs.SessionID), "")
	wantMedia(t, "erased session", e, cs.SessionID, 0)
	wantObjects(t, "unwired store", bs, keys)
}

func TestPurgeRetentionDeletesEvidence(t *testing.T) {
	idvtest.EachBackend(t, "openidv_app", func(t *testing.T, be idvtest.Backend) {
		bs := newBlobs(t)
		e := be.NewEnv(t, func(d *app.Deps) { d.Retention = 30 * 24 * time.Hour; d.Blobs = bs })
		old1, _ := e.ContactSession(t)
		old2, _ := e.ContactSession(t)
		_, gone1 := putEvidence(t, e, bs, old1.SessionID)
		_, gone2 := putEvidence(t, e, bs, old2.SessionID)
		e.Clock.Add(20 * 24 * time.Hour)
		young, _ := e.ContactSession(t)
		_, keep := putEvidence(t, e, bs, young.SessionID)

		n, err := e.Svc.PurgeRetention(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("early PurgeRetention = %d, %v; want 0, nil", n, err)
		}
		wantObjects(t, "before the retention period", bs, gone1, gone2, keep)

		e.Clock.Add(11 * 24 * time.Hour)
		n, err = e.Svc.PurgeRetention(context.Background())
		if err != nil || n != 2 {
			t.Fatalf("PurgeRetention = %d, %v; want 2, nil", n, err)
		}
		wantMedia(t, "old session 1", e, old1.SessionID, 0)
		wantMedia(t, "old session 2", e, old2.SessionID, 0)
		wantMedia(t, "young session", e, young.SessionID, 2)
		wantObjects(t, "after retention", bs, keep)
	})
}

// failingDeletes is a blob store whose Delete always fails.
type failingDeletes struct{ idv.BlobStore }

func (failingDeletes) Delete(context.Context, string) error {
	return idv.Errorf(idv.CodeInternal, "disk on fire")
}

func TestEraseSurvivesFailedObjectDelete(t *testing.T) {
	bs := newBlobs(t)
	e := idvtest.NewEnv(t, func(d *app.Deps) { d.Blobs = failingDeletes{bs} })
	cs, _ := e.ContactSession(t)
	_, keys := putEvidence(t, e, bs, cs.SessionID)
	// The data key and rows are gone; the leftover objects are unreadable
	// and left for the orphan sweep.
	wantCode(t, "erase", e.Svc.EraseSession(context.Background(), e.Private, cs.SessionID), "")
	wantMedia(t, "erased session", e, cs.SessionID, 0)
	wantObjects(t, "failed deletes", bs, keys)
}
