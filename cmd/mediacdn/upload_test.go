package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/s3gwtest"
)

// awsEnv points the SDK at the gateway's credentials only: no shared config
// files, no instance metadata lookups.
func awsEnv(t *testing.T, srv *s3gwtest.Server) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", srv.Region)
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ENDPOINT_URL", "")
}

func TestUploadCommand(t *testing.T) {
	srv := s3gwtest.Start(t)
	srv.CreateBucket(t, "media")
	awsEnv(t, srv)
	dir := t.TempDir()
	for name, body := range map[string]string{"index.m3u8": "#EXTM3U\n", "low/seg0.ts": "seg", "evil\x1b[2J.ts": "x"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ep := "--endpoint-url=" + srv.Endpoint

	code, out, errOut := cli(t, "upload", ep, "--dry-run", dir, "s3://media/video")
	if code != 0 || !strings.Contains(out, "would upload video/low/seg0.ts (video/mp2t, max-age=86400") || !strings.Contains(out, "Dry run: 3 to upload") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errOut)
	}

	code, out, errOut = cli(t, "upload", ep, dir, "s3://media/video/")
	if code != 0 || !strings.Contains(out, "uploaded  video/index.m3u8 (application/vnd.apple.mpegurl, max-age=2") || !strings.Contains(out, "3 uploaded") {
		t.Fatalf("upload: %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "\x1b") || !strings.Contains(out, `video/evil\x1b[2J.ts`) {
		t.Errorf("file name with an escape sequence not escaped:\n%q", out)
	}

	code, out, _ = cli(t, "upload", ep, dir, "s3://media/video")
	if code != 0 || !strings.Contains(out, "0 uploaded") || !strings.Contains(out, "3 unchanged") {
		t.Errorf("re-run: %d\n%s", code, out)
	}

	// A missing bucket: exit 1, every file listed on stderr.
	code, _, errOut = cli(t, "upload", ep, dir, "s3://no-such-bucket")
	if code != 1 || !strings.Contains(errOut, "Failed:\n") ||
		!strings.Contains(errOut, "\n  index.m3u8: bucket no-such-bucket does not exist (check the name") || !strings.Contains(errOut, "\n  low/seg0.ts: bucket") || !strings.Contains(errOut, "3 file(s) failed") {
		t.Errorf("missing bucket: %d\n%s", code, errOut)
	}

	// The bar goes to stderr, redrawn with carriage returns.
	code, _, errOut = cli(t, "upload", ep, "--progress=bar", dir, "s3://media/video")
	if code != 0 || !strings.Contains(errOut, "\r\x1b[K[") || !strings.Contains(errOut, "3/3 files") {
		t.Errorf("bar: %d %q", code, errOut)
	}
}

func TestUploadUsage(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"upload", dir, "media/video"}, "must be s3://BUCKET[/PREFIX]"},
		{[]string{"upload", dir, "s3:///video"}, "has no bucket name"},
		{[]string{"upload", "--concurrency=0", dir, "s3://media"}, "--concurrency 0"},
		{[]string{"upload", "--endpoint-url=localhost:7070", dir, "s3://media"}, "--endpoint-url"},
		{[]string{"upload", "--progress=fancy", dir, "s3://media"}, "--progress"},
		{[]string{"upload", filepath.Join(dir, "missing"), "s3://media"}, "is not a directory"},
		{[]string{"upload", dir, "s3://media"}, "no AWS region"},
		{[]string{"upload", dir}, "accepts 2 arg"},
		// Destinations no CloudFront URL reaches, refused before any request.
		{[]string{"upload", dir, "s3://media/../video"}, `prefix "../video"`},
		{[]string{"upload", dir, "s3://media//video"}, "empty path segment"},
		{[]string{"upload", dir, "s3://Media_Bucket/video"}, "bucket name"},
		{[]string{"upload", dir, "s3://media?x=1/video"}, "bucket name"},
		{[]string{"upload", "--endpoint-url=http://127.0.0.1:7070/media", dir, "s3://media"}, "no path"},
	}
	for _, c := range cases {
		code, _, errOut := cli(t, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// Without credentials every file failed with the same long SDK error (one
// per file, after an instance metadata lookup); now it is said once.
func TestUploadWithoutCredentials(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.ts", "b.ts", "c.m3u8"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": none, "AWS_SHARED_CREDENTIALS_FILE": none, "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_WEB_IDENTITY_TOKEN_FILE": ""} {
		t.Setenv(k, v)
	}
	code, out, errOut := cli(t, "upload", "--progress=lines", "--endpoint-url=http://127.0.0.1:1", dir, "s3://media/v")
	if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "no usable AWS credentials") || !strings.Contains(errOut, "nothing was uploaded") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and one line about credentials", code, out, errOut)
	}
}
