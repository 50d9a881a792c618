package urlsign

import (
	"bufio"
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/hls"
)

// signedOrigin is a test CDN on 127.0.0.1 that, like a distribution with a
// trusted key group, answers only requests carrying a valid signature for
// the URL requested, checked with the public key by this package's
// verifier; it serves files from memory and records what it was sent.
type signedOrigin struct {
	srv   *httptest.Server
	pub   crypto.PublicKey
	files map[string]string // path -> body
	// delay and extra let a test make the origin slow or send a redirect.
	handler func(w http.ResponseWriter, r *http.Request) bool

	mu       sync.Mutex
	requests []*http.Request
}

func newSignedOrigin(t *testing.T, pub crypto.PublicKey, files map[string]string) *signedOrigin {
	o := &signedOrigin{pub: pub, files: files}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	t.Cleanup(o.srv.Close)
	return o
}

func (o *signedOrigin) serve(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.requests = append(o.requests, r.Clone(r.Context()))
	o.mu.Unlock()
	if o.handler != nil && o.handler(w, r) {
		return
	}
	sg, err := Parse("http://" + r.Host + r.URL.RequestURI())
	if err == nil {
		err = sg.Check(o.pub, "", time.Now())
	}
	if err != nil {
		http.Error(w, "AccessDenied: "+err.Error(), http.StatusForbidden)
		return
	}
	body, ok := o.files[r.URL.Path]
	if !ok {
		http.Error(w, "NoSuchKey", http.StatusNotFound)
		return
	}
	io.WriteString(w, body)
}

func (o *signedOrigin) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.requests)
}

// testAssetFiles is a MediaConvert-style asset: a master with a variant, an
// I-frame and an image stream (as in seed 002), an fMP4 variant with
// EXT-X-MAP and an AES-128 key, and an audio rendition.
func testAssetFiles() map[string]string {
	return map[string]string{
		"/videos/abc/index.m3u8": `#EXTM3U
#EXT-X-VERSION:6
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="en",DEFAULT=YES,URI="audio/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=4028498,CODECS="avc1.4d401f,mp4a.40.5",RESOLUTION=1280x720,AUDIO="aud"
wm16_9.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1000000,CODECS="avc1.4d401f,mp4a.40.5",AUDIO="aud"
fmp4/index.m3u8?v=2
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=776123,CODECS="avc1.4d401f",URI="wm16_9_I-Frame.m3u8"
#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=34042,CODECS="jpeg",RESOLUTION=312x176,URI="wm16_9_Thumbnail_I-Frame.m3u8"
`,
		"/videos/abc/wm16_9.m3u8":                   "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\nwm16_9_00001.ts\n#EXTINF:6,\nwm16_9_00002.ts\n#EXT-X-ENDLIST\n",
		"/videos/abc/wm16_9_I-Frame.m3u8":           "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-I-FRAMES-ONLY\n#EXTINF:2,\n#EXT-X-BYTERANGE:376@0\nwm16_9_00001.ts\n#EXT-X-ENDLIST\n",
		"/videos/abc/wm16_9_Thumbnail_I-Frame.m3u8": "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-IMAGES-ONLY\n#EXTINF:6,\nthumb.0000001.jpg\n#EXT-X-ENDLIST\n",
		"/videos/abc/fmp4/index.m3u8": "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n" +
			"#EXT-X-KEY:METHOD=AES-128,URI=\"../keys/k1.key\"\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:6,\nseg0.m4s\n#EXT-X-ENDLIST\n",
		"/videos/abc/audio/index.m3u8":  "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\naudio0.aac\n#EXT-X-ENDLIST\n",
		"/videos/abc/wm16_9_00001.ts":   "ts1",
		"/videos/abc/wm16_9_00002.ts":   "ts2",
		"/videos/abc/thumb.0000001.jpg": "jpg",
		"/videos/abc/keys/k1.key":       "0123456789abcdef",
		"/videos/abc/fmp4/init.mp4":     "init",
		"/videos/abc/fmp4/seg0.m4s":     "m4s",
		"/videos/abc/audio/audio0.aac":  "aac",
		"/videos/xyz/index.m3u8":        "#EXTM3U\n#EXTINF:6,\na.ts\n",
	}
}

