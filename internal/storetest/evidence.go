package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/openidv/openidv/internal/idv"
)

// RunEvidence runs the evidence records' conformance suite
// (idv.EvidenceStore and idv.EvidenceTx); open is as for Run.
func RunEvidence(t *testing.T, open func(t *testing.T) idv.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, st idv.Store)
	}{
		{"RoundTrip", testEvidenceRoundTrip},
		{"UploadOrder", testEvidenceUploadOrder},
		{"StatusGuard", testEvidenceStatusGuard},
		{"OneCheckResult", testEvidenceOneCheckResult},
		{"OneCheckResultRace", testEvidenceCheckResultRace},
		{"RollbackLeavesNothing", testEvidenceRollback},
		{"DeleteOfSession", testEvidenceDelete},
		{"NotFound", testEvidenceNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, open(t))
		})
	}
}

// sampleMedia returns a received media of session sid, uploaded at.
func sampleMedia(t testing.TB, sid string, at time.Time) idv.Media {
	id := "med_" + NewID(t)
	sum := make([]byte, 32)
	for i := range sum {
		sum[i] = byte(i * 7)
	}
	return idv.Media{ID: id, SessionID: sid, Step: "id_document", AppScreen: "scan_id_document_front_screen",
		Side: idv.MediaFront, ContentType: "image/jpeg", Size: 15 << 20, SHA256: sum,
		BlobKey: "media/" + sid + "/" + id, Status: idv.MediaReceived, Attempt: 1, CreatedAt: at}
}

