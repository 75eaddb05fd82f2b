package httpapi

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openidv/openidv/internal/idv"
	"go.yaml.in/yaml/v3"
)

type inboxStub struct{}

func (inboxStub) Messages() []idv.Message {
	return []idv.Message{{To: "+33600000000", Body: "Your code is <b>123456</b>"}}
}

// TestOpenAPIMatchesRouter compares the router's registered patterns with
// the document's paths and methods, in both directions.
func TestOpenAPIMatchesRouter(t *testing.T) {
	s := New(newFake(), Options{DevInbox: inboxStub{}})
	defer s.Shutdown(t.Context())
	var got []string
	for _, rt := range s.routes() {
		got = append(got, rt.pattern)
	}

	raw, err := os.ReadFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	var want []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				want = append(want, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("router vs api/openapi.yaml (-document +router):\n%s", diff)
	}
}

// TestOpenAPISchemasMatchGoldens checks that the top-level fields of each
// golden answer are the properties of its schema in api/openapi.yaml: every
// required property present, nothing undocumented.
func TestOpenAPISchemasMatchGoldens(t *testing.T) {
	raw, err := os.ReadFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Required   []string       `yaml:"required"`
				Properties map[string]any `yaml:"properties"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for golden, schema := range map[string]string{
		"create.json": "CreatedSession", "show_private.json": "Session",
		"show_client_token.json": "Session", "preflight.json": "Preflight", "preflight_after_consent.json": "Preflight",
	} {
		b, err := os.ReadFile("testdata/golden/" + golden)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		sc, ok := doc.Components.Schemas[schema]
		if !ok {
			t.Fatalf("schema %s missing", schema)
		}
		for _, name := range sc.Required {
			if _, ok := got[name]; !ok {
				t.Errorf("%s lacks %s's required %q", golden, schema, name)
			}
		}
		for name := range got {
			if _, ok := sc.Properties[name]; !ok {
				t.Errorf("%s has %q, not documented in %s", golden, name, schema)
			}
		}
	}
}
