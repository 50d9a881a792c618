package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/hls"
	"github.com/mediacdn/mediacdn/urlsign"
)

const fmp4Playlist = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:6\n" +
	"#EXT-X-KEY:METHOD=AES-128,URI=\"../keys/k1.key\"\n#EXT-X-MAP:URI=\"init.mp4\"\n" +
	"#EXTINF:6,\nseg0.m4s\n#EXTINF:6,\nseg1.m4s?v=2\n#EXTINF:6,\nhttps://other.example.net/\u202ex.m4s\n#EXT-X-ENDLIST\n"

const masterPlaylist = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n720p/index.m3u8\n" +
	"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"720p/iframes.m3u8\"\n"

// checkSignedURIs verifies every URI of a signed playlist that carries a
// signature, with the public key, for the URL the original URI resolves to,
// and returns how many did and the distinct Policy values seen.
func checkSignedURIs(t *testing.T, original, signed, playlistURL string, pub *cfkeys.PublicKey) (int, map[string]bool) {
	t.Helper()
	base, _ := url.Parse(playlistURL)
	in, err := hls.Parse([]byte(original), base)
	if err != nil {
		t.Fatal(err)
	}
	out, err := hls.Parse([]byte(signed), base)
	if err != nil {
		t.Fatalf("output is not a playlist: %v\n%s", err, signed)
	}
	if len(in.Refs) != len(out.Refs) {
		t.Fatalf("%d URIs in, %d out", len(in.Refs), len(out.Refs))
	}
	n, policies := 0, map[string]bool{}
	for i, r := range out.Refs {
		if !strings.Contains(r.URI, "Signature=") {
			continue
		}
		sg, err := urlsign.Parse(r.URI)
		if err != nil {
			t.Fatalf("%q: %v", r.URI, err)
		}
		if err := sg.Check(pub.Key, in.Refs[i].URL.String(), cliNow); err != nil {
			t.Errorf("%q for %s: %v", r.URI, in.Refs[i].URL, err)
		}
		n++
		policies[r.URL.Query().Get("Policy")] = true
	}
	return n, policies
}

func TestSignPlaylistFile(t *testing.T) {
	fixNow(t, cliNow)
	priv, _, pub := testKeys(t, cfkeys.RSA)
	file := filepath.Join(t.TempDir(), "index.m3u8")
	if err := os.WriteFile(file, []byte(fmp4Playlist), 0o644); err != nil {
		t.Fatal(err)
	}
	const pu = "https://media.example.com/videos/abc/720p/index.m3u8"
	code, out, errOut := cli(t, "sign", "--playlist", file, "--url", pu, "--resource", "https://media.example.com/videos/abc/*",
		"--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", priv, "--expires", "2h")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	n, policies := checkSignedURIs(t, fmp4Playlist, out, pu, pub)
	if n != 4 || len(policies) != 1 {
		t.Errorf("%d URIs signed with %d policies; want the key, the map and 2 segments with 1 policy", n, len(policies))
	}
	mustContain(t, "stderr", errOut, "signed media playlist: 4 URIs carry one custom policy for https://media.example.com/videos/abc/*",
		"expires 2026-01-01T02:00:00Z (in 2h)", "warning: line 11: segment URI", "left unsigned: resource mismatch")
	// The bidi override of the hostile URI is shown escaped on stderr; stdout
	// (not a terminal here) is the playlist byte for byte.
	if strings.Contains(errOut, "\u202e") || !strings.Contains(errOut, `u202ex.m4s`) {
		t.Errorf("stderr does not escape the URI: %q", errOut)
	}
	if !strings.Contains(out, "https://other.example.net/\u202ex.m4s\n") {
		t.Errorf("stdout changed the unsigned URI:\n%q", out)
	}
}