// newSessionWithMedia commits a session and its media.
func newSessionWithMedia(t *testing.T, st idv.Store, media ...func(sid string) idv.Media) (string, []idv.Media) {
	t.Helper()
	sid := NewID(t)
	var out []idv.Media
	inTx(t, st, func(tx idv.Tx) error {
		out = out[:0]
		if err := tx.CreateSession(t.Context(), SampleSession(sid, base)); err != nil {
			return err
		}
		for _, mk := range media {
			m := mk(sid)
			if err := tx.PutMedia(t.Context(), m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return sid, out
}

// storedMedia is m as a store gives it back.
func storedMedia(m idv.Media) idv.Media {
	m.CreatedAt = stored(m.CreatedAt)
	if !m.CheckedAt.IsZero() {
		m.CheckedAt = stored(m.CheckedAt)
	}
	return m
}

func sampleResult(mediaID string) idv.CheckResult {
	return idv.CheckResult{MediaID: mediaID, Outcome: idv.CheckRejected, Reason: "lowSharpness",
		Code: "blur_laplacian", SealedData: []byte{0, 1, 2, 0xff}, Scores: map[string]float64{"sharpness": 0.125,
			"glare": 0}, BlobKeys: []string{"portrait/" + mediaID}, CreatedAt: base.Add(time.Second)}
}

func testEvidenceRoundTrip(t *testing.T, st idv.Store) {
	_, media := newSessionWithMedia(t, st,
		func(sid string) idv.Media { return sampleMedia(t, sid, base) },
		func(sid string) idv.Media { // every optional field empty, or set
			m := sampleMedia(t, sid, base.Add(time.Millisecond))
			m.Side, m.Status, m.CheckedAt, m.Attempt = "", idv.MediaAccepted, base.Add(time.Minute), 3
			return m
		})
	for _, want := range media {
		got, err := st.MediaByID(t.Context(), want.ID)
		if err != nil {
			t.Fatalf("MediaByID(%s): %v", want.ID, err)
		}
		if diff := cmp.Diff(storedMedia(want), got); diff != "" {
			t.Errorf("MediaByID mismatch (-want +got):\n%s", diff)
		}
	}
	full, bare := sampleResult(media[0].ID), idv.CheckResult{MediaID: media[1].ID, Outcome: idv.CheckAccepted,
		CreatedAt: base}
	inTx(t, st, func(tx idv.Tx) error {
		return errors.Join(tx.PutCheckResult(t.Context(), full), tx.PutCheckResult(t.Context(), bare))
	})
	for _, want := range []idv.CheckResult{full, bare} {
		got, err := st.CheckResultOf(t.Context(), want.MediaID)
		if err != nil {
			t.Fatalf("CheckResultOf(%s): %v", want.MediaID, err)
		}
		want.CreatedAt = stored(want.CreatedAt)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("CheckResultOf mismatch (-want +got):\n%s", diff)
		}
	}
}

func testEvidenceUploadOrder(t *testing.T, st idv.Store) {
	// Two uploads share a time: insertion order breaks the tie. One made
	// later but timed earlier (clock of another replica) sorts first.
	mk := func(at time.Time) func(string) idv.Media {
		return func(sid string) idv.Media { return sampleMedia(t, sid, at) }
	}
	sid, media := newSessionWithMedia(t, st, mk(base.Add(time.Second)), mk(base.Add(time.Second)),
		mk(base.Add(2*time.Second)), mk(base))
	other, _ := newSessionWithMedia(t, st, mk(base))
	want := []idv.Media{media[3], media[0], media[1], media[2]}
	for i := range want {
		want[i] = storedMedia(want[i])
	}
	got, err := st.MediaOfSession(t.Context(), sid)
	if err != nil {
		t.Fatalf("MediaOfSession: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("MediaOfSession mismatch (-want +got):\n%s", diff)
	}
	if got, err := st.MediaOfSession(t.Context(), other); err != nil || len(got) != 1 {
		t.Errorf("MediaOfSession(other): got %d media, %v; want 1", len(got), err)
	}
	if got, err := st.MediaOfSession(t.Context(), NewID(t)); err != nil || len(got) != 0 {
		t.Errorf("MediaOfSession(unknown): got %v, %v; want none", got, err)
	}
}

func testEvidenceStatusGuard(t *testing.T, st idv.Store) {
	_, media := newSessionWithMedia(t, st, func(sid string) idv.Media { return sampleMedia(t, sid, base) })
	id, at := media[0].ID, base.Add(time.Minute)
	set := func(from, to idv.MediaStatus) error {
		return st.InTx(t.Context(), func(tx idv.Tx) error { return tx.SetMediaStatus(t.Context(), id, from, to, at) })
	}
	steps := []struct {
		from, to idv.MediaStatus
		code     idv.Code // "" = allowed
		want     idv.MediaStatus
	}{
		{idv.MediaProcessing, idv.MediaAccepted, idv.CodeConflict, idv.MediaReceived},
		{idv.MediaReceived, idv.MediaProcessing, "", idv.MediaProcessing},
		{idv.MediaReceived, idv.MediaProcessing, idv.CodeConflict, idv.MediaProcessing},
		{idv.MediaProcessing, idv.MediaRejected, "", idv.MediaRejected},
		{idv.MediaProcessing, idv.MediaAccepted, idv.CodeConflict, idv.MediaRejected},
	}
	for i, s := range steps {
		err := set(s.from, s.to)
		what := fmt.Sprintf("step %d %s→%s", i, s.from, s.to)
		if s.code == "" && err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if s.code != "" {
			wantCode(t, what, err, s.code)
		}
		got, err := st.MediaByID(t.Context(), id)
		if err != nil || got.Status != s.want {
			t.Fatalf("%s: got status %q, %v; want %q", what, got.Status, err, s.want)
		}
		wantChecked := time.Time{}
		if s.want.Final() {
			wantChecked = stored(at)
		}
		if !got.CheckedAt.Equal(wantChecked) {
			t.Errorf("%s: got CheckedAt %v, want %v", what, got.CheckedAt, wantChecked)
		}
	}
}

func testEvidenceOneCheckResult(t *testing.T, st idv.Store) {
	_, media := newSessionWithMedia(t, st, func(sid string) idv.Media { return sampleMedia(t, sid, base) })
	first := sampleResult(media[0].ID)
	inTx(t, st, func(tx idv.Tx) error { return tx.PutCheckResult(t.Context(), first) })
	second := first
	second.Outcome, second.Reason = idv.CheckAccepted, ""
	err := st.InTx(t.Context(), func(tx idv.Tx) error { return tx.PutCheckResult(t.Context(), second) })
	wantCode(t, "second PutCheckResult", err, idv.CodeConflict)
	got, err := st.CheckResultOf(t.Context(), first.MediaID)
	if err != nil || got.Outcome != first.Outcome {
		t.Errorf("CheckResultOf: got %+v, %v; want the first result to stand", got, err)
	}
}

// testEvidenceCheckResultRace races two transactions recording a result for
// the same media, several times: exactly one wins each race.
func testEvidenceCheckResultRace(t *testing.T, st idv.Store) {
	const races = 8
	for i := range races {
		_, media := newSessionWithMedia(t, st, func(sid string) idv.Media { return sampleMedia(t, sid, base) })
		var (
			start = make(chan struct{})
			errs  [2]error
			wg    sync.WaitGroup
		)
		for g := range errs {
			wg.Go(func() {
				r := sampleResult(media[0].ID)
				r.Code = fmt.Sprint("racer", g)
				<-start
				errs[g] = st.InTx(t.Context(), func(tx idv.Tx) error { return tx.PutCheckResult(t.Context(), r) })
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for g, err := range errs {
			switch {
			case err == nil:
				won++
			case idv.ErrorCode(err) != idv.CodeConflict:
				t.Errorf("race %d racer %d: got %v, want nil or conflict", i, g, err)
			}
		}
		if won != 1 {
			t.Fatalf("race %d: %d racers won (%v), want exactly 1", i, won, errs)
		}
		got, err := st.CheckResultOf(t.Context(), media[0].ID)
		if err != nil || (got.Code != "racer0" && got.Code != "racer1") {
			t.Errorf("race %d: stored result %+v, %v", i, got, err)
		}
	}
}

func testEvidenceRollback(t *testing.T, st idv.Store) {
	sid, media := newSessionWithMedia(t, st, func(sid string) idv.Media { return sampleMedia(t, sid, base) })
	gone := sampleMedia(t, sid, base.Add(time.Second))
	err := st.InTx(t.Context(), func(tx idv.Tx) error {
		err := errors.Join(tx.PutMedia(t.Context(), gone),
			tx.SetMediaStatus(t.Context(), media[0].ID, idv.MediaReceived, idv.MediaAccepted, base),
			tx.PutCheckResult(t.Context(), sampleResult(media[0].ID)))
		if err != nil {
			return err
		}
		if _, err := tx.DeleteEvidenceOfSession(t.Context(), sid); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx: got %v, want errBoom", err)
	}
	_, err = st.MediaByID(t.Context(), gone.ID)
	wantCode(t, "MediaByID of rolled back", err, idv.CodeNotFound)
	_, err = st.CheckResultOf(t.Context(), media[0].ID)
	wantCode(t, "CheckResultOf of rolled back", err, idv.CodeNotFound)
	got, err := st.MediaOfSession(t.Context(), sid)
	if diff := cmp.Diff([]idv.Media{storedMedia(media[0])}, got); err != nil || diff != "" {
		t.Errorf("MediaOfSession after rollback: %v; mismatch (-want +got):\n%s", err, diff)
	}
}

func testEvidenceDelete(t *testing.T, st idv.Store) {
	mk := func(sid string) idv.Media { return sampleMedia(t, sid, base) }
	sid, media := newSessionWithMedia(t, st, mk, mk, mk)
	other, kept := newSessionWithMedia(t, st, mk)
	inTx(t, st, func(tx idv.Tx) error {
		return errors.Join(tx.PutCheckResult(t.Context(), sampleResult(media[0].ID)),
			tx.PutCheckResult(t.Context(), sampleResult(kept[0].ID)))
	})
	var keys []string
	inTx(t, st, func(tx idv.Tx) (err error) {
		keys, err = tx.DeleteEvidenceOfSession(t.Context(), sid)
		return err
	})
	want := []string{media[0].BlobKey, media[1].BlobKey, media[2].BlobKey, "portrait/" + media[0].ID}
	if diff := cmp.Diff(want, keys, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("DeleteEvidenceOfSession keys mismatch (-want +got):\n%s", diff)
	}
	if got, err := st.MediaOfSession(t.Context(), sid); err != nil || len(got) != 0 {
		t.Errorf("MediaOfSession after delete: got %d, %v; want none", len(got), err)
	}
	_, err := st.CheckResultOf(t.Context(), media[0].ID)
	wantCode(t, "CheckResultOf after delete", err, idv.CodeNotFound)
	if got, err := st.MediaOfSession(t.Context(), other); err != nil || len(got) != 1 {
		t.Errorf("MediaOfSession(other) after delete: got %d, %v; want 1", len(got), err)
	}
	if _, err := st.CheckResultOf(t.Context(), kept[0].ID); err != nil {
		t.Errorf("CheckResultOf(other) after delete: %v", err)
	}
	inTx(t, st, func(tx idv.Tx) (err error) { // again: nothing left, no error
		keys, err = tx.DeleteEvidenceOfSession(t.Context(), sid)
		return err
	})
	if len(keys) != 0 {
		t.Errorf("second delete: got keys %v, want none", keys)
	}
}

func testEvidenceNotFound(t *testing.T, st idv.Store) {
	unknown := "med_" + NewID(t)
	_, err := st.MediaByID(t.Context(), unknown)
	wantCode(t, "MediaByID", err, idv.CodeNotFound)
	_, err = st.CheckResultOf(t.Context(), unknown)
	wantCode(t, "CheckResultOf", err, idv.CodeNotFound)
	err = st.InTx(t.Context(), func(tx idv.Tx) error {
		return tx.SetMediaStatus(t.Context(), unknown, idv.MediaReceived, idv.MediaProcessing, base)
	})
	wantCode(t, "SetMediaStatus", err, idv.CodeNotFound)
	err = st.InTx(t.Context(), func(tx idv.Tx) error { return tx.PutCheckResult(t.Context(), sampleResult(unknown)) })
	wantCode(t, "PutCheckResult", err, idv.CodeNotFound)
	err = st.InTx(t.Context(), func(tx idv.Tx) error { return tx.PutMedia(t.Context(), sampleMedia(t, NewID(t), base)) })
	wantCode(t, "PutMedia of unknown session", err, idv.CodeNotFound)
	_, media := newSessionWithMedia(t, st, func(sid string) idv.Media { return sampleMedia(t, sid, base) })
	err = st.InTx(t.Context(), func(tx idv.Tx) error { return tx.PutMedia(t.Context(), media[0]) })
	wantCode(t, "PutMedia twice", err, idv.CodeConflict)
}
