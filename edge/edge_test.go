package edge

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/internal/httplist"
)

// testBehavior is a behavior with a cache policy keyed on the path only,
// CORS-S3Origin and GET/HEAD/OPTIONS, to be adjusted per test.
func testBehavior(pattern string) *cfconfig.Behavior {
	return &cfconfig.Behavior{
		PathPattern: pattern, IsDefault: pattern == "*", TargetOrigin: "s3",
		AllowedMethods: []string{"GET", "HEAD", "OPTIONS"}, CachedMethods: []string{"GET", "HEAD"},
		CachePolicy: &cfconfig.CachePolicy{Name: "path-only", MinTTL: 0, DefaultTTL: 60, MaxTTL: 3600, QueryStringBehavior: "none", CookieBehavior: "none"},
		OriginRequestPolicy: &cfconfig.OriginRequestPolicy{Name: "CORS-S3Origin", HeaderBehavior: "whitelist",
			Headers: []string{"origin", "access-control-request-headers", "access-control-request-method"}},
	}
}

func testDistribution(bs ...*cfconfig.Behavior) *cfconfig.Distribution {
	return &cfconfig.Distribution{Label: "test", Origins: map[string]*cfconfig.Origin{"s3": {ID: "s3", Domain: "media.s3.us-east-1.amazonaws.com", S3: true, HasOAC: true}},
		Behaviors: append(bs, testBehavior("*"))}
}

// testFunctionTimeout replaces the 1 s default in tests that do not test the
// timeout: a normal run takes microseconds, but a CI machine running
// Chromium beside these tests can stall a goroutine for a long time, and a
// wall-clock limit must not turn that into a 503.
const testFunctionTimeout = time.Minute

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type harness struct {
	t      *testing.T
	edge   *Edge
	origin testOrigin
	clock  *clock
	infos  []RequestInfo
	mu     sync.Mutex
}

func newHarness(t *testing.T, d *cfconfig.Distribution, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, clock: &clock{t: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}}
	h.origin = newMemOrigin(&cfconfig.Bucket{HasCORS: true, CORS: []cfconfig.CORSRule{{AllowedOrigins: []string{"https://app.example.com"},
		AllowedMethods: []string{"GET", "HEAD"}, AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: 600}}})
	putMedia(h.origin)
	opts.Now = h.clock.now
	if opts.FunctionTimeout == 0 {
		opts.FunctionTimeout = testFunctionTimeout
	}
	opts.Log = func(i RequestInfo) { h.mu.Lock(); h.infos = append(h.infos, i); h.mu.Unlock() }
	e, err := New(d, h.origin, opts)
	if err != nil {
		t.Fatal(err)
	}
	h.edge = e
	return h
}

// do sends a request through the edge; header is "Name: value" pairs.
func (h *harness) do(method, target string, header ...string) *http.Response {
	h.t.Helper()
	r := httptest.NewRequest(method, "http://127.0.0.1:8080"+target, nil)
	r.RemoteAddr = "127.0.0.1:50000"
	for _, kv := range header {
		k, v, _ := strings.Cut(kv, ": ")
		r.Header.Add(k, v)
	}
	w := httptest.NewRecorder()
	h.edge.ServeHTTP(w, r)
	return w.Result()
}

