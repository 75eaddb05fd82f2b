package archtest

import (
	"strings"
	"testing"
)

// testOnly packages exist for tests: only _test.go files, and other
// test-only packages, may import them.
var testOnly = []string{
	"internal/idvtest", "internal/postgres/pgtest", "internal/storetest", "internal/testdatadir",
	"internal/smtp/smtptest", "internal/blobtest", "internal/s3/s3test",
}

func TestTestOnlyPackagesStayInTests(t *testing.T) {
	for _, f := range parseRepo(t) {
		for _, msg := range testOnlyImports(f) {
			t.Error(msg)
		}
	}
}

// testOnlyImports reports the test-only packages that the non-test file f
// imports, unless f belongs to a test-only package itself.
func testOnlyImports(f goFile) []string {
	if under(f.pkg, testOnly) {
		return nil
	}
	var out []string
	for _, imp := range f.imports {
		if rel, ok := strings.CutPrefix(imp, module+"/"); ok && under(rel, testOnly) {
			out = append(out, f.path+" imports "+imp+": a test-only package may be imported from _test.go files only")
		}
	}
	return out
}

// TestTestOnlyRuleCatchesViolations checks the checker: a server file
// importing idvtest is reported, a test-only package importing pgtest and
// a file importing neither are not.
func TestTestOnlyRuleCatchesViolations(t *testing.T) {
	for _, tc := range []struct {
		f    goFile
		want int
	}{
		{goFile{pkg: "internal/httpapi", path: "server.go", imports: []string{module + "/internal/idvtest"}}, 1},
		{goFile{pkg: "cmd/openidv", path: "main.go", imports: []string{module + "/internal/idvtest/sub", module + "/internal/storetest"}}, 2},
		{goFile{pkg: "internal/idvtest", path: "store.go", imports: []string{module + "/internal/postgres/pgtest"}}, 0},
		{goFile{pkg: "internal/app", path: "service.go", imports: []string{module + "/internal/idv", "testing"}}, 0},
		{goFile{pkg: "internal/idvtestx", path: "x.go", imports: []string{module + "/internal/idvtestx"}}, 0},
	} {
		if got := testOnlyImports(tc.f); len(got) != tc.want {
			t.Errorf("%s in %s: got %d reports %q, want %d", tc.f.path, tc.f.pkg, len(got), got, tc.want)
		}
	}
}
