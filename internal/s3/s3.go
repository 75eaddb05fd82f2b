// Package s3 is the BlobStore adapter for Amazon S3 and S3-compatible
// services (MinIO, Ceph, Garage, versitygw, …), built on minio-go.
//
// Put streams: the first MiB is read to tell small objects, which go up in
// one PUT, from large or unknown-size ones, which go up as a multipart
// upload of PartSize parts read one at a time, so a Put holds at most
// about 1 MiB + PartSize in memory. An unfinished multipart upload is
// aborted, so a failed or cancelled Put leaves no object under the key;
// S3 replaces an object atomically, so readers see the old or the new one.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/openidv/openidv/internal/idv"
)

// PartSize is the multipart part size: the memory one large Put holds,
// and 10,000 parts of it (S3's limit) bound an object to about 50 GB.
const PartSize = 5 << 20

// smallObject is the most Put buffers before it chooses a single PUT.
const smallObject = 1 << 20

// Config says where the bucket is and how to sign requests.
type Config struct {
	Bucket    string
	Endpoint  string // URL, for example http://127.0.0.1:7070; empty: AWS
	Region    string
	PathStyle *bool // nil: the client decides from the endpoint
	AccessKey string
	SecretKey string
	// SessionToken accompanies temporary credentials (AWS_SESSION_TOKEN).
	SessionToken string
}

// ParseURL reads s3://bucket?endpoint=…&region=…&path_style=true. The
// credentials come from the query (access_key_id, secret_access_key) or
// else from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN,
// read through getenv.
func ParseURL(raw string, getenv func(string) string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("s3: blob URL: %w", err)
	}
	if u.Scheme != "s3" || u.Host == "" || u.User != nil {
		return Config{}, errors.New("s3: blob URL must look like s3://bucket?endpoint=…&region=…")
	}
	if u.Path != "" && u.Path != "/" {
		return Config{}, errors.New("s3: blob URL takes no path after the bucket")
	}
	q := u.Query()
	known := map[string]bool{"endpoint": true, "region": true, "path_style": true, "access_key_id": true, "secret_access_key": true}
	for k := range q {
		if !known[k] {
			return Config{}, fmt.Errorf("s3: blob URL: unknown parameter %q", k)
		}
	}
	c := Config{
		Bucket: u.Host, Endpoint: q.Get("endpoint"), Region: q.Get("region"),
		AccessKey: q.Get("access_key_id"), SecretKey: q.Get("secret_access_key"),
	}
	if c.Endpoint != "" {
		e, err := url.Parse(c.Endpoint)
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || (e.Path != "" && e.Path != "/") {
			return Config{}, errors.New("s3: endpoint must be an http(s) URL with no path, like http://127.0.0.1:7070")
		}
	}
	if v := q.Get("path_style"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, errors.New("s3: path_style must be true or false")
		}
		c.PathStyle = &b
	}
	if c.AccessKey == "" && c.SecretKey == "" {
		c.AccessKey, c.SecretKey = getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
		c.SessionToken = getenv("AWS_SESSION_TOKEN")
	}
	if (c.AccessKey == "") != (c.SecretKey == "") {
		return Config{}, errors.New("s3: give both an access key id and a secret access key, or neither")
	}
	return c, nil
}

// Store is a BlobStore on one S3 bucket.
type Store struct {
	client *minio.Client
	bucket string
	// pageSize is the keys asked for per List request; 0 lets the server
	// choose (S3: 1,000). Tests make it small to cross pages.
	pageSize int
}

var _ idv.BlobStore = (*Store)(nil)

// Open returns a store for cfg. It makes no request: call Check (or any
// method) to learn whether the bucket answers.
func Open(cfg Config) (*Store, error) {
	host, secure := "s3.amazonaws.com", true
	if cfg.Endpoint != "" {
		e, err := url.Parse(cfg.Endpoint)
		if err != nil {
			return nil, fmt.Errorf("s3: endpoint: %w", err)
		}
		host, secure = e.Host, e.Scheme == "https"
	}
	opts := &minio.Options{Secure: secure, Region: cfg.Region}
	if cfg.AccessKey != "" {
		opts.Creds = credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)
	} else {
		opts.Creds = credentials.NewStatic("", "", "", credentials.SignatureAnonymous)
	}
	if cfg.PathStyle != nil {
		opts.BucketLookup = minio.BucketLookupDNS
		if *cfg.PathStyle {
			opts.BucketLookup = minio.BucketLookupPath
		}
	}
	c, err := minio.New(host, opts)
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	return &Store{client: c, bucket: cfg.Bucket}, nil
}

// OpenURL parses raw with ParseURL, reading credentials from the process
// environment when the URL has none, and opens the store.
func OpenURL(raw string) (*Store, error) {
	cfg, err := ParseURL(raw, os.Getenv)
	if err != nil {
		return nil, err
	}
	return Open(cfg)
}

// Put uploads r under key. See the package comment for memory and
// atomicity.
func (s *Store) Put(ctx context.Context, key string, r io.Reader) error {
	if err := idv.CheckBlobKey(key); err != nil {
		return err
	}
	head := make([]byte, smallObject)
	n, err := io.ReadFull(r, head)
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", PartSize: PartSize}
	switch {
	case err == nil: // maybe more: stream the rest as a multipart upload
		_, err = s.client.PutObject(ctx, s.bucket, key, io.MultiReader(bytes.NewReader(head), r), -1, opts)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		_, err = s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(head[:n]), int64(n), opts)
	default:
		return fmt.Errorf("s3: put %s: read: %w", key, err)
	}
	if err != nil {
		return s.wrap("put", key, err)
	}
	return nil
}

// Get opens the object and streams it; CodeNotFound when absent.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := idv.CheckBlobKey(key); err != nil {
		return nil, err
	}
	// One GET whose body is streamed: the object is read as it was when
	// the request was answered, even if a Put replaces it meanwhile.
	body, _, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, s.wrap("get", key, err)
	}
	return body, nil
}

// Delete removes the object; S3 answers an absent key with success.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := idv.CheckBlobKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil
		}
		return s.wrap("delete", key, err)
	}
	return nil
}

// List pages through the bucket's keys under prefix (S3 returns them in
// byte order, 1,000 a page) and calls fn for each.
func (s *Store) List(ctx context.Context, prefix string, fn func(idv.BlobInfo) error) error {
	if err := idv.CheckBlobPrefix(prefix); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the lister goroutine when fn stops the walk
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true, MaxKeys: s.pageSize}) {
		if obj.Err != nil {
			return s.wrap("list", prefix, obj.Err)
		}
		if err := fn(idv.BlobInfo{Key: obj.Key, Size: obj.Size, ModTime: obj.LastModified}); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Check reports whether the bucket exists and the credentials may list it.
func (s *Store) Check(ctx context.Context) error {
	return s.List(ctx, "health/", func(idv.BlobInfo) error { return nil })
}

// wrap classifies an S3 error: a missing key is CodeNotFound, a missing
// bucket or refused credentials CodeUnavailable (the operator must act),
// anything else is returned with context.
func (s *Store) wrap(op, key string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("s3: %s %s: %w", op, key, err)
	}
	switch resp := minio.ToErrorResponse(err); resp.Code {
	case "NoSuchKey":
		return &idv.Error{Code: idv.CodeNotFound, Message: "blob not found", Err: err}
	case "NoSuchBucket", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch":
		return &idv.Error{Code: idv.CodeUnavailable, Message: "blob storage refused the request", Err: fmt.Errorf("bucket %s: %s %s: %w", s.bucket, op, key, err)}
	}
	return fmt.Errorf("s3: %s %s: %w", op, key, err)
}
