package s3origin

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	segBody    = "0123456789abcdef"
	secretBody = "SECRET-OUTSIDE-ROOT"
)

// newTestDir lays out a bucket directory next to a secret file that must
// never be served, with symlinks inside and out and a FIFO.
func newTestDir(t testing.TB) (root string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "bucket")
	write := func(p, body string) {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(base, "secret.txt"), secretBody)
	write(filepath.Join(root, "video", "seg1.ts"), segBody)
	write(filepath.Join(root, "video", "index.m3u8"), "#EXTM3U\n")
	write(filepath.Join(root, "img", "a.jpg"), "jpeg")
	write(filepath.Join(root, "empty.ts"), "")
	must(t, os.Symlink("video/seg1.ts", filepath.Join(root, "inside-link.ts")))
	must(t, os.Symlink("../secret.txt", filepath.Join(root, "escape.ts")))
	must(t, os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(root, "abs-escape.ts")))
	must(t, os.Symlink("..", filepath.Join(root, "up")))
	must(t, syscall.Mkfifo(filepath.Join(root, "fifo.ts"), 0o644))
	return root
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var appOrigin = "https://app.example.com"

// testRules: rule 1 for one exact origin, rule 2 a subdomain wildcard, rule 3
// any origin for HEAD only; ExposeHeaders tell which rule answered.
var testRules = []CORSRule{
	{AllowedOrigins: []string{appOrigin}, AllowedMethods: []string{"GET", "HEAD"}, AllowedHeaders: []string{"range", "if-*"}, ExposeHeaders: []string{"Content-Range"}, MaxAgeSeconds: 3000},
	{AllowedOrigins: []string{"https://*.example.org"}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}},
	{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD"}},
}

