package s3origin

import (
	"bytes"
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mediacdn/mediacdn/internal/s3gwtest"
)

func TestRemote(t *testing.T) {
	srv := s3gwtest.Start(t)
	ctx := context.Background()
	opts := ApplyOptions{Credentials: srv.Credentials(), Region: srv.Region}
	must(t, ApplyBucket(ctx, srv.Endpoint, "media", testRules, opts))
	must(t, ApplyBucket(ctx, srv.Endpoint, "media", testRules, opts)) // existing bucket: rules replaced, no error
	client := srv.Client()
	big := make([]byte, 3<<20+17)
	_, _ = rand.Read(big)
	objects := map[string][]byte{
		"big/video.mp4":            big,
		"odd/ümlaut & space=%.ts":  []byte("odd"),
		"odd/a%2Fb.ts":             []byte("percent in key"),
		"video/seg1.ts":            []byte(segBody),
		"video/with~tilde_(x).m4s": []byte("tilde"),
	}
	for k, b := range objects {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String(k), Body: bytes.NewReader(b)})
		must(t, err)
	}
	remote, err := NewRemote(srv.Endpoint, "media", srv.Credentials(), srv.Region, RemoteOptions{})
	must(t, err)

	for k, b := range objects {
		w := serveLive(t, remote, diffRequest{method: "GET", path: "/" + escapeKey(k)})
		if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), b) {
			t.Errorf("GET %q: %d, %d bytes (want %d): %.200s", k, w.Code, w.Body.Len(), len(b), w.Body)
		}
	}

	// Writes are refused locally and the object is unchanged.
	for _, m := range []string{"PUT", "DELETE", "POST"} {
		if w := serveLive(t, remote, diffRequest{method: m, path: "/video/seg1.ts"}); w.Code != 403 || errorCode(w.Body.String()) != "AccessDenied" {
			t.Errorf("%s through Remote: %d %s", m, w.Code, w.Body)
		}
	}
	if w := serveLive(t, remote, diffRequest{method: "GET", path: "/video/seg1.ts"}); w.Body.String() != segBody {
		t.Errorf("object changed: %q", w.Body)
	}
	// The bucket root would be a listing with the gateway's root credentials.
	if w := serveLive(t, remote, diffRequest{method: "GET", path: "/"}); w.Code != 403 || strings.Contains(w.Body.String(), "ListBucketResult") {
		t.Errorf("bucket root through Remote: %d %s", w.Code, w.Body)
	}
	// Query strings are not forwarded (?acl would be GetObjectAcl).
	if w := serveLive(t, remote, diffRequest{method: "GET", path: "/video/seg1.ts?acl"}); w.Body.String() != segBody {
		t.Errorf("query forwarded: %d %s", w.Code, w.Body)
	}

	// Negative control: wrong credentials are refused by the gateway, so the
	// successes above prove the signature is checked and right.
	bad, err := NewRemote(srv.Endpoint, "media", credentials.NewStaticCredentialsProvider(srv.AccessKey, "x"+srv.SecretKey, ""), srv.Region, RemoteOptions{})
	must(t, err)
	if w := serveLive(t, bad, diffRequest{method: "GET", path: "/video/seg1.ts"}); w.Code != 403 || errorCode(w.Body.String()) != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: %d %s", w.Code, w.Body)
	}

	// nil rules remove the CORS configuration.
	must(t, ApplyBucket(ctx, srv.Endpoint, "media", nil, opts))
	w := serveLive(t, remote, diffRequest{method: "OPTIONS", path: "/video/seg1.ts", hdr: map[string]string{"Origin": appOrigin, "Access-Control-Request-Method": "GET"}})
	if w.Code != 403 || !strings.Contains(w.Body.String(), "CORS is not enabled") {
		t.Errorf("preflight after removing CORS: %d %s", w.Code, w.Body)
	}
}

func TestRemoteUnreachable(t *testing.T) {
	// Port 1 on loopback: nothing listens there.
	remote, err := NewRemote("http://127.0.0.1:1", "media", credentials.NewStaticCredentialsProvider("a", "b", ""), "us-east-1", RemoteOptions{})
	must(t, err)
	if w := serve(t, remote, "GET", "/a.ts", nil); w.Code != http.StatusBadGateway {
		t.Errorf("unreachable origin: %d", w.Code)
	}
}

func TestNewRemoteErrors(t *testing.T) {
	creds := credentials.NewStaticCredentialsProvider("a", "b", "")
	cases := []struct {
		endpoint, bucket string
		creds            aws.CredentialsProvider
		region, want     string
	}{
		{"127.0.0.1:7070", "media", creds, "us-east-1", "want a URL"},
		{"ftp://127.0.0.1", "media", creds, "us-east-1", "want a URL"},
		{"http://127.0.0.1:7070/media", "media", creds, "us-east-1", "no path"},
		{"http://127.0.0.1:7070", "Media_Bucket", creds, "us-east-1", "bucket name"},
		{"http://127.0.0.1:7070", "ab", creds, "us-east-1", "bucket name"},
		{"http://127.0.0.1:7070", "media", nil, "us-east-1", "no credentials"},
		{"http://127.0.0.1:7070", "media", creds, "", "region is empty"},
	}
	for _, c := range cases {
		if _, err := NewRemote(c.endpoint, c.bucket, c.creds, c.region, RemoteOptions{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewRemote(%q, %q): %v, want %q", c.endpoint, c.bucket, err, c.want)
		}
	}
}
