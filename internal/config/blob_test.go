package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestBlobURL(t *testing.T) {
	tests := []struct {
		url     string
		wantDir string // BlobDir of a valid URL
		wantErr bool
	}{
		{url: "", wantDir: filepath.Join("./data", "blobs")},
		{url: "file:///var/lib/openidv/blobs", wantDir: "/var/lib/openidv/blobs"},
		{url: "file://localhost/srv/blobs", wantDir: "/srv/blobs"},
		{url: "s3://media?endpoint=http://127.0.0.1:7070&region=us-east-1&path_style=true", wantDir: ""},
		{url: "s3://media?access_key_id=k&secret_access_key=hunter2", wantDir: ""},
		{url: "file://relative/dir", wantErr: true},
		{url: "file:///", wantErr: true},
		{url: "file:///x?y=1", wantErr: true},
		{url: "s3://", wantErr: true},
		{url: "s3://media/prefix", wantErr: true},
		{url: "s3://u:hunter2@media", wantErr: true},
		{url: "gs://media", wantErr: true},
		{url: "/var/lib/blobs", wantErr: true},
	}
	for _, tt := range tests {
		cfg, err := load(t, nil, []string{"OPENIDV_BLOB_URL=" + tt.url})
		if (err != nil) != tt.wantErr {
			t.Errorf("blob_url %q: got error %v, want error %v", tt.url, err, tt.wantErr)
			continue
		}
		if err != nil {
			var cerr *Error
			if !errors.As(err, &cerr) || !strings.Contains(err.Error(), "blob_url") {
				t.Errorf("blob_url %q: got %v, want a problem naming blob_url", tt.url, err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("blob_url %q: the problem quotes a secret: %v", tt.url, err)
			}
			continue
		}
		if got := cfg.BlobDir(); got != tt.wantDir {
			t.Errorf("BlobDir of %q: got %q, want %q", tt.url, got, tt.wantDir)
		}
	}
}
