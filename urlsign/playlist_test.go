package urlsign

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mediacdn/mediacdn/hls"
)

// The asset every playlist test signs, and where each test playlist lives in it.
const (
	testAsset    = "https://media.example.com/videos/abc/"
	testResource = testAsset + "*"
)

var playlistCases = []struct {
	file string // under testdata/playlists
	url  string // the URL it is fetched from
	// children: write child playlists through a handler-like mapping
	children bool
	// wantSigned and wantUnsigned are counted by hand from the input file.
	wantSigned, wantChildren, wantUnsigned int
}{
	// Seed 002's MediaConvert master: one variant, an I-frame and an image stream.
	{file: "seed002-master.m3u8", url: testAsset + "wm16_9.m3u8", wantSigned: 3},
	{file: "seed002-master.m3u8", url: testAsset + "wm16_9.m3u8", children: true, wantChildren: 3},
	{file: "seed002-iframe.m3u8", url: testAsset + "wm16_9_I-Frame.m3u8", wantSigned: 3},
	{file: "seed002-thumbnails.m3u8", url: testAsset + "wm16_9_Thumbnail_I-Frame.m3u8", wantSigned: 2},
	// Renditions, session key/data, a variant with its own query, a variant
	// and a subtitle outside the asset, an unquoted I-frame URI.
	{file: "master-renditions.m3u8", url: testAsset + "index.m3u8", wantSigned: 6, wantUnsigned: 2},
	{file: "master-renditions.m3u8", url: testAsset + "index.m3u8", children: true, wantSigned: 2, wantChildren: 4, wantUnsigned: 2},
	// fMP4 with EXT-X-MAP, AES-128 key in the parent directory, an already
	// signed segment, a segment on another host, an absolute path with %20.
	{file: "media-fmp4-aes.m3u8", url: testAsset + "720p/index.m3u8", wantSigned: 5, wantUnsigned: 2},
	// Low latency: parts, preload hint, rendition report.
	{file: "media-llhls.m3u8", url: testAsset + "720p/index.m3u8", wantSigned: 6},
	{file: "media-llhls.m3u8", url: testAsset + "720p/index.m3u8", children: true, wantSigned: 5, wantChildren: 1},
	// CRLF line endings are kept.
	{file: "media-ts-crlf.m3u8", url: testAsset + "ts/index.m3u8", wantSigned: 2},
}

// childToHandler is the mapping the handler uses, written independently:
// the child's path below the asset, under /signed/.
func childToHandler(child string) string {
	return "/signed/" + strings.TrimPrefix(child, "https://media.example.com/")
}

