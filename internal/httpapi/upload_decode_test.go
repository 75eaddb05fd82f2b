package httpapi

import (
	"testing"

	"github.com/openidv/openidv/internal/idv"
	"github.com/openidv/openidv/internal/upload"
)

// TestDecodeUploadBody proves the plan of internal/upload: the API's one
// strict decoder reads upload.JSONBody, refusing repeated, case-variant
// and unknown keys, and upload.FromJSON checks the fields it decoded.
func TestDecodeUploadBody(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantField string // "" when accepted
	}{
		{"accepted", `{"media_base64_strict":"AAAA","app_screen":"scan_id_document_front_screen"}`, ""},
		{"liveness frame", `{"media_base64_strict":"AAAA","app_screen":"s","capture_id":"c","frame_index":1,"captured_at_ms":2}`, ""},
		{"repeated key", `{"media_base64_strict":"AAAA","media_base64_strict":"BBBB","app_screen":"s"}`, "media_base64_strict"},
		{"case variant", `{"media_base64_strict":"AAAA","MEDIA_BASE64_STRICT":"BBBB","app_screen":"s"}`, "MEDIA_BASE64_STRICT"},
		{"only a case variant", `{"Media_Base64_Strict":"AAAA","app_screen":"s"}`, "Media_Base64_Strict"},
		{"unknown key", `{"media_base64_strict":"AAAA","app_screen":"s","file_name":"a.jpg"}`, "file_name"},
		{"wrong type", `{"media_base64_strict":1,"app_screen":"s"}`, "media_base64_strict"},
		{"data url", `{"media_base64_strict":"data:image/png;base64,AAAA","app_screen":"s"}`, "media_base64_strict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b upload.JSONBody
			err := decodeStrict([]byte(tt.body), &b)
			if err == nil {
				_, err = upload.FromJSON(b, 0)
			}
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := err.(*idv.Error)
			if !ok || e.Code != idv.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Name != tt.wantField {
				t.Errorf("got %v, want invalid_request on field %s", err, tt.wantField)
			}
		})
	}
}
