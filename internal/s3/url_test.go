package s3

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseURL(t *testing.T) {
	yes, no := true, false
	env := map[string]string{"AWS_ACCESS_KEY_ID": "envkey", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "tok"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		raw     string
		want    Config
		wantErr bool
	}{
		{raw: "s3://media?endpoint=http://127.0.0.1:7070&region=us-east-1&path_style=true",
			want: Config{Bucket: "media", Endpoint: "http://127.0.0.1:7070", Region: "us-east-1", PathStyle: &yes,
				AccessKey: "envkey", SecretKey: "envsecret", SessionToken: "tok"}},
		{raw: "s3://media?region=eu-west-1&path_style=false&access_key_id=k&secret_access_key=s",
			want: Config{Bucket: "media", Region: "eu-west-1", PathStyle: &no, AccessKey: "k", SecretKey: "s"}},
		{raw: "s3://media/", want: Config{Bucket: "media", AccessKey: "envkey", SecretKey: "envsecret", SessionToken: "tok"}},
		{raw: "s3:///nobucket", wantErr: true},
		{raw: "file:///tmp/x", wantErr: true},
		{raw: "s3://media/some/prefix", wantErr: true},
		{raw: "s3://user:pw@media", wantErr: true},
		{raw: "s3://media?endpoint=127.0.0.1:7070", wantErr: true},
		{raw: "s3://media?endpoint=ftp://h", wantErr: true},
		{raw: "s3://media?endpoint=http://h/path", wantErr: true},
		{raw: "s3://media?path_style=maybe", wantErr: true},
		{raw: "s3://media?acces_key_id=typo", wantErr: true},
		{raw: "s3://media?access_key_id=only", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.raw, getenv)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseURL(%q): got error %v, want error %v", tt.raw, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
			t.Errorf("ParseURL(%q) (-want +got):\n%s", tt.raw, diff)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	f.Add("s3://media?endpoint=http://127.0.0.1:7070&region=us-east-1&path_style=true")
	f.Add("s3://b?access_key_id=a&secret_access_key=b")
	f.Fuzz(func(t *testing.T, raw string) {
		cfg, err := ParseURL(raw, func(string) string { return "" })
		if err != nil {
			return
		}
		if cfg.Bucket == "" {
			t.Fatalf("ParseURL(%q): accepted with no bucket", raw)
		}
		if _, err := Open(cfg); err != nil {
			t.Logf("Open(%q): %v", raw, err)
		}
	})
}
