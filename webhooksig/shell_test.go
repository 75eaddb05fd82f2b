package webhooksig

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestShellRecipe runs the openssl recipe of docs/webhooks.md on the
// known-answer vector, so the documentation cannot drift from the code.
func TestShellRecipe(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "webhooks.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- shell-recipe -->\n```sh\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/webhooks.md has no shell recipe block")
	}
	bodyFile := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(bodyFile, []byte(katBody), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", string(m[1]))
	cmd.Env = append(os.Environ(), "SECRET="+katSecret, "WEBHOOK_ID="+katID,
		"WEBHOOK_TIMESTAMP=1614265330", "BODY_FILE="+bodyFile)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("recipe failed: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != katSig {
		t.Errorf("recipe printed %q, want %q", got, katSig)
	}
}