func (h *harness) last() RequestInfo {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.infos[len(h.infos)-1]
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBehaviorSelection(t *testing.T) {
	d := testDistribution(testBehavior("public/*"), testBehavior("*.jpg"), testBehavior("/videos/v?/*"))
	h := newHarness(t, d, Options{})
	for _, tt := range []struct{ path, want string }{
		{"/public/a.jpg", "public/*"}, // first match wins
		{"/photos/a.jpg", "*.jpg"},
		{"/photos/A.JPG", "Default (*)"}, // case sensitive
		{"/videos/v1/low/seg0.ts", "/videos/v?/*"},
		{"/videos/v10/x.ts", "Default (*)"}, // ? is one character
		{"/photos/a.jpg?w=1", "*.jpg"},      // query strings are ignored
	} {
		h.do("GET", tt.path)
		if got := h.last().Behavior; got != tt.want {
			t.Errorf("%s matched %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestMethods(t *testing.T) {
	ro := testBehavior("*.jpg")
	ro.AllowedMethods = []string{"GET", "HEAD"}
	h := newHarness(t, testDistribution(ro), Options{})
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/photos/a.jpg", 200},
		{"HEAD", "/photos/a.jpg", 200},
		{"OPTIONS", "/photos/a.jpg", 403}, // not in AllowedMethods
		{"POST", "/photos/a.jpg", 403},
		{"DELETE", "/videos/v1/index.m3u8", 403},
	} {
		n := len(h.origin.log())
		r := h.do(tt.method, tt.path, "Origin: https://app.example.com", "Access-Control-Request-Method: GET")
		b := body(t, r)
		if r.StatusCode != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, r.StatusCode, tt.status)
		}
		if tt.status == 403 {
			if !strings.Contains(b, "not configured to allow the HTTP request method") || len(h.origin.log()) != n {
				t.Errorf("%s %s: body %q, origin called %d times", tt.method, tt.path, b, len(h.origin.log())-n)
			}
		}
	}
}

func TestCachedMethodsAndXCache(t *testing.T) {
	opt := testBehavior("*.m3u8")
	opt.CachedMethods = []string{"GET", "HEAD", "OPTIONS"}
	h := newHarness(t, testDistribution(opt), Options{})
	pre := []string{"Origin: https://app.example.com", "Access-Control-Request-Method: GET"}
	count := func(method, path string) int {
		n := 0
		for _, r := range h.origin.log() {
			if r.Method == method && r.URL.Path == path {
				n++
			}
		}
		return n
	}
	for i := 0; i < 2; i++ {
		h.do("OPTIONS", "/videos/v1/index.m3u8", pre...)
		h.do("OPTIONS", "/photos/a.jpg", pre...)
	}
	if got := count("OPTIONS", "/videos/v1/index.m3u8"); got != 1 {
		t.Errorf("OPTIONS cached by *.m3u8: origin saw %d, want 1", got)
	}
	if got := count("OPTIONS", "/photos/a.jpg"); got != 2 {
		t.Errorf("OPTIONS not in CachedMethods: origin saw %d, want 2", got)
	}
	r1 := h.do("GET", "/photos/a.jpg")
	h.clock.add(7 * time.Second)
	r2 := h.do("GET", "/photos/a.jpg")
	if r1.Header.Get("X-Cache") != "Miss from cloudfront" || r2.Header.Get("X-Cache") != "Hit from cloudfront" || r2.Header.Get("Age") != "7" {
		t.Errorf("X-Cache %q then %q, Age %q", r1.Header.Get("X-Cache"), r2.Header.Get("X-Cache"), r2.Header.Get("Age"))
	}
	// The OPTIONS entry is separate from the GET entry.
	if got := count("GET", "/videos/v1/index.m3u8"); got != 0 {
		t.Errorf("GET served from an OPTIONS entry? origin GETs %d", got)
	}
	h.clock.add(60 * time.Second) // default TTL 60 s
	if r := h.do("GET", "/photos/a.jpg"); r.Header.Get("X-Cache") != "Miss from cloudfront" {
		t.Errorf("after the TTL: %q", r.Header.Get("X-Cache"))
	}
}

func TestTTL(t *testing.T) {
	d := testDistribution()
	d.ErrorResponses = []cfconfig.ErrorResponse{{ErrorCode: 403, HasCachingMinTTL: true, CachingMinTTL: 0}, {ErrorCode: 404, HasCachingMinTTL: true, CachingMinTTL: 30}}
	e, err := New(d, http.NotFoundHandler(), Options{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name          string
		min, def, max float64
		status        int
		header        string
		want          time.Duration
	}{
		{"default TTL without directives", 0, 86400, 31536000, 200, "", 86400 * time.Second},
		{"default below min takes min", 100, 10, 1000, 200, "", 100 * time.Second},
		{"max-age within bounds", 0, 86400, 31536000, 200, "Cache-Control: max-age=300", 300 * time.Second},
		{"max-age clamped to max", 0, 60, 600, 200, "Cache-Control: max-age=9999", 600 * time.Second},
		{"max-age clamped to min", 120, 600, 6000, 200, "Cache-Control: max-age=5", 120 * time.Second},
		{"s-maxage wins", 0, 60, 6000, 200, "Cache-Control: max-age=10, s-maxage=500", 500 * time.Second},
		{"Expires", 0, 60, 6000, 200, "Expires: Thu, 01 Jan 2026 00:10:00 GMT", 600 * time.Second},
		{"no-store honored with min 0", 0, 86400, 31536000, 200, "Cache-Control: no-store", 0},
		{"no-store cached min TTL otherwise (CachingOptimized: 1 s)", 1, 86400, 31536000, 200, "Cache-Control: no-store", time.Second},
		{"private like no-store", 0, 60, 600, 200, "Cache-Control: private", 0},
		{"max TTL 0 disables", 0, 0, 0, 200, "Cache-Control: max-age=300", 0},
		{"error: ErrorCachingMinTTL 0", 0, 60, 600, 403, "Cache-Control: max-age=0", 0},
		{"error: ErrorCachingMinTTL 30", 0, 60, 600, 404, "", 30 * time.Second},
		{"error: default 10 s", 0, 60, 600, 500, "", 10 * time.Second},
		{"error: max-age above the minimum wins", 0, 60, 600, 404, "Cache-Control: max-age=300", 300 * time.Second},
		{"error: max-age below the minimum", 0, 60, 600, 502, "Cache-Control: max-age=3", 10 * time.Second},
		// 400, 403, 405, 412, 415 only with max-age or s-maxage: S3's 403
		// for a missing key is not cached (the old code cached it 10 s).
		{"error: 403 without max-age not cached", 0, 60, 600, 403, "", 0},
		{"error: 400 without max-age not cached", 0, 60, 600, 400, "", 0},
		{"error: 403 with max-age", 0, 60, 600, 403, "Cache-Control: max-age=60", 60 * time.Second},
		{"error: 405 with s-maxage, default minimum", 0, 60, 600, 405, "Cache-Control: s-maxage=5", 10 * time.Second},
		{"error: 416 is not in either list", 0, 60, 600, 416, "Cache-Control: max-age=60", 0},
		{"uncached status", 0, 60, 600, 302, "", 0},
	} {
		b := testBehavior("*")
		b.CachePolicy.MinTTL, b.CachePolicy.DefaultTTL, b.CachePolicy.MaxTTL = tt.min, tt.def, tt.max
		resp := &response{status: tt.status, header: http.Header{}}
		if tt.header != "" {
			k, v, _ := strings.Cut(tt.header, ": ")
			resp.header.Set(k, v)
		}
		if got := e.ttl(b, resp); got != tt.want {
			t.Errorf("%s: TTL %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCacheKey(t *testing.T) {
	keyed := testBehavior("*.jpg")
	keyed.CachePolicy.Headers = []string{"origin"}
	keyed.CachePolicy.QueryStringBehavior, keyed.CachePolicy.QueryStrings = "whitelist", []string{"w"}
	keyed.CachePolicy.CookieBehavior, keyed.CachePolicy.Cookies = "whitelist", []string{"theme"}
	h := newHarness(t, testDistribution(keyed), Options{})
	for _, tt := range []struct {
		path    string
		headers []string
		want    string
	}{
		{"/photos/a.jpg?w=1", nil, "Miss"},
		{"/photos/a.jpg?w=1&x=2", nil, "Hit"}, // x is not in the key
		{"/photos/a.jpg?w=2", nil, "Miss"},
		{"/photos/a.jpg?w=1", []string{"Origin: https://app.example.com"}, "Miss"}, // Origin is
		{"/photos/a.jpg?w=1", []string{"Origin: https://app.example.com"}, "Hit"},
		{"/photos/a.jpg?w=1", []string{"Cookie: theme=dark; session=1"}, "Miss"},
		{"/photos/a.jpg?w=1", []string{"Cookie: theme=dark; session=2"}, "Hit"},
		{"/videos/v1/low/seg0.ts?w=1", nil, "Miss"},
		{"/videos/v1/low/seg0.ts?w=2", []string{"Origin: https://app.example.com"}, "Hit"}, // path-only key
	} {
		h.do("GET", tt.path, tt.headers...)
		if got := h.last().Cache; got != tt.want {
			t.Errorf("GET %s %v: %s, want %s", tt.path, tt.headers, got, tt.want)
		}
	}
}

func TestForwarding(t *testing.T) {
	legacy := testBehavior("legacy/*")
	legacy.CachePolicy, legacy.OriginRequestPolicy = nil, nil
	legacy.Legacy = &cfconfig.ForwardedValues{Headers: []string{"x-variant"}, QueryString: false, CookieForward: "none", DefaultTTL: 60, MaxTTL: 600}
	h := newHarness(t, testDistribution(legacy), Options{})
	h.origin.put("legacy/a.jpg", "image/jpeg", "x")
	send := []string{"Origin: https://app.example.com", "Authorization: Bearer secret", "X-Variant: b", "Cookie: session=1", "Accept-Language: fr"}
	h.do("GET", "/photos/a.jpg?w=1", send...)
	h.do("GET", "/legacy/a.jpg?w=1", send...)
	reqs := h.origin.log()
	if len(reqs) != 2 {
		t.Fatalf("%d origin requests", len(reqs))
	}
	for i, want := range []map[string]string{
		{"Origin": "https://app.example.com", "Authorization": "", "X-Variant": "", "Cookie": "", "Accept-Language": "", "User-Agent": "Amazon CloudFront"},
		{"Origin": "", "Authorization": "", "X-Variant": "b", "Cookie": "", "Accept-Language": ""},
	} {
		r := reqs[i]
		if r.URL.RawQuery != "" {
			t.Errorf("%s: query %q reached the origin", r.URL.Path, r.URL.RawQuery)
		}
		for k, v := range want {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: origin got %s %q, want %q", r.URL.Path, k, got, v)
			}
		}
	}
	if reqs[0].Host != "media.s3.us-east-1.amazonaws.com" || reqs[0].URL.Path != "/photos/a.jpg" {
		t.Errorf("origin request host %q path %q", reqs[0].Host, reqs[0].URL.Path)
	}
}

func corsPolicy(override bool) *cfconfig.ResponseHeadersPolicy {
	return &cfconfig.ResponseHeadersPolicy{Name: "cors", CORS: &cfconfig.CORSConfig{
		AllowOrigins: []string{"https://app.example.com", "https://*.example.org"}, AllowMethods: []string{"GET", "HEAD"},
		AllowHeaders: []string{"range"}, ExposeHeaders: []string{"Content-Range", "ETag"}, MaxAgeSec: 3600, HasMaxAge: true, OriginOverride: override},
		SecurityHeaders: []cfconfig.Header{{Name: "X-Frame-Options", Value: "DENY", Override: true}, {Name: "X-Content-Type-Options", Value: "nosniff"}},
		CustomHeaders:   []cfconfig.Header{{Name: "X-Team", Value: "media"}},
		RemoveHeaders:   []string{"X-Amz-Meta-Owner"},
	}
}

func TestResponseHeadersPolicy(t *testing.T) {
	// Not cached, so that each case reaches S3 (TestDoctorFindsKnownFailures
	// covers what the cache does to CORS headers).
	over := testBehavior("over/*")
	over.ResponseHeadersPolicy = corsPolicy(true)
	over.CachePolicy.DefaultTTL, over.CachePolicy.MaxTTL = 0, 0
	keep := testBehavior("keep/*")
	keep.ResponseHeadersPolicy = corsPolicy(false)
	keep.CachePolicy.DefaultTTL, keep.CachePolicy.MaxTTL = 0, 0
	h := newHarness(t, testDistribution(over, keep), Options{})
	for _, p := range []string{"over/a.jpg", "keep/a.jpg"} {
		h.origin.(*memOrigin).objects[p] = testObject{body: "jpeg", contentType: "image/jpeg",
			header: http.Header{"X-Amz-Meta-Owner": {"alice"}, "X-Amz-Meta-Keep": {"yes"}}}
	}
	h.origin.(*memOrigin).cors[0].ExposeHeaders = []string{"X-From-S3"}
	for _, tt := range []struct {
		name, method, path string
		headers            []string
		want               map[string]string
		layers             map[string]Layer
	}{
		{"override replaces S3's CORS headers", "GET", "/over/a.jpg", []string{"Origin: https://app.example.com"},
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Expose-Headers": "Content-Range, ETag", "Access-Control-Max-Age": ""},
			map[string]Layer{"Access-Control-Allow-Origin": LayerPolicy, "Access-Control-Expose-Headers": LayerPolicy, "Access-Control-Allow-Credentials": LayerOrigin, "Vary": LayerOrigin}},
		{"no override: S3's headers win", "GET", "/keep/a.jpg", []string{"Origin: https://app.example.com"},
			map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Expose-Headers": "X-From-S3"},
			map[string]Layer{"Access-Control-Allow-Origin": LayerOrigin, "Access-Control-Expose-Headers": LayerOrigin}},
		{"no override: added when S3 sent none", "GET", "/keep/a.jpg", []string{"Origin: https://a.example.org"},
			map[string]string{"Access-Control-Allow-Origin": "https://a.example.org", "Access-Control-Expose-Headers": "Content-Range, ETag"},
			map[string]Layer{"Access-Control-Allow-Origin": LayerPolicy}},
		{"wildcard is one leftmost label", "GET", "/over/a.jpg", []string{"Origin: https://a.b.example.org"},
			map[string]string{"Access-Control-Allow-Origin": ""}, nil},
		{"origin not allowed", "GET", "/over/a.jpg", []string{"Origin: https://evil.example.net"},
			map[string]string{"Access-Control-Allow-Origin": ""}, nil},
		{"no Origin: no CORS headers (default reading)", "GET", "/over/a.jpg", nil,
			map[string]string{"Access-Control-Allow-Origin": "", "Vary": ""}, nil},
		{"preflight gets methods, headers, max-age", "OPTIONS", "/over/a.jpg", []string{"Origin: https://app.example.com", "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: range"},
			map[string]string{"Access-Control-Allow-Methods": "GET, HEAD", "Access-Control-Allow-Headers": "range", "Access-Control-Max-Age": "3600", "Access-Control-Expose-Headers": "Content-Range, ETag"},
			// Expose-Headers goes on responses to CORS requests, preflights
			// included (the old code left S3's "X-From-S3" on preflights).
			map[string]Layer{"Access-Control-Allow-Methods": LayerPolicy, "Access-Control-Max-Age": LayerPolicy, "Access-Control-Expose-Headers": LayerPolicy}},
		{"no override: a preflight keeps S3's Expose-Headers", "OPTIONS", "/keep/a.jpg", []string{"Origin: https://app.example.com", "Access-Control-Request-Method: GET"},
			map[string]string{"Access-Control-Expose-Headers": "X-From-S3"}, map[string]Layer{"Access-Control-Expose-Headers": LayerOrigin}},
		{"security, custom and removed headers", "GET", "/over/a.jpg", nil,
			map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "X-Team": "media", "X-Amz-Meta-Owner": "", "X-Amz-Meta-Keep": "yes"}, nil},
	} {
		r := h.do(tt.method, tt.path, tt.headers...)
		for k, v := range tt.want {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", tt.name, k, got, v)
			}
		}
		info := h.last()
		for k, l := range tt.layers {
			if info.CORS[k] != l {
				t.Errorf("%s: layer of %s = %q, want %q (all: %v)", tt.name, k, info.CORS[k], l, info.CORS)
			}
		}
	}

	// The readings change what an undocumented case does.
	h2 := newHarness(t, testDistribution(over), Options{PolicyAddsVaryOrigin: true, PolicyCORSWithoutOrigin: true})
	h2.origin.put("over/a.jpg", "image/jpeg", "jpeg")
	r := h2.do("GET", "/over/a.jpg")
	if r.Header.Get("Vary") != "Origin" || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("PolicyAddsVaryOrigin without \"*\": Vary %q ACAO %q", r.Header.Get("Vary"), r.Header.Get("Access-Control-Allow-Origin"))
	}
	over.ResponseHeadersPolicy.CORS.AllowOrigins = []string{"*"}
	r = h2.do("GET", "/over/a.jpg")
	if r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("PolicyCORSWithoutOrigin with \"*\": ACAO %q", r.Header.Get("Access-Control-Allow-Origin"))
	}
}