// play walks a playlist as a player with no hook does: it fetches the URL,
// resolves every URI of each playlist against the playlist's URL, fetches
// each, and returns the status of every request by URL path.
func play(t *testing.T, client *http.Client, start string) map[string]int {
	t.Helper()
	status := map[string]int{}
	queue := []string{start}
	for len(queue) > 0 && len(status) < 100 {
		u := queue[0]
		queue = queue[1:]
		resp, err := client.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		pu, _ := url.Parse(u)
		status[pu.Path] = resp.StatusCode
		if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(body, []byte("#EXTM3U")) {
			continue
		}
		p, err := hls.Parse(body, pu)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Refs {
			queue = append(queue, r.URL.String())
		}
	}
	return status
}

type handlerFixture struct {
	origin  *signedOrigin
	app     *httptest.Server
	signer  *Signer
	allowed map[string]bool // asset URLs Authorize admits
	signed  []*SignedPlaylist
}

func newHandlerFixture(t *testing.T, edit func(*PlaylistHandlerConfig)) *handlerFixture {
	t.Helper()
	f := &handlerFixture{}
	pub := loadPublic(t, rsaPubFile)
	f.origin = newSignedOrigin(t, pub, testAssetFiles())
	var err error
	f.signer, err = New(testKeyID, loadRSA(t))
	if err != nil {
		t.Fatal(err)
	}
	f.allowed = map[string]bool{f.origin.srv.URL + "/videos/abc/": true}
	var mu sync.Mutex
	cfg := PlaylistHandlerConfig{
		Signer:      f.signer,
		AssetPrefix: f.origin.srv.URL + "/videos/",
		Transport:   f.origin.srv.Client().Transport,
		Authorize: func(r *http.Request, asset string) error {
			if !f.allowed[asset] {
				return errors.New("not this viewer's asset")
			}
			return nil
		},
		OnSigned: func(r *http.Request, upstream string, p *SignedPlaylist) {
			mu.Lock()
			f.signed = append(f.signed, p)
			mu.Unlock()
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	h, err := NewPlaylistHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// No ServeMux: it would clean "/../" itself; the handler must refuse it.
	f.app = httptest.NewServer(http.StripPrefix("/hls", h))
	t.Cleanup(f.app.Close)
	return f
}

// TestPlaylistHandlerPlaysWithoutHook: a player that only resolves URIs
// (what Safari's native HLS does) gets every playlist, segment, key, init
// segment and thumbnail of the asset through the handler. The negative
// control plays the same asset from the CDN directly, with the master's own
// URL signed: every child request is refused with 403, because a relative
// URI drops the query.
func TestPlaylistHandlerPlaysWithoutHook(t *testing.T) {
	f := newHandlerFixture(t, nil)
	got := play(t, f.app.Client(), f.app.URL+"/hls/abc/index.m3u8")
	want := map[string]int{
		"/hls/abc/index.m3u8": 200, "/hls/abc/wm16_9.m3u8": 200, "/hls/abc/fmp4/index.m3u8": 200,
		"/hls/abc/wm16_9_I-Frame.m3u8": 200, "/hls/abc/wm16_9_Thumbnail_I-Frame.m3u8": 200, "/hls/abc/audio/index.m3u8": 200,
		"/videos/abc/wm16_9_00001.ts": 200, "/videos/abc/wm16_9_00002.ts": 200, "/videos/abc/thumb.0000001.jpg": 200,
		"/videos/abc/keys/k1.key": 200, "/videos/abc/fmp4/init.mp4": 200, "/videos/abc/fmp4/seg0.m4s": 200,
		"/videos/abc/audio/audio0.aac": 200,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("played:\n%v\nwant:\n%v", got, want)
	}
	for _, p := range f.signed {
		if len(p.Unsigned) != 0 {
			t.Errorf("unsigned URIs: %v", p.Unsigned)
		}
	}

	// Negative control: the original playlists, the master signed by URL.
	a, err := f.signer.SignAsset(f.origin.srv.URL+"/videos/abc/", Policy{Expires: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	master, _ := a.URL(f.origin.srv.URL + "/videos/abc/index.m3u8")
	direct := play(t, f.origin.srv.Client(), master)
	if direct["/videos/abc/index.m3u8"] != 200 {
		t.Fatalf("signed master: %v", direct)
	}
	children := 0
	for p, st := range direct {
		if p == "/videos/abc/index.m3u8" {
			continue
		}
		children++
		if st != http.StatusForbidden {
			t.Errorf("direct, unsigned child %s: %d, want 403", p, st)
		}
	}
	if children != 5 {
		t.Errorf("direct play reached %d children, want the master's 5: %v", children, direct)
	}
}

func TestPlaylistHandlerResponse(t *testing.T) {
	f := newHandlerFixture(t, nil)
	req, _ := http.NewRequest(http.MethodGet, f.app.URL+"/hls/abc/index.m3u8", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "viewer-secret"})
	req.Header.Set("Authorization", "Bearer viewer-secret")
	resp, err := f.app.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for k, v := range map[string]string{"Cache-Control": "private, no-store", "Content-Type": "application/vnd.apple.mpegurl", "X-Content-Type-Options": "nosniff"} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	lines := strings.Split(string(body), "\n")
	if lines[5] != "wm16_9.m3u8" || lines[7] != "fmp4/index.m3u8?v=2" || !strings.Contains(lines[3], `URI="audio/index.m3u8"`) {
		t.Errorf("child playlists not pointed back at the handler:\n%s", body)
	}
	for _, r := range f.origin.requests {
		if r.Header.Get("Cookie") != "" || r.Header.Get("Authorization") != "" {
			t.Errorf("the viewer's credentials reached the CDN: %v", r.Header)
		}
	}
	// HEAD: the same headers, no body.
	resp, err = f.app.Client().Head(f.app.URL + "/hls/abc/index.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(b) != 0 || resp.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("HEAD: %d, %d bytes, %v", resp.StatusCode, len(b), resp.Header)
	}
}

// checkNoStore fails unless resp may not be cached by a shared cache: every
// answer of the handler depends on the viewer (Authorize) or holds a signature.
func checkNoStore(t *testing.T, resp *http.Response) {
	t.Helper()
	if got := resp.Header.Get("Cache-Control"); got != "private, no-store" {
		t.Errorf("%d answered with Cache-Control %q, want %q", resp.StatusCode, got, "private, no-store")
	}
}

// TestPlaylistHandlerRefuses: the handler is no open proxy. Each refusal is
// made before any request reaches the CDN.
func TestPlaylistHandlerRefuses(t *testing.T) {
	f := newHandlerFixture(t, nil)
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"POST", "/hls/abc/index.m3u8", 405},
		{"GET", "/hls/abc/wm16_9_00001.ts", 404},          // segments go to the CDN, not here
		{"GET", "/hls/xyz/index.m3u8", 403},               // Authorize says no
		{"GET", "/hls/index.m3u8", 404},                   // beside the assets
		{"GET", "/hls/abc/../xyz/index.m3u8", 404},        // dot segments (sent raw, not cleaned)
		{"GET", "/hls/abc/%2e%2e/xyz/index.m3u8", 404},    // encoded dots
		{"GET", "/hls/abc%2F..%2Fxyz/index.m3u8", 404},    // encoded slash
		{"GET", "/hls/abc/.%2E/xyz/index.m3u8", 404},      // mixed
		{"GET", "/hls/abc/..%5cxyz/index.m3u8", 404},      // encoded backslash
		{"GET", "/hls//evil.example/x.m3u8", 404},         // empty segment
		{"GET", "/hls/abc/./index.m3u8", 404},             // dot segment
		{"GET", "/hls/abc/%00.m3u8", 404},                 // NUL
		{"GET", "/hls/abc/index.m3u8?Signature=x", 400},   // CloudFront parameters
		{"GET", "/hls/abc/index.m3u8?Key-Pair-Id=K", 400}, // CloudFront parameters
		{"GET", "/hls/abc/" + strings.Repeat("a", 3000) + ".m3u8", 404},
		{"GET", "/hls/abc/index.m3u8?" + strings.Repeat("a", 3000), 414},
	} {
		t.Run(tc.method+" "+tc.path[:min(len(tc.path), 60)], func(t *testing.T) {
			before := f.origin.count()
			req, _ := http.NewRequest(tc.method, f.app.URL, nil)
			req.URL.Opaque = tc.path // sent as written: no client-side cleaning
			resp, err := f.app.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%d, want %d", resp.StatusCode, tc.want)
			}
			checkNoStore(t, resp)
			if n := f.origin.count() - before; n != 0 {
				t.Errorf("%d requests reached the CDN", n)
			}
		})
	}
}

