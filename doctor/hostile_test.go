package doctor

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The tests in this file point the live doctor at hostile servers on
// 127.0.0.1. Each says what the code before this change did with the same
// server (measured on commit 870205f), which is what the assertions rule out.

// requestLog records which server got which request with which headers.
type requestLog struct {
	mu   sync.Mutex
	reqs []loggedRequest
}

type loggedRequest struct {
	method, path string
	header       http.Header
}

func (l *requestLog) add(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, loggedRequest{r.Method, r.URL.Path, r.Header.Clone()})
}

func (l *requestLog) all() []loggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]loggedRequest(nil), l.reqs...)
}

func (l *requestLog) count(path string) int {
	n := 0
	for _, r := range l.all() {
		if r.path == path {
			n++
		}
	}
	return n
}

// corsOK answers like a well-configured CDN, so that only the hostile part
// of a test server shows in the findings.
func corsOK(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD")
	w.Header().Set("Access-Control-Allow-Headers", "range")
	w.Header().Set("Access-Control-Expose-Headers", "Content-Range, Accept-Ranges, ETag")
	w.Header().Set("Vary", "Origin")
}

// A 5 MiB playlist of one-character URI lines took 2918 MiB of heap (and
// 43 s) before; a 5 MiB playlist of distinct URIs 1195 MiB. Both must stay
// under 150 MiB, and the 2.6 million parse notes must be counted, the first
// ones listed one by one.
func TestHostilePlaylistMemoryBounded(t *testing.T) {
	for _, name := range []string{"one-char", "distinct"} {
		t.Run(name, func(t *testing.T) {
			body := hostilePlaylists[name]()
			srv := hostileServer(body, 0)
			defer srv.Close()
			var r *Report
			peak := peakHeap(func() { r = check(t, LiveOptions{URL: srv.URL + "/bomb.m3u8"}) })
			t.Logf("peak heap %.1f MiB, %d findings, %d probes", float64(peak)/(1<<20), len(r.Findings), len(r.Probes))
			if peak > 150<<20 {
				t.Errorf("peak heap %d MiB, want under 150 MiB", peak>>20)
			}
			notes := r.Find("playlist.note")
			if len(notes) != maxNotesPerPlaylist {
				t.Errorf("%d parse notes listed, want %d", len(notes), maxNotesPerPlaylist)
			}
			lines := strings.Count(body, "\n") - 1
			un := r.Find("playlist.notes-unlisted")
			if len(un) != 1 || !strings.Contains(un[0].What, fmt.Sprintf("%d more parse notes", lines-maxNotesPerPlaylist)) {
				t.Errorf("unlisted notes: %+v", un)
			}
			if len(r.Findings) > maxFindings {
				t.Errorf("%d findings", len(r.Findings))
			}
			if name == "distinct" {
				f := mustFind(t, r, SeverityWarn, "walk.truncated")
				// Counted distinct, up to a table as large as the walk's
				// own: past it, "at least".
				if !strings.Contains(f.What, fmt.Sprintf("at least %d more distinct URLs", minCapCount)) || !r.Incomplete {
					t.Errorf("truncated: %s (incomplete %v)", f.What, r.Incomplete)
				}
			}
		})
	}
}

// A server that drips a body one byte at a time. Before, each dripping URL
// got all four requests, one after the other, each waiting its --timeout
// (4 requests, 4x the timeout); and nothing bounded the walk as a whole.
// The assertions are on outcomes, not durations: what was requested, that
// the server saw every dripping request closed by the doctor before its
// body ended, and what the report says was not checked.
func TestDrippingServerDeadline(t *testing.T) {
	log := &requestLog{}
	var dripsClosed, dripsDone atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r)
		corsOK(w)
		if r.URL.Path == "/index.m3u8" {
			fmt.Fprint(w, "#EXTM3U\n")
			for i := 0; i < 40; i++ {
				fmt.Fprintf(w, "#EXTINF:2,\ndrip%02d.m3u8\n", i)
			}
			return
		}
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		w.WriteHeader(http.StatusOK)
		for i := 0; i < 600; i++ {
			if _, err := w.Write([]byte("#")); err != nil {
				dripsClosed.Add(1)
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				dripsClosed.Add(1)
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
		dripsDone.Add(1)
	}))
	defer srv.Close()

	// One dripping URL: one request, not four.
	r := check(t, LiveOptions{URL: srv.URL + "/drip00.m3u8", Timeout: 200 * time.Millisecond})
	if n := log.count("/drip00.m3u8"); n != 1 {
		t.Errorf("%d requests to the dripping URL, want 1 (the others would wait as long)", n)
	}
	// The status line came; the body did not (before: "got no answer").
	if f := mustFind(t, r, SeverityFail, "http.timeout"); !strings.Contains(f.What, "got HTTP 200 but not its whole body") {
		t.Errorf("timeout: %s", f.What)
	}
	for _, f := range r.Findings {
		if f.Severity == SeverityPass && f.ID != "http.ok" {
			t.Errorf("%s passed on a URL that never answered: %s", f.ID, f.What)
		}
	}

	// Forty of them at concurrency 2 would take 40/2 x 200ms = 4 s; the
	// walk's deadline stops it at 500ms and says what was not checked.
	r = check(t, LiveOptions{URL: srv.URL + "/index.m3u8", Timeout: 200 * time.Millisecond, MaxTime: 500 * time.Millisecond, Concurrency: 2})
	srv.Close() // waits for every handler: the counts below are final
	f := mustFind(t, r, SeverityWarn, "walk.deadline")
	var notChecked, total int
	if _, err := fmt.Sscanf(f.What[strings.Index(f.What, "with "):], "with %d of %d URLs not checked", &notChecked, &total); err != nil || total != 41 || !r.Incomplete {
		t.Fatalf("incomplete %v, %s (%v)", r.Incomplete, f.What, err)
	}
	// Every URL is either reported on or counted as not checked; a dripping
	// URL reported on timed out on its one request.
	if len(r.Probes)+notChecked != total {
		t.Errorf("%d probes + %d not checked != %d URLs", len(r.Probes), notChecked, total)
	}
	for _, p := range r.Probes {
		if strings.Contains(p.URL, "/drip") && (len(p.Exchanges) != 1 || p.Exchanges[0].Error == "") {
			t.Errorf("dripping URL: %+v", p)
		}
	}
	// The deadline closed the dripping requests in flight; none ran to the
	// end of its body, and the walk did not go on starting the forty.
	started := 0
	for i := 0; i < 40; i++ {
		started += min(1, log.count(fmt.Sprintf("/drip%02d.m3u8", i)))
	}
	if dripsDone.Load() != 0 || dripsClosed.Load() == 0 || started == 40 {
		t.Errorf("dripping requests: %d closed by the doctor, %d ran to the end; %d of 40 URLs requested", dripsClosed.Load(), dripsDone.Load(), started)
	}
}

