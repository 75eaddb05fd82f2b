package app_test

import (
	"errors"
	"testing"

	"github.com/openidv/openidv/internal/idv"
)

// The environment these tests run in (store, service, keys, clock, inbox)
// is built by internal/idvtest; this package's tests are the external
// package app_test so that they can import it (idvtest imports app).

// wantCode fails unless err is an *idv.Error with code want (nil: no error).
func wantCode(t *testing.T, what string, err error, want idv.Code) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("%s: got error %v, want none", what, err)
		}
		return
	}
	var de *idv.Error
	if !errors.As(err, &de) {
		t.Fatalf("%s: got %v, want *idv.Error %s", what, err, want)
	}
	if de.Code != want {
		t.Fatalf("%s: got code %s (%v), want %s", what, de.Code, err, want)
	}
}