// TestSignPlaylistURL fetches the playlist from a CDN that demands a
// signature: the CLI fetches it with the asset's signature. The negative
// control asks for a resource that does not cover it: the fetch is refused.
func TestSignPlaylistURL(t *testing.T) {
	priv, _, pub := testKeys(t, cfkeys.ECDSA)
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sg, err := urlsign.Parse("http://" + r.Host + r.URL.RequestURI())
		if err == nil {
			err = sg.Check(pub.Key, "", time.Now())
		}
		if err != nil {
			http.Error(w, "AccessDenied", http.StatusForbidden)
			return
		}
		w.Write([]byte(masterPlaylist))
	}))
	defer cdn.Close()
	pu := cdn.URL + "/videos/abc/index.m3u8"
	args := []string{"sign", "--playlist", pu, "--url", pu, "--resource", cdn.URL + "/videos/abc/*",
		"--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", priv, "--expires", "1h"}
	code, out, errOut := cli(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	saved := cliNow
	cliNow = time.Now() // signed with the real clock here
	n, _ := checkSignedURIs(t, masterPlaylist, out, pu, pub)
	cliNow = saved
	if n != 2 {
		t.Errorf("%d URIs signed, want 2:\n%s", n, out)
	}

	// --relative-children: the children stay relative and unsigned.
	code, out, errOut = cli(t, append(args, "--relative-children")...)
	if code != 0 || out != masterPlaylist {
		t.Errorf("--relative-children: exit %d, %q (want the playlist unchanged: its children are relative already)\n%s", code, out, errOut)
	}
	mustContain(t, "stderr", errOut, "2 child playlists written relative")

	// Negative control: the resource does not cover the playlist, so it is
	// fetched unsigned and the CDN refuses it.
	bad := append([]string(nil), args...)
	bad[6] = cdn.URL + "/videos/other/*"
	code, out, errOut = cli(t, bad...)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	mustContain(t, "stderr", errOut, "403 Forbidden", "nothing was signed")
}

// TestSignPlaylistRedirects: a redirect within the playlist URL's origin is
// followed; one to another origin (here another port of 127.0.0.1, as a
// metadata address would be another host) is not, and nothing is fetched
// there.
func TestSignPlaylistRedirects(t *testing.T) {
	priv, _, _ := testKeys(t, cfkeys.ECDSA)
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Write([]byte(masterPlaylist))
	}))
	defer other.Close()
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/videos/abc/moved.m3u8":
			http.Redirect(w, r, "/videos/abc/index.m3u8", http.StatusFound)
		case "/videos/abc/away.m3u8":
			http.Redirect(w, r, other.URL+"/videos/abc/index.m3u8", http.StatusFound)
		case "/videos/abc/index.m3u8":
			w.Write([]byte(masterPlaylist))
		default:
			http.NotFound(w, r)
		}
	}))
	defer cdn.Close()
	run := func(name string) (int, string, string) {
		pu := cdn.URL + "/videos/abc/" + name
		return cli(t, "sign", "--playlist", pu, "--url", cdn.URL+"/videos/abc/index.m3u8", "--resource", cdn.URL+"/videos/abc/*",
			"--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", priv, "--expires", "1h")
	}
	if code, out, errOut := run("moved.m3u8"); code != 0 || !strings.Contains(out, "Signature=") {
		t.Errorf("same-origin redirect: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	code, out, errOut := run("away.m3u8")
	if code != 1 || out != "" {
		t.Errorf("cross-origin redirect: exit %d, stdout %q", code, out)
	}
	mustContain(t, "stderr", errOut, "redirected to another origin", strings.TrimPrefix(other.URL, "http://"), "not followed")
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("%d requests reached the other origin", n)
	}
}

func TestSignPlaylistStdin(t *testing.T) {
	fixNow(t, cliNow)
	priv, _, pub := testKeys(t, cfkeys.RSA)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString(fmp4Playlist)
	w.Close()
	old := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = old }()
	const pu = "https://media.example.com/videos/abc/720p/index.m3u8"
	code, out, errOut := cli(t, "sign", "--playlist", "-", "--url", pu, "--resource", "https://media.example.com/videos/abc/*",
		"--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", priv, "--expires", "2h", "--hash", "sha256")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n, _ := checkSignedURIs(t, fmp4Playlist, out, pu, pub); n != 4 || !strings.Contains(out, "&Hash-Algorithm=SHA256\n") {
		t.Errorf("%d signed:\n%s", n, out)
	}
}