// TestPlaylistHandlerUpstream: what the CDN answers decides the status; a
// redirect is not followed, a playlist over the size limit and a CDN slower
// than the timeout are refused.
func TestPlaylistHandlerUpstream(t *testing.T) {
	big := "#EXTM3U\n" + strings.Repeat("#EXTINF:6,\nseg.ts\n", 1000)
	for _, tc := range []struct {
		name   string
		origin func(w http.ResponseWriter, r *http.Request) bool
		path   string
		want   int
	}{
		{"missing", nil, "/hls/abc/missing.m3u8", 404},
		{"not a playlist", func(w http.ResponseWriter, r *http.Request) bool {
			io.WriteString(w, "<html>")
			return true
		}, "/hls/abc/index.m3u8", 502},
		{"CDN refuses our signature", func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, "AccessDenied", 403)
			return true
		}, "/hls/abc/index.m3u8", 502},
		{"redirect", func(w http.ResponseWriter, r *http.Request) bool {
			http.Redirect(w, r, "http://127.0.0.1:1/secret.m3u8", http.StatusFound)
			return true
		}, "/hls/abc/index.m3u8", 502},
		{"too large", func(w http.ResponseWriter, r *http.Request) bool {
			io.WriteString(w, big)
			return true
		}, "/hls/abc/index.m3u8", 502},
		{"slow", func(w http.ResponseWriter, r *http.Request) bool {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
			return true
		}, "/hls/abc/index.m3u8", 504},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newHandlerFixture(t, func(c *PlaylistHandlerConfig) {
				c.MaxPlaylistSize = int64(len(big)) - 1
				c.FetchTimeout = 200 * time.Millisecond
			})
			f.origin.handler = tc.origin
			resp, err := f.app.Client().Get(f.app.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%d, want %d", resp.StatusCode, tc.want)
			}
			checkNoStore(t, resp)
		})
	}
	// The limit is exact: a playlist of MaxPlaylistSize bytes is served.
	f := newHandlerFixture(t, func(c *PlaylistHandlerConfig) { c.MaxPlaylistSize = int64(len(big)) })
	f.origin.handler = func(w http.ResponseWriter, r *http.Request) bool { io.WriteString(w, big); return true }
	resp, err := f.app.Client().Get(f.app.URL + "/hls/abc/index.m3u8")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("playlist of exactly the limit: %d", resp.StatusCode)
	}
}