// The deadline also stops the scanning of playlists, which is CPU work, not
// waiting: 8 variants of 2.6 million one-character URI lines each, each
// ending with a reference of its own (tail.ts). Before, --max-time was
// checked only between requests, and the scans ran to the end (a master of
// 64 such variants at --concurrency 64 took 563 s with --max-time 5m on a
// 2-core machine). The outcome shows where the scans stopped: a scan that
// reached the end would have found its tail.ts, counted among the URLs.
func TestDeadlineStopsPlaylistScan(t *testing.T) {
	srv := hostileServer("#EXTM3U\n"+strings.Repeat("a\n", (5<<20-16)/2-8)+"tail.ts\n", 8)
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/master.m3u8", MaxTime: 300 * time.Millisecond})
	f := mustFind(t, r, SeverityWarn, "walk.deadline")
	var notChecked, total int
	if _, err := fmt.Sscanf(f.What[strings.Index(f.What, "with "):], "with %d of %d URLs not checked", &notChecked, &total); err != nil {
		t.Fatalf("%s: %v", f.What, err)
	}
	// The master, its 8 variants and "a" (found first in each): no tail.ts.
	if total > 1+8+1 || notChecked == 0 {
		t.Errorf("%s: the scans ran past the deadline to their tail.ts", f.What)
	}
	for _, p := range r.Probes {
		if strings.HasSuffix(p.URL, "/tail.ts") {
			t.Errorf("tail.ts checked: a scan ran to the end")
		}
	}
	if len(r.Find("playlist.invalid")) > 0 {
		t.Errorf("a scan cut by the deadline reported as an invalid playlist: %q", ids(r))
	}
}

// twoServers starts the server a walk begins on and another one, on another
// port, each logging its requests.
func twoServers(t *testing.T, a, b http.HandlerFunc) (*httptest.Server, *requestLog, *httptest.Server, *requestLog) {
	t.Helper()
	la, lb := &requestLog{}, &requestLog{}
	sa := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { la.add(r); a(w, r) }))
	sb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { lb.add(r); b(w, r) }))
	t.Cleanup(sa.Close)
	t.Cleanup(sb.Close)
	return sa, la, sb, lb
}

// loopbackOnly is a transport that refuses, before any packet, every
// request that is not for 127.0.0.1, and records it: the proof that a
// redirect to another address was never even attempted.
type loopbackOnly struct {
	mu      sync.Mutex
	refused []string
	next    http.RoundTripper
}

func (l *loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Hostname() != "127.0.0.1" {
		l.mu.Lock()
		l.refused = append(l.refused, r.URL.String())
		l.mu.Unlock()
		return nil, errors.New("test transport: not loopback")
	}
	return l.next.RoundTrip(r)
}

