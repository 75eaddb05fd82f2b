package archtest

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// outsidePaths matches mentions of documents that live beside the
// repository, not in it: the design notes, the seed files and the research
// notes the project started from. A clone does not have them, so code,
// comments and docs restate what they rely on in docs/ instead.
var outsidePaths = regexp.MustCompile(`DESIGN\.md|\.\./shared\b|\bshared/(seeds|reference|testdata|hooks)\b|\bseeds/|` +
	`session-flow\.txt|sdk-event-types\.txt|authentication-webhook-1to1\.txt|\breference/[\w.-]+\.md|` +
	`\b(reliability-security|style-anchors|vendor-apis|cv-feasibility|go-ecosystem)\.md`)

// sharedTestdata may be named by the files that read the shared test data
// for tests: internal/testdatadir (Go tests) and tools/faceapi (the Node
// tool that writes face golden files from it).
var sharedTestdata = regexp.MustCompile(`(\.\./)+shared/testdata\b`)

var testdataReaders = []string{"internal/testdatadir/", "tools/faceapi/"}

func TestNoPointersOutsideTheRepository(t *testing.T) {
	root := repoRoot(t)
	files := trackedFiles(t, root)
	for _, rel := range files {
		if isTestFile(rel) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the work tree, not yet committed
			}
			t.Fatal(err)
		}
		for _, msg := range outsideMentions(rel, b) {
			t.Error(msg)
		}
	}
}

// outsideMentions reports each line of the file rel (contents b) that
// names a document outside the repository.
func outsideMentions(rel string, b []byte) []string {
	if bytes.IndexByte(b, 0) >= 0 {
		return nil // binary
	}
	reader := false
	for _, p := range testdataReaders {
		reader = reader || strings.HasPrefix(rel, p)
	}
	var out []string
	for i, line := range strings.Split(string(b), "\n") {
		if reader {
			line = sharedTestdata.ReplaceAllString(line, "")
		}
		if m := outsidePaths.FindString(line); m != "" {
			out = append(out, rel+":"+strconv.Itoa(i+1)+" mentions "+m+
				": the repository stands on its own; point to a file inside it (docs/contracts.md restates the contracts)")
		}
	}
	return out
}

// isTestFile is true for the files only tests read: Go and TypeScript
// tests and test data.
func isTestFile(rel string) bool {
	return strings.HasSuffix(rel, "_test.go") || strings.Contains(rel, ".test.") ||
		strings.HasPrefix(rel, "testdata/") || strings.Contains(rel, "/testdata/")
}

// trackedFiles lists the files git tracks under root, or, without git,
// every file below root outside hidden and dependency folders.
func trackedFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		return strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestOutsideMentionsCatchViolations checks the checker.
func TestOutsideMentionsCatchViolations(t *testing.T) {
	for _, tc := range []struct {
		rel, text string
		want      int
	}{
		{"internal/flow/doc.go", "// the preflight of DESIGN.md §1.2", 1},
		{"docs/x.md", "see ../shared/seeds/session-flow.txt and\nreference/style-anchors.md", 2},
		{"internal/idv/sdkevents.go", "// the seed `sdk-event-types.txt`", 1},
		{"api/openapi.yaml", "authentication-webhook-1to1.txt", 1},
		{"cmd/openidv/serve.go", "// limits (reliability-security.md §4)", 1},
		{"README.md", "-faces ../shared/testdata/faces", 1},
		{"internal/testdatadir/testdatadir.go", "// lives in ../shared/testdata", 0},
		{"internal/testdatadir/testdatadir.go", "// see ../shared/seeds/x", 1},
		{"tools/faceapi/lib.mjs", "'../../../shared/testdata/faces'", 0},
		{"docs/contracts.md", "the session order, screens and SDK events, in our words", 0},
		{"internal/flow/x.go", "// sharedSeeds/ and liveness.md are ours", 0},
	} {
		if got := outsideMentions(tc.rel, []byte(tc.text)); len(got) != tc.want {
			t.Errorf("%s %q: got %d reports %q, want %d", tc.rel, tc.text, len(got), got, tc.want)
		}
	}
	for rel, want := range map[string]bool{
		"internal/app/flow_test.go": true, "web/sdk/test/flow.test.ts": true, "internal/httpapi/testdata/golden/a.json": true,
		"internal/app/flow.go": false, "docs/events.md": false,
	} {
		if got := isTestFile(rel); got != want {
			t.Errorf("isTestFile(%q) = %v, want %v", rel, got, want)
		}
	}
}
