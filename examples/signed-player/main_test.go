package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/urlsign"
)

// TestExampleBackEnd drives the example's three endpoints against a test CDN
// on 127.0.0.1 that checks every signature (URL or cookies) with the public
// key. The browser run of the pages lives with the browser tests.
func TestExampleBackEnd(t *testing.T) {
	privPEM, pubPEM, err := cfkeys.GenerateKeyPair(cfkeys.ECDSA)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := cfkeys.ParsePrivateKey(privPEM)
	pub, _ := cfkeys.ParsePublicKey(pubPEM)
	signer, err := urlsign.New("K2JCJMDEHXQW5F", key)
	if err != nil {
		t.Fatal(err)
	}
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := "http://" + r.Host + r.URL.RequestURI()
		sg, err := urlsign.Parse(u)
		if err != nil {
			sg, err = urlsign.ParseCookies(r.Cookies())
		}
		if err == nil {
			err = sg.Check(pub.Key, "http://"+r.Host+r.URL.Path, time.Now())
		}
		if err != nil {
			http.Error(w, "AccessDenied", http.StatusForbidden)
			return
		}
		io.WriteString(w, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/index.m3u8\n")
	}))
	defer cdn.Close()
	h, err := newHandler(signer, cdn.URL+"/videos/", http.NotFoundHandler(), "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	app := httptest.NewServer(h)
	defer app.Close()

	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(app.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}

	// Method 2: the signed playlist URL fetches from the CDN.
	resp, body := get("/api/asset-query?asset=abc")
	var q struct{ Playlist, AssetPrefix, Query string }
	if err := json.Unmarshal([]byte(body), &q); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if q.AssetPrefix != cdn.URL+"/videos/abc/" || !strings.HasSuffix(q.Playlist, q.Query) {
		t.Errorf("%+v", q)
	}
	if r, err := http.Get(q.Playlist); err != nil || r.StatusCode != 200 {
		t.Errorf("signed playlist URL: %v %v", r, err)
	}
	// Method 1: the cookies open the asset.
	resp, body = get("/api/asset-cookies?asset=abc")
	req, _ := http.NewRequest("GET", cdn.URL+"/videos/abc/720p/index.m3u8", nil)
	for _, c := range resp.Cookies() {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 200 || len(resp.Cookies()) != 3 {
		t.Errorf("cookies %v: %v %v (%s)", resp.Cookies(), r, err, body)
	}
	// Method 3: the handler serves the master, its child pointed back here.
	resp, body = get("/hls/abc/index.m3u8")
	if resp.StatusCode != 200 || !strings.Contains(body, "\n720p/index.m3u8\n") || resp.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("%d %v\n%s", resp.StatusCode, resp.Header, body)
	}
	// Negative control: the unsigned playlist is refused by the CDN.
	if r, err := http.Get(cdn.URL + "/videos/abc/index.m3u8"); err != nil || r.StatusCode != 403 {
		t.Errorf("unsigned: %v %v", r, err)
	}
	// Bad asset names and the pages.
	for path, want := range map[string]int{"/api/asset-query?asset=../x": 400, "/api/asset-cookies?asset=": 400, "/native.html": 200, "/player.js": 200} {
		if resp, _ := get(path); resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}