// Redirects: before, Go's client followed every redirect (another port,
// another host, a link-local address), sent custom headers such as
// X-Api-Key to every target, and Cookie and Authorization to any port of
// the same host (it drops them only for another domain).
func TestRedirectsCheckedHopByHop(t *testing.T) {
	var bURL string
	sa, la, sb, lb := twoServers(t, func(w http.ResponseWriter, r *http.Request) {
		corsOK(w)
		switch r.URL.Path {
		case "/to-b.jpg":
			http.Redirect(w, r, bURL+"/b.jpg", http.StatusFound)
		case "/to-metadata.jpg":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-metadata-v6.jpg":
			http.Redirect(w, r, "http://[fe80::1]/x", http.StatusFound)
		case "/to-ftp.jpg":
			http.Redirect(w, r, "ftp://127.0.0.1/x.jpg", http.StatusFound)
		case "/to-file.jpg":
			w.Header().Set("Location", "file:///etc/passwd")
			w.WriteHeader(http.StatusMovedPermanently)
		case "/loop.jpg":
			http.Redirect(w, r, "/loop.jpg", http.StatusFound)
		case "/moved.jpg":
			http.Redirect(w, r, "/here.jpg", http.StatusMovedPermanently)
		case "/index.m3u8":
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			fmt.Fprintf(w, "#EXTM3U\n#EXTINF:2,\n%s/seg.ts\n#EXTINF:2,\nhttp://169.254.169.254/seg.ts\n", bURL)
		default:
			w.Header().Set("Content-Type", "image/jpeg")
		}
	}, func(w http.ResponseWriter, r *http.Request) {
		corsOK(w)
		w.Header().Set("Content-Type", "image/jpeg")
	})
	bURL = sb.URL
	bHost := strings.TrimPrefix(sb.URL, "http://")
	guard := &loopbackOnly{next: NewTransport(4, nil)}
	header := http.Header{"Cookie": {"CloudFront-Signature=secret"}, "Authorization": {"Bearer secret"}, "X-Api-Key": {"secret"}}
	run := func(p string, allow ...string) *Report {
		t.Helper()
		return check(t, LiveOptions{URL: sa.URL + p, Header: header, AllowHosts: allow, Client: &http.Client{Transport: guard}})
	}

	// Another port of the same host: not followed, B never asked.
	r := run("/to-b.jpg")
	f := mustFind(t, r, SeverityWarn, "walk.redirect-refused")
	if !strings.Contains(f.What, bHost) || !strings.Contains(f.What, "another host or port") {
		t.Errorf("what = %s", f.What)
	}
	if n := len(lb.all()); n != 0 {
		t.Errorf("server B got %d requests", n)
	}
	mustNotFind(t, r, "cors.ok")

	// Allowed: followed, the final URL shown, and no user header reaches B.
	r = run("/to-b.jpg", bHost)
	if len(r.Probes) != 1 || r.Probes[0].FinalURL != sb.URL+"/b.jpg" {
		t.Fatalf("probes %+v", r.Probes)
	}
	var text bytes.Buffer
	r.WriteText(&text)
	if !strings.Contains(text.String(), "/to-b.jpg -> "+sb.URL+"/b.jpg") {
		t.Errorf("text output lacks the final URL:\n%s", text.String())
	}
	if len(lb.all()) == 0 {
		t.Fatal("B got no request")
	}
	for _, req := range lb.all() {
		for _, h := range []string{"Cookie", "Authorization", "X-Api-Key"} {
			if req.header.Get(h) != "" {
				t.Errorf("B got %s on %s %s", h, req.method, req.path)
			}
		}
	}
	sentToA := false
	for _, req := range la.all() {
		sentToA = sentToA || req.header.Get("X-Api-Key") == "secret"
	}
	if !sentToA {
		t.Error("the user's headers did not reach the starting origin")
	}

	// Link-local and other schemes: refused even with --allow-hosts '*',
	// before any request.
	for _, p := range []string{"/to-metadata.jpg", "/to-metadata-v6.jpg", "/to-ftp.jpg", "/to-file.jpg"} {
		r = run(p, "*")
		f := mustFind(t, r, SeverityWarn, "walk.redirect-refused")
		if !strings.Contains(f.What, "link-local") && !strings.Contains(f.What, "scheme") {
			t.Errorf("%s: %s", p, f.What)
		}
	}
	// Same origin: followed, final URL reported.
	r = run("/moved.jpg")
	if r.Probes[0].FinalURL != sa.URL+"/here.jpg" || la.count("/here.jpg") == 0 {
		t.Errorf("probe %+v", r.Probes[0])
	}
	// A loop ends after maxRedirects hops.
	before := la.count("/loop.jpg")
	r = run("/loop.jpg")
	if f := mustFind(t, r, SeverityWarn, "walk.redirect-refused"); !strings.Contains(f.What, "more than 10 redirects") {
		t.Errorf("loop: %s", f.What)
	}
	if n := la.count("/loop.jpg") - before; n != maxRedirects+1 {
		t.Errorf("loop: %d requests, want %d", n, maxRedirects+1)
	}
	// A playlist's link-local reference is never fetched, even with '*';
	// its reference to B only with B allowed, and without user headers.
	r = run("/index.m3u8", "*")
	if f := mustFind(t, r, SeverityWarn, "walk.refused"); !strings.Contains(f.URL, "169.254.169.254") {
		t.Errorf("refused %+v", f)
	}
	guard.mu.Lock()
	defer guard.mu.Unlock()
	if len(guard.refused) != 0 {
		t.Errorf("requests attempted to other addresses: %q", guard.refused)
	}
}

// An https page redirected to plain http is not followed, whatever the
// allow-list says.
func TestRedirectDowngradeRefused(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Errorf("plain http server got %s", r.URL) }))
	defer plain.Close()
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/a.jpg", http.StatusFound)
	}))
	defer tls.Close()
	r := check(t, LiveOptions{URL: tls.URL + "/a.jpg", Client: tls.Client(), AllowHosts: []string{"*"}})
	if f := mustFind(t, r, SeverityWarn, "walk.redirect-refused"); !strings.Contains(f.What, "leaves https for plain http") {
		t.Errorf("what = %s", f.What)
	}
}