// TestSignPlaylistGolden signs each test playlist and compares it with
// testdata/playlists/NAME.signed[-children].m3u8 (go test ./urlsign -run
// SignPlaylistGolden -update rewrites them; review the diff). Independently
// of the golden files it checks that every signed URI verifies with the
// public key and matches the URI resolved by hand, that every other line is
// byte for byte the input's, and that one signature serves the whole playlist.
func TestSignPlaylistGolden(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	pub := loadPublic(t, rsaPubFile)
	a, err := s.SignAsset(testAsset, Policy{Expires: testExpires})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range playlistCases {
		name := strings.TrimSuffix(tc.file, ".m3u8")
		if tc.children {
			name += ".children"
		}
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata/playlists", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var o PlaylistOptions
			if tc.children {
				o.ChildPlaylistURI = childToHandler
			}
			got, err := a.SignPlaylist(in, tc.url, o)
			if err != nil {
				t.Fatal(err)
			}
			if got.Signed != tc.wantSigned || got.Children != tc.wantChildren || len(got.Unsigned) != tc.wantUnsigned {
				t.Errorf("signed %d, children %d, unsigned %d %v; want %d, %d, %d",
					got.Signed, got.Children, len(got.Unsigned), got.Unsigned, tc.wantSigned, tc.wantChildren, tc.wantUnsigned)
			}
			checkSignedPlaylist(t, in, got.Playlist, tc.url, a, pub, tc.children)

			var report bytes.Buffer
			fmt.Fprintf(&report, "type %s, signed %d, children %d\n", got.Type, got.Signed, got.Children)
			for _, u := range got.Unsigned {
				fmt.Fprintln(&report, u.String())
			}
			for _, n := range got.Notes {
				fmt.Fprintf(&report, "note line %d: %s\n", n.Line, n.Text)
			}
			compareGolden(t, filepath.Join("testdata/playlists", name+".signed.m3u8"), got.Playlist)
			compareGolden(t, filepath.Join("testdata/playlists", name+".report.txt"), report.Bytes())
		})
	}
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./urlsign -run SignPlaylistGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// checkSignedPlaylist compares in and out line by line: a line of out that
// differs must differ only by one URI, which either verifies (signature,
// time, resource) for the URL the input URI resolves to, or is a child
// playlist mapped by childToHandler.
func checkSignedPlaylist(t *testing.T, in, out []byte, playlistURL string, a *SignedAsset, pub any, children bool) {
	t.Helper()
	base, _ := url.Parse(playlistURL)
	inLines := strings.SplitAfter(string(in), "\n")
	outLines := strings.SplitAfter(string(out), "\n")
	if len(inLines) != len(outLines) {
		t.Fatalf("%d lines in, %d out", len(inLines), len(outLines))
	}
	inP, err := hls.Parse(in, base)
	if err != nil {
		t.Fatal(err)
	}
	outP, err := hls.Parse(out, base)
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	if len(inP.Refs) != len(outP.Refs) {
		t.Fatalf("%d URIs in, %d out", len(inP.Refs), len(outP.Refs))
	}
	for i, r := range outP.Refs {
		orig := inP.Refs[i]
		if r.Kind != orig.Kind || r.Line != orig.Line {
			t.Errorf("ref %d: %s on line %d, was %s on line %d", i, r.Kind, r.Line, orig.Kind, orig.Line)
		}
		// Every line but the URI is unchanged (a URI in an unquoted
		// attribute may gain quotes).
		outRest := strings.Replace(outLines[r.Line-1], r.URI, "\x00", 1)
		inRest := strings.Replace(inLines[r.Line-1], orig.URI, "\x00", 1)
		if outRest != inRest && strings.Replace(outRest, "\"\x00\"", "\x00", 1) != inRest {
			t.Errorf("line %d changed beyond its URI:\n in: %q\nout: %q", r.Line, inLines[r.Line-1], outLines[r.Line-1])
		}
		if r.URI == orig.URI {
			continue // left as it was
		}
		if children && r.Kind.IsPlaylist() {
			if want := childToHandler(orig.URL.String()); r.URI != want {
				t.Errorf("line %d: child playlist %q, want %q", r.Line, r.URI, want)
			}
			continue
		}
		sg, err := Parse(r.URI)
		if err != nil {
			t.Errorf("line %d: %q: %v", r.Line, r.URI, err)
			continue
		}
		if err := sg.Check(pub, orig.URL.String(), testNow); err != nil {
			t.Errorf("line %d: %q does not verify for %s: %v", r.Line, r.URI, orig.URL, err)
		}
		if sg.Resource != testResource {
			t.Errorf("line %d: resource %q, want %q", r.Line, sg.Resource, testResource)
		}
		// The URI's own query stays before the signed one.
		if orig.URL.RawQuery != "" && !strings.Contains(r.URI, "?"+orig.URL.RawQuery+"&Policy=") {
			t.Errorf("line %d: own query %q not kept first in %q", r.Line, orig.URL.RawQuery, r.URI)
		}
		if !strings.HasSuffix(r.URI, a.Query) {
			t.Errorf("line %d: %q does not carry the asset's one signed query", r.Line, r.URI)
		}
	}
	for i := range inLines {
		changed := false
		for _, r := range outP.Refs {
			if r.Line == i+1 {
				changed = true
			}
		}
		if !changed && inLines[i] != outLines[i] {
			t.Errorf("line %d without a URI changed:\n in: %q\nout: %q", i+1, inLines[i], outLines[i])
		}
	}
}