// TestPlaylistHandlerMaxURIs: a playlist referencing more URIs than
// MaxPlaylistURIs is answered 502 with a message saying why, whatever its
// size in bytes; one at the limit is served. The default refuses 1 MiB of
// one-character URI lines (524,288 URIs, a signed copy of ~185 MB).
func TestPlaylistHandlerMaxURIs(t *testing.T) {
	const max = 50
	atLimit := "#EXTM3U\n" + strings.Repeat("#EXTINF:6,\nseg.ts\n", max)
	for _, tc := range []struct {
		name     string
		max      int // 0: the default
		playlist string
		want     int
		wantBody string
	}{
		{"at the limit", max, atLimit, 200, "#EXTM3U"},
		{"one over", max, atLimit + "#EXTINF:6,\nseg.ts\n", 502, "upstream playlist too large to sign: it references more than 50 URIs (the handler's MaxPlaylistURIs)"},
		{"default, 1 MiB of URI lines", 0, "#EXTM3U\n" + strings.Repeat("a\n", (1<<20-8)/2), 502, "more than 100000 URIs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newHandlerFixture(t, func(c *PlaylistHandlerConfig) { c.MaxPlaylistURIs = tc.max })
			f.origin.handler = func(w http.ResponseWriter, r *http.Request) bool { io.WriteString(w, tc.playlist); return true }
			resp, err := f.app.Client().Get(f.app.URL + "/hls/abc/index.m3u8")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want || !strings.Contains(string(body), tc.wantBody) {
				t.Errorf("%d %.200q; want %d with %q", resp.StatusCode, body, tc.want, tc.wantBody)
			}
			checkNoStore(t, resp)
			if served := len(f.signed); served != 0 && tc.want != 200 {
				t.Errorf("a refused playlist reached OnSigned")
			}
		})
	}
	_, err := NewPlaylistHandler(PlaylistHandlerConfig{Signer: newTestSigner(t, loadRSA(t), SHA1), AssetPrefix: testAsset,
		Authorize: func(*http.Request, string) error { return nil }, MaxPlaylistURIs: -1})
	if err == nil || !strings.Contains(err.Error(), "MaxPlaylistURIs") {
		t.Errorf("MaxPlaylistURIs -1: %v", err)
	}
}