func serve(t testing.TB, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func md5Quoted(s string) string {
	sum := md5.Sum([]byte(s))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func TestDir(t *testing.T) {
	root := newTestDir(t)
	dir, err := NewDir(root, DirOptions{CORS: testRules})
	must(t, err)
	defer dir.Close()
	noCORS, err := NewDir(root, DirOptions{})
	must(t, err)
	defer noCORS.Close()
	listing, err := NewDir(root, DirOptions{CORS: testRules, ListBucket: true})
	must(t, err)
	defer listing.Close()

	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	past := time.Unix(0, 0).UTC().Format(http.TimeFormat)
	type want struct {
		status  int
		headers map[string]string // "" means absent
		code    string            // S3 error code in the body
		body    string
	}
	cases := []struct {
		name   string
		h      *Dir
		method string
		target string
		hdr    map[string]string
		want   want
	}{
		{"get without origin", dir, "GET", "/video/seg1.ts", nil, want{200, map[string]string{
			"Content-Type": "video/mp2t", "ETag": md5Quoted(segBody), "Content-Length": "16", "Accept-Ranges": "bytes",
			"Access-Control-Allow-Origin": "", "Vary": ""}, "", segBody}},
		{"playlist type", dir, "GET", "/video/index.m3u8", nil, want{200, map[string]string{"Content-Type": "application/vnd.apple.mpegurl"}, "", "#EXTM3U\n"}},
		{"head has headers, no body", dir, "HEAD", "/video/seg1.ts", nil, want{200, map[string]string{"Content-Length": "16"}, "", ""}},
		{"get matching origin", dir, "GET", "/video/seg1.ts", map[string]string{"Origin": appOrigin}, want{200, map[string]string{
			"Access-Control-Allow-Origin": appOrigin, "Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Methods": "GET, HEAD", "Access-Control-Expose-Headers": "Content-Range",
			"Access-Control-Max-Age": "3000", "Vary": corsVary}, "", segBody}},
		{"origin port differs", dir, "GET", "/video/seg1.ts", map[string]string{"Origin": appOrigin + ":8443"}, want{200, map[string]string{"Access-Control-Allow-Origin": "", "Vary": ""}, "", segBody}},
		{"origin scheme differs", dir, "GET", "/video/seg1.ts", map[string]string{"Origin": "http://app.example.com"}, want{200, map[string]string{"Access-Control-Allow-Origin": ""}, "", segBody}},
		{"wildcard subdomain", dir, "GET", "/video/seg1.ts", map[string]string{"Origin": "https://a.b.example.org"}, want{200, map[string]string{
			"Access-Control-Allow-Origin": "https://a.b.example.org", "Access-Control-Expose-Headers": "ETag", "Access-Control-Max-Age": ""}, "", segBody}},
		{"wildcard needs the dot", dir, "GET", "/video/seg1.ts", map[string]string{"Origin": "https://example.org"}, want{200, map[string]string{"Access-Control-Allow-Origin": ""}, "", segBody}},
		{"star rule for HEAD only", dir, "HEAD", "/video/seg1.ts", map[string]string{"Origin": "https://other.test"}, want{200, map[string]string{
			"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "", "Access-Control-Allow-Methods": "HEAD", "Vary": corsVary}, "", ""}},
		{"star rule not for GET", dir, "GET", "/video/seg1.ts", map[string]string{"Origin": "https://other.test"}, want{200, map[string]string{"Access-Control-Allow-Origin": ""}, "", segBody}},
		{"first matching rule wins", dir, "HEAD", "/video/seg1.ts", map[string]string{"Origin": appOrigin}, want{200, map[string]string{
			"Access-Control-Allow-Origin": appOrigin, "Access-Control-Expose-Headers": "Content-Range"}, "", ""}},
		{"cors headers on a denial too", dir, "GET", "/nope.ts", map[string]string{"Origin": appOrigin}, want{403, map[string]string{"Access-Control-Allow-Origin": appOrigin}, "AccessDenied", ""}},

		{"preflight ok", dir, "OPTIONS", "/video/seg1.ts", map[string]string{"Origin": appOrigin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "Range, If-None-Match"}, want{200, map[string]string{
			"Access-Control-Allow-Origin": appOrigin, "Access-Control-Allow-Headers": "range, if-none-match", "Access-Control-Allow-Methods": "GET, HEAD", "Vary": corsVary}, "", ""}},
		{"preflight of a missing key still ok", dir, "OPTIONS", "/nope.ts", map[string]string{"Origin": appOrigin, "Access-Control-Request-Method": "GET"}, want{200, map[string]string{"Access-Control-Allow-Origin": appOrigin}, "", ""}},
		{"preflight header not allowed", dir, "OPTIONS", "/video/seg1.ts", map[string]string{"Origin": appOrigin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-custom"}, want{403, map[string]string{"Access-Control-Allow-Origin": ""}, "AccessForbidden", "This CORS request is not allowed"}},
		{"preflight method not allowed", dir, "OPTIONS", "/video/seg1.ts", map[string]string{"Origin": "https://x.example.org", "Access-Control-Request-Method": "PUT"}, want{403, nil, "AccessForbidden", "CORSResponse: This CORS request is not allowed"}},
		{"preflight bad method", dir, "OPTIONS", "/video/seg1.ts", map[string]string{"Origin": appOrigin, "Access-Control-Request-Method": "PATCH"}, want{400, nil, "BadRequest", ""}},
		{"preflight without origin", dir, "OPTIONS", "/video/seg1.ts", map[string]string{"Access-Control-Request-Method": "GET"}, want{400, nil, "BadRequest", "Origin request header needed"}},
		{"preflight, CORS not enabled", noCORS, "OPTIONS", "/video/seg1.ts", map[string]string{"Origin": appOrigin, "Access-Control-Request-Method": "GET"}, want{403, nil, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket."}},
		{"get, CORS not enabled", noCORS, "GET", "/video/seg1.ts", map[string]string{"Origin": appOrigin}, want{200, map[string]string{"Access-Control-Allow-Origin": "", "Vary": ""}, "", segBody}},

		{"missing key without ListBucket", dir, "GET", "/nope.ts", nil, want{403, nil, "AccessDenied", ""}},
		{"missing key with ListBucket", listing, "GET", "/nope.ts", nil, want{404, nil, "NoSuchKey", "<Key>nope.ts</Key>"}},
		{"head of a missing key has no body", listing, "HEAD", "/nope.ts", nil, want{404, nil, "", ""}},
		{"directory is no object", listing, "GET", "/video", nil, want{404, nil, "NoSuchKey", ""}},
		{"key with trailing slash", listing, "GET", "/video/", nil, want{404, nil, "NoSuchKey", ""}},
		{"bucket root is a listing", listing, "GET", "/", nil, want{403, nil, "AccessDenied", ""}},

		{"range", dir, "GET", "/video/seg1.ts", map[string]string{"Range": "bytes=2-5"}, want{206, map[string]string{"Content-Range": "bytes 2-5/16", "Content-Length": "4"}, "", "2345"}},
		{"range open end", dir, "GET", "/video/seg1.ts", map[string]string{"Range": "bytes=14-"}, want{206, map[string]string{"Content-Range": "bytes 14-15/16"}, "", "ef"}},
		{"range suffix", dir, "GET", "/video/seg1.ts", map[string]string{"Range": "bytes=-3"}, want{206, map[string]string{"Content-Range": "bytes 13-15/16"}, "", "def"}},
		{"range end clamped", dir, "GET", "/video/seg1.ts", map[string]string{"Range": "bytes=10-999"}, want{206, map[string]string{"Content-Range": "bytes 10-15/16"}, "", "abcdef"}},
		{"range past the end", dir, "GET", "/video/seg1.ts", map[string]string{"Range": "bytes=16-"}, want{416, map[string]string{"Content-Range": "bytes */16"}, "InvalidRange", ""}},
		{"range on empty object", dir, "GET", "/empty.ts", map[string]string{"Range": "bytes=0-"}, want{416, nil, "InvalidRange", ""}},
		{"multiple ranges ignored", dir, "GET", "/video/seg1.ts", map[string]string{"Range": "bytes=0-1,4-5"}, want{200, map[string]string{"Content-Range": ""}, "", segBody}},
		{"malformed range ignored", dir, "GET", "/video/seg1.ts", map[string]string{"Range": "bytes=5-2"}, want{200, nil, "", segBody}},

		{"if-none-match", dir, "GET", "/video/seg1.ts", map[string]string{"If-None-Match": md5Quoted(segBody)}, want{304, map[string]string{"ETag": md5Quoted(segBody)}, "", ""}},
		{"if-none-match other", dir, "GET", "/video/seg1.ts", map[string]string{"If-None-Match": `"other"`}, want{200, nil, "", segBody}},
		{"if-none-match beats if-modified-since", dir, "GET", "/video/seg1.ts", map[string]string{"If-None-Match": `"other"`, "If-Modified-Since": future}, want{200, nil, "", segBody}},
		{"if-modified-since", dir, "GET", "/video/seg1.ts", map[string]string{"If-Modified-Since": future}, want{304, nil, "", ""}},
		{"if-modified-since past", dir, "GET", "/video/seg1.ts", map[string]string{"If-Modified-Since": past}, want{200, nil, "", segBody}},
		{"if-match fails", dir, "GET", "/video/seg1.ts", map[string]string{"If-Match": `"other"`}, want{412, nil, "PreconditionFailed", "<Condition>If-Match</Condition>"}},
		{"if-unmodified-since fails", dir, "GET", "/video/seg1.ts", map[string]string{"If-Unmodified-Since": past}, want{412, nil, "PreconditionFailed", ""}},
		{"if-match true overrides if-unmodified-since", dir, "GET", "/video/seg1.ts", map[string]string{"If-Match": md5Quoted(segBody), "If-Unmodified-Since": past}, want{200, nil, "", segBody}},

		{"put denied", dir, "PUT", "/video/seg1.ts", nil, want{403, nil, "AccessDenied", ""}},
		{"delete denied", dir, "DELETE", "/video/seg1.ts", nil, want{403, nil, "AccessDenied", ""}},
		{"patch not an S3 method", dir, "PATCH", "/video/seg1.ts", nil, want{405, nil, "MethodNotAllowed", "<Method>PATCH</Method>"}},

		{"symlink inside the root", dir, "GET", "/inside-link.ts", nil, want{200, nil, "", segBody}},
		{"symlink leaving the root", listing, "GET", "/escape.ts", nil, want{404, nil, "NoSuchKey", ""}},
		{"absolute symlink leaving the root", listing, "GET", "/abs-escape.ts", nil, want{404, nil, "NoSuchKey", ""}},
		{"symlinked parent leaving the root", listing, "GET", "/up/secret.txt", nil, want{404, nil, "NoSuchKey", ""}},
		{"dot-dot", listing, "GET", "/../secret.txt", nil, want{404, nil, "NoSuchKey", ""}},
		{"encoded dot-dot", listing, "GET", "/%2e%2e/secret.txt", nil, want{404, nil, "NoSuchKey", ""}},
		{"encoded slashes", listing, "GET", "/video/..%2F..%2Fsecret.txt", nil, want{404, nil, "NoSuchKey", ""}},
		{"encoded slash inside a key", dir, "GET", "/video%2Fseg1.ts", nil, want{200, nil, "", segBody}},
		{"fifo is no object", listing, "GET", "/fifo.ts", nil, want{404, nil, "NoSuchKey", ""}},
		{"invalid utf-8", dir, "GET", "/%ff.ts", nil, want{400, nil, "InvalidURI", ""}},
		{"key too long", dir, "GET", "/" + strings.Repeat("a", 1025), nil, want{400, nil, "KeyTooLongError", ""}},
		{"header section too large", dir, "GET", "/video/seg1.ts", map[string]string{"X-Big": strings.Repeat("x", 9000)}, want{400, nil, "RequestHeaderSectionTooLarge", ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := serve(t, c.h, c.method, c.target, c.hdr)
			body := w.Body.String()
			if w.Code != c.want.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, c.want.status, body)
			}
			for k, v := range c.want.headers {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if c.want.code != "" && !strings.Contains(body, "<Code>"+c.want.code+"</Code>") {
				t.Errorf("body lacks code %s: %s", c.want.code, body)
			}
			if c.want.code != "" && (!strings.Contains(body, "<RequestId>") || w.Header().Get("x-amz-request-id") == "") {
				t.Errorf("S3 error without RequestId: %s", body)
			}
			switch {
			case c.want.code == "" && c.want.body != body:
				t.Errorf("body %q, want %q", body, c.want.body)
			case c.want.code != "" && !strings.Contains(body, c.want.body):
				t.Errorf("body %q lacks %q", body, c.want.body)
			}
			if c.method == "HEAD" && body != "" {
				t.Errorf("HEAD answered with a body: %q", body)
			}
			if strings.Contains(body, secretBody) {
				t.Fatalf("served the file outside the root")
			}
		})
	}
}

// Negative control for the traversal cases: joining the key onto the root
// the naive way does reach the secret, so the cases above test something.
func TestNaiveJoinWouldEscape(t *testing.T) {
	root := newTestDir(t)
	for _, key := range []string{"escape.ts", "up/secret.txt", "../secret.txt"} {
		b, err := os.ReadFile(filepath.Join(root, key))
		if err != nil || string(b) != secretBody {
			t.Errorf("naive read of %q: %q, %v; the fixture no longer escapes", key, b, err)
		}
	}
}

func TestNewDirErrors(t *testing.T) {
	root := newTestDir(t)
	if _, err := NewDir(filepath.Join(root, "missing"), DirOptions{}); err == nil {
		t.Error("missing directory accepted")
	}
	if _, err := NewDir(filepath.Join(root, "img", "a.jpg"), DirOptions{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("file as root: %v", err)
	}
	bad := []struct {
		rules []CORSRule
		want  string
	}{
		{[]CORSRule{{AllowedOrigins: []string{"https://*.*.example.com"}, AllowedMethods: []string{"GET"}}}, `more than one "*"`},
		{[]CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"get"}}}, `AllowedMethod "get"`},
		{[]CORSRule{{AllowedMethods: []string{"GET"}}}, "AllowedOrigins is empty"},
		{[]CORSRule{{AllowedOrigins: []string{"*"}}}, "AllowedMethods is empty"},
		{[]CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{"*-*"}}}, `AllowedHeader "*-*"`},
		{make([]CORSRule, 101), "at most 100"},
	}
	for _, b := range bad {
		if _, err := NewDir(root, DirOptions{CORS: b.rules}); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("rules %v: error %v, want %q", b.rules, err, b.want)
		}
	}
}

func TestParseRange(t *testing.T) {
	cases := []struct {
		v             string
		size          int64
		br            byteRange
		ok, unsatisfy bool
	}{
		{"bytes=0-0", 10, byteRange{0, 0}, true, false},
		{"bytes=0-", 10, byteRange{0, 9}, true, false},
		{"bytes=-20", 10, byteRange{0, 9}, true, false},
		{"bytes=-0", 10, byteRange{}, false, true},
		{"bytes=10-", 10, byteRange{}, false, true},
		{"bytes=a-b", 10, byteRange{}, false, false},
		{"bytes=+1-2", 10, byteRange{}, false, false},
		{"items=0-1", 10, byteRange{}, false, false},
		{"bytes=1-2,3-4", 10, byteRange{}, false, false},
		{"bytes=99999999999999999999-", 10, byteRange{}, false, false},
	}
	for _, c := range cases {
		br, ok, uns := parseRange(c.v, c.size)
		if br != c.br || ok != c.ok || uns != c.unsatisfy {
			t.Errorf("parseRange(%q, %d) = %v %v %v", c.v, c.size, br, ok, uns)
		}
	}
}
