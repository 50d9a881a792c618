package s3gwtest

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The gateway stores and returns objects, and really checks signatures: a
// wrong secret is refused (so tests passing against it prove signing works).
func TestStart(t *testing.T) {
	srv := Start(t)
	if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") {
		t.Fatalf("endpoint %s is not loopback", srv.Endpoint)
	}
	srv.CreateBucket(t, "media")
	ctx := context.Background()
	c := srv.Client()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String("a/b.txt"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("media"), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "hello" {
		t.Fatalf("got %q", b)
	}
	bad := s3.New(s3.Options{Region: srv.Region, BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(srv.AccessKey, "wrong"+srv.SecretKey, "")})
	if _, err := bad.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("media"), Key: aws.String("a/b.txt")}); err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %v, want SignatureDoesNotMatch", err)
	}
	resp, err := http.Get(srv.Endpoint + "/media/a/b.txt")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("anonymous GET: %d, want 403", resp.StatusCode)
	}
}

// A module that cannot build the tool gives an error naming go build (what
// Start turns into a skip, or a failure under MEDIACDN_REQUIRE_S3GW=1), and
// leaves no binary in the cache.
func TestBuildFailure(t *testing.T) {
	mod := t.TempDir()
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/empty\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.sum"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	bin, err := build(mod, cache)
	if err == nil || !strings.Contains(err.Error(), "go build "+toolPackage) {
		t.Fatalf("build in a module without versitygw: %q, %v", bin, err)
	}
	matches, _ := filepath.Glob(filepath.Join(cache, "*", "versitygw"))
	if len(matches) != 0 {
		t.Errorf("binary left behind: %v", matches)
	}
}
