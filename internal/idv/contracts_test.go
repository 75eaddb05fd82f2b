package idv

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// docTable returns the rows of the first Markdown table after heading in
// docs/contracts.md, as trimmed cells without backquotes (header and rule
// rows left out).
func docTable(t *testing.T, heading string) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "contracts.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), heading+"\n")
	if !ok {
		t.Fatalf("docs/contracts.md has no %q section", heading)
	}
	var rows [][]string
	started := false
	for _, line := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(line, "|") {
			if started {
				break
			}
			continue
		}
		started = true
		if strings.HasPrefix(line, "|---") {
			rows = rows[:0] // what came before was the header
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i, c := range cells {
			cells[i] = strings.Trim(strings.TrimSpace(c), "`")
		}
		rows = append(rows, cells)
	}
	return rows
}

// TestContractsListSDKEvents checks that docs/contracts.md lists every SDK
// event type of the catalogue, in its order and spelling, with the
// payload fields the server knows.
func TestContractsListSDKEvents(t *testing.T) {
	var want, got []string
	for _, e := range SDKEventCatalogue() {
		var fields []string
		for _, f := range e.Fields {
			fields = append(fields, f.Name+" ("+string(f.Type)+")")
		}
		if len(fields) == 0 {
			fields = []string{"—"}
		}
		want = append(want, e.Type+": "+strings.Join(fields, ", "))
	}
	for _, row := range docTable(t, "## SDK events") {
		if len(row) != 2 {
			t.Fatalf("SDK events row %q: want two cells", row)
		}
		got = append(got, row[0]+": "+row[1])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/contracts.md SDK events differ from SDKEventCatalogue (-code +doc):\n%s", diff)
	}
}

// TestContractsListAuthenticationErrors checks the error code table of
// docs/contracts.md against the codes of the code.
func TestContractsListAuthenticationErrors(t *testing.T) {
	want := []AuthenticationErrorCode{AuthUserBlacklisted, AuthCustomerNotFound, AuthSpoofAttempt, AuthUserNotRecognized}
	var got []AuthenticationErrorCode
	for _, row := range docTable(t, "## 1:1 authentication result") {
		n, err := strconv.Atoi(row[0])
		if err != nil {
			t.Fatalf("error code row %q: %v", row, err)
		}
		got = append(got, AuthenticationErrorCode(n))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/contracts.md error codes differ from the code (-code +doc):\n%s", diff)
	}
}

// TestContractsListScreens checks that the session order table of
// docs/contracts.md names every screen once.
func TestContractsListScreens(t *testing.T) {
	want := []Screen{
		ScreenConsent, ScreenIDDocumentFront, ScreenIDDocumentBack, ScreenLiveness, ScreenProofOfAddress,
		ScreenProofOfFunds, ScreenPhoneStart, ScreenEmailStart, ScreenNFCCapture, ScreenVideoCall,
		ScreenCompleted, ScreenSuccessful, ScreenRejected, ScreenCancel,
	}
	var got []Screen
	for _, row := range docTable(t, "## Session order") {
		for _, s := range strings.Split(row[0], ",") {
			got = append(got, Screen(strings.Trim(strings.TrimSpace(s), "`")))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("docs/contracts.md screens differ from the code (-code +doc):\n%s", diff)
	}
}
