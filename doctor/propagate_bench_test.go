package doctor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkPropagateQueryWalk prints the walk's cost per playlist reference
// with --propagate-query, the playlist URL signed with an 8 KB query of
// 2,069 parameters, and a media playlist of 20,000 segments of which
// --max-urls 100 lets 99 be checked (the cost is in the references, not in
// requests). Before the query was split once per playlist, each reference
// split it again (about 1 ms each).
//
//	go test ./doctor -run '^$' -bench PropagateQueryWalk -benchtime 3x
func BenchmarkPropagateQueryWalk(b *testing.B) {
	var parts []string
	for i := 0; len(strings.Join(parts, "&")) < 8000; i++ {
		parts = append(parts, fmt.Sprintf("%x", i))
	}
	query := strings.Join(parts, "&")
	const refs = 20000
	var pl strings.Builder
	pl.WriteString("#EXTM3U\n#EXT-X-TARGETDURATION:2\n")
	for i := 0; i < refs; i++ {
		fmt.Fprintf(&pl, "#EXTINF:2,\ns%d.ts\n", i)
	}
	body := pl.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if strings.HasSuffix(r.URL.Path, ".m3u8") {
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			io.WriteString(w, body)
		}
	}))
	defer srv.Close()
	b.Logf("%d parameters (%d bytes), %d references", len(parts), len(query), refs)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := CheckURL(context.Background(), LiveOptions{URL: srv.URL + "/v/index.m3u8?" + query, Origin: "http://localhost:3010", PropagateQuery: true, MaxURLs: 100})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Probes) != 100 {
			b.Fatalf("%d probes", len(r.Probes))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/refs, "ns/reference")
}
