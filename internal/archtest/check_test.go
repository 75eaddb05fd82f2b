package archtest

import (
	"strings"
	"testing"
)

// engines are the pure check engines, reached only through internal/check.
var engines = []string{"internal/face", "internal/document"}

// checkMayImport is what internal/check may import of the module: the
// domain and the engines with their support packages.
var checkMayImport = []string{"internal/idv", "internal/imaging", "internal/face", "internal/document"}

// checkViolations applies the check adapter's rules to files: the
// application layer imports neither an engine nor the adapter (it drives
// the idv checker ports), and the adapter imports only checkMayImport of
// the module (no use case, HTTP or store).
func checkViolations(files []goFile) []string {
	var out []string
	for _, f := range files {
		app, chk := under(f.pkg, []string{"internal/app"}), under(f.pkg, []string{"internal/check"})
		if !app && !chk {
			continue
		}
		for _, imp := range f.imports {
			rel, ok := strings.CutPrefix(imp, module+"/")
			if !ok {
				continue
			}
			if app && under(rel, append([]string{"internal/check"}, engines...)) {
				out = append(out, f.path+" imports "+imp+": use cases reach the engines through the idv checker ports")
			}
			if chk && !under(rel, checkMayImport) {
				out = append(out, f.path+" imports "+imp+": the check adapter imports only idv, imaging and the engines")
			}
		}
	}
	return out
}

func TestEnginesAreReachedThroughCheck(t *testing.T) {
	for _, v := range checkViolations(parseRepo(t)) {
		t.Error(v)
	}
}

func TestCheckRulesCatchViolations(t *testing.T) {
	files := []goFile{
		{pkg: "internal/app", path: "app/x.go", imports: []string{module + "/internal/document/mrz"}},
		{pkg: "internal/app", path: "app/y.go", imports: []string{module + "/internal/check", module + "/internal/idv"}},
		{pkg: "internal/check", path: "check/x.go", imports: []string{module + "/internal/sqlite", module + "/internal/face"}},
		{pkg: "internal/check", path: "check/y.go", imports: []string{module + "/internal/app"}},
		{pkg: "internal/httpapi", path: "httpapi/x.go", imports: []string{module + "/internal/check"}},
	}
	got := checkViolations(files)
	if len(got) != 4 {
		t.Fatalf("got %d violations, want 4 (app→mrz, app→check, check→sqlite, check→app):\n%s", len(got), strings.Join(got, "\n"))
	}
}