// decode returns the body of r decoded as its Content-Encoding says.
func decode(t *testing.T, r *http.Response) string {
	t.Helper()
	var zr io.Reader
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "":
		return body(t, r)
	case "gzip":
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		zr = gz
	case "br":
		zr = brotli.NewReader(r.Body)
	default:
		t.Fatalf("unexpected Content-Encoding %q", enc)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s body does not decode: %v", r.Header.Get("Content-Encoding"), err)
	}
	return string(plain)
}

// compressionHarness serves the same 2,000-byte stylesheet under behaviors
// that differ only in what they enable.
func compressionHarness(t *testing.T) (*harness, string) {
	both := testBehavior("*.css") // gzip and Brotli, as CachingOptimized
	both.Compress, both.CachePolicy.EnableGzip, both.CachePolicy.EnableBrotli = true, true, true
	gzipOnly := testBehavior("/gz/*") // as Elemental-MediaPackage
	gzipOnly.Compress, gzipOnly.CachePolicy.EnableGzip = true, true
	legacy := testBehavior("/legacy/*") // ForwardedValues: gzip only (DG: Brotli needs a cache policy)
	legacy.Compress, legacy.CachePolicy = true, nil
	legacy.Legacy = &cfconfig.ForwardedValues{DefaultTTL: 60, MaxTTL: 3600}
	off := testBehavior("*.txt")
	off.Compress = true // the cache policy enables neither encoding
	img := testBehavior("*.jpg")
	img.Compress, img.CachePolicy.EnableGzip, img.CachePolicy.EnableBrotli = true, true, true
	h := newHarness(t, testDistribution(gzipOnly, legacy, both, off, img), Options{})
	var css strings.Builder
	for i := 0; css.Len() < 2000; i++ {
		css.WriteString(".c" + strconv.Itoa(i*7919) + " { color: red }\n")
	}
	big := css.String()
	for _, k := range []string{"a.css", "gz/a.css", "legacy/a.css"} {
		h.origin.put(k, "text/css", big)
	}
	h.origin.put("small.css", "text/css", "a{}")
	h.origin.put("a.txt", "text/plain", big)
	h.origin.put("a.jpg", "image/jpeg", big)
	h.origin.(*memOrigin).objects["pre.css"] = testObject{body: big, contentType: "text/css", contentEncoding: "x-custom"}
	return h, big
}