func TestNewPlaylistHandlerErrors(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	allow := func(*http.Request, string) error { return nil }
	for _, tc := range []struct {
		name string
		cfg  PlaylistHandlerConfig
		want string
	}{
		{"no signer", PlaylistHandlerConfig{AssetPrefix: testAsset, Authorize: allow}, "Signer is nil"},
		{"no authorize", PlaylistHandlerConfig{Signer: s, AssetPrefix: testAsset}, "Authorize is nil"},
		{"relative prefix", PlaylistHandlerConfig{Signer: s, AssetPrefix: "/videos/", Authorize: allow}, "AssetPrefix"},
		{"prefix not a directory", PlaylistHandlerConfig{Signer: s, AssetPrefix: "https://media.example.com/videos", Authorize: allow}, "ending in '/'"},
		{"bad depth", PlaylistHandlerConfig{Signer: s, AssetPrefix: testAsset, Authorize: allow, AssetDepth: -1}, "AssetDepth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewPlaylistHandler(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestPlaylistHandlerPaths: which request paths name a playlist of an asset,
// and how a child playlist is written relative to the playlist served.
func TestPlaylistHandlerPaths(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	allow := func(*http.Request, string) error { return nil }
	h2, err := NewPlaylistHandler(PlaylistHandlerConfig{Signer: s, AssetPrefix: "https://media.example.com/videos/", AssetDepth: 2, Authorize: allow})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{"/2026/abc/index.m3u8", true},
		{"/2026/abc/720p/index.M3U8", true},
		{"/2026/index.m3u8", false}, // depth 2: not inside an asset
		{"/2026/abc/seg.ts", false},
		{"/2026/abc/a b.m3u8", false},
	} {
		if _, _, ok := h2.checkPath(tc.path); ok != tc.ok {
			t.Errorf("depth 2, %q: ok=%v, want %v", tc.path, ok, tc.ok)
		}
	}
}

// TestRelativeURI: a child playlist written relative to the playlist resolves,
// under any mount point of the handler, to the child's own path and query.
func TestRelativeURI(t *testing.T) {
	const p = "https://media.example.com/videos/"
	for _, tc := range []struct{ from, target, want string }{
		{p + "abc/index.m3u8", p + "abc/720p/index.m3u8", "720p/index.m3u8"},
		{p + "abc/720p/index.m3u8", p + "abc/360p/index.m3u8?x=1", "../360p/index.m3u8?x=1"},
		{p + "abc/720p/index.m3u8", p + "abc/index.m3u8", "../index.m3u8"},
		{p + "abc/a/b/x.m3u8", p + "abc/c/d/x.m3u8", "../../c/d/x.m3u8"},
		{p + "abc/index.m3u8", p + "abc/a:b.m3u8", "./a:b.m3u8"},
		{p + "abc/index.m3u8", p + "abc//x.m3u8", ".//x.m3u8"},
		{p + "abc/index.m3u8", p + "abc/", "./"},
		{p + "abc/index.m3u8", "https://other.example.com/videos/abc/x.m3u8", ""},
		{p + "abc/index.m3u8", "http://media.example.com/videos/abc/x.m3u8", ""},
	} {
		got := relativeURI(tc.from, tc.target)
		if got != tc.want {
			t.Errorf("from %s to %s: %q, want %q", tc.from, tc.target, got, tc.want)
		}
		if got == "" {
			continue
		}
		// Resolved against the same path under another mount point.
		mount := func(u string) string {
			return strings.Replace(u, "https://media.example.com/videos/", "https://app.example.com/m/hls/", 1)
		}
		base, _ := url.Parse(mount(tc.from))
		ref, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		if r := base.ResolveReference(ref).String(); r != mount(tc.target) {
			t.Errorf("%q from %s resolves to %s, want %s", got, base, r, mount(tc.target))
		}
	}
}

// TestPlaylistHandlerReusesSignature: playing a whole asset (six playlists)
// makes one signature; a new one is made once less than half the lifetime
// remains, and every playlist served still has at least half of it.
func TestPlaylistHandlerReusesSignature(t *testing.T) {
	key := &countingKey{Signer: loadRSA(t)}
	clock := time.Now()
	var mu sync.Mutex
	signer, err := New(testKeyID, key, WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }))
	if err != nil {
		t.Fatal(err)
	}
	f := newHandlerFixture(t, func(c *PlaylistHandlerConfig) { c.Signer = signer; c.Expiry = time.Hour })
	play(t, f.app.Client(), f.app.URL+"/hls/abc/index.m3u8")
	if key.n() != 1 {
		t.Errorf("%d signatures for one asset's 6 playlists, want 1", key.n())
	}
	for _, step := range []struct {
		advance time.Duration
		want    int
	}{{29 * time.Minute, 1}, {2 * time.Minute, 2}} { // at 29 and 31 of 60 minutes
		mu.Lock()
		clock = clock.Add(step.advance)
		mu.Unlock()
		f.app.Client().Get(f.app.URL + "/hls/abc/index.m3u8")
		if key.n() != step.want {
			t.Errorf("%s later: %d signatures, want %d", step.advance, key.n(), step.want)
		}
	}
}

