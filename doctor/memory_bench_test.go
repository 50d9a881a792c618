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
// in memory), and the process's peak RSS so far (run one sub-benchmark per
// process for a clean figure: bench/doctor-memory.sh).
//
//	go test ./doctor -run '^$' -bench HostilePlaylistMemory -benchtime 1x
func BenchmarkHostilePlaylistMemory(b *testing.B) {
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
			target := c.target
			b.Run(name+"_"+label, func(b *testing.B) {
				srv := hostileServer(body, c.concurrency)
				defer srv.Close()
				var worst uint64
				for i := 0; i < b.N; i++ {
					var r *Report
					p := peakHeap(func() {
						var err error
						r, err = CheckURL(context.Background(), LiveOptions{URL: srv.URL + target, Origin: "http://localhost:3010", Concurrency: c.concurrency})
						if err != nil {
							b.Fatal(err)
						}
					})
					if p > worst {
						worst = p
					}
					if i == 0 {
						b.Logf("%d findings, %d probes", len(r.Findings), len(r.Probes))
					}
				}
				b.ReportMetric(float64(worst)/(1<<20), "peak-heap-MiB")
				var ru syscall.Rusage
				if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
					b.ReportMetric(float64(ru.Maxrss)/1024, "process-maxrss-MiB") // Maxrss is in KiB on Linux
				}
			})
		}
	}
}