func TestCompression(t *testing.T) {
	h, big := compressionHarness(t)
	for _, tt := range []struct {
		name, path, ae, want string
	}{
		{"br only", "/a.css", "br", "br"},
		{"gzip only", "/a.css", "gzip", "gzip"},
		{"both: Brotli wins", "/a.css", "gzip, deflate, br", "br"},
		{"both, q values do not change the choice", "/a.css", "br;q=0.5, gzip", "br"},
		{"br refused with q=0", "/a.css", "gzip, br;q=0", "gzip"},
		{"neither", "/a.css", "deflate", ""},
		{"no Accept-Encoding", "/a.css", "", ""},
		{"policy enables gzip only, viewer both", "/gz/a.css", "gzip, br", "gzip"},
		{"policy enables gzip only, viewer br only", "/gz/a.css", "br", ""},
		{"legacy cache settings, viewer both", "/legacy/a.css", "gzip, br", "gzip"},
		{"legacy cache settings, viewer br only", "/legacy/a.css", "br", ""},
		{"policy enables neither", "/a.txt", "gzip, br", ""},
		{"under 1,000 bytes", "/small.css", "br", ""},
		{"not a compressible type", "/a.jpg", "gzip, br", ""},
	} {
		var hs []string
		if tt.ae != "" {
			hs = append(hs, "Accept-Encoding: "+tt.ae)
		}
		h.edge.Invalidate("/*") // each case starts with an empty cache
		for _, want := range []string{"Miss", "Hit"} {
			r := h.do("GET", tt.path, hs...)
			if r.Header.Get("X-Cache") != want+" from cloudfront" {
				t.Errorf("%s: X-Cache %q, want %s", tt.name, r.Header.Get("X-Cache"), want)
			}
			if got := r.Header.Get("Content-Encoding"); got != tt.want {
				t.Errorf("%s (%s): Content-Encoding %q, want %q", tt.name, want, got, tt.want)
				continue
			}
			if tt.want != "" && (!httplist.VaryHas(r.Header, "accept-encoding") || !strings.HasPrefix(r.Header.Get("ETag"), "W/")) {
				t.Errorf("%s: Vary %q ETag %q, want Accept-Encoding and a weak ETag", tt.name, r.Header.Get("Vary"), r.Header.Get("ETag"))
			}
			if want := big; tt.path == "/small.css" {
				if got := decode(t, r); got != "a{}" {
					t.Errorf("%s: body %q", tt.name, got)
				}
			} else if got := decode(t, r); got != want {
				t.Errorf("%s: decoded body (%d bytes) is not the object", tt.name, len(got))
			}
		}
	}

	// The origin's encoding is kept, never encoded again.
	r := h.do("GET", "/pre.css", "Accept-Encoding: gzip, br")
	if r.Header.Get("Content-Encoding") != "x-custom" || body(t, r) != big {
		t.Errorf("origin-encoded object: Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
}

// TestCompressionCacheKey: the normalized Accept-Encoding is in the cache
// key, so each encoding is one origin fetch and one entry whatever the
// viewer's spelling of the header.
func TestCompressionCacheKey(t *testing.T) {
	h, _ := compressionHarness(t)
	for _, ae := range []string{"br", "gzip, deflate, br", "br, gzip", "gzip", "gzip, deflate", "deflate", ""} {
		h.do("GET", "/a.css", "Accept-Encoding: "+ae)
	}
	if n := len(h.origin.log()); n != 3 { // br, gzip, identity
		t.Errorf("origin fetches: %d, want 3 (one per normalized encoding)", n)
	}
}

// TestCompressionNegativeControl: with the coding table the edge had
// before (gzip only), a viewer accepting only br gets the object
// uncompressed, which TestCompression's "br only" case rejects.
func TestCompressionNegativeControl(t *testing.T) {
	saved := contentCodings
	t.Cleanup(func() { contentCodings = saved })
	contentCodings = saved[1:]
	if contentCodings[0].name != "gzip" || len(contentCodings) != 1 {
		t.Fatalf("contentCodings changed order: %v", saved)
	}
	h, _ := compressionHarness(t)
	if r := h.do("GET", "/a.css", "Accept-Encoding: br"); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip-only edge, br-only viewer: Content-Encoding %q, want none (the old behaviour)", r.Header.Get("Content-Encoding"))
	}
}

// TestCompressionRangeAndHead: a Range request is answered from the cached
// compressed object (the range is of the encoded bytes, as RFC 9110 defines
// it for a Content-Encoding); HEAD gets the headers of the GET response.
func TestCompressionRangeAndHead(t *testing.T) {
	h, big := compressionHarness(t)
	full := h.do("GET", "/a.css", "Accept-Encoding: br")
	enc := body(t, full)
	if len(enc) >= len(big) || len(enc) < 100 { // a range of 100 bytes must be a strict part
		t.Fatalf("br body %d bytes for %d", len(enc), len(big))
	}
	r := h.do("GET", "/a.css", "Accept-Encoding: br", "Range: bytes=0-99")
	if r.StatusCode != 206 || r.Header.Get("Content-Encoding") != "br" || body(t, r) != enc[:100] ||
		r.Header.Get("Content-Range") != "bytes 0-99/"+strconv.Itoa(len(enc)) {
		t.Errorf("range of br entry: %d %q %q", r.StatusCode, r.Header.Get("Content-Encoding"), r.Header.Get("Content-Range"))
	}
	r = h.do("HEAD", "/a.css", "Accept-Encoding: br")
	if r.Header.Get("Content-Encoding") != "br" || r.Header.Get("X-Cache") != "Hit from cloudfront" || body(t, r) != "" {
		t.Errorf("HEAD after GET: Content-Encoding %q X-Cache %q", r.Header.Get("Content-Encoding"), r.Header.Get("X-Cache"))
	}
}

func TestRangeAndConditionalFromCache(t *testing.T) {
	h := newHarness(t, testDistribution(), Options{})
	full := h.do("GET", "/videos/v1/low/seg0.ts")
	etag := full.Header.Get("ETag")
	r := h.do("GET", "/videos/v1/low/seg0.ts", "Range: bytes=0-187")
	if r.StatusCode != 206 || r.Header.Get("Content-Range") != "bytes 0-187/3760" || len(body(t, r)) != 188 || r.Header.Get("X-Cache") != "Hit from cloudfront" {
		t.Errorf("range: %d %q %q", r.StatusCode, r.Header.Get("Content-Range"), r.Header.Get("X-Cache"))
	}
	if r := h.do("GET", "/videos/v1/low/seg0.ts", "If-None-Match: "+etag); r.StatusCode != 304 {
		t.Errorf("If-None-Match: %d", r.StatusCode)
	}
	if n := len(h.origin.log()); n != 1 {
		t.Errorf("origin saw %d requests, want 1", n)
	}
}

// TestHEAD: a HEAD miss is forwarded as HEAD and keeps the object's length;
// a HEAD after a GET is answered from the GET's entry.
func TestHEAD(t *testing.T) {
	d := loadDist(t, "../test/testdata/default.template.json")
	o := originFor(t, d)
	e, err := New(d, o, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, edge: e, origin: o}
	r := h.do("HEAD", "/videos/v1/low/seg0.ts")
	if r.StatusCode != 200 || r.Header.Get("Content-Length") != "3760" || r.Header.Get("X-Cache") != "Miss from cloudfront" {
		t.Errorf("HEAD miss: %d %v", r.StatusCode, r.Header)
	}
	h.do("GET", "/videos/v1/low/seg0.ts")
	r = h.do("HEAD", "/videos/v1/low/seg0.ts")
	if r.Header.Get("Content-Length") != "3760" || r.Header.Get("X-Cache") != "Hit from cloudfront" || body(t, r) != "" {
		t.Errorf("HEAD after GET: %v", r.Header)
	}
	if reqs := o.log(); len(reqs) != 2 || reqs[0].Method != "HEAD" || reqs[1].Method != "GET" {
		t.Errorf("origin saw %d requests", len(reqs))
	}
}

func TestInvalidation(t *testing.T) {
	h := newHarness(t, testDistribution(), Options{})
	h.do("GET", "/photos/a.jpg")
	h.do("GET", "/videos/v1/index.m3u8")
	h.origin.put("photos/a.jpg", "image/jpeg", "new content")
	if b := body(t, h.do("GET", "/photos/a.jpg")); b == "new content" {
		t.Fatal("changed object served before the invalidation")
	}
	r := h.do("POST", "/.mediacdn/invalidate?path=/photos/*")
	if r.StatusCode != 200 || !strings.Contains(body(t, r), "invalidated 1 ") {
		t.Fatalf("invalidation: %d", r.StatusCode)
	}
	if b := body(t, h.do("GET", "/photos/a.jpg")); b != "new content" {
		t.Errorf("after invalidation: %q", b)
	}
	if h.do("GET", "/videos/v1/index.m3u8").Header.Get("X-Cache") != "Hit from cloudfront" {
		t.Error("the invalidation removed an entry outside its path")
	}
	for _, bad := range []string{"/.mediacdn/invalidate?path=photos", "/.mediacdn/invalidate?path=/a*b", "/.mediacdn/invalidate"} {
		if r := h.do("POST", bad); r.StatusCode != 400 {
			t.Errorf("POST %s: %d, want 400", bad, r.StatusCode)
		}
	}
	if r := h.do("GET", "/.mediacdn/invalidate?path=/*"); r.StatusCode != 405 {
		t.Errorf("GET invalidation: %d", r.StatusCode)
	}
}

// TestInvalidationBodyBound: a body over 64 KiB of paths is refused whole
// (413, nothing invalidated) instead of its first 64 KiB being applied.
func TestInvalidationBodyBound(t *testing.T) {
	h := newHarness(t, testDistribution(), Options{})
	h.do("GET", "/photos/a.jpg")
	post := func(body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.edge.ServeHTTP(rec, httptest.NewRequest("POST", "/.mediacdn/invalidate", strings.NewReader(body)))
		return rec
	}
	line := "/videos/*\n"
	atLimit := strings.Repeat(line, maxInvalidationBody/len(line)) + strings.Repeat(" ", maxInvalidationBody%len(line))
	over := atLimit + "/photos/*\n"
	if rec := post(over); rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "nothing was invalidated") {
		t.Errorf("%d-byte body: %d %q, want 413", len(over), rec.Code, rec.Body.String())
	}
	if got := h.do("GET", "/photos/a.jpg").Header.Get("X-Cache"); got != "Hit from cloudfront" {
		t.Errorf("after the refused invalidation: X-Cache %q, want a hit", got)
	}
	if rec := post(atLimit); rec.Code != http.StatusOK {
		t.Errorf("%d-byte body: %d %q, want 200", len(atLimit), rec.Code, rec.Body.String())
	}
}