// roundTripFunc is an in-memory http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// FuzzPlaylistHandlerPath sends the handler any request target, parsed as a
// server parses it (http.ReadRequest), with a CDN in memory that answers
// every fetch with a playlist. Whatever the target: no panic; every answer
// carries Cache-Control: private, no-store; Authorize is asked about the
// prefix plus the path's first directory; a fetch reaches the CDN only for
// a URL below that asset, whose path has no dot or empty segment, encoded
// '/', '\' or '.' (read the same once decoded), signed for that asset; and
// 200 answers only a path ending in .m3u8, after exactly one fetch.
func FuzzPlaylistHandlerPath(f *testing.F) {
	for _, target := range []string{
		"/abc/index.m3u8", "/abc/720p/index.M3U8", "/abc/index.m3u8?v=2&x", "/index.m3u8", "/abc/seg.ts",
		"/abc/../xyz/index.m3u8", "/abc/%2e%2e/xyz/index.m3u8", "/abc%2F..%2Fxyz/index.m3u8", "/abc/.%2E/xyz/index.m3u8",
		"/abc/..%5cxyz/index.m3u8", "//evil.example/x.m3u8", "/abc/./index.m3u8", "/abc/%00.m3u8", "/abc/x%2em3u8",
		"/abc/index.m3u8?Signature=x", "/abc/index.m3u8?Key-Pair-Id=K", "/abc/index.m3u8?a#b", "/abc/x#.m3u8",
		"/abc/a%20b.m3u8", "/abc/%C3%A9.m3u8", "/abc/\xc3\xa9.m3u8", "/abc/a;b/x.m3u8", "/abc/a:b.m3u8",
		"http://evil.example/abc/x.m3u8", "*", "abc/x.m3u8", "/abc/%zz.m3u8", "/abc/" + strings.Repeat("a/", 40) + "x.m3u8",
	} {
		f.Add(target)
	}
	signer := newTestSigner(f, loadECDSA(f), SHA1)
	pub := loadPublic(f, ecPubFile)
	const prefix = "https://media.example.com/videos/"
	f.Fuzz(func(t *testing.T, target string) {
		if len(target) > 8<<10 {
			t.Skip()
		}
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + target + " HTTP/1.1\r\nHost: app.example.com\r\n\r\n")))
		if err != nil || req.RequestURI != target {
			return // a server answers 400 itself
		}
		var asked []string
		var fetched []*url.URL
		h, err := NewPlaylistHandler(PlaylistHandlerConfig{
			Signer:      signer,
			AssetPrefix: prefix,
			Authorize: func(r *http.Request, asset string) error {
				asked = append(asked, asset)
				return nil
			},
			Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				fetched = append(fetched, r.URL)
				rec := httptest.NewRecorder()
				io.WriteString(rec, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/index.m3u8\n#EXTINF:6,\nseg.ts\n")
				return rec.Result(), nil
			}),
		})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		resp := rec.Result()
		if got := resp.Header.Get("Cache-Control"); got != "private, no-store" {
			t.Fatalf("%q: %d with Cache-Control %q", target, resp.StatusCode, got)
		}
		if len(asked) > 1 || len(fetched) > len(asked) {
			t.Fatalf("%q: Authorize asked %d times, %d fetches", target, len(asked), len(fetched))
		}
		if resp.StatusCode == http.StatusOK && (len(fetched) != 1 || !strings.HasSuffix(strings.ToLower(req.URL.Path), ".m3u8")) {
			t.Fatalf("%q: 200 after %d fetches", target, len(fetched))
		}
		if len(asked) == 1 {
			asset := asked[0]
			dir, ok := strings.CutPrefix(asset, prefix)
			if !ok || !strings.HasSuffix(dir, "/") || strings.Count(dir, "/") != 1 || dir == "/" || dir == "./" || dir == "../" {
				t.Fatalf("%q: Authorize asked about %q, not one directory below the prefix", target, asset)
			}
		}
		for _, u := range fetched {
			sg, err := Parse(u.String())
			if err != nil {
				t.Fatalf("%q: fetched %s: %v", target, u, err)
			}
			if err := sg.Check(pub, "", testNow); err != nil {
				t.Fatalf("%q: fetched %s: %v", target, u, err)
			}
			if sg.Resource != asked[0]+"*" {
				t.Fatalf("%q: fetched %s signed for %q, but Authorize was asked about %q", target, u, sg.Resource, asked[0])
			}
			unsigned := sg.BaseURL // the URL without the CloudFront parameters
			if !strings.HasPrefix(unsigned, asked[0]) {
				t.Fatalf("%q: fetched %s outside the asset %s", target, unsigned, asked[0])
			}
			escaped := u.EscapedPath()
			decoded, err := url.PathUnescape(escaped)
			if err != nil {
				t.Fatalf("%q: fetched path %q does not decode: %v", target, escaped, err)
			}
			if strings.Count(decoded, "/") != strings.Count(escaped, "/") || strings.Contains(decoded, "\\") || path.Clean(decoded) != decoded {
				t.Fatalf("%q: fetched path %q (decoded %q) has a dot or empty segment, or an encoded '/'", target, escaped, decoded)
			}
		}
	})
}
