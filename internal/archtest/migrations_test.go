package archtest

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// migrationDirs are the embedded migration lists of the two stores; a
// schema change lands in both, under the same number and name.
var migrationDirs = []string{"internal/sqlite/migrations", "internal/postgres/migrations"}

func TestMigrationListsMatch(t *testing.T) {
	root := repoRoot(t)
	lists := make([][]string, len(migrationDirs))
	for i, dir := range migrationDirs {
		lists[i] = migrationFiles(t, filepath.Join(root, dir))
		if len(lists[i]) == 0 {
			t.Fatalf("%s holds no .sql migration", dir)
		}
	}
	for _, msg := range migrationDiff(migrationDirs[0], lists[0], migrationDirs[1], lists[1]) {
		t.Error(msg)
	}
}

// migrationFiles lists the .sql files of dir, sorted.
func migrationFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// migrationDiff names every migration one list has and the other lacks,
// and every number the two lists give different names (or a list gives
// twice).
func migrationDiff(dirA string, a []string, dirB string, b []string) []string {
	var out []string
	byNum := func(dir string, names []string) map[string]string {
		m := map[string]string{}
		for _, n := range names {
			num, _, _ := strings.Cut(n, "_")
			if prev, dup := m[num]; dup {
				out = append(out, dir+": "+prev+" and "+n+" share the number "+num)
			}
			m[num] = n
		}
		return m
	}
	numA, numB := byNum(dirA, a), byNum(dirB, b)
	for _, n := range a {
		num, _, _ := strings.Cut(n, "_")
		switch other, ok := numB[num]; {
		case !ok:
			out = append(out, dirB+" lacks "+n+" (present in "+dirA+")")
		case other != n:
			out = append(out, "migration "+num+" is "+n+" in "+dirA+" but "+other+" in "+dirB)
		}
	}
	for _, n := range b {
		num, _, _ := strings.Cut(n, "_")
		if _, ok := numA[num]; !ok {
			out = append(out, dirA+" lacks "+n+" (present in "+dirB+")")
		}
	}
	return out
}

// TestMigrationDiffNamesTheMissing checks the checker.
func TestMigrationDiffNamesTheMissing(t *testing.T) {
	const s, p = "sqlite", "postgres"
	for _, tc := range []struct {
		name string
		a, b []string
		want []string
	}{
		{"same", []string{"00001_init.sql", "00002_x.sql"}, []string{"00001_init.sql", "00002_x.sql"}, nil},
		{"missing in postgres", []string{"00001_init.sql", "00002_x.sql"}, []string{"00001_init.sql"},
			[]string{"postgres lacks 00002_x.sql (present in sqlite)"}},
		{"missing in sqlite", []string{"00001_init.sql"}, []string{"00001_init.sql", "00002_x.sql"},
			[]string{"sqlite lacks 00002_x.sql (present in postgres)"}},
		{"renamed", []string{"00002_x.sql"}, []string{"00002_y.sql"},
			[]string{"migration 00002 is 00002_x.sql in sqlite but 00002_y.sql in postgres"}},
		{"duplicate number", []string{"00002_x.sql", "00002_y.sql"}, []string{"00002_y.sql"},
			[]string{"sqlite: 00002_x.sql and 00002_y.sql share the number 00002", "migration 00002 is 00002_x.sql in sqlite but 00002_y.sql in postgres"}},
	} {
		got := migrationDiff(s, tc.a, p, tc.b)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