// TestSignPlaylistOneSignature counts the private-key operations: a
// playlist of any size is signed with exactly one.
func TestSignPlaylistOneSignature(t *testing.T) {
	key := &countingKey{Signer: loadRSA(t)}
	s := newTestSigner(t, key, SHA1)
	data := mediaPlaylist(1000)
	got, err := s.SignPlaylist(data, testAsset+"720p/index.m3u8", testAsset, Policy{Expires: testExpires}, PlaylistOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Signed != 1000 {
		t.Fatalf("signed %d URIs, want 1000", got.Signed)
	}
	if key.n() != 1 {
		t.Errorf("%d signatures for a 1,000-segment playlist, want 1", key.n())
	}
}

func TestSignPlaylistRefusals(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	p := Policy{Expires: testExpires}
	good := []byte("#EXTM3U\n#EXTINF:1,\na.ts\n")
	for _, tc := range []struct {
		name, playlist, playlistURL, asset string
		want                               error
	}{
		{"not a playlist", "<html>", testAsset + "index.m3u8", testAsset, ErrNotPlaylist},
		{"relative playlist URL", string(good), "index.m3u8", testAsset, ErrInvalidURL},
		{"signed playlist URL", string(good), testAsset + "index.m3u8?Signature=x", testAsset, ErrReservedParameter},
		{"asset not a directory", string(good), testAsset + "index.m3u8", "https://media.example.com/videos/abc", ErrInvalidResource},
		{"whole host", string(good), testAsset + "index.m3u8", "https://media.example.com/", ErrInvalidResource},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.SignPlaylist([]byte(tc.playlist), tc.playlistURL, tc.asset, p, PlaylistOptions{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSignPlaylistResolveUncovered: with ResolveUncovered the URIs outside
// the asset become absolute (unsigned), so the playlist served from another
// URL still points where it did; without it they stay as written.
func TestSignPlaylistResolveUncovered(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	a, err := s.SignAsset(testAsset, Policy{Expires: testExpires})
	if err != nil {
		t.Fatal(err)
	}
	in := []byte("#EXTM3U\n#EXTINF:1,\n../other/a.ts\n#EXTINF:1,\nb.ts#frag\n")
	for _, resolve := range []bool{false, true} {
		got, err := a.SignPlaylist(in, testAsset+"index.m3u8", PlaylistOptions{ResolveUncovered: resolve})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(got.Playlist), "\n")
		want := "../other/a.ts"
		if resolve {
			want = "https://media.example.com/videos/other/a.ts"
		}
		if lines[2] != want {
			t.Errorf("resolve=%v: %q, want %q", resolve, lines[2], want)
		}
		// A URI with a fragment is no URL CloudFront matches: always as written.
		if lines[4] != "b.ts#frag" {
			t.Errorf("resolve=%v: %q, want it as written", resolve, lines[4])
		}
		if len(got.Unsigned) != 2 || !errors.Is(got.Unsigned[0].Err, ErrResourceMismatch) || !errors.Is(got.Unsigned[1].Err, ErrInvalidURL) {
			t.Errorf("resolve=%v: unsigned %v", resolve, got.Unsigned)
		}
	}
}

// TestSignPlaylistMaxURIs: the limit counts the URIs exactly (not lines,
// nor skd: keys and comments, which are not rewritten), on LF and CRLF
// playlists, whether or not the playlist has more lines than the limit.
func TestSignPlaylistMaxURIs(t *testing.T) {
	a, err := newTestSigner(t, loadECDSA(t), SHA1).SignAsset(testAsset, Policy{Expires: testExpires})
	if err != nil {
		t.Fatal(err)
	}
	const pu = testAsset + "720p/index.m3u8"
	// 3 URIs (a key, 2 segments) on 9 lines, and a FairPlay key that is no URI to sign.
	loose := "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI =\"k.key\"\n  #EXT-X-MAP:URI=k.mp4\n#EXTINF:6,\n\t a.ts \r#EXTINF:6,\rb.ts\n"
	small := "#EXTM3U\n# comment\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://k1\"\n#EXT-X-KEY:METHOD=AES-128,URI=\"k.key\"\n#EXTINF:6,\na.ts\n#EXTINF:6,\nb.ts\n#EXT-X-ENDLIST\n"
	for _, tc := range []struct {
		name     string
		playlist string
		max      int
		wantErr  bool
	}{
		{"at the limit, more lines than URIs", small, 3, false},
		{"one over", small, 2, true},
		{"CRLF at the limit", strings.ReplaceAll(small, "\n", "\r\n"), 3, false},
		{"CRLF one over", strings.ReplaceAll(small, "\n", "\r\n"), 2, true},
		{"limit above the line count", small, 100, false},
		{"1,000 segments at the limit", string(mediaPlaylist(1000)), 1000, false},
		{"1,000 segments one over", string(mediaPlaylist(1000)), 999, true},
		{"URI lines only, at the limit", "#EXTM3U\n" + strings.Repeat("a\n", 500), 500, false},
		{"URI lines only, one over", "#EXTM3U\n" + strings.Repeat("a\n", 500), 499, true},
		{"not a playlist, over the limit in lines", strings.Repeat("a\n", 50), 10, false}, // ErrNotPlaylist, below
		// Tags with a URI, spelled as the parser still reads them, and CR line ends.
		{"loose tags at the limit", loose, 4, false},
		{"loose tags one over", loose, 3, true},
		{"comments naming URIs", "#EXTM3U\n# URI URI URI\n#EXT-X-SESSION-DATA:DATA-ID=\"u\",VALUE=\"URI\"\n#EXTINF:6,\na.ts\n", 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.SignPlaylist([]byte(tc.playlist), pu, PlaylistOptions{MaxURIs: tc.max})
			if tc.wantErr {
				if !errors.Is(err, ErrTooManyURIs) || !strings.Contains(err.Error(), fmt.Sprintf("more than %d URIs", tc.max)) || !strings.Contains(err.Error(), "PlaylistOptions.MaxURIs") {
					t.Fatalf("error %v, want ErrTooManyURIs naming the limit and PlaylistOptions.MaxURIs", err)
				}
				return
			}
			if strings.HasPrefix(tc.playlist, "a") {
				if !errors.Is(err, ErrNotPlaylist) {
					t.Fatalf("error %v, want ErrNotPlaylist", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := got.Signed + got.Children + len(got.Unsigned); n > tc.max {
				t.Errorf("%d URIs rewritten, over the limit %d", n, tc.max)
			}
		})
	}
	if _, err := a.SignPlaylist([]byte(small), pu, PlaylistOptions{MaxURIs: -1}); err == nil || !strings.Contains(err.Error(), "MaxURIs -1 is negative") {
		t.Errorf("MaxURIs -1: %v", err)
	}
}

// TestSignPlaylistHostileSize: a playlist of one-character URI lines, the
// most URIs per byte, is refused with the default limit, in memory counted
// by the bytes allocated (runtime.MemStats.TotalAlloc, garbage included):
// without the limit, signing the 1 MiB one allocated 880 MB for a signed
// copy of 185 MB (its 524,288 URIs, ~350 bytes each once signed).
// The 16 MiB one is what `mediacdn sign --playlist` accepts.
func TestSignPlaylistHostileSize(t *testing.T) {
	a, err := newTestSigner(t, loadECDSA(t), SHA1).SignAsset(testAsset, Policy{Expires: testExpires})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1 << 20, 16 << 20} {
		data := append([]byte("#EXTM3U\n"), bytes.Repeat([]byte("a\n"), (size-8)/2)...)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := a.SignPlaylist(data, testAsset+"index.m3u8", PlaylistOptions{})
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooManyURIs) {
			t.Fatalf("%d MiB of URI lines: signed %v, error %v; want ErrTooManyURIs", size>>20, got != nil, err)
		}
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%d MiB playlist of %d URIs refused; %.1f MB allocated", size>>20, (size-8)/2, float64(alloc)/1e6)
		if limit := uint64(size) + 64<<20; alloc > limit {
			t.Errorf("%d MiB playlist: refusing it allocated %d bytes, over %d", size>>20, alloc, limit)
		}
	}
}

// mediaPlaylist makes a VOD media playlist of n TS segments.
func mediaPlaylist(n int) []byte {
	var b bytes.Buffer
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "#EXTINF:6.000,\nsegment_%05d.ts\n", i)
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	return b.Bytes()
}

// countingKey counts the private-key operations made through it.
type countingKey struct {
	crypto.Signer
	calls atomic.Int64
}

func (k *countingKey) Sign(r io.Reader, digest []byte, o crypto.SignerOpts) ([]byte, error) {
	k.calls.Add(1)
	return k.Signer.Sign(r, digest, o)
}

// n is the number of signatures made so far.
func (k *countingKey) n() int { return int(k.calls.Load()) }

// Modes of FuzzSignPlaylist: the PlaylistOptions it signs with.
const (
	fuzzPlain            = iota // no option
	fuzzChildURI                // ChildPlaylistURI (childToHandler)
	fuzzRelativeChildren        // RelativeChildren
	fuzzResolveUncovered        // ResolveUncovered
	fuzzHandler                 // RelativeChildren and ResolveUncovered, as PlaylistHandler
	fuzzModes
)

// FuzzSignPlaylist: whatever the playlist and options (mode, one of the
// fuzz* constants, modulo fuzzModes; maxURIs, 0 for the default), signing
// refuses exactly the playlists with more URIs than the limit, never fails
// on another one that parses, and its output parses to the same number of
// references of the same kinds. Every URI is either as written, or carries
// the asset's one signed query and is covered by the policy, or (for a
// child playlist) is what ChildPlaylistURI returned or, with
// RelativeChildren, an unsigned relative URI resolving to the child's URL,
// or, with ResolveUncovered, the absolute URL of a URI reported unsigned.
func FuzzSignPlaylist(f *testing.F) {
	entries, err := os.ReadDir("testdata/playlists")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".m3u8") && !strings.Contains(e.Name(), ".signed") {
			data, err := os.ReadFile(filepath.Join("testdata/playlists", e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			for mode := byte(0); mode < fuzzModes; mode++ {
				f.Add(data, "720p/index.m3u8", mode, uint16(0))
			}
			f.Add(data, "index.m3u8", byte(fuzzHandler), uint16(3))
		}
	}
	hostile := []byte("#EXTM3U\n#EXTINF:1,\n%zz\n#EXTINF:1,\n//other/x\n#EXTINF:1,\na b\"c.ts?x=\"y z\"\n" +
		"#EXT-X-STREAM-INF:BANDWIDTH=1\n../../other/v.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttps://elsewhere.example/v.m3u8\n" +
		"#EXT-X-MEDIA:TYPE=AUDIO,URI=\"a:b/c.m3u8\"\n#EXT-X-STREAM-INF:BANDWIDTH=1\n.//x.m3u8?q=1\n")
	for mode := byte(0); mode < fuzzModes; mode++ {
		f.Add(hostile, "a/b.m3u8?q=1", mode, uint16(0))
	}
	f.Add(hostile, "a/b.m3u8", byte(fuzzHandler), uint16(4))
	s, err := New(testKeyID, loadRSA(f), WithClock(fixedClock))
	if err != nil {
		f.Fatal(err)
	}
	a, err := s.SignAsset(testAsset, Policy{Expires: testExpires})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, rel string, mode byte, maxURIs uint16) {
		if len(data) > 64<<10 || len(rel) > 512 {
			t.Skip()
		}
		playlistURL := testAsset + rel
		norm, err := NormalizeURL(playlistURL)
		if err != nil {
			return
		}
		o := PlaylistOptions{MaxURIs: int(maxURIs)}
		switch mode % fuzzModes {
		case fuzzChildURI:
			o.ChildPlaylistURI = childToHandler
		case fuzzRelativeChildren:
			o.RelativeChildren = true
		case fuzzResolveUncovered:
			o.ResolveUncovered = true
		case fuzzHandler:
			o.RelativeChildren, o.ResolveUncovered = true, true
		}
		base, berr := url.Parse(norm) // SignPlaylist resolves against the URL in normal form
		got, err := a.SignPlaylist(data, playlistURL, o)
		if berr != nil {
			// A playlist URL Go cannot resolve against ("…/%") is refused
			// first, whatever the playlist holds.
			if !errors.Is(err, ErrInvalidURL) || !strings.Contains(err.Error(), "playlist URL") {
				t.Fatalf("playlist URL %q (%v): error %v, want ErrInvalidURL naming the playlist URL", norm, berr, err)
			}
			return
		}
		in, inErr := hls.Parse(data, base)
		if inErr == nil && maxURIs > 0 && len(in.Refs) > int(maxURIs) {
			if !errors.Is(err, ErrTooManyURIs) {
				t.Fatalf("%d URIs over MaxURIs %d: error %v, want ErrTooManyURIs", len(in.Refs), maxURIs, err)
			}
			return
		}
		if err != nil {
			if errors.Is(err, ErrNotPlaylist) || errors.Is(err, ErrInvalidURL) && strings.Contains(err.Error(), "playlist URL") {
				return
			}
			t.Fatalf("%v on %q", err, data)
		}
		out, err := hls.Parse(got.Playlist, base)
		if err != nil {
			t.Fatalf("output does not parse: %v", err)
		}
		if len(in.Refs) != len(out.Refs) || got.Signed+got.Children+len(got.Unsigned) != len(in.Refs) {
			t.Fatalf("%d URIs in, %d out (signed %d, children %d, unsigned %d)", len(in.Refs), len(out.Refs), got.Signed, got.Children, len(got.Unsigned))
		}
		unsigned := map[int]UnsignedURI{}
		for _, u := range got.Unsigned {
			unsigned[u.Line] = u
		}
		for i, r := range out.Refs {
			orig := in.Refs[i]
			u, isUnsigned := unsigned[orig.Line]
			switch {
			case r.Kind != orig.Kind:
				t.Fatalf("ref %d: kind %s, was %s", i, r.Kind, orig.Kind)
			case r.URI == orig.URI:
			case isUnsigned:
				// Only ResolveUncovered rewrites an unsigned URI: to its
				// absolute URL, the one reported.
				if !o.ResolveUncovered || r.URI != orig.URL.String() || u.URL != r.URI {
					t.Fatalf("ref %d: unsigned %q rewritten to %q; want it as written, or with ResolveUncovered its resolved URL %q (reported %q)", i, orig.URI, r.URI, orig.URL, u.URL)
				}
			case o.ChildPlaylistURI != nil && r.Kind.IsPlaylist() && strings.HasPrefix(r.URI, "/signed/"):
			case o.RelativeChildren && r.Kind.IsPlaylist() && !strings.HasSuffix(r.URI, a.Query):
				// Relative, unsigned, and the child's own URL once resolved.
				if u, err := url.Parse(r.URI); err != nil || u.IsAbs() || u.Host != "" {
					t.Fatalf("ref %d: child %q written as %q, not a relative path", i, orig.URI, r.URI)
				}
				want, err := NormalizeURL(orig.URL.String())
				if err != nil {
					t.Fatalf("ref %d: child %q rewritten to %q, but %s does not normalize: %v", i, orig.URI, r.URI, orig.URL, err)
				}
				if got, err := NormalizeURL(r.URL.String()); err != nil || got != want {
					t.Fatalf("ref %d: child %q written as %q, which resolves to %q (%v), want %q", i, orig.URI, r.URI, got, err, want)
				}
			case strings.HasSuffix(r.URI, a.Query):
				if _, err := Parse(r.URI); err != nil {
					t.Fatalf("ref %d: %q: %v", i, r.URI, err)
				}
				// Exactly the resolved URL in normal form, then the signature.
				want, err := NormalizeURL(orig.URL.String())
				if err != nil {
					t.Fatalf("ref %d: signed %q, but %s does not normalize: %v", i, r.URI, orig.URL, err)
				}
				if got := r.URI[:len(r.URI)-len(a.Query)-1]; got != want {
					t.Fatalf("ref %d: %q signed as %q, want %q", i, orig.URI, got, want)
				}
			default:
				t.Fatalf("ref %d: %q rewritten to %q without the signature", i, orig.URI, r.URI)
			}
		}
	})
}
