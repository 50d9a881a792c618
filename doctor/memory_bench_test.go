package doctor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hostilePlaylists are the worst playlists we could build within the caps
// (5 MiB per playlist): every line a URI, so every line is a reference and
// a parse note (no #EXTINF before it).
var hostilePlaylists = map[string]func() string{
	// 2.6 million one-character URI lines, all the same URL.
	"one-char": func() string {
		return "#EXTM3U\n" + strings.Repeat("a\n", (5<<20-8)/2)
	},
	// 5 MiB of distinct short URIs (base-36 counters), so that nothing
	// de-duplicates.
	"distinct": func() string {
		var b strings.Builder
		b.WriteString("#EXTM3U\n")
		for i := 0; b.Len() < 5<<20-16; i++ {
			b.WriteString(strconv.FormatInt(int64(i), 36))
			b.WriteByte('\n')
		}
		return b.String()
	},
	// URIs just under the URL length limit, all distinct: the most bytes
	// per kept URL (with the master, 2000 probes of ~8 KiB URLs).
	"long": func() string {
		var b strings.Builder
		b.WriteString("#EXTM3U\n")
		pad := strings.Repeat("p", maxURLLength-100)
		for i := 0; b.Len() < 5<<20-maxURLLength; i++ {
			fmt.Fprintf(&b, "#EXTINF:2,\n%s%d.ts\n", pad, i)
		}
		return b.String()
	},
}

// hostileServer serves /bomb.m3u8 (a hostile playlist), /master.m3u8 (a
// master naming /v0.m3u8 ... /v{variants-1}.m3u8, each the same hostile
// playlist) and an empty 200 for everything else.
func hostileServer(body string, variants int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Vary", "Origin")
		switch {
		case r.URL.Path == "/master.m3u8":
			var b strings.Builder
			b.WriteString("#EXTM3U\n")
			for i := 0; i < variants; i++ {
				fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=1000\nv%d.m3u8\n", i)
			}
			io.WriteString(w, b.String())
		case strings.HasSuffix(r.URL.Path, ".m3u8"):
			io.WriteString(w, body) // no copy: the server's memory counts in the same process
		}
	}))
}

// redirectServer serves /master.m3u8 naming /v0.m3u8 ... /v{variants-1}.m3u8,
// each a media playlist of 520 distinct URIs of ~8 KiB; each URI answers 302
// to another ~8 KiB URL on the same origin, which answers 403 with seven
// 8,000-byte headers and an S3 error body: the most bytes per kept probe (a
// long URL, a long final URL, four exchanges of each) the caps allow.
func redirectServer(variants int) *httptest.Server {
	pad := strings.Repeat("p", 7900)
	big := strings.Repeat("h", 8000)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/master.m3u8":
			w.Header().Set("Access-Control-Allow-Origin", "*")
			io.WriteString(w, "#EXTM3U\n")
			for i := 0; i < variants; i++ {
				fmt.Fprintf(w, "#EXT-X-STREAM-INF:BANDWIDTH=1\nv%d.m3u8\n", i)
			}
		case strings.HasPrefix(p, "/v"):
			w.Header().Set("Access-Control-Allow-Origin", "*")
			io.WriteString(w, "#EXTM3U\n")
			for i := 0; i < 520; i++ {
				fmt.Fprintf(w, "#EXTINF:2,\n%s%s-%d.ts\n", pad, strings.TrimSuffix(p[1:], ".m3u8"), i)
			}
		case strings.HasPrefix(p, "/p"):
			w.Header().Set("Location", "/R"+p[1:]+"x")
			w.WriteHeader(http.StatusFound)
		default:
			w.Header().Set("Content-Type", "application/xml")
			for i := 0; i < 7; i++ {
				w.Header().Set(fmt.Sprintf("X-H%d", i), big)
			}
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R</RequestId><HostId>H</HostId></Error>")
		}
	}))
}

