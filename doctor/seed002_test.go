package doctor

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Seed 002 recorded two playlists of one distribution: a working one (S3's
// CORS headers came through) and a failing one (no Access-Control-Allow-Origin,
// only "vary: Origin"). seed002Server serves both assets: the master playlists
// with the recorded headers and bodies byte for byte, and the playlists and
// segments they reference with headers built the same way. What the seed did
// not record is modeled and marked so below.

const (
	seedWorking = "/public/movie/145cb700-9539-42fe-9709-2a43721b112f/"
	seedFailing = "/public/movie/b296e729-d72a-47cc-b6cc-ded1f63c8e8f/"
)

// recordedHeaders reads a "name: value" block (comments with #).
func recordedHeaders(t testing.TB, file string) http.Header {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed002", file))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("bad header line %q", line)
		}
		h.Add(k, v)
	}
	return h
}

func seedFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seed002", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type seedAsset struct {
	working bool
	master  string            // recorded body
	headers http.Header       // recorded headers of the master (GET with Origin)
	files   map[string]string // other objects: name -> body
}

func seed002Server(t *testing.T) (*httptest.Server, *[]string) {
	t.Helper()
	assets := map[string]*seedAsset{
		seedWorking: {working: true, master: seedFile(t, "working-origin.m3u8"), headers: recordedHeaders(t, "working-headers.txt"),
			files: map[string]string{
				"wm16_9.m3u8":                   "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nwm16_9_00001.ts\n#EXTINF:6.0,\nwm16_9_00002.ts\n#EXT-X-ENDLIST\n",
				"wm16_9_I-Frame.m3u8":           "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:6\n#EXT-X-I-FRAMES-ONLY\n#EXTINF:6.0,\n#EXT-X-BYTERANGE:18988@376\nwm16_9_00001.ts\n#EXT-X-ENDLIST\n",
				"wm16_9_Thumbnail_I-Frame.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-IMAGES-ONLY\n#EXTINF:6.0,\n#EXT-X-TILES:RESOLUTION=312x176,LAYOUT=1x1,DURATION=6.0\nwm16_9_Thumbnail_00001.jpg\n#EXT-X-ENDLIST\n",
				"wm16_9_00001.ts":               "G-ts-1",
				"wm16_9_00002.ts":               "G-ts-2",
				"wm16_9_Thumbnail_00001.jpg":    "\xff\xd8jpeg",
			}},
		seedFailing: {master: seedFile(t, "failing-origin.m3u8"), headers: recordedHeaders(t, "failing-headers.txt"),
			files: map[string]string{
				"origin_segment.m3u8":                   "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\norigin_segment_00001.ts\n#EXT-X-ENDLIST\n",
				"origin_segment_I-Frame.m3u8":           "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:6\n#EXT-X-I-FRAMES-ONLY\n#EXTINF:6.0,\n#EXT-X-BYTERANGE:18988@376\norigin_segment_00001.ts\n#EXT-X-ENDLIST\n",
				"origin_segment_Thumbnail_I-Frame.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n#EXT-X-IMAGES-ONLY\n#EXTINF:6.0,\norigin_segment_Thumbnail_00001.jpg\n#EXT-X-ENDLIST\n",
				"origin_segment_00001.ts":               "G-ts-1",
				"origin_segment_Thumbnail_00001.jpg":    "\xff\xd8jpeg",
			}},
	}
	// The security headers of the managed CORS-with-preflight-and-
	// SecurityHeadersPolicy, as recorded on both responses.
	security := []string{"x-xss-protection", "x-frame-options", "referrer-policy", "x-content-type-options", "strict-transport-security"}
	var log []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		log = append(log, r.Method+" "+r.URL.Path)
		mu.Unlock()
		dir, name := path.Split(r.URL.Path)
		a := assets[dir]
		if a == nil {
			http.NotFound(w, r)
			return
		}
		origin := r.Header.Get("Origin")
		h := w.Header()
		if name == "origin.m3u8" && r.Method == http.MethodGet {
			for k, v := range a.headers {
				h[k] = v
			}
			if a.working && origin == "" {
				// Not recorded: S3 sends CORS headers only to requests with
				// Origin, so a request without it gets none (and no Vary).
				for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Vary"} {
					h.Del(k)
				}
			}
			fmt.Fprint(w, a.master)
			return
		}
		// Not recorded: everything else, built like the recorded answers.
		for _, k := range security {
			h.Set(k, a.headers.Get(k))
		}
		h.Set("Server", "AmazonS3")
		h.Set("X-Cache", "Miss from cloudfront")
		if r.Method == http.MethodOptions {
			if !a.working {
				// No origin request policy: S3 gets the OPTIONS without Origin.
				// Its status was observed (facts file section 4); its body
				// was not recorded, so none is sent.
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Methods", "GET, HEAD")
			h.Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
			h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
			return
		}
		body, ok := a.files[name]
		if name == "origin.m3u8" {
			body, ok = a.master, true
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		ct := map[string]string{".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/MP2T", ".jpg": "image/jpeg"}[path.Ext(name)]
		h.Set("Content-Type", ct)
		h.Set("Accept-Ranges", "bytes")
		if a.working && origin != "" {
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Methods", "GET, HEAD")
			h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
		}
		if !a.working {
			h.Set("Vary", "Origin")
		}
		if r.Header.Get("Range") == "bytes=0-0" {
			h.Set("Content-Range", fmt.Sprintf("bytes 0-0/%d", len(body)))
			w.WriteHeader(http.StatusPartialContent)
			fmt.Fprint(w, body[:1])
			return
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &log
}

func TestSeed002RecordedBodiesMatchContentLength(t *testing.T) {
	for _, c := range []struct{ headers, body string }{{"working-headers.txt", "working-origin.m3u8"}, {"failing-headers.txt", "failing-origin.m3u8"}} {
		h := recordedHeaders(t, c.headers)
		if got := fmt.Sprint(len(seedFile(t, c.body))); got != h.Get("Content-Length") {
			t.Errorf("%s: body is %s bytes, recorded content-length %s", c.body, got, h.Get("Content-Length"))
		}
	}
}

func TestSeed002Working(t *testing.T) {
	srv, log := seed002Server(t)
	r := check(t, LiveOptions{URL: srv.URL + seedWorking + "origin.m3u8"})
	if r.Failed() {
		t.Fatalf("working playlist failed: %q", ids(r))
	}
	// The walk reached the variant, the I-frame and the image streams and
	// their segments and thumbnail.
	var got []string
	for _, p := range r.Probes {
		got = append(got, strings.TrimPrefix(p.URL, srv.URL+seedWorking)+" "+p.Kind)
	}
	want := []string{"origin.m3u8 start", "wm16_9.m3u8 variant", "wm16_9_00001.ts segment", "wm16_9_00002.ts segment",
		"wm16_9_I-Frame.m3u8 iframe", "wm16_9_Thumbnail_I-Frame.m3u8 image", "wm16_9_Thumbnail_00001.jpg segment"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("probes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The recorded answer reached the report as recorded.
	first := r.Probes[0].Exchanges[0]
	if first.ACAO != "*" || first.Vary != "Origin, Access-Control-Request-Headers, Access-Control-Request-Method" ||
		first.ContentType != "application/vnd.apple.mpegurl" || first.XCache != "Miss from cloudfront" || first.Status != 200 {
		t.Errorf("first exchange = %+v", first)
	}
	// Not a failure, but the seed's setup is exposed to F1: S3 sends nothing
	// to a request without Origin, and its CORS rules expose no header.
	f := mustFind(t, r, SeverityWarn, "vary.no-origin-unsafe")
	if f.Pattern != "*.m3u8" || !strings.Contains(f.What, "neither Access-Control-Allow-Origin nor Vary: Origin") {
		t.Errorf("vary finding = %+v", f)
	}
	if e := mustFind(t, r, SeverityWarn, "expose.headers-missing"); e.Pattern != "*.ts" {
		t.Errorf("expose finding pattern = %q", e.Pattern)
	}
	for _, id := range []string{"cors.ok", "preflight.ok", "http.ok", "content-type.ok", "playlist.ok", "cache.ok"} {
		mustFind(t, r, SeverityPass, id)
	}
	mustNotFind(t, r, "vary.ok")
	// Every URL got the four requests, segments with Range.
	if n := len(*log); n != 4*len(want) {
		t.Errorf("%d requests, want %d", n, 4*len(want))
	}
}

func TestSeed002Failing(t *testing.T) {
	srv, _ := seed002Server(t)
	r := check(t, LiveOptions{URL: srv.URL + seedFailing + "origin.m3u8"})
	if !r.Failed() {
		t.Fatalf("failing playlist passed: %q", ids(r))
	}
	f := mustFind(t, r, SeverityFail, "cors.missing-acao")
	if f.Pattern != "*.m3u8" || f.URL != srv.URL+seedFailing+"origin.m3u8" {
		t.Errorf("finding = %+v", f)
	}
	if f.Count != 4 { // master, variant, I-frame and image playlists
		t.Errorf("count = %d, urls %q", f.Count, f.URLs)
	}
	if !strings.Contains(f.What, "without Access-Control-Allow-Origin (x-cache: Miss from cloudfront)") ||
		!strings.Contains(f.Cause, "no origin request policy forwarding Origin") {
		t.Errorf("words: %s / %s", f.What, f.Cause)
	}
	// The segments and thumbnails fail the same way, each under its pattern.
	pats := map[string]bool{}
	for _, f := range r.Find("cors.missing-acao") {
		pats[f.Pattern] = true
	}
	if !pats["*.ts"] || !pats["*.jpg"] {
		t.Errorf("patterns with missing ACAO: %v", pats)
	}
	p := mustFind(t, r, SeverityFail, "preflight.origin-not-forwarded")
	if !strings.Contains(p.Fix, "CORS-S3Origin") {
		t.Errorf("preflight fix = %s", p.Fix)
	}
	// "vary: Origin" was on every answer, so nothing can poison a browser cache.
	mustNotFind(t, r, "vary.no-origin-unsafe")
	first := r.Probes[0].Exchanges[0]
	if first.ACAO != "" || first.Vary != "Origin" {
		t.Errorf("first exchange = %+v", first)
	}
}
