package s3origin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mediacdn/mediacdn/internal/s3gwtest"
	"github.com/mediacdn/mediacdn/mediatype"
)

// diffObjects are stored both in the Dir and in the gateway.
var diffObjects = map[string]string{
	"video/seg1.ts":    segBody,
	"video/index.m3u8": "#EXTM3U\n#EXT-X-VERSION:3\n",
	"img/a b+c.jpg":    "jpeg bytes",
}

// diffRequest is one request of the differential table.
type diffRequest struct {
	name   string
	method string
	path   string // escaped URL path
	hdr    map[string]string
}

func diffRequests() []diffRequest {
	pre := func(origin, method, headers string) map[string]string {
		h := map[string]string{"Access-Control-Request-Method": method}
		if origin != "" {
			h["Origin"] = origin
		}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		return h
	}
	o := func(origin string) map[string]string { return map[string]string{"Origin": origin} }
	return []diffRequest{
		{"get, no origin", "GET", "/video/seg1.ts", nil},
		{"head, no origin", "HEAD", "/video/seg1.ts", nil},
		{"get, matching origin", "GET", "/video/seg1.ts", o(appOrigin)},
		{"head, matching origin", "HEAD", "/video/index.m3u8", o(appOrigin)},
		{"get, other port", "GET", "/video/seg1.ts", o(appOrigin + ":8443")},
		{"get, other scheme", "GET", "/video/seg1.ts", o("http://app.example.com")},
		{"get, wildcard subdomain", "GET", "/video/seg1.ts", o("https://cdn.example.org")},
		{"get, wildcard needs its dot", "GET", "/video/seg1.ts", o("https://example.org")},
		{"head, star rule", "HEAD", "/video/seg1.ts", o("https://anyone.test")},
		{"get, star rule is HEAD only", "GET", "/video/seg1.ts", o("https://anyone.test")},
		{"get, key with space and plus", "GET", "/img/a%20b+c.jpg", o(appOrigin)},
		{"get, missing key", "GET", "/video/nope.ts", nil},
		{"get, missing key, origin", "GET", "/video/nope.ts", o(appOrigin)},
		{"range", "GET", "/video/seg1.ts", map[string]string{"Range": "bytes=2-5", "Origin": appOrigin}},
		{"range suffix", "GET", "/video/seg1.ts", map[string]string{"Range": "bytes=-4"}},
		{"range past the end", "GET", "/video/seg1.ts", map[string]string{"Range": "bytes=100-"}},
		{"if-none-match", "GET", "/video/seg1.ts", map[string]string{"If-None-Match": md5Quoted(segBody)}},
		{"preflight ok", "OPTIONS", "/video/seg1.ts", pre(appOrigin, "GET", "range")},
		{"preflight ok, two headers", "OPTIONS", "/video/seg1.ts", pre(appOrigin, "GET", "range,if-none-match")},
		{"preflight, missing key", "OPTIONS", "/video/nope.ts", pre(appOrigin, "GET", "")},
		{"preflight, wildcard origin, any header", "OPTIONS", "/video/seg1.ts", pre("https://cdn.example.org", "GET", "x-anything")},
		{"preflight, header not allowed", "OPTIONS", "/video/seg1.ts", pre(appOrigin, "GET", "x-custom")},
		{"preflight, method not allowed", "OPTIONS", "/video/seg1.ts", pre("https://cdn.example.org", "PUT", "")},
		{"preflight, origin not allowed", "OPTIONS", "/video/seg1.ts", pre("https://evil.test", "GET", "")},
		{"preflight, star rule", "OPTIONS", "/video/seg1.ts", pre("https://evil.test", "HEAD", "")},
		{"preflight, bad method", "OPTIONS", "/video/seg1.ts", pre(appOrigin, "PATCH", "")},
		{"preflight, no origin", "OPTIONS", "/video/seg1.ts", pre("", "GET", "")},
	}
}

// corsHeaders are compared between the two origins.
var corsHeaders = []string{
	"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age", "Vary",
}

// normalize makes the documented, harmless versitygw differences explicit
// (issue 7): it always adds "ETag, x-amz-storage-class" to
// Access-Control-Expose-Headers, and sends Access-Control-Allow-Credentials
// "false" where S3 sends none (wildcard origin). Both sides go through it;
// nothing else is touched.
func normalize(name string, values []string) string {
	v := strings.Join(values, ", ")
	switch name {
	case "Access-Control-Expose-Headers":
		var keep []string
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t != "" && !strings.EqualFold(t, "ETag") && !strings.EqualFold(t, "x-amz-storage-class") {
				keep = append(keep, t)
			}
		}
		v = strings.Join(keep, ", ")
	case "Access-Control-Allow-Credentials":
		if v == "false" {
			v = ""
		}
	}
	return v
}

func errorCode(body string) string {
	_, after, ok := strings.Cut(body, "<Code>")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(after, "</Code>")
	return code
}

