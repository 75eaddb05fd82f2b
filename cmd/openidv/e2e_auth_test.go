package main

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// createAPIKeyOn runs `openidv apikey create` against the server's store:
// the data directory, or databaseURL when set.
func createAPIKeyOn(t *testing.T, dataDir, databaseURL, kind string) string {
	t.Helper()
	cmd := exec.Command(e2eBinary(t), "apikey", "create", "--kind", kind, "--data-dir", dataDir)
	cmd.Env = e2eEnviron()
	if databaseURL != "" {
		cmd.Env = append(cmd.Env, "OPENIDV_DATABASE_URL="+databaseURL)
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("apikey create: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// checkPublicKeyLockedOut replays the attack of a public key holder who
// learnt a session id (it is in the hosted page's path and websocket_url):
// every session call is 403, the same for an id that does not exist, and
// the session is left untouched.
func checkPublicKeyLockedOut(t *testing.T, base, dataDir, databaseURL, sessionID string) {
	t.Helper()
	pub := newAPIClient(base, createAPIKeyOn(t, dataDir, databaseURL, "public"))
	for _, id := range []string{sessionID, "nosuchsessionnosuchsession"} {
		path := "/v1/sessions/" + id
		pub.must(t, http.MethodGet, path, nil, http.StatusForbidden, nil)
		pub.must(t, http.MethodGet, path+"/preflight", nil, http.StatusForbidden, nil)
		pub.must(t, http.MethodPatch, path+"/consent", map[string]any{"consent": true}, http.StatusForbidden, nil)
		pub.must(t, http.MethodPost, path+"/phone_verification", map[string]string{"phone_number": "+447700900123"}, http.StatusForbidden, nil)
		pub.must(t, http.MethodPatch, path+"/phone_verification", map[string]string{"code": "123456"}, http.StatusForbidden, nil)
		pub.must(t, http.MethodPatch, path+"/email_verification", map[string]string{"code": "123456"}, http.StatusForbidden, nil)
	}
}

// checkVerifiedContact reads the completed session with the private key:
// the session was created without contact details, so the number and
// address in applicant are the ones the applicant verified.
func checkVerifiedContact(t *testing.T, admin *apiClient, sessionID string) {
	t.Helper()
	var shown struct {
		Applicant *struct {
			PhoneNumber  string `json:"phone_number"`
			EmailAddress string `json:"email_address"`
		} `json:"applicant"`
	}
	admin.must(t, http.MethodGet, "/v1/sessions/"+sessionID, nil, http.StatusOK, &shown)
	if shown.Applicant == nil || shown.Applicant.PhoneNumber != e2ePhone || shown.Applicant.EmailAddress != e2eEmail {
		t.Errorf("GET session with the private key: applicant %+v, want phone %s and email %s", shown.Applicant, e2ePhone, e2eEmail)
	}
}