// heapInUse is the heap in use after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// countingWriter counts what is written and keeps nothing, as a terminal or
// a file would not keep it in the doctor's memory.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// peakHeap runs fn while sampling the heap in use every millisecond and
// returns the highest figure seen above the heap in use before fn.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var s runtime.MemStats
		for {
			runtime.ReadMemStats(&s)
			if s.HeapInuse > peak {
				peak = s.HeapInuse
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	fn()
	close(stop)
	wg.Wait()
	if peak < base {
		return 0
	}
	return peak - base
}

// BenchmarkHostilePlaylistMemory prints the peak heap (MiB above the
// baseline) of one live walk of each hostile playlist, alone ("bomb"), as
// the 8 variants of a master at the default concurrency 8 ("master"), and
// as the 64 variants of a master at the highest --concurrency, 64
// ("master64"; the byte budget, not the concurrency, then bounds the bodies
// in memory); and of the redirect server's master of 4 variants at the
// default concurrency ("redirect_master") and of 64 at 64
// ("redirect_master64"). For each: the heap the report keeps, the peak
// heap of rendering it (text, then JSON, to a writer that keeps nothing)
// and the sizes of both outputs, and the process's peak RSS so far (run one
// sub-benchmark per process for a clean figure: bench/doctor-memory.sh).
//
//	go test ./doctor -run '^$' -bench HostilePlaylistMemory -benchtime 1x
func BenchmarkHostilePlaylistMemory(b *testing.B) {
	type benchCase struct {
		name        string
		server      func() *httptest.Server
		target      string
		concurrency int
	}
	var cases []benchCase
	for _, name := range []string{"one-char", "distinct", "long"} {
		body := hostilePlaylists[name]()
		for _, c := range []struct {
			target      string
			concurrency int
		}{{"/bomb.m3u8", DefaultConcurrency}, {"/master.m3u8", DefaultConcurrency}, {"/master.m3u8", 64}} {
			label := strings.TrimSuffix(strings.TrimPrefix(c.target, "/"), ".m3u8")
			if c.concurrency != DefaultConcurrency {
				label += strconv.Itoa(c.concurrency)
			}
			n := c.concurrency
			cases = append(cases, benchCase{name + "_" + label, func() *httptest.Server { return hostileServer(body, n) }, c.target, c.concurrency})
		}
	}
	cases = append(cases,
		benchCase{"redirect_master", func() *httptest.Server { return redirectServer(4) }, "/master.m3u8", DefaultConcurrency},
		benchCase{"redirect_master64", func() *httptest.Server { return redirectServer(64) }, "/master.m3u8", 64})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			srv := c.server()
			defer srv.Close()
			var walk, kept, render uint64
			var text, js countingWriter
			for i := 0; i < b.N; i++ {
				base := heapInUse()
				var r *Report
				p := peakHeap(func() {
					var err error
					r, err = CheckURL(context.Background(), LiveOptions{URL: srv.URL + c.target, Origin: "http://localhost:3010", Concurrency: c.concurrency})
					if err != nil {
						b.Fatal(err)
					}
				})
				walk = max(walk, p)
				if k := heapInUse(); k > base {
					kept = max(kept, k-base)
				}
				text, js = countingWriter{}, countingWriter{}
				render = max(render, peakHeap(func() {
					if err := r.WriteText(&text); err != nil {
						b.Fatal(err)
					}
					if err := r.WriteJSON(&js); err != nil {
						b.Fatal(err)
					}
				}))
				if i == 0 {
					b.Logf("%d findings, %d probes", len(r.Findings), len(r.Probes))
				}
			}
			b.ReportMetric(float64(walk)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(kept)/(1<<20), "report-heap-MiB")
			b.ReportMetric(float64(render)/(1<<20), "render-peak-MiB")
			b.ReportMetric(float64(text.n)/(1<<20), "text-MiB")
			b.ReportMetric(float64(js.n)/(1<<20), "json-MiB")
			var ru syscall.Rusage
			if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
				b.ReportMetric(float64(ru.Maxrss)/1024, "process-maxrss-MiB") // Maxrss is in KiB on Linux
			}
		})
	}
}
