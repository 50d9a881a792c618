package doctor

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// CanonicalOrigin gives the Origin header browsers send, or says why the
// text is not one and what to write. The seed 002 mistakes (a page URL, a
// broken shell line) are refused with the origin to use.
func TestCanonicalOrigin(t *testing.T) {
	tests := []struct {
		in   string
		want string // the canonical origin, or a substring of the error
		ok   bool
	}{
		{"http://localhost:3010", "http://localhost:3010", true},
		{"https://app.example.com", "https://app.example.com", true},
		{"https://[::1]:8443", "https://[::1]:8443", true},
		{"null", "null", true},
		// Spellings of one origin become the one browsers send.
		{"HTTPS://App.Example.com:443", "https://app.example.com", true},
		{"http://127.1:03010", "http://127.0.0.1:3010", true},
		{"https://bücher.example", "https://xn--bcher-kva.example", true},
		{"http://[0:0:0:0:0:0:0:1]:3010", "http://[::1]:3010", true},
		// Seed 002: a page URL instead of an origin.
		{"http://localhost:3010/movies/59", `origin "http://localhost:3010/movies/59" has a path, query or fragment "/movies/59": an Origin header is only scheme://host[:port] (a page at http://localhost:3010/movies/59 sends its origin), write http://localhost:3010`, false},
		// Seed 002's broken shell line: a curly quote and a newline in the value.
		{"http://localhost:3010/movies/59\u201d\n", "white space, a line break or an invisible control character", false},
		{" https://app.example.com", "white space", false},
		{"https://app.example.com/", "ends with a slash: an Origin header never does, write https://app.example.com", false},
		{"https://app.example.com?x=1", `has a path, query or fragment "?x=1"`, false},
		{"https://app.example.com#f", `has a path, query or fragment "#f"`, false},
		{"app.example.com", "has no scheme", false},
		{"localhost:3010", "has no scheme: browsers send the scheme in Origin, write https://localhost:3010", false},
		{"ftp://app.example.com", `scheme "ftp" is not http or https`, false},
		{"https://user@app.example.com", "user information", false},
		{"https://app.example.com:99999", "out of range", false},
		{"https://a..example.com", "not a valid DNS name", false},
		{"", "the origin is empty: give the web app's origin", false},
		{"https://", "has no host", false},
		{strings.Repeat("a", 2000), "bytes long", false},
	}
	for _, tt := range tests {
		got, err := CanonicalOrigin(tt.in)
		switch {
		case tt.ok && (err != nil || got != tt.want):
			t.Errorf("CanonicalOrigin(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CanonicalOrigin(%q) = %q, %v; want an error containing %q", tt.in, got, err, tt.want)
		case !tt.ok && len(err.Error()) > 600:
			t.Errorf("CanonicalOrigin(%q): %d-byte error", tt.in[:20], len(err.Error()))
		}
	}
}

// CheckURL sends the canonical origin and reports it.
func TestCheckURLSendsCanonicalOrigin(t *testing.T) {
	var got []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Origin"))
		mu.Unlock()
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/a.jpg", Origin: "HTTP://LocalHost:03010"})
	if r.Origin != "http://localhost:3010" {
		t.Errorf("report origin %q", r.Origin)
	}
	for _, o := range got {
		if o != "" && o != "http://localhost:3010" {
			t.Errorf("sent Origin %q", o)
		}
	}
	if _, err := CheckURL(context.Background(), LiveOptions{URL: srv.URL + "/a.jpg", Origin: "http://localhost:3010/"}); err == nil || !strings.Contains(err.Error(), "ends with a slash") {
		t.Errorf("err = %v", err)
	}
}

func TestValidateURL(t *testing.T) {
	for in, ok := range map[string]bool{
		"https://d16ufd393m7gss.cloudfront.net/public/movie/x/origin.m3u8": true,
		"http://127.0.0.1:8080/a.jpg?Signature=x":                          true,
		"d16ufd393m7gss.cloudfront.net/a.m3u8":                             false,
		"/a.m3u8":                                                          false,
		"https:///a":                                                       false,
		"https://h/a.m3u8\n":                                               false,
		"s3://bucket/key":                                                  false,
	} {
		if _, err := ValidateURL(in); (err == nil) != ok {
			t.Errorf("ValidateURL(%q) = %v, want ok=%v", in, err, ok)
		}
	}
}