func TestCacheStaysWithinBound(t *testing.T) {
	h := newHarness(t, testDistribution(), Options{CacheBytes: 64 << 10})
	for i := 0; i < 200; i++ {
		p := "obj/" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "/" + time.Duration(i).String() + ".ts"
		h.origin.put(p, "video/mp2t", strings.Repeat("G", 4000))
		h.do("GET", "/"+p)
		if got := h.edge.cache.bytes(); got > 64<<10 {
			t.Fatalf("cache holds %d bytes, over its 64 KiB bound", got)
		}
	}
	if h.edge.cache.bytes() < 32<<10 {
		t.Errorf("cache holds only %d bytes: eviction too eager", h.edge.cache.bytes())
	}
}

func TestRefusedAtStart(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(d *cfconfig.Distribution)
		want   string
	}{
		{"Lambda@Edge", func(d *cfconfig.Distribution) {
			d.Behaviors[0].Functions = []cfconfig.Function{{Name: "Lambda@Edge arn:aws:lambda:us-east-1:1:function:f:1", EventType: "origin-request", LambdaEdge: true}}
		}, "Lambda@Edge"},
		{"custom origin", func(d *cfconfig.Distribution) { d.Origins["s3"].S3, d.Origins["s3"].Custom = false, true }, "custom origin"},
		{"website endpoint", func(d *cfconfig.Distribution) { d.Origins["s3"].S3, d.Origins["s3"].Website = false, true }, "website endpoint"},
		{"function code not in the template", func(d *cfconfig.Distribution) {
			d.Behaviors[0].Functions = []cfconfig.Function{{Name: "arn:aws:cloudfront::1:function/x", EventType: "viewer-request"}}
		}, "code is not in the template"},
		{"KeyValueStore", func(d *cfconfig.Distribution) {
			d.Behaviors[0].Functions = []cfconfig.Function{{Name: "f", EventType: "viewer-request", Code: "function handler(e){return e.request}", KeyValueStores: []string{"arn"}}}
		}, "KeyValueStore"},
		{"oversized function", func(d *cfconfig.Distribution) {
			d.Behaviors[0].Functions = []cfconfig.Function{{Name: "f", EventType: "viewer-request", Code: "function handler(e){return e.request}//" + strings.Repeat("x", 11<<10)}}
		}, "10 KB"},
		{"crypto module", func(d *cfconfig.Distribution) {
			d.Behaviors[0].Functions = []cfconfig.Function{{Name: "f", EventType: "viewer-request", Code: "import crypto from 'crypto';\nfunction handler(e){return e.request}"}}
		}, "other than 'cloudfront'"},
		{"syntax error", func(d *cfconfig.Distribution) {
			d.Behaviors[0].Functions = []cfconfig.Function{{Name: "f", EventType: "viewer-request", Code: "function handler(e){"}}
		}, "does not compile"},
		{"unknown policy", func(d *cfconfig.Distribution) {
			d.Unresolved = []cfconfig.Unresolved{{Kind: "cache policy", Ref: "1234"}}
		}, "cache policy 1234"},
		{"key group without keys", func(d *cfconfig.Distribution) { d.Behaviors[0].TrustedKeyGroups = []string{"kg-123"} }, "kg-123"},
		{"legacy trusted signers", func(d *cfconfig.Distribution) { d.Behaviors[0].TrustedSigners = true }, "TrustedSigners"},
		{"no default behavior", func(d *cfconfig.Distribution) { d.Behaviors = d.Behaviors[:1] }, "no default cache behavior"},
		{"WAF", func(d *cfconfig.Distribution) { d.WebACLID = "arn:aws:wafv2:acl" }, "WAF"},
		{"geo restriction", func(d *cfconfig.Distribution) { d.GeoRestriction = "whitelist" }, "geographic restriction"},
		{"origin groups", func(d *cfconfig.Distribution) { d.OriginGroups = 1 }, "OriginGroups"},
		{"custom error page", func(d *cfconfig.Distribution) {
			d.ErrorResponses = []cfconfig.ErrorResponse{{ErrorCode: 404, ResponseCode: 200, ResponsePagePath: "/index.html"}}
		}, "custom error pages"},
		{"field-level encryption", func(d *cfconfig.Distribution) { d.Behaviors[0].FieldLevelEncryptionID = "fle" }, "field-level encryption"},
	} {
		d := testDistribution(testBehavior("*.jpg"))
		tt.change(d)
		_, err := New(d, http.NotFoundHandler(), Options{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one naming %q", tt.name, err, tt.want)
		}
	}
}

