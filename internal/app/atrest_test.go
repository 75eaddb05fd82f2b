package app_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/openidv/openidv/internal/app"
	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/idvtest"
	"github.com/openidv/openidv/internal/postgres"
	"github.com/openidv/openidv/internal/postgres/pgtest"
)

// canaries are an applicant's data, codes and secrets, by name; none may be
// found in clear at rest.
type canaries map[string]string

// seedCanaries walks a session with personal data through consent, a phone
// code and an SDK event, and returns what must never be stored in clear.
func seedCanaries(t *testing.T, e *idvtest.Env) canaries {
	t.Helper()
	ctx := context.Background()
	c := canaries{
		"first name":  "Zebulonia",
		"last name":   "Quixotically",
		"email":       "canary.mailbox@example.org",
		"phone":       "+447400123456",
		"vendor data": "vendor-canary-7f3a9",
		"unique id":   "uid-canary-5521",
	}
	cs, tok := e.Create(t, e.Private, app.NewSession{KYCLevel: "contact", Applicant: idv.Applicant{
		UniqueID: c["unique id"], FirstName: c["first name"], LastName: c["last name"],
		EmailAddress: c["email"], PhoneNumber: c["phone"], VendorData: c["vendor data"],
	}})
	if _, err := e.Svc.Consent(ctx, tok, cs.SessionID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.StartPhoneVerification(ctx, tok, cs.SessionID, ""); err != nil {
		t.Fatal(err)
	}
	c["otp code"] = e.Inbox.LastCode(t, c["phone"])
	if err := e.Svc.RecordEvents(ctx, tok, cs.SessionID, []app.SDKEvent{
		{Type: "attemptFailed", Payload: []byte(`{"message":"` + c["last name"] + `"}`)},
	}); err != nil {
		t.Fatal(err)
	}
	c["client token"] = cs.ClientToken
	c["api key"] = e.Secrets[string(app.PrincipalPrivateKey)]
	c["national phone"] = "7400123456"
	return c
}

// find reports every canary contained in data, found in where.
func (c canaries) find(t *testing.T, where string, data []byte) {
	t.Helper()
	for name, v := range c {
		if bytes.Contains(data, []byte(v)) {
			t.Errorf("%s %q found in clear in %s", name, v, where)
		}
	}
}

// TestNoPersonalDataAtRest reads the raw SQLite file and its WAL and finds
// none of the applicant's data, codes or secrets in clear.
func TestNoPersonalDataAtRest(t *testing.T) {
	e := idvtest.NewEnv(t)
	c := seedCanaries(t, e)
	check := func(stage string) {
		t.Helper()
		found := 0
		for _, path := range []string{e.DBPath, e.DBPath + "-wal"} {
			b, err := os.ReadFile(path)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			found++
			c.find(t, stage+" "+path, b)
		}
		if found == 0 {
			t.Fatalf("%s: no database file read", stage)
		}
	}
	check("live")
	if err := e.Store.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed")
}

// TestNoPersonalDataInPostgresRows reads every row of every table of the
// PostgreSQL database as text and finds none of the applicant's data,
// codes or secrets in clear.
func TestNoPersonalDataInPostgresRows(t *testing.T) {
	url := pgtest.Database(t, "openidv_atrest")
	ctx := context.Background()
	st, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	e := idvtest.NewEnvOn(t, st)
	c := seedCanaries(t, e)

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name)
		FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var dump strings.Builder
	for _, table := range tables {
		// The whole row as text; bytea columns render as \\x… hex.
		rows, err := conn.Query(ctx, "SELECT t::text FROM "+table+" t")
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		for rows.Next() {
			var text string
			if err := rows.Scan(&text); err != nil {
				t.Fatal(err)
			}
			dump.WriteString(text + "\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(dump.String(), "session.created") {
		t.Fatalf("the dump of %d tables holds no timeline row: the reader is broken", len(tables))
	}
	c.find(t, "PostgreSQL rows", []byte(dump.String()))
	c.find(t, "PostgreSQL rows (bytea decoded)", hexDecoded(dump.String()))
}

// byteaLiteral matches a bytea value in a row's text form.
var byteaLiteral = regexp.MustCompile(`\\\\x([0-9a-f]+)`)

// hexDecoded decodes every \\x… bytea literal of s, so that personal data
// stored as raw bytes in a bytea column would be seen too.
func hexDecoded(s string) []byte {
	var out []byte
	for _, m := range byteaLiteral.FindAllStringSubmatch(s, -1) {
		b, _ := hex.DecodeString(m[1][:len(m[1])&^1])
		out = append(append(out, b...), '\n')
	}
	return out
}

func TestHexDecodedReadsByteaLiterals(t *testing.T) {
	row := `(abc,"\\x5a6562756c6f6e6961",2026)`
	if got := hexDecoded(row); !bytes.Contains(got, []byte("Zebulonia")) {
		t.Errorf("hexDecoded(%q) = %q, want it to contain Zebulonia", row, got)
	}
}