func TestPatternsOverlap(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"*.jpg", "private/*", true},
		{"*.jpg", "*.m3u8", false},
		{"thumbs/*", "*.m3u8", true},
		{"thumbs/*", "videos/*", false},
		{"/a/?.ts", "a/x.ts", true},
		{"*", "anything/at/all", true},
		{"a*", "*b", true},
		{"a*c", "b*", false},
	} {
		if got := patternsOverlap(c.a, c.b); got != c.want {
			t.Errorf("patternsOverlap(%q, %q) = %v", c.a, c.b, got)
		}
		if got := patternsOverlap(c.b, c.a); got != c.want {
			t.Errorf("patternsOverlap(%q, %q) = %v (reversed)", c.b, c.a, got)
		}
	}
}

func TestClassifyDenial(t *testing.T) {
	now := time.Unix(1745557000, 0)
	u := mustParse(t, "https://h/a.ts")
	s3Header := http.Header{"Server": {"AmazonS3"}}
	for _, c := range []struct {
		status    int
		h         http.Header
		body      string
		preflight bool
		cookies   bool
		want      string
	}{
		{403, nil, xmlError("MissingKey", "Missing Key-Pair-Id query parameter or cookie value", false), false, false, "signed.missing-key"},
		{403, nil, xmlError("MissingKey", "Missing Key-Pair-Id query parameter or cookie value", false), true, true, "preflight.signed-cookies"},
		{403, nil, xmlError("MissingKey", "Missing Key-Pair-Id query parameter or cookie value", false), true, false, "preflight.missing-key"},
		{403, nil, xmlError("AccessDenied", "Access denied", false), false, false, "signed.access-denied"},
		// The discriminator: S3's denial has a RequestId and a capital D.
		{403, s3Header, xmlError("AccessDenied", "Access Denied", true), false, false, "s3.access-denied"},
		{403, s3Header, xmlError("AccessDenied", "Access Denied", false), false, false, "http.status"},
		{400, s3Header, "", true, false, "preflight.origin-not-forwarded"},
		{404, nil, "", false, false, "http.not-found"},
		{503, nil, "", false, false, "http.status"},
	} {
		d := classifyDenial(c.status, c.h, c.body, u, c.preflight, c.cookies, now)
		if d.id != c.want {
			t.Errorf("%d %q preflight=%v cookies=%v: %s, want %s", c.status, c.body, c.preflight, c.cookies, d.id, c.want)
		}
	}
}

func TestDescribeSignature(t *testing.T) {
	now := time.Unix(1745557000, 0) // 2025-04-25
	pol := testPolicy("https://media.example.com/v/*", 1745550000)
	got := describeSignature(mustParse(t, "https://media.example.com/v/a.ts?Policy="+pol+"&Signature=x&Key-Pair-Id=K"), now)
	if !strings.Contains(got, "policy expired at 2025-04-25T03:00:00Z") || strings.Contains(got, "does not match") {
		t.Errorf("expired policy: %q", got)
	}
	got = describeSignature(mustParse(t, "https://media.example.com/other/a.ts?Policy="+testPolicy("https://media.example.com/v/*", 1900000000)+"&Signature=x"), now)
	if !strings.Contains(got, `Resource "https://media.example.com/v/*" does not match`) || strings.Contains(got, "expired") {
		t.Errorf("resource mismatch: %q", got)
	}
	if got := describeSignature(mustParse(t, "https://h/a.ts?Policy=%25%25&Signature=x"), now); !strings.Contains(got, "does not decode") {
		t.Errorf("bad policy: %q", got)
	}
}

func TestCheckContentType(t *testing.T) {
	for _, c := range []struct {
		path, ct string
		ok       bool
	}{
		{"/a.m3u8", "application/vnd.apple.mpegurl", true},
		{"/a.m3u8", "application/x-mpegURL", true},
		{"/a.m3u8", "binary/octet-stream", false},
		{"/a.m3u8", "text/plain; charset=utf-8", false},
		{"/a.ts", "video/MP2T", true},
		{"/a.ts", "application/octet-stream", false},
		{"/a.m4s", "video/iso.segment", true},
		{"/a.vtt", "text/vtt", true},
		{"/a.aac", "audio/aac", true},
		{"/a.jpg", "image/png", false},
		{"/a.key", "application/octet-stream", true}, // no expectation for keys
		{"/a", "", true},
	} {
		if got := checkContentType(c.path, c.ct) == ""; got != c.ok {
			t.Errorf("checkContentType(%q, %q) ok=%v", c.path, c.ct, got)
		}
	}
}