// The doctor's own transport refuses to connect to a link-local address
// whatever name resolved to it. Control runs before connect, so nothing is
// sent.
func TestTransportRefusesLinkLocal(t *testing.T) {
	tr := NewTransport(2, nil)
	for _, addr := range []string{"169.254.169.254:80", "[fe80::1]:80", "0.0.0.0:80", "[::ffff:169.254.1.1]:80"} {
		c, err := tr.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			c.Close()
			t.Errorf("%s: dialed", addr)
		} else if !strings.Contains(err.Error(), "link-local") {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

// Cloud metadata addresses are refused in every spelling a host may route
// to them, even with --allow-hosts '*': before, AWS's IPv6 endpoint
// [fd00:ec2::254] and 169.254.169.254 through NAT64 (64:ff9b::a9fe:a9fe)
// were fetched. Ordinary addresses of the same forms are not refused.
func TestMetadataAddressesRefused(t *testing.T) {
	for _, c := range []struct {
		addr    string
		refused bool
	}{
		{"169.254.169.254", true},
		{"fe80::1", true},
		{"0.0.0.0", true},
		{"::", true},
		{"fd00:ec2::254", true},
		{"64:ff9b::a9fe:a9fe", true},       // NAT64 well-known prefix
		{"64:ff9b::169.254.169.254", true}, // the same, dotted
		{"64:ff9b:1::a9fe:a9fe", true},     // NAT64 local-use prefix
		{"::ffff:169.254.169.254", true},   // IPv4-mapped
		{"::a9fe:a9fe", true},              // IPv4-compatible
		{"100.100.100.200", true},          // Alibaba Cloud
		{"fd00:ec2::253", false},
		{"64:ff9b::7f00:1", false}, // NAT64 of 127.0.0.1
		{"::1", false},
		{"127.0.0.1", false},
		{"2600:1f18::1", false},
		{"100.100.100.201", false},
	} {
		a := netip.MustParseAddr(c.addr)
		if got := isLinkLocal(a); got != c.refused {
			t.Errorf("isLinkLocal(%s) = %v, want %v", c.addr, got, c.refused)
		}
		// The same verdict at both gates: the allow-list (an address
		// written in a playlist or a redirect) and the dialer.
		u := mustParse(t, "http://"+net.JoinHostPort(c.addr, "80")+"/x.ts")
		allow := newAllowList(mustParse(t, "http://127.0.0.1:8080/index.m3u8"), []string{"*"})
		if r := allow.refusal(u); (r != "") != c.refused {
			t.Errorf("refusal(%s) = %q, want refused %v", u, r, c.refused)
		}
		if !c.refused || !isLinkLocal(a) {
			continue // never dial an address the gate would let through
		}
		conn, err := NewTransport(1, nil).DialContext(context.Background(), "tcp", net.JoinHostPort(c.addr, "80"))
		if err == nil {
			conn.Close()
			t.Errorf("%s: dialed", c.addr)
		} else if !strings.Contains(err.Error(), "metadata") {
			t.Errorf("%s: %v", c.addr, err)
		}
	}
}

// Connections are reused up to the concurrency: a whole walk at
// concurrency 8 opens at most 8.
func TestConnectionReuse(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		corsOK(w)
		if strings.HasSuffix(r.URL.Path, ".m3u8") {
			fmt.Fprint(w, "#EXTM3U\n")
			for i := 0; i < 200; i++ {
				fmt.Fprintf(w, "#EXTINF:2,\ns%d.ts\n", i)
			}
			return
		}
		fmt.Fprint(w, "G")
	})
	r := check(t, LiveOptions{URL: srv.URL + "/index.m3u8", Concurrency: 8})
	if len(r.Probes) != 201 {
		t.Fatalf("%d probes", len(r.Probes))
	}
	t.Logf("doctor transport: %d connections for %d requests", conns.Load(), 201*4)
	if n := conns.Load(); n > 8 {
		t.Errorf("%d connections at concurrency 8", n)
	}
}

// Why the transport matters: 8 requests at once, then a pause (a walk's
// scanning and analysis), ten times. Go's default transport keeps 2 idle
// connections per host, so every round dials 6 again (62 connections: the
// negative control); the doctor's keeps 8.
func TestTransportKeepsConcurrencyIdle(t *testing.T) {
	// The server answers a round's requests only once all 8 have arrived,
	// so each round needs 8 connections at once.
	var mu sync.Mutex
	var waiting []chan struct{}
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		ch := make(chan struct{})
		mu.Lock()
		if waiting = append(waiting, ch); len(waiting) == 8 {
			for _, c := range waiting {
				close(c)
			}
			waiting = nil
		}
		mu.Unlock()
		select {
		case <-ch:
		case <-time.After(5 * time.Second):
		}
		fmt.Fprint(w, "G")
	})
	rounds := func(tr *http.Transport) int64 {
		defer tr.CloseIdleConnections()
		conns.Store(0)
		c := &http.Client{Transport: tr}
		for round := 0; round < 10; round++ {
			var wg sync.WaitGroup
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := c.Get(srv.URL + "/x")
					if err != nil {
						t.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}()
			}
			wg.Wait()
		}
		return conns.Load()
	}
	ours := rounds(NewTransport(8, nil))
	def := rounds(http.DefaultTransport.(*http.Transport).Clone())
	t.Logf("connections for 10 rounds of 8: doctor %d, Go default %d", ours, def)
	if ours > 8 {
		t.Errorf("doctor transport opened %d connections", ours)
	}
	if def < 50 {
		t.Errorf("negative control: Go's default transport opened only %d connections", def)
	}
}

// countingServer counts the connections opened to it.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// gzipped returns data compressed.
func gzipped(t testing.TB, parts ...[]byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	for _, p := range parts {
		zw.Write(p)
	}
	zw.Close()
	return b.Bytes()
}

// A gzip bomb: 256 MiB of playlist in a 256 KiB gzip body. The playlist
// limit applies to the decompressed bytes, so the doctor reads 5 MiB and
// stops. (The old code bounded this too; the test keeps it so.)
func TestGzipBomb(t *testing.T) {
	chunk := bytes.Repeat([]byte("a\n"), 1<<20)
	parts := [][]byte{[]byte("#EXTM3U\n")}
	for i := 0; i < 128; i++ {
		parts = append(parts, chunk)
	}
	bomb := gzipped(t, parts...)
	t.Logf("gzip body: %d bytes for %d MiB", len(bomb), 256)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		corsOK(w)
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}))
	defer srv.Close()
	var r *Report
	peak := peakHeap(func() { r = check(t, LiveOptions{URL: srv.URL + "/bomb.m3u8"}) })
	t.Logf("peak heap %.1f MiB", float64(peak)/(1<<20))
	mustFind(t, r, SeverityFail, "playlist.too-large")
	if peak > 64<<20 {
		t.Errorf("peak heap %d MiB", peak>>20)
	}
}