// TestDirMatchesGateway sends the same requests to Dir and to Remote in
// front of versitygw holding the same objects and CORS rules, and compares
// status, CORS headers, error codes and bodies.
func TestDirMatchesGateway(t *testing.T) {
	srv := s3gwtest.Start(t)
	ctx := context.Background()
	root := t.TempDir()
	scenarios := []struct {
		bucket string
		rules  []CORSRule
	}{
		{"rules", testRules},
		{"nocors", nil},
		{"star", []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "HEAD"}, AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"Content-Length"}, MaxAgeSeconds: 60}}},
	}
	client := srv.Client()
	for k, body := range diffObjects {
		p := filepath.Join(root, filepath.FromSlash(k))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(body), 0o644))
	}
	for _, sc := range scenarios {
		must(t, ApplyBucket(ctx, srv.Endpoint, sc.bucket, sc.rules, ApplyOptions{Credentials: srv.Credentials(), Region: srv.Region}))
		for k, body := range diffObjects {
			_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(sc.bucket), Key: aws.String(k),
				Body: strings.NewReader(body), ContentType: aws.String(mediatype.ContentType(k))})
			must(t, err)
		}
		// The gateway's root may list the bucket, so missing keys are 404
		// there: compare with a Dir whose reader has s3:ListBucket.
		dir, err := NewDir(root, DirOptions{CORS: sc.rules, ListBucket: true})
		must(t, err)
		defer dir.Close()
		remote, err := NewRemote(srv.Endpoint, sc.bucket, srv.Credentials(), srv.Region, RemoteOptions{})
		must(t, err)
		for _, rq := range diffRequests() {
			t.Run(sc.bucket+"/"+rq.name, func(t *testing.T) {
				for _, d := range compare(t, dir, remote, rq) {
					t.Error(d)
				}
			})
		}
	}

	// Negative control: a Dir whose rules drifted from the gateway's (CORS
	// off here, on there) must show up as differences.
	drifted, err := NewDir(root, DirOptions{ListBucket: true})
	must(t, err)
	defer drifted.Close()
	remote, err := NewRemote(srv.Endpoint, "rules", srv.Credentials(), srv.Region, RemoteOptions{})
	must(t, err)
	n := 0
	for _, rq := range diffRequests() {
		n += len(compare(t, drifted, remote, rq))
	}
	if n < 10 {
		t.Errorf("a Dir without CORS compared with a gateway with CORS rules: only %d differences found", n)
	}
}

// compare sends rq to both origins and lists the differences in status,
// CORS headers (normalized), error code, and for successes body and
// content headers.
func compare(t *testing.T, dir, remote http.Handler, rq diffRequest) []string {
	got := serve(t, dir, rq.method, rq.path, rq.hdr)
	want := serveLive(t, remote, rq)
	if got.Code != want.Code {
		return []string{fmt.Sprintf("%s: status: Dir %d, gateway %d\nDir body: %s\ngateway body: %s", rq.name, got.Code, want.Code, got.Body, want.Body)}
	}
	var diffs []string
	for _, h := range corsHeaders {
		g, w := normalize(h, got.Header().Values(h)), normalize(h, want.Header().Values(h))
		if g != w {
			diffs = append(diffs, fmt.Sprintf("%s: %s: Dir %q, gateway %q", rq.name, h, g, w))
		}
	}
	if g, w := errorCode(got.Body.String()), errorCode(want.Body.String()); g != w {
		diffs = append(diffs, fmt.Sprintf("%s: error code: Dir %q, gateway %q", rq.name, g, w))
	}
	if got.Code >= 300 {
		// versitygw sends no ETag with a 304; S3 does (RFC 9110 15.4.5), and
		// so does Dir: content headers are compared on successes only.
		return diffs
	}
	if got.Body.String() != want.Body.String() {
		diffs = append(diffs, fmt.Sprintf("%s: body: Dir %q, gateway %q", rq.name, got.Body, want.Body))
	}
	for _, h := range []string{"Content-Type", "Content-Range", "Content-Length", "ETag", "Accept-Ranges"} {
		if g, w := got.Header().Get(h), want.Header().Get(h); g != w {
			diffs = append(diffs, fmt.Sprintf("%s: %s: Dir %q, gateway %q", rq.name, h, g, w))
		}
	}
	return diffs
}

// serveLive sends rq through Remote on a real loopback listener, so the
// request goes over HTTP like CloudFront's.
func serveLive(t *testing.T, h http.Handler, rq diffRequest) *httptest.ResponseRecorder {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(rq.method, srv.URL+rq.path, nil)
	must(t, err)
	for k, v := range rq.hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	rec := httptest.NewRecorder()
	for k, vs := range resp.Header {
		rec.Header()[k] = slices.Clone(vs)
	}
	rec.WriteHeader(resp.StatusCode)
	rec.Body.Write(body)
	return rec
}
