package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/internal/s3gwtest"
)

// startServe runs "mediacdn serve ARGS" through the real command until the
// test ends; it returns the base URL it prints and its output.
func startServe(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	root := newRootCmd(out, out)
	root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	urlLine := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)/ \(Ctrl-C to stop\)`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := urlLine.FindStringSubmatch(out.String()); m != nil {
			return m[1], out
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("serve ended: %v\n%s", err, out.String())
		default:
		}
	}
	t.Fatalf("serve printed no URL:\n%s", out.String())
	return "", nil
}

// editTemplate copies the template at path, after edit changed its
// Resources, into a temporary file and returns that file.
func editTemplate(t *testing.T, path string, edit func(resources map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc["Resources"].(map[string]any))
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	b, _ := json.Marshal(doc)
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// signedTemplate copies the synthesized signed template with its first
// public key replaced by a fresh one, and returns the template and the
// private key file.
func signedTemplate(t *testing.T) (string, string) {
	t.Helper()
	priv, pub, err := cfkeys.GenerateKeyPair(cfkeys.RSA)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := editTemplate(t, "../../test/testdata/signed.template.json", func(res map[string]any) {
		for id, r := range res {
			if strings.HasPrefix(id, "MediaPublicKey18b185b5") {
				r.(map[string]any)["Properties"].(map[string]any)["PublicKeyConfig"].(map[string]any)["EncodedKey"] = string(pub)
			}
		}
	})
	keyFile := filepath.Join(t.TempDir(), "private_key.pem")
	if err := os.WriteFile(keyFile, priv, 0o600); err != nil {
		t.Fatal(err)
	}
	return tmpl, keyFile
}

func get(t *testing.T, target string, header ...string) (*http.Response, string) {
	t.Helper()
	return do(t, http.MethodGet, target, header...)
}

func do(t *testing.T, method, target string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range header {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestServeDirWithSignedURLFromSign: a URL signed by "mediacdn sign" for the
// address serve prints, with the Key-Pair-Id it prints, is accepted.
func TestServeDirWithSignedURLFromSign(t *testing.T) {
	tmpl, keyFile := signedTemplate(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "photos"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "photos", "a.jpg"), []byte("jpeg bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	base, out := startServe(t, "--template", tmpl, "--dir", dir)
	m := regexp.MustCompile(`key-pair-id (K[A-Z2-7]{13}) \(MediaPublicKey18b185b5`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no key-pair-id line:\n%s", out.String())
	}
	var signOut, signErr strings.Builder
	if code := run([]string{"sign", "--url", base + "/photos/a.jpg", "--key-pair-id", m[1], "--private-key", keyFile, "--expires", "1h"}, &signOut, &signErr); code != 0 {
		t.Fatalf("sign: %d %s", code, signErr.String())
	}
	signed := strings.TrimSpace(signOut.String())
	if resp, body := get(t, signed, "Origin: https://app.example.com"); resp.StatusCode != 200 || body != "jpeg bytes" ||
		resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("signed GET: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp, body := get(t, base+"/photos/a.jpg"); resp.StatusCode != 403 || !strings.Contains(body, "<Code>MissingKey</Code>") {
		t.Errorf("unsigned GET: %d %q", resp.StatusCode, body)
	}
	// Nothing changes until an invalidation.
	if err := os.WriteFile(filepath.Join(dir, "photos", "a.jpg"), []byte("new bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, signed); body != "jpeg bytes" {
		t.Errorf("before invalidation: %q", body)
	}
	if resp, _ := do(t, http.MethodPost, base+"/.mediacdn/invalidate?path=/photos/*"); resp.StatusCode != 200 {
		t.Fatalf("invalidation: %d", resp.StatusCode)
	}
	if _, body := get(t, signed); body != "new bytes" {
		t.Errorf("after invalidation: %q", body)
	}
	if !strings.Contains(out.String(), "GET /photos/a.jpg behavior=*.jpg cache=Error status=403 reason=MissingKey") {
		t.Errorf("no request line for the refusal:\n%s", out.String())
	}
}

// startGateway runs versitygw for the test with its credentials as the
// AWS environment serve reads.
func startGateway(t *testing.T) *s3gwtest.Server {
	t.Helper()
	gw := s3gwtest.Start(t)
	t.Setenv("AWS_ACCESS_KEY_ID", gw.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", gw.SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return gw
}

// TestServeS3Endpoint: serve in front of a real S3-compatible server
// (versitygw), creating the bucket with the template's CORS rules.
func TestServeS3Endpoint(t *testing.T) {
	gw := startGateway(t)
	base, out := startServe(t, "--template", defaultTemplate, "--s3-endpoint", gw.Endpoint, "--bucket", "media", "--region", gw.Region, "--create-bucket")
	if !strings.Contains(out.String(), "bucket media at "+gw.Endpoint+": created if missing, 1 CORS rules from the template applied") {
		t.Errorf("no bucket line:\n%s", out.String())
	}
	if _, err := gw.Client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String("videos/v1/index.m3u8"),
		Body: strings.NewReader("#EXTM3U\n"), ContentType: aws.String("application/vnd.apple.mpegurl")}); err != nil {
		t.Fatal(err)
	}
	resp, body := get(t, base+"/videos/v1/index.m3u8", "Origin: https://app.example.com")
	if resp.StatusCode != 200 || body != "#EXTM3U\n" || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("GET: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	// The preflight reaches the gateway, which answers from the CORS rules
	// serve applied.
	resp, _ = do(t, http.MethodOptions, base+"/videos/v1/index.m3u8", "Origin: https://app.example.com", "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: range")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Methods") == "" {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	// OPTIONS is a cached method and Origin is not in the cache key: another
	// origin gets the cached preflight, whose ACAO does not name it. A
	// segment, whose default TTL is a day: a playlist's 2 s can pass between
	// two requests on a loaded machine, and this test runs on the real clock.
	seg := base + "/videos/v1/low/seg0.ts"
	if _, err := gw.Client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String("videos/v1/low/seg0.ts"),
		Body: strings.NewReader("G"), ContentType: aws.String("video/mp2t")}); err != nil {
		t.Fatal(err)
	}
	if resp, _ = do(t, http.MethodOptions, seg, "Origin: https://app.example.com", "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: range"); resp.StatusCode != 200 {
		t.Errorf("segment preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = do(t, http.MethodOptions, seg, "Origin: https://evil.example.net", "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: range")
	if resp.Header.Get("X-Cache") != "Hit from cloudfront" || resp.Header.Get("Access-Control-Allow-Origin") == "https://evil.example.net" {
		t.Errorf("preflight from another origin: %v", resp.Header)
	}
	// Not cached (a path of its own): the gateway refuses the preflight.
	resp, _ = do(t, http.MethodOptions, base+"/videos/v1/low/seg1.ts", "Origin: https://evil.example.net", "Access-Control-Request-Method: GET")
	if resp.StatusCode != 403 {
		t.Errorf("uncached preflight from another origin: %d", resp.StatusCode)
	}
	// The gateway's root credentials can list the bucket, so a missing key
	// is 404 there (S3 gives the OAC reader 403): either way not served.
	if resp, _ := get(t, base+"/videos/v1/missing.m3u8"); resp.StatusCode != 404 && resp.StatusCode != 403 {
		t.Errorf("missing key: %d", resp.StatusCode)
	}
}

// putCORS sets one CORS rule for allowedOrigin on bucket, as a user would
// by hand.
func putCORS(t *testing.T, gw *s3gwtest.Server, bucket, allowedOrigin string) {
	t.Helper()
	if _, err := gw.Client().PutBucketCors(context.Background(), &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{allowedOrigin}, AllowedMethods: []string{"GET"}}}}}); err != nil {
		t.Fatal(err)
	}
}

// corsOrigins lists the allowed origins of bucket's CORS rules; none when
// it has no CORS configuration.
func corsOrigins(t *testing.T, gw *s3gwtest.Server, bucket string) []string {
	t.Helper()
	got, err := gw.Client().GetBucketCors(context.Background(), &s3.GetBucketCorsInput{Bucket: aws.String(bucket)})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchCORSConfiguration" {
			return nil
		}
		t.Fatal(err)
	}
	var origins []string
	for _, r := range got.CORSRules {
		origins = append(origins, r.AllowedOrigins...)
	}
	return origins
}

// serveUntilServing runs "mediacdn serve ARGS" and returns its output and
// error: a refusal ends it at once; a start is stopped when it prints its
// URL (or after a bound), with a nil error.
func serveUntilServing(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out := &syncBuffer{}
	root := newRootCmd(out, out)
	root.SetArgs(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	for {
		select {
		case err := <-done:
			return out.String(), err
		case <-time.After(20 * time.Millisecond):
			if strings.Contains(out.String(), "(Ctrl-C to stop)") {
				cancel()
			}
		}
	}
}

// TestServeCreateBucketImportedBucket: a template that imports an existing
// bucket does not hold its CORS rules, so --create-bucket is refused (exit
// 2, naming the flag and how to set the rules) and the rules the user set
// on the server stay. The old code applied "no rules": it deleted them and
// printed "0 CORS rules from the template applied".
func TestServeCreateBucketImportedBucket(t *testing.T) {
	gw := startGateway(t)
	const bucket = "legacy-media-bucket"
	gw.CreateBucket(t, bucket)
	putCORS(t, gw, bucket, "https://mine.example.com")
	tmpl := "../../test/testdata/existing-bucket.template.json"

	out, err := serveUntilServing(t, "--template", tmpl, "--s3-endpoint", gw.Endpoint, "--bucket", bucket, "--region", gw.Region, "--create-bucket")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage {
		t.Errorf("--create-bucket with an imported bucket: err %v, want exit 2\n%s", err, out)
	}
	for _, want := range []string{"--create-bucket: the template does not define the origin bucket", "will not replace or delete the CORS configuration of bucket " + bucket,
		"s3api put-bucket-cors --bucket " + bucket, "without --create-bucket"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	if got := corsOrigins(t, gw, bucket); len(got) != 1 || got[0] != "https://mine.example.com" {
		t.Errorf("after the refusal the bucket's CORS origins are %q, want the user's [https://mine.example.com]", got)
	}

	// Without the flag, serve uses the rules on the server as they are.
	out, err = serveUntilServing(t, "--template", tmpl, "--s3-endpoint", gw.Endpoint, "--bucket", bucket, "--region", gw.Region)
	if err != nil || !strings.Contains(out, "the CORS rules of bucket "+bucket+" at "+gw.Endpoint+" are used as they are") {
		t.Errorf("serve without --create-bucket: %v\n%s", err, out)
	}
	if got := corsOrigins(t, gw, bucket); len(got) != 1 || got[0] != "https://mine.example.com" {
		t.Errorf("after serve the bucket's CORS origins are %q", got)
	}
}

// TestServeCreateBucketTemplateWithoutCORS: a bucket the template defines
// without CORS rules is known to have none: --create-bucket deletes the
// server's configuration, as the flag says, and says so.
func TestServeCreateBucketTemplateWithoutCORS(t *testing.T) {
	gw := startGateway(t)
	gw.CreateBucket(t, "media")
	putCORS(t, gw, "media", "https://mine.example.com")
	removed := 0
	tmpl := editTemplate(t, defaultTemplate, func(res map[string]any) {
		for _, r := range res {
			r := r.(map[string]any)
			if r["Type"] != "AWS::S3::Bucket" {
				continue
			}
			if props := r["Properties"].(map[string]any); props["CorsConfiguration"] != nil {
				delete(props, "CorsConfiguration")
				removed++
			}
		}
	})
	if removed != 1 {
		t.Fatalf("the default template has %d buckets with CORS, want 1", removed)
	}
	out, err := serveUntilServing(t, "--template", tmpl, "--s3-endpoint", gw.Endpoint, "--bucket", "media", "--region", gw.Region, "--create-bucket")
	if err != nil || !strings.Contains(out, "bucket media at "+gw.Endpoint+": created if missing; the template's bucket has no CORS rules, so its CORS configuration was deleted") {
		t.Errorf("serve: %v\n%s", err, out)
	}
	if got := corsOrigins(t, gw, "media"); got != nil {
		t.Errorf("CORS origins after --create-bucket: %q, want none", got)
	}
}