// Oversized headers and values: the header block is capped by the
// transport (64 KiB; Go's default, used before, is 1 MiB, so the 160 KB
// block below was accepted), each value kept is clipped (before: the
// 20,000-byte value was kept and quoted whole).
func TestOversizedHeaders(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/long.jpg":
			w.Header().Set("Access-Control-Allow-Origin", strings.Repeat("x", 20000))
		case "/huge.jpg":
			for i := 0; i < 40; i++ {
				w.Header().Set(fmt.Sprintf("X-Pad-%d", i), strings.Repeat("y", 4000))
			}
		}
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/long.jpg"})
	acao := r.Probes[0].Exchanges[0].ACAO
	if len(acao) > maxHeaderValue+40 || !strings.Contains(acao, "more bytes") {
		t.Errorf("ACAO kept: %d bytes", len(acao))
	}
	if f := mustFind(t, r, SeverityFail, "cors.acao-mismatch"); len(f.What) > 2000 {
		t.Errorf("finding text %d bytes", len(f.What))
	}
	r = check(t, LiveOptions{URL: srv.URL + "/huge.jpg"})
	if f := mustFind(t, r, SeverityFail, "http.error"); !strings.Contains(f.What, "header") {
		t.Errorf("what = %s", f.What)
	}
}

// A refused connection: before, the report failed http.error but also
// printed PASS for cors, preflight, vary and content-type, which were never
// checked.
func TestRefusedConnectionPassesNothing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := check(t, LiveOptions{URL: "http://" + addr + "/a.jpg"})
	mustFind(t, r, SeverityFail, "http.error")
	if n := r.Count(SeverityPass); n != 0 {
		t.Errorf("%d pass findings on a URL that was never fetched: %q", n, ids(r))
	}
}

// A preflight answered 501 says the server does not handle OPTIONS (before:
// a generic preflight.status "HTTP 501").
func TestPreflightNotImplemented(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNotImplemented)
			return
		}
		corsOK(w)
		w.Header().Set("Content-Type", "image/jpeg")
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/a.jpg"})
	f := mustFind(t, r, SeverityFail, "preflight.options-not-handled")
	if !strings.Contains(f.What, "does not handle OPTIONS") || !strings.Contains(f.What, "501") {
		t.Errorf("what = %s", f.What)
	}
	mustNotFind(t, r, "preflight.ok")
}

// Every parse note of every playlist is reported (before: only the first of
// each playlist, the others merged away), and a URI that does not parse is a
// warning, not a silent skip.
func TestEveryParseNoteReported(t *testing.T) {
	s := newSim()
	s.put("/v/a.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n#EXTINF:2,\n#EXTINF:2,\nx.ts\nbare.ts\n#EXTINF:2,\nhttp://[::1\n")
	s.put("/v/b.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128\n#EXTINF:2,\nx.ts\n")
	s.put("/v/master.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\nb.m3u8\n")
	s.put("/v/x.ts", "video/mp2t", "G")
	s.put("/v/bare.ts", "video/mp2t", "G")
	srv := startSim(t, s)
	r := check(t, LiveOptions{URL: srv.URL + "/v/master.m3u8"})
	var got []string
	for _, f := range r.Findings {
		if f.ID == "playlist.note" {
			got = append(got, string(f.Severity)+" "+strings.TrimPrefix(f.URL, srv.URL)+" "+f.What)
		}
	}
	want := []string{
		"warn /v/a.m3u8 line 7: segment URI \"http://[::1\" does not parse: missing ']' in host",
		"info /v/a.m3u8 line 2: #EXTINF has no URI line after it",
		"info /v/a.m3u8 line 5: URI \"bare.ts\" without a preceding #EXTINF or #EXT-X-STREAM-INF",
		"info /v/b.m3u8 line 2: #EXT-X-KEY with METHOD=AES-128 has no URI",
	}
	sameLines(t, "notes", got, want)
}

