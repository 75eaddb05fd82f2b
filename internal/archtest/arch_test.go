// Package archtest enforces the import rules of docs/architecture.md: the
// domain and the check engines stay pure, adapters import the domain and
// never each other, only cmd/openidv wires adapters together, and
// test-only packages stay in tests. It also keeps the repository standing
// on its own (no pointers to documents outside it) and the two stores'
// migration lists equal.
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/openidv/openidv"

// pure packages do no I/O and read no clock or randomness themselves.
var pure = []string{"internal/idv", "internal/flow", "internal/face", "internal/document", "internal/imaging", "internal/upload"}

// adapters implement ports; they may import the domain and support
// packages, never another adapter.
var adapters = []string{
	"internal/sqlite", "internal/postgres", "internal/smtp", "internal/sms",
	"internal/devinbox", "internal/httpapi", "internal/webhook", "internal/localfs", "internal/s3",
}

// forbiddenInPure lists standard packages that mean I/O, a clock of one's
// own or randomness.
var forbiddenInPure = []string{
	"net", "net/http", "database/sql", "os", "os/exec", "crypto/rand", "math/rand", "math/rand/v2", "log", "log/slog",
}

// goFile is one parsed non-test Go file.
type goFile struct {
	pkg     string // import path relative to the module, e.g. internal/flow
	path    string
	imports []string
	ast     *ast.File
}

func TestPurePackagesDoNoIO(t *testing.T) {
	for _, f := range parseRepo(t) {
		if !under(f.pkg, pure) {
			continue
		}
		for _, imp := range f.imports {
			if contains(forbiddenInPure, imp) {
				t.Errorf("%s imports %q: pure packages do no I/O and read no clock or randomness", f.path, imp)
			}
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok && !under(rel, pure) {
				t.Errorf("%s imports %q: pure packages import only other pure packages", f.path, imp)
			}
		}
		for _, call := range clockCalls(f.ast) {
			t.Errorf("%s calls %s: pass the time in instead", f.path, call)
		}
	}
}

func TestAdaptersDoNotImportEachOther(t *testing.T) {
	for _, f := range parseRepo(t) {
		self := owner(f.pkg, adapters)
		if self == "" {
			continue
		}
		for _, imp := range f.imports {
			rel, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				continue
			}
			if other := owner(rel, adapters); other != "" && other != self {
				t.Errorf("%s imports adapter %q: adapters import the domain, never each other", f.path, imp)
			}
			if self != "internal/httpapi" && under(rel, []string{"internal/app"}) {
				t.Errorf("%s imports %q: only the HTTP adapter drives the application layer", f.path, imp)
			}
		}
	}
}

func TestAppKnowsNoHTTPOrSQL(t *testing.T) {
	for _, f := range parseRepo(t) {
		if !under(f.pkg, []string{"internal/app"}) {
			continue
		}
		for _, imp := range f.imports {
			if imp == "net/http" || imp == "database/sql" {
				t.Errorf("%s imports %q: use cases know no HTTP and no SQL", f.path, imp)
			}
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok && owner(rel, adapters) != "" {
				t.Errorf("%s imports adapter %q: the application layer drives ports, not adapters", f.path, imp)
			}
		}
	}
}

func TestOnlyCmdImportsCmd(t *testing.T) {
	for _, f := range parseRepo(t) {
		for _, imp := range f.imports {
			if strings.HasPrefix(imp, module+"/cmd/") {
				t.Errorf("%s imports %q: nothing imports a command", f.path, imp)
			}
		}
	}
}

// TestJobImportsOnlyDomain keeps the job runner generic: of the module it
// imports only the domain, and outside the standard library only
// Prometheus, so use cases reach it through idv's ports.
func TestJobImportsOnlyDomain(t *testing.T) {
	for _, f := range parseRepo(t) {
		if !under(f.pkg, []string{"internal/job"}) {
			continue
		}
		for _, imp := range f.imports {
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok {
				if rel != "internal/idv" {
					t.Errorf("%s imports %q: job imports only internal/idv of the module", f.path, imp)
				}
				continue
			}
			if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") && !strings.HasPrefix(imp, "github.com/prometheus/") {
				t.Errorf("%s imports %q: job imports only the standard library, idv and Prometheus", f.path, imp)
			}
		}
	}
}

// TestRulesCatchViolations checks the checker: a pure file importing
// net/http and calling time.Now must be reported.
func TestRulesCatchViolations(t *testing.T) {
	src := "package flow\nimport (\"net/http\"; \"time\")\nvar _ = http.MethodGet\nfunc f() time.Time { return time.Now() }\n"
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "x.go", src, parser.ImportsOnly|parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	if got := importsOf(file); !contains(got, "net/http") {
		t.Errorf("importsOf = %v, want net/http among them", got)
	}
	full, err := parser.ParseFile(fset, "x.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	if got := clockCalls(full); len(got) != 1 {
		t.Errorf("clockCalls = %v, want one call", got)
	}
}

func parseRepo(t *testing.T) []goFile {
	t.Helper()
	root := repoRoot(t)
	var files []goFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		files = append(files, goFile{pkg: filepath.ToSlash(rel), path: path, imports: importsOf(file), ast: file})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("found no Go files: the walker is broken")
	}
	return files
}

func importsOf(f *ast.File) []string {
	var out []string
	for _, spec := range f.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err == nil {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// clockCalls finds time.Now and time.Since calls (the package must be
// imported under its own name for this to see them).
func clockCalls(f *ast.File) []string {
	var calls []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == "time" && (sel.Sel.Name == "Now" || sel.Sel.Name == "Since" || sel.Sel.Name == "Until") {
			calls = append(calls, "time."+sel.Sel.Name)
		}
		return true
	})
	return calls
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

func under(pkg string, roots []string) bool { return owner(pkg, roots) != "" }

func owner(pkg string, roots []string) string {
	for _, r := range roots {
		if pkg == r || strings.HasPrefix(pkg, r+"/") {
			return r
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