// TestAbortedFetchNotCached: when the viewer goes away during the origin
// fetch, whatever the origin answered is not stored.
func TestAbortedFetchNotCached(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls int
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			cancel() // the viewer disconnects; a remote origin then fails
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		io.WriteString(w, "jpeg")
	})
	e, err := New(testDistribution(), origin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "http://127.0.0.1:8080/a.jpg", nil).WithContext(ctx)
	e.ServeHTTP(httptest.NewRecorder(), r)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest("GET", "http://127.0.0.1:8080/a.jpg", nil))
	if w.Code != 200 || calls != 2 {
		t.Errorf("after an aborted fetch: %d, origin called %d times", w.Code, calls)
	}
}

// TestCacheAccountsWhatItHolds: the bytes a cached body keeps alive (its
// capacity, not only its length) are what the bound counts. An origin that
// writes in 32 KiB chunks (s3origin.Dir through http.ServeContent) used to
// leave bodies with up to twice their length in capacity, uncounted.
func TestCacheAccountsWhatItHolds(t *testing.T) {
	d := testDistribution()
	o := newDirOrigin(t, nil)
	const size = 256<<10 + 1
	o.put("videos/big.ts", "", strings.Repeat("G", size))
	e, err := New(d, o, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := serve(e, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/videos/big.ts", nil))
	if w.Code != 200 || w.Body.Len() != size {
		t.Fatalf("GET: %d, %d bytes", w.Code, w.Body.Len())
	}
	e.cache.mu.Lock()
	defer e.cache.mu.Unlock()
	if len(e.cache.entries) != 1 {
		t.Fatalf("%d cache entries, want 1", len(e.cache.entries))
	}
	for _, ent := range e.cache.entries {
		body := ent.resp.body
		if held := int64(cap(body)); ent.size < held {
			t.Errorf("entry accounted as %d bytes, but its body holds %d (len %d)", ent.size, held, len(body))
		}
		if cap(body) > len(body)+len(body)/8 {
			t.Errorf("body keeps %d bytes for %d: the spare capacity is wasted cache space", cap(body), len(body))
		}
	}
}

// TestManagedSecurityHeadersPolicy: the managed SecurityHeadersPolicy always
// sends X-Content-Type-Options: nosniff, and leaves the origin's value of its
// other headers (DG23 using-managed-response-headers-policies.md). The old
// table let the origin's X-Content-Type-Options win too.
func TestManagedSecurityHeadersPolicy(t *testing.T) {
	doc := `{"Resources":{"D":{"Type":"AWS::CloudFront::Distribution","Properties":{"DistributionConfig":{
	  "Origins":[{"Id":"o","DomainName":"b.s3.us-east-1.amazonaws.com","S3OriginConfig":{}}],
	  "DefaultCacheBehavior":{"TargetOriginId":"o","CachePolicyId":"4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
	    "ResponseHeadersPolicyId":"67f7725c-6f97-4210-82d7-5512b31e9d03"}}}}}}`
	dists, err := cfconfig.Parse("t", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/own.txt" {
			w.Header().Set("X-Content-Type-Options", "sniff-away")
			w.Header().Set("X-Frame-Options", "DENY")
		}
		_, _ = w.Write([]byte("text"))
	})
	e, err := New(dists[0], origin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ path, nosniff, frame string }{
		{"/own.txt", "nosniff", "DENY"},
		{"/plain.txt", "nosniff", "SAMEORIGIN"},
	} {
		w := serve(e, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+tt.path, nil))
		if got := w.Header().Get("X-Content-Type-Options"); got != tt.nosniff {
			t.Errorf("%s: X-Content-Type-Options %q, want %q", tt.path, got, tt.nosniff)
		}
		if got := w.Header().Get("X-Frame-Options"); got != tt.frame {
			t.Errorf("%s: X-Frame-Options %q, want %q", tt.path, got, tt.frame)
		}
	}
}

// TestDefaultRootObject: with DefaultRootObject set, a request for "/" gets
// that object, a subdirectory does not (DG DefaultRootObject.html). The old
// edge sent "/" to the origin, whose answer is an error.
func TestDefaultRootObject(t *testing.T) {
	d := testDistribution()
	d.DefaultRootObject = "index.html"
	h := newHarness(t, d, Options{})
	h.origin.put("index.html", "text/html", "<h1>home</h1>")
	h.origin.put("docs/index.html", "text/html", "<h1>docs</h1>")
	r := h.do("GET", "/")
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 || string(body) != "<h1>home</h1>" {
		t.Errorf("GET /: %d %q", r.StatusCode, body)
	}
	if r := h.do("GET", "/docs/"); r.StatusCode == 200 {
		t.Errorf("GET /docs/: %d, want the origin's error (no default object below the root)", r.StatusCode)
	}
	d2 := testDistribution()
	h2 := newHarness(t, d2, Options{})
	if r := h2.do("GET", "/"); r.StatusCode == 200 {
		t.Errorf("without DefaultRootObject GET /: %d", r.StatusCode)
	}
}
