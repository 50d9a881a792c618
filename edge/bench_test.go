package edge

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// benchFile is a 64 KiB segment, served by both sides.
const benchKey = "videos/v1/low/seg0.ts"

func benchEdge(b *testing.B, withFunction bool) (*Edge, string) {
	b.Helper()
	d := loadDist(b, "../test/testdata/default.template.json")
	if !withFunction {
		for _, bh := range d.Behaviors {
			bh.Functions = nil
		}
	}
	o := originFor(b, d)
	o.put(benchKey, "", strings.Repeat("G", 64<<10))
	e, err := New(d, o, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return e, o.root
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// interleaved runs a and c alternately b.N times and returns the median
// duration of each: side by side, so machine load affects both alike.
func interleaved(b *testing.B, a, c func()) (time.Duration, time.Duration) {
	var at, ct []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		a()
		t1 := time.Now()
		c()
		at = append(at, t1.Sub(t0))
		ct = append(ct, time.Since(t1))
	}
	b.StopTimer()
	return median(at), median(ct)
}

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

// BenchmarkCacheHitVsFileServer serves the same 64 KiB file from a cache hit
// of the edge (no function) and from http.FileServer, interleaved in one
// run, and reports the medians and their ratio (target: at most 2).
func BenchmarkCacheHitVsFileServer(b *testing.B) {
	e, root := benchEdge(b, false)
	fs := http.FileServer(http.Dir(root))
	req := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/"+benchKey, nil)
		r.Header.Set("Origin", "https://app.example.com")
		return r
	}
	if w := serve(e, req()); w.Code != 200 {
		b.Fatalf("warm-up: %d", w.Code)
	}
	if w := serve(e, req()); w.Header().Get("X-Cache") != "Hit from cloudfront" {
		b.Fatalf("not a hit: %v", w.Header())
	}
	me, mf := interleaved(b, func() { serve(e, req()) }, func() { serve(fs, req()) })
	b.ReportMetric(float64(me.Nanoseconds()), "edge-hit-ns/op")
	b.ReportMetric(float64(mf.Nanoseconds()), "fileserver-ns/op")
	b.ReportMetric(float64(me)/float64(mf), "ratio")
}

// BenchmarkViewerResponseFunction measures what the template's
// viewer-response function adds to a response: cache hits with and without
// it, interleaved (target: at most 50 us).
func BenchmarkViewerResponseFunction(b *testing.B) {
	with, _ := benchEdge(b, true)
	without, _ := benchEdge(b, false)
	req := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/"+benchKey, nil)
		r.Header.Set("Origin", "https://app.example.com")
		return r
	}
	for _, e := range []*Edge{with, without} {
		serve(e, req())
	}
	if w := serve(with, req()); w.Header().Get("Vary") == "" {
		b.Fatal("the function did not run")
	}
	mw, mo := interleaved(b, func() { serve(with, req()) }, func() { serve(without, req()) })
	b.ReportMetric(float64(mw.Nanoseconds()), "with-function-ns/op")
	b.ReportMetric(float64(mo.Nanoseconds()), "without-ns/op")
	b.ReportMetric(float64(mw-mo)/1e3, "function-us/op")
}

// BenchmarkCacheMemory streams distinct objects through a 16 MiB cache and
// reports the cache's accounted size and the live heap after a GC: both stay
// near the bound however many objects pass.
func BenchmarkCacheMemory(b *testing.B) {
	d := loadDist(b, "../test/testdata/default.template.json")
	o := originFor(b, d)
	const objects, size = 192, 256 << 10 // 48 MiB of distinct objects through 16 MiB
	for i := 0; i < objects; i++ {
		o.put(fmt.Sprintf("m/%d.ts", i), "", strings.Repeat("G", size))
	}
	// s3origin.Dir itself: the test wrapper keeps every request it saw,
	// which is heap growth of the test, not of the edge.
	e, err := New(d, o.dir, Options{CacheBytes: 16 << 20})
	if err != nil {
		b.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key := fmt.Sprintf("/m/%d.ts", i%objects)
		serve(e, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+key, nil))
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(e.cache.bytes())/(1<<20), "cache-MiB")
	b.ReportMetric(16, "bound-MiB")
	b.ReportMetric(float64(int64(ms.HeapAlloc)-int64(base))/(1<<20), "heap-growth-MiB")
}
