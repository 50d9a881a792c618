package edge

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestCompressionLimits: CloudFront compresses a cached response of 1,000 to
// 10,000,000 bytes whose status is 200, 403 or 404 (DG23
// ServingCompressedFiles.md; CLOUDFRONT-FACTS section 5). Each row's
// object is compressible text; the second request shows whether the
// response was cached, so that an uncompressed row is known to fail the
// size or status rule, not the TTL one.
func TestCompressionLimits(t *testing.T) {
	type object struct {
		status       int
		contentType  string
		cacheControl string
		size         int
	}
	objects := map[string]object{
		"/exactly-1000.css":     {200, "text/css", "", 1000},
		"/under-1000.css":       {200, "text/css", "", 999},
		"/exactly-10000000.css": {200, "text/css", "", 10_000_000},
		"/over-10000000.css":    {200, "text/css", "", 10_000_001},
		"/not-found.html":       {404, "text/html", "", 2000}, // error pages are cached 10 s
		"/forbidden-cached.xml": {403, "application/xml", "max-age=60", 2000},
		"/forbidden.xml":        {403, "application/xml", "", 2000}, // S3's 403: not cached, so never compressed
		"/moved.xml":            {301, "application/xml", "", 2000}, // cached, status not in the list
		"/gone.html":            {410, "text/html", "", 2000},
		"/error.html":           {500, "text/html", "", 2000},
	}
	bodyOf := func(n int) string { // compressible, not one repeated byte
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			b.WriteString("p" + strconv.Itoa(i%977) + "{margin:0}\n")
		}
		return b.String()[:n]
	}
	bodies := map[string]string{}
	for p, o := range objects {
		bodies[p] = bodyOf(o.size)
	}
	var mu sync.Mutex
	calls := map[string]int{}
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		mu.Unlock()
		o, ok := objects[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", o.contentType)
		w.Header().Set("Content-Length", strconv.Itoa(o.size))
		if o.cacheControl != "" {
			w.Header().Set("Cache-Control", o.cacheControl)
		}
		if o.status == 301 {
			w.Header().Set("Location", "https://example.com/elsewhere")
		}
		w.WriteHeader(o.status)
		_, _ = w.Write([]byte(bodies[r.URL.Path]))
	})
	b := testBehavior("/*") // every path, before the default
	b.Compress, b.CachePolicy.EnableGzip, b.CachePolicy.EnableBrotli = true, true, true
	e, err := New(testDistribution(b), origin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, edge: e}
	for _, tt := range []struct {
		path   string
		cached bool
		want   string // Content-Encoding
	}{
		{"/exactly-1000.css", true, "gzip"},
		{"/under-1000.css", true, ""},
		{"/exactly-10000000.css", true, "gzip"},
		{"/over-10000000.css", true, ""},
		{"/not-found.html", true, "gzip"},
		{"/forbidden-cached.xml", true, "gzip"},
		{"/forbidden.xml", false, ""},
		{"/moved.xml", true, ""},
		{"/gone.html", true, ""},
		{"/error.html", true, ""},
	} {
		for i := 0; i < 2; i++ {
			r := h.do("GET", tt.path, "Accept-Encoding: gzip") // gzip: quick on 10 MB
			if r.StatusCode != objects[tt.path].status {
				t.Fatalf("%s: status %d", tt.path, r.StatusCode)
			}
			if got := r.Header.Get("Content-Encoding"); got != tt.want {
				t.Errorf("%s (%d bytes, status %d): Content-Encoding %q, want %q", tt.path, objects[tt.path].size, r.StatusCode, got, tt.want)
			}
			if got := decode(t, r); got != bodies[tt.path] {
				t.Errorf("%s: body (%d bytes decoded) is not the object's %d", tt.path, len(got), objects[tt.path].size)
			}
		}
		mu.Lock()
		n := calls[tt.path]
		mu.Unlock()
		if want := map[bool]int{true: 1, false: 2}[tt.cached]; n != want {
			t.Errorf("%s: origin fetched %d times for two requests, want %d", tt.path, n, want)
		}
	}
}