// sameLines fails the test with both lists when got is not want.
func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Control characters in what a server sends (a URI's path, a tag value, a
// header value, an error body) reach the text report escaped; the JSON
// report keeps them exactly. Before, they were printed raw.
func TestUntrustedTextEscaped(t *testing.T) {
	const evil = "\x1b[2J\x1b[1;1HResult: PASS\u202e"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/index.m3u8":
			corsOK(w)
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-KEY:METHOD="+evil+"\n#EXTINF:2,\nseg.%1b%5b31m\n#EXTINF:2,\ndenied.ts\n#EXTINF:2,\nbidi.ts\n"+
				"#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://k\u202e1\"\n#EXTINF:2,\nbad\x1b[1m.ts\n")
		case strings.HasSuffix(r.URL.Path, "denied.ts"):
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, "<Error><Code>AccessDenied</Code><Message>"+evil+"</Message><RequestId>1</RequestId></Error>")
		case strings.HasPrefix(r.URL.Path, "/seg."):
			w.WriteHeader(http.StatusNotFound)
		case strings.HasSuffix(r.URL.Path, "bidi.ts"):
			w.Header().Set("Access-Control-Allow-Origin", "https://evil.example\u202e")
			w.Header().Set("Vary", "Origin")
		default:
			corsOK(w)
		}
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/index.m3u8"})
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for i, c := range []byte(out) {
		if (c < 0x20 && c != '\n') || c == 0x7f {
			t.Fatalf("control byte %#x at %d in text output: %q", c, i, out[max(0, i-40):min(len(out), i+40)])
		}
	}
	if strings.Contains(out, "\u202e") {
		t.Error("bidi override printed raw")
	}
	// Escaped once: playlist notes quote URIs raw (before, Go-quoted, so
	// the text showed "\\x1b").
	for _, want := range []string{`METHOD=\x1b[2J`, `[*.\x1b[31m]`, `https://evil.example\u{202e}`,
		`key URI "skd://k\u{202e}1" skipped`, `segment URI "bad\x1b[1m.ts" does not parse`,
		`AccessDenied "\x1b[2J\x1b[1;1HResult: PASS\u{202e}"`} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, `\\x1b`) || strings.Contains(out, `\\u`) {
		t.Errorf("text output escapes twice:\n%s", out)
	}
	js, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Findings []Finding `json:"findings"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"METHOD=" + evil[:len(evil)-len("\u202e")], "URI \"skd://k\u202e1\"", `URI "bad` + "\x1b" + `[1m.ts"`} {
		exact := false
		for _, f := range doc.Findings {
			exact = exact || strings.Contains(f.What, raw)
		}
		if !exact {
			t.Errorf("JSON does not keep %q exactly", raw)
		}
	}
}

// Findings past maxFindings are counted, not kept; failures come first.
// (Before: no cap, here 700 findings, one per pattern.)
func TestReportSizeBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/index.m3u8" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			fmt.Fprint(w, "#EXTM3U\n")
			for i := 0; i < 700; i++ {
				fmt.Fprintf(w, "#EXTINF:2,\ns.x%d\n", i) // 700 extensions: 700 patterns
			}
		}
	}))
	defer srv.Close()
	// Work between URLs (here a slow progress callback; in a real walk,
	// scanning and analysis) leaves connections idle for a moment.
	pause := func(int, int) { time.Sleep(2 * time.Millisecond) }
	r := check(t, LiveOptions{URL: srv.URL + "/index.m3u8", Concurrency: 8, Progress: pause})
	if len(r.Findings) != maxFindings {
		t.Fatalf("%d findings", len(r.Findings))
	}
	f := mustFind(t, r, SeverityWarn, "report.truncated")
	if !r.Failed() || !strings.Contains(f.What, "a report lists at most 500") {
		t.Errorf("failed %v, %s", r.Failed(), f.What)
	}
}

// The byte budget stops a walk that reads too much; playlists nested too
// deep are not followed. (Before: neither bound existed; this chain was
// walked until --max-urls.)
func TestByteBudgetAndDepth(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		corsOK(w)
		var n int
		fmt.Sscanf(r.URL.Path, "/p%d.m3u8", &n)
		fmt.Fprintf(w, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\np%d.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1\nq%d.m3u8\n%s", n+1, n+1, strings.Repeat("#"+strings.Repeat("z", 99)+"\n", 10))
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/p0.m3u8"})
	f := mustFind(t, r, SeverityWarn, "walk.too-deep")
	if !r.Incomplete || len(r.Probes) != 1+2*(maxDepth-1) {
		t.Errorf("incomplete %v, %d probes; %s", r.Incomplete, len(r.Probes), f.What)
	}
	r = check(t, LiveOptions{URL: srv.URL + "/p0.m3u8", MaxTotalBytes: 10000, Concurrency: 1})
	f = mustFind(t, r, SeverityWarn, "walk.byte-budget")
	if !r.Incomplete || len(r.Probes) > 6 {
		t.Errorf("incomplete %v, %d probes; %s", r.Incomplete, len(r.Probes), f.What)
	}
}

// countingTransport counts the body bytes the doctor reads, outside the
// doctor's own accounting.
type countingTransport struct {
	rt   http.RoundTripper
	read atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{resp.Body, &c.read}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// The byte budget holds whatever the concurrency: 16 playlists of 1 MiB
// at concurrency 8 against a 3 MiB budget. Before, the budget was only
// checked when a URL started, and each playlist is read three times (GET
// with Origin, without, the repeat), so this walk read about 24 MiB (and
// about 1 GB, 15 times the 64 MiB default, for a master of 64 such
// playlists at --concurrency 64).
func TestByteBudgetHoldsInFlight(t *testing.T) {
	big := "#EXTM3U\n#EXTINF:2,\nseg.ts\n" + strings.Repeat("#"+strings.Repeat("z", 1023)+"\n", 1024)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		corsOK(w)
		if r.URL.Path == "/master.m3u8" {
			fmt.Fprint(w, "#EXTM3U\n")
			for i := 0; i < 16; i++ {
				fmt.Fprintf(w, "#EXT-X-STREAM-INF:BANDWIDTH=1\nv%d.m3u8\n", i)
			}
			return
		}
		if strings.HasSuffix(r.URL.Path, ".m3u8") {
			fmt.Fprint(w, big)
			return
		}
		fmt.Fprint(w, "x")
	}))
	defer srv.Close()
	const budget = 3 << 20
	ct := &countingTransport{rt: NewTransport(8, nil)}
	r := check(t, LiveOptions{URL: srv.URL + "/master.m3u8", MaxTotalBytes: budget, Concurrency: 8, Client: &http.Client{Transport: ct}})
	t.Logf("read %d bytes of bodies (budget %d)", ct.read.Load(), budget)
	if ct.read.Load() > budget {
		t.Errorf("read %d bytes of bodies, budget %d", ct.read.Load(), budget)
	}
	f := mustFind(t, r, SeverityWarn, "walk.byte-budget")
	if !r.Incomplete || r.Failed() {
		t.Errorf("incomplete %v, failed %v (%q): %s", r.Incomplete, r.Failed(), ids(r), f.What)
	}
	// A playlist the budget cut short is not checked, not a failure.
	if len(r.Find("playlist.too-large")) > 0 || len(r.Find("http.error")) > 0 {
		t.Errorf("a cut playlist reported as a failure: %q", ids(r))
	}
	if len(r.Probes) >= 1+16+1 {
		t.Errorf("%d probes: the budget stopped nothing", len(r.Probes))
	}
}

// URIs longer than CloudFront accepts are reported, not fetched (before:
// fetched, four requests of 8 KiB URLs each).
func TestLongURIReported(t *testing.T) {
	log := &requestLog{}
	long := strings.Repeat("a", maxURLLength) + ".ts"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r)
		corsOK(w)
		fmt.Fprint(w, "#EXTM3U\n#EXTINF:2,\n"+long+"\n")
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/index.m3u8"})
	f := mustFind(t, r, SeverityWarn, "walk.url-too-long")
	if !strings.Contains(f.Cause, "index.m3u8 line 3") {
		t.Errorf("%+v", f)
	}
	if len(log.all()) != 4 {
		t.Errorf("%d requests", len(log.all()))
	}
}

// A URL found by two playlists is reported with its earliest discovery,
// also when the later one found it first. Before, the probe took its parent
// while another goroutine could still change it (a data race under -race),
// so the report named b.m3u8 here, where the sorting and the causes use
// a.m3u8.
func TestProbeParentIsEarliestDiscovery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		corsOK(w)
		switch r.URL.Path {
		case "/master.m3u8":
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1\nb.m3u8\n")
		case "/a.m3u8", "/b.m3u8":
			if r.URL.Path == "/a.m3u8" && r.Header.Get("Origin") != "" {
				time.Sleep(300 * time.Millisecond) // a is found first and answers last
			}
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\ns.ts\n")
		default:
			w.Header().Set("Content-Type", "video/mp2t")
			fmt.Fprint(w, "x")
		}
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/master.m3u8", Concurrency: 4})
	for _, p := range r.Probes {
		if strings.HasSuffix(p.URL, "/s.ts") && p.Parent != srv.URL+"/a.m3u8" {
			t.Errorf("s.ts parent %s, want the earliest discovery %s/a.m3u8", p.Parent, srv.URL)
		}
	}
}

// A redirect followed to a URL that then fails leaves that failure, not the
// redirect's status: before, the exchange kept the 302 of the first hop
// (shown as the GET's status, and counted as an answer checked), and did
// not say which URL failed.
func TestFailedRedirectHop(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/r.ts" {
			http.Redirect(w, r, "/boom.ts", http.StatusFound)
			return
		}
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/r.ts"})
	mustFind(t, r, SeverityFail, "http.error")
	if len(r.Probes) != 1 || len(r.Probes[0].Exchanges) == 0 {
		t.Fatalf("probes %+v", r.Probes)
	}
	for _, e := range r.Probes[0].Exchanges {
		if e.Method == http.MethodGet && (e.Status != 0 || e.Error == "" || e.FinalURL != srv.URL+"/boom.ts") {
			t.Errorf("%s: status %d, final %q, error %q", e.Name, e.Status, e.FinalURL, e.Error)
		}
	}
}

// A URL whose redirect was not followed was not checked, so the walk is
// incomplete (exit 1), not a pass. Before: "Result: PASS (0 fail, 1 warn,
// 0 info, 0 pass)" and exit 0 for a start URL redirected to another port.
func TestRefusedRedirectIsIncomplete(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:1/x.ts", http.StatusFound)
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/a.ts"})
	mustFind(t, r, SeverityWarn, "walk.redirect-refused")
	if !r.Incomplete || r.Result() != "incomplete" {
		t.Errorf("incomplete %v, result %s", r.Incomplete, r.Result())
	}
	if n := r.Count(SeverityPass); n != 0 {
		t.Errorf("%d passes for a URL not checked", n)
	}
}

// References a playlist names but the walk does not fetch (another host or
// port, a metadata address, a URL too long) leave URLs unchecked, so the
// report is incomplete, with their count and the fix. Before, segments on
// another port gave "Result: PASS" and exit 0 (an INFO walk.off-host line),
// while a redirect to the same place made the report incomplete.
func TestUnfetchedReferencesIncomplete(t *testing.T) {
	otherLog := &requestLog{}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherLog.add(r)
		corsOK(w)
		w.Header().Set("Content-Type", "video/mp2t")
	}))
	defer other.Close()
	otherHost := strings.TrimPrefix(other.URL, "http://")
	long := strings.Repeat("a", maxURLLength) + ".ts"
	playlists := map[string]string{
		"/off-port.m3u8": fmt.Sprintf("%[1]s/s1.ts\n#EXTINF:2,\n%[1]s/s2.ts\n#EXTINF:2,\n%[1]s/s3.ts\n", other.URL),
		"/metadata.m3u8": "http://169.254.169.254/latest/meta-data/s.ts\n",
		"/too-long.m3u8": long + "\n",
		"/local.m3u8":    "s.ts\n",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		corsOK(w)
		if body, ok := playlists[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n"+body+"#EXT-X-ENDLIST\n")
			return
		}
		w.Header().Set("Content-Type", "video/mp2t")
	}))
	defer srv.Close()
	for _, c := range []struct {
		path       string
		allow      []string
		incomplete bool
		what, fix  string
	}{
		{"/off-port.m3u8", nil, true, "3 references were not fetched (3 on another host or port)", "--allow-hosts"},
		{"/off-port.m3u8", []string{otherHost}, false, "", ""},
		{"/metadata.m3u8", []string{"*"}, true, "1 reference was not fetched (1 to an address or scheme never requested)", "never fetched"},
		{"/too-long.m3u8", nil, true, "1 reference was not fetched (1 longer than 8192 bytes)", "shorten"},
		{"/local.m3u8", nil, false, "", ""},
	} {
		before := len(otherLog.all())
		r := check(t, LiveOptions{URL: srv.URL + c.path, AllowHosts: c.allow})
		if r.Incomplete != c.incomplete || r.Failed() {
			t.Errorf("%s allow %q: incomplete %v, failed %v, want incomplete %v; %q", c.path, c.allow, r.Incomplete, r.Failed(), c.incomplete, ids(r))
			continue
		}
		var text bytes.Buffer
		r.WriteText(&text)
		if !c.incomplete {
			mustNotFind(t, r, "walk.not-fetched")
			if !strings.Contains(text.String(), "Result: PASS") {
				t.Errorf("%s: %s", c.path, text.String())
			}
			continue
		}
		f := mustFind(t, r, SeverityWarn, "walk.not-fetched")
		if !strings.Contains(f.What, c.what) || !strings.Contains(strings.ToLower(f.Fix), strings.ToLower(c.fix)) {
			t.Errorf("%s: what %q, fix %q; want %q and %q", c.path, f.What, f.Fix, c.what, c.fix)
		}
		if !strings.Contains(text.String(), "Result: INCOMPLETE") || r.Result() != "incomplete" {
			t.Errorf("%s: result %s\n%s", c.path, r.Result(), text.String())
		}
		if n := len(otherLog.all()) - before; n != 0 {
			t.Errorf("%s: the other server got %d requests", c.path, n)
		}
	}
}

// walk.truncated counts the distinct URLs left unchecked: a playlist naming
// 2 URLs past --max-urls 100 times each leaves 2 (before: "200 more
// references ... counted before de-duplication").
func TestTruncatedCountsDistinctURLs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		corsOK(w)
		if r.URL.Path == "/index.m3u8" {
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n"+strings.Repeat("#EXTINF:2,\nb.ts\n#EXTINF:2,\nc.ts\n#EXTINF:2,\na.ts\n", 100))
			return
		}
		w.Header().Set("Content-Type", "video/mp2t")
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/index.m3u8", MaxURLs: 2})
	f := mustFind(t, r, SeverityWarn, "walk.truncated")
	if !strings.Contains(f.What, "stopped at --max-urls 2: 2 more distinct URLs were found and not checked") || !strings.Contains(f.Fix, "--max-urls 4") {
		t.Errorf("%s / %s", f.What, f.Fix)
	}
	// Past the table of minCapCount hashes, the count is a lower bound.
	var b strings.Builder
	b.WriteString("#EXTM3U\n")
	for i := 0; i < minCapCount+10; i++ {
		fmt.Fprintf(&b, "#EXTINF:2,\n%d.ts\n", i)
	}
	many := b.String()
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		corsOK(w)
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		if r.URL.Path == "/index.m3u8" {
			fmt.Fprint(w, many)
		}
	}))
	defer srv2.Close()
	r = check(t, LiveOptions{URL: srv2.URL + "/index.m3u8", MaxURLs: 2})
	f = mustFind(t, r, SeverityWarn, "walk.truncated")
	if want := fmt.Sprintf("at least %d more distinct URLs", minCapCount); !strings.Contains(f.What, want) {
		t.Errorf("%s, want %q", f.What, want)
	}
}

// A redirect to another host name on the same port is another origin: not
// followed unless that host is allowed ("localhost" and "127.0.0.1" are two
// hosts to the allow-list, one server here). The user's headers never
// follow it.
func TestRedirectToAnotherHostSamePort(t *testing.T) {
	log := &requestLog{}
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.add(r)
		corsOK(w)
		if r.Host == strings.TrimPrefix(srvURL, "http://") && r.URL.Path == "/a.jpg" {
			_, port, _ := net.SplitHostPort(r.Host)
			http.Redirect(w, r, "http://localhost:"+port+"/b.jpg", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
	}))
	defer srv.Close()
	srvURL = srv.URL
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	header := http.Header{"Authorization": {"Bearer secret"}}

	r := check(t, LiveOptions{URL: srv.URL + "/a.jpg", Header: header})
	f := mustFind(t, r, SeverityWarn, "walk.redirect-refused")
	if !strings.Contains(f.What, "localhost:"+port+" is another host or port") || !r.Incomplete {
		t.Errorf("incomplete %v: %s", r.Incomplete, f.What)
	}
	if n := log.count("/b.jpg"); n != 0 {
		t.Errorf("refused redirect target got %d requests", n)
	}

	r = check(t, LiveOptions{URL: srv.URL + "/a.jpg", Header: header, AllowHosts: []string{"localhost:" + port}})
	if r.Incomplete || len(r.Probes) != 1 || r.Probes[0].FinalURL != "http://localhost:"+port+"/b.jpg" {
		t.Fatalf("allowed: incomplete %v, probes %+v", r.Incomplete, r.Probes)
	}
	got := 0
	for _, req := range log.all() {
		if req.path == "/b.jpg" {
			got++
			if req.header.Get("Authorization") != "" {
				t.Errorf("Authorization sent to the other host: %s %s", req.method, req.path)
			}
		}
	}
	if got == 0 {
		t.Error("allowed redirect not followed")
	}
}

// The largest report the caps allow (2,000 probes of ~8 KiB URLs, each
// redirected to another ~8 KiB URL) keeps each final URL once, and renders
// as a stream. Before: 82 MiB kept (five copies of each final URL: one per
// exchange and the probe's) and 352 MiB of heap to render 78 MiB of JSON
// (MarshalIndent's document and its indented copy).
func TestRedirectedReportMemoryBounded(t *testing.T) {
	srv := redirectServer(4)
	defer srv.Close()
	base := heapInUse()
	r := check(t, LiveOptions{URL: srv.URL + "/master.m3u8"})
	kept := heapInUse() - base
	if len(r.Probes) != DefaultMaxURLs || r.Probes[len(r.Probes)-1].FinalURL == "" {
		t.Fatalf("%d probes: not the case measured", len(r.Probes))
	}
	var text, js countingWriter
	render := peakHeap(func() {
		if err := r.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("report keeps %.1f MiB; rendering %.1f MiB of text and %.1f MiB of JSON peaks at %.1f MiB of heap",
		float64(kept)/(1<<20), float64(text.n)/(1<<20), float64(js.n)/(1<<20), float64(render)/(1<<20))
	if kept > 50<<20 {
		t.Errorf("the report keeps %d MiB, want under 50", kept>>20)
	}
	if render > 150<<20 {
		t.Errorf("rendering peaks at %d MiB of heap, want under 150", render>>20)
	}
}