func TestSignPlaylistErrors(t *testing.T) {
	fixNow(t, cliNow)
	priv, _, _ := testKeys(t, cfkeys.RSA)
	dir := t.TempDir()
	notPlaylist := filepath.Join(dir, "page.html")
	os.WriteFile(notPlaylist, []byte("<html>"), 0o644)
	big := filepath.Join(dir, "big.m3u8")
	f, _ := os.Create(big)
	f.Truncate(17 << 20) // over readlimit.PlaylistSize
	f.Close()
	good := filepath.Join(dir, "index.m3u8")
	os.WriteFile(good, []byte(fmp4Playlist), 0o644) // 5 URIs: a key, a map, 3 segments
	// 1 MiB of one-character URI lines: 524,284 URIs, a signed copy of ~300 MB.
	uriLines := filepath.Join(dir, "uri-lines.m3u8")
	os.WriteFile(uriLines, []byte("#EXTM3U\n"+strings.Repeat("a\n", (1<<20-8)/2)), 0o644)
	base := []string{"sign", "--url", "https://media.example.com/videos/abc/index.m3u8", "--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", priv, "--expires", "1h"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no resource", []string{"--playlist", good}, 2, "--playlist needs --resource"},
		{"with cookies", []string{"--playlist", good, "--resource", "https://media.example.com/videos/abc/*", "--cookies"}, 2, "cannot be combined with --cookies"},
		{"resource not an asset", []string{"--playlist", good, "--resource", "https://media.example.com/videos/*/x"}, 2, "nothing was signed"},
		{"relative-children alone", []string{"--relative-children"}, 2, "need --playlist"},
		{"fetch-timeout on a file", []string{"--playlist", good, "--resource", "https://media.example.com/videos/abc/*", "--fetch-timeout", "1s"}, 2, "URL only"},
		{"not a playlist", []string{"--playlist", notPlaylist, "--resource", "https://media.example.com/videos/abc/*"}, 1, "is not an HLS playlist"},
		{"too large", []string{"--playlist", big, "--resource", "https://media.example.com/videos/abc/*"}, 1, "file too large"},
		{"missing", []string{"--playlist", filepath.Join(dir, "none.m3u8"), "--resource", "https://media.example.com/videos/abc/*"}, 1, "no such file"},
		{"over --max-uris", []string{"--playlist", good, "--resource", "https://media.example.com/videos/abc/*", "--max-uris", "4"}, 1, "references more than 4 URIs, the limit set by --max-uris; nothing was signed"},
		{"URI lines over the default", []string{"--playlist", uriLines, "--resource", "https://media.example.com/videos/abc/*"}, 1, "references more than 100000 URIs, the limit set by --max-uris"},
		{"max-uris 0", []string{"--playlist", good, "--resource", "https://media.example.com/videos/abc/*", "--max-uris", "0"}, 2, "--max-uris 0: give the most URIs"},
		{"max-uris alone", []string{"--max-uris", "10"}, 2, "need --playlist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(t, append(append([]string(nil), base...), tc.args...)...)
			if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d (want %d), stdout %q, stderr %.300q (want %q)", code, tc.code, out, errOut, tc.want)
			}
		})
	}
	// The limit is exact: the 5 URIs of good pass --max-uris 5.
	code, out, errOut := cli(t, append(append([]string(nil), base...), "--playlist", good, "--resource", "https://media.example.com/videos/abc/*", "--max-uris", "5")...)
	if code != 0 || !strings.HasPrefix(out, "#EXTM3U") {
		t.Errorf("--max-uris 5 with 5 URIs: exit %d, stderr %q", code, errOut)
	}
}
