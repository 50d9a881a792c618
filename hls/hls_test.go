package hls

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mediacdn/mediacdn/internal/httplist"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type wantRef struct {
	kind Kind
	url  string
}

func TestParse(t *testing.T) {
	tests := []struct {
		file      string
		base      string
		typ       Type
		refs      []wantRef
		noteParts []string // substrings expected in the notes, in order
	}{
		{
			file: "seed002-working-master.m3u8",
			base: "https://d16ufd393m7gss.cloudfront.net/public/movie/145cb700-9539-42fe-9709-2a43721b112f/origin.m3u8",
			typ:  Master,
			refs: []wantRef{
				{KindVariant, "https://d16ufd393m7gss.cloudfront.net/public/movie/145cb700-9539-42fe-9709-2a43721b112f/wm16_9.m3u8"},
				{KindIFrame, "https://d16ufd393m7gss.cloudfront.net/public/movie/145cb700-9539-42fe-9709-2a43721b112f/wm16_9_I-Frame.m3u8"},
				{KindImage, "https://d16ufd393m7gss.cloudfront.net/public/movie/145cb700-9539-42fe-9709-2a43721b112f/wm16_9_Thumbnail_I-Frame.m3u8"},
			},
		},
		{
			file: "seed002-failing-master.m3u8",
			base: "https://d16ufd393m7gss.cloudfront.net/public/movie/b296e729-d72a-47cc-b6cc-ded1f63c8e8f/origin.m3u8",
			typ:  Master,
			refs: []wantRef{
				{KindVariant, "https://d16ufd393m7gss.cloudfront.net/public/movie/b296e729-d72a-47cc-b6cc-ded1f63c8e8f/origin_segment.m3u8"},
				{KindIFrame, "https://d16ufd393m7gss.cloudfront.net/public/movie/b296e729-d72a-47cc-b6cc-ded1f63c8e8f/origin_segment_I-Frame.m3u8"},
				{KindImage, "https://d16ufd393m7gss.cloudfront.net/public/movie/b296e729-d72a-47cc-b6cc-ded1f63c8e8f/origin_segment_Thumbnail_I-Frame.m3u8"},
			},
		},
		{
			file: "master-renditions.m3u8",
			base: "https://cdn.example.com/v/1/master.m3u8",
			typ:  Master,
			refs: []wantRef{
				{KindSessionKey, "https://cdn.example.com/v/1/keys/session.key"},
				{KindSessionData, "https://cdn.example.com/v/1/meta.json"},
				{KindRendition, "https://cdn.example.com/v/1/audio/en/index.m3u8"},
				{KindRendition, "https://other.example.net/subs/en.m3u8"},
				{KindVariant, "https://cdn.example.com/v/1/video/720p/index.m3u8"},
				{KindVariant, "https://cdn.example.com/abs/path/360p.m3u8?lang=en"},
			},
			noteParts: []string{`"skd://key-id-1" skipped`},
		},
		{
			file: "media-fmp4.m3u8",
			base: "https://cdn.example.com/v/1/720p/index.m3u8?Policy=p&Signature=s&Key-Pair-Id=K",
			typ:  Media,
			refs: []wantRef{
				{KindKey, "https://keys.example.com/k1?token=abc"},
				{KindInit, "https://cdn.example.com/v/1/720p/init.mp4"},
				{KindSegment, "https://cdn.example.com/v/1/720p/seg0.m4s"},
				{KindSegment, "https://cdn.example.com/v/1/720p/seg1.m4s"},
				{KindSegment, "https://cdn.example.com/v/1/other/seg2.m4s"},
				{KindSegment, "https://cdn2.example.com/abs/seg3.m4s"},
			},
			noteParts: []string{`"skd://fairplay-key" skipped`, `"data:text/plain;base64,`},
		},
		{
			file: "media-llhls.m3u8",
			base: "https://cdn.example.com/live/480p/index.m3u8",
			typ:  Media,
			refs: []wantRef{
				{KindInit, "https://cdn.example.com/live/480p/init.mp4"},
				{KindSegment, "https://cdn.example.com/live/480p/seg100.m4s"},
				{KindPart, "https://cdn.example.com/live/480p/seg101.part0.m4s"},
				{KindPart, "https://cdn.example.com/live/480p/seg101.part1.m4s"},
				{KindPreloadHint, "https://cdn.example.com/live/480p/seg101.part2.m4s"},
				{KindRenditionReport, "https://cdn.example.com/live/720p/index.m3u8"},
			},
		},
		{
			file: "media-ts.m3u8",
			base: "http://127.0.0.1:8080/a/b.m3u8",
			typ:  Media,
			refs: []wantRef{
				{KindSegment, "http://127.0.0.1:8080/a/seg_000.ts"},
				{KindSegment, "http://127.0.0.1:8080/a/seg_001.ts"},
				{KindSegment, "http://127.0.0.1:8080/a/seg_002.ts"},
				{KindSegment, "http://127.0.0.1:8080/a/seg_003.ts"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p, err := Parse(readTestdata(t, tt.file), mustURL(t, tt.base))
			if err != nil {
				t.Fatal(err)
			}
			if p.Type != tt.typ {
				t.Errorf("Type = %s, want %s", p.Type, tt.typ)
			}
			if len(p.Refs) != len(tt.refs) {
				for _, r := range p.Refs {
					t.Logf("got %s %s", r.Kind, r.URL)
				}
				t.Fatalf("got %d refs, want %d", len(p.Refs), len(tt.refs))
			}
			for i, w := range tt.refs {
				if p.Refs[i].Kind != w.kind || p.Refs[i].URL.String() != w.url {
					t.Errorf("ref %d = %s %s, want %s %s", i, p.Refs[i].Kind, p.Refs[i].URL, w.kind, w.url)
				}
			}
			var notes []string
			for _, n := range p.Notes {
				notes = append(notes, n.Text)
			}
			joined := strings.Join(notes, "\n")
			last := 0
			for _, part := range tt.noteParts {
				i := strings.Index(joined[last:], part)
				if i < 0 {
					t.Errorf("notes %q lack %q (in order)", joined, part)
					break
				}
				last += i + len(part)
			}
			if len(tt.noteParts) == 0 && len(p.Notes) != 0 {
				t.Errorf("unexpected notes: %q", joined)
			}
		})
	}
}

func TestParseLineNumbersAndTags(t *testing.T) {
	p, err := Parse(readTestdata(t, "seed002-working-master.m3u8"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line int
		tag  string
		uri  string
	}{
		{5, "EXT-X-STREAM-INF", "wm16_9.m3u8"},
		{6, "EXT-X-I-FRAME-STREAM-INF", "wm16_9_I-Frame.m3u8"},
		{7, "EXT-X-IMAGE-STREAM-INF", "wm16_9_Thumbnail_I-Frame.m3u8"},
	}
	for i, w := range want {
		r := p.Refs[i]
		if r.Line != w.line || r.Tag != w.tag || r.URI != w.uri || r.URL.String() != w.uri {
			t.Errorf("ref %d = line %d tag %s uri %s url %s, want %+v", i, r.Line, r.Tag, r.URI, r.URL, w)
		}
	}
}

func TestParseErrorsAndNotes(t *testing.T) {
	if _, err := Parse([]byte("<html>Access Denied</html>"), nil); !errors.Is(err, ErrNotPlaylist) {
		t.Errorf("HTML body: err = %v, want ErrNotPlaylist", err)
	}
	if _, err := Parse(nil, nil); !errors.Is(err, ErrNotPlaylist) {
		t.Errorf("empty body: err = %v, want ErrNotPlaylist", err)
	}
	// A BOM and a trailing EXTINF without URI.
	p, err := Parse([]byte("\xef\xbb\xbf#EXTM3U\n#EXTINF:1,\na.ts\n#EXTINF:2,\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Refs) != 1 || p.Refs[0].URI != "a.ts" {
		t.Errorf("refs = %+v", p.Refs)
	}
	if len(p.Notes) != 1 || !strings.Contains(p.Notes[0].Text, "EXTINF has no URI") || p.Notes[0].Line != 4 {
		t.Errorf("notes = %+v", p.Notes)
	}
	// A stray URI line is kept and noted; an empty URI attribute is noted.
	p, err = Parse([]byte("#EXTM3U\nstray.ts\n#EXT-X-MAP:URI=\"\"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Refs) != 1 || p.Refs[0].Kind != KindSegment || len(p.Notes) != 2 {
		t.Errorf("refs = %+v notes = %+v", p.Refs, p.Notes)
	}
}

// Notes quote the playlist's values raw, for the caller to escape once when
// printing. Before, they were Go-quoted (%q), so a text report that escapes
// showed "\\x1b" for an ESC, and JSON carried Go syntax instead of the value.
func TestNotesKeepRawValues(t *testing.T) {
	long := strings.Repeat("é", 60) // after "skd://x", byte 80 is inside an é
	for _, c := range []struct {
		name, playlist string
		want           string
		uri            string
	}{
		{"stray URI line", "#EXTM3U\nseg\x1b[2J.ts\n", "URI \"seg\x1b[2J.ts\" without a preceding #EXTINF or #EXT-X-STREAM-INF", ""},
		{"URI that does not parse", "#EXTM3U\n#EXTINF:2,\nseg\x1b[31m.ts\n", "segment URI \"seg\x1b[31m.ts\" does not parse: net/url: invalid control character in URL", "seg\x1b[31m.ts"},
		{"scheme not fetched", "#EXTM3U\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://k\u202e1\"\n#EXTINF:2,\na.ts\n", "key URI \"skd://k\u202e1\" skipped: scheme \"skd\" is not fetched over HTTP", "skd://k\u202e1"},
		{"key method", "#EXTM3U\n#EXT-X-KEY:METHOD=AES\x1b[0m\n#EXTINF:2,\na.ts\n", "#EXT-X-KEY with METHOD=AES\x1b[0m has no URI", ""},
		{"long URI cut on a character", "#EXTM3U\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://x" + long + "\"\n", "key URI \"skd://x" + long[:72] + "... (48 more bytes)\" skipped", "skd://x" + long},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse([]byte(c.playlist), nil)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, n := range p.Notes {
				if !utf8.ValidString(n.Text) {
					t.Errorf("note %q is not valid UTF-8", n.Text)
				}
				found = found || strings.HasPrefix(n.Text, c.want) && n.URI == c.uri
			}
			if !found {
				t.Errorf("notes = %+v\nwant one %q (URI %q)", p.Notes, c.want, c.uri)
			}
		})
	}
}

func TestParseAttributes(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
	}{
		{`BANDWIDTH=1,CODECS="a,b",URI="x.m3u8"`, map[string]string{"BANDWIDTH": "1", "CODECS": "a,b", "URI": "x.m3u8"}},
		{`URI="unterminated`, map[string]string{"URI": "unterminated"}},
		{`NOVALUE,A=1`, map[string]string{"A": "1"}},
		{`A="q"junk,B=2`, map[string]string{"A": "q", "B": "2"}},
		{`A=1,A=2`, map[string]string{"A": "1"}},
		{``, map[string]string{}},
		{`=,=x,"`, map[string]string{}},
	}
	for _, tt := range tests {
		got := ParseAttributes(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("ParseAttributes(%q) = %v, want %v", tt.in, got, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("ParseAttributes(%q)[%s] = %q, want %q", tt.in, k, got[k], v)
			}
		}
	}
}

func TestPropagateQuery(t *testing.T) {
	const signed = "Policy=eyJTdGF0ZW1lbnQiOltdfQ__&Signature=ab~cd-ef&Key-Pair-Id=K2JCJMDEHXQW5F"
	tests := []struct {
		name, ref, query, want string
	}{
		{"plain", "https://h/a/seg.ts", signed, "https://h/a/seg.ts?" + signed},
		{"keeps own params first", "https://h/a/seg.ts?v=2", signed, "https://h/a/seg.ts?v=2&" + signed},
		{"no duplicate of a param the URI has", "https://h/a/seg.ts?Key-Pair-Id=OTHER", signed,
			"https://h/a/seg.ts?Key-Pair-Id=OTHER&Policy=eyJTdGF0ZW1lbnQiOltdfQ__&Signature=ab~cd-ef"},
		{"encoded name counts as the same", "https://h/a/seg.ts?Key%2DPair%2DId=X", "Key-Pair-Id=K", "https://h/a/seg.ts?Key%2DPair%2DId=X"},
		{"empty query", "https://h/a/seg.ts", "", "https://h/a/seg.ts"},
		{"repeated param in source copied once", "https://h/x", "a=1&a=2&&b=3", "https://h/x?a=1&b=3"},
		{"trailing ampersand", "https://h/x?a=1&", "b=2", "https://h/x?a=1&b=2"},
		{"fragment untouched", "https://h/x#frag", "b=2", "https://h/x?b=2#frag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := mustURL(t, tt.ref)
			before := in.String()
			got := PropagateQuery(in, tt.query)
			if got.String() != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if in.String() != before {
				t.Errorf("input modified: %s", in)
			}
		})
	}
}

func TestKindIsPlaylist(t *testing.T) {
	for k, want := range map[Kind]bool{
		KindVariant: true, KindIFrame: true, KindImage: true, KindRendition: true, KindRenditionReport: true,
		KindSegment: false, KindInit: false, KindKey: false, KindPart: false, KindSessionKey: false,
	} {
		if k.IsPlaylist() != want {
			t.Errorf("%s.IsPlaylist() = %v", k, !want)
		}
	}
}

// maxFuzzInput bounds the fuzzer's inputs: real playlists handed to Parse by
// the doctor are capped too, and larger inputs only slow the fuzzer down.
const maxFuzzInput = 64 << 10

func FuzzParse(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".m3u8") {
			f.Add(readTestdata(f, e.Name()), "https://cdn.example.com/a/b/index.m3u8?Signature=s")
		}
	}
	f.Add([]byte("#EXTM3U\n#EXT-X-KEY:URI=\"\"\n#EXTINF:\n%zz\n"), "")
	f.Add([]byte("#EXTM3U\n#EXT-X-STREAM-INF:\n//host:99999/x\n"), "http://h/")
	f.Fuzz(func(t *testing.T, data []byte, base string) {
		if len(data) > maxFuzzInput || len(base) > 2048 {
			t.Skip()
		}
		var b *url.URL
		if base != "" {
			var err error
			if b, err = url.Parse(base); err != nil {
				b = nil
			}
		}
		p, err := Parse(data, b)
		if err != nil {
			if !errors.Is(err, ErrNotPlaylist) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		lines := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 1
		if len(p.Refs) > lines {
			t.Fatalf("%d refs from %d lines", len(p.Refs), lines)
		}
		for _, r := range p.Refs {
			if r.URI == "" || r.URL == nil {
				t.Fatalf("empty reference %+v", r)
			}
			if r.Line < 2 || r.Line > lines {
				t.Fatalf("line %d out of range 2..%d", r.Line, lines)
			}
			if s := r.URL.Scheme; s != "" && !strings.EqualFold(s, "http") && !strings.EqualFold(s, "https") {
				t.Fatalf("non-HTTP reference kept: %s", r.URL)
			}
			if b != nil && b.IsAbs() && !r.URL.IsAbs() {
				t.Fatalf("reference %q not resolved against absolute base %s: %s", r.URI, b, r.URL)
			}
			// A query propagated to a reference keeps what it had.
			out := PropagateQuery(r.URL, "Signature=x&Key-Pair-Id=y")
			if !strings.HasPrefix(out.RawQuery, r.URL.RawQuery) {
				t.Fatalf("PropagateQuery lost the reference's own query: %q -> %q", r.URL.RawQuery, out.RawQuery)
			}
		}
		for _, n := range p.Notes {
			if n.Text == "" || n.Line < 1 || n.Line > lines {
				t.Fatalf("bad note %+v", n)
			}
			// Notes quote clipped values: their size does not grow with
			// the line (a caller keeping notes stays bounded).
			if len(n.Text) > 1024 {
				t.Fatalf("note of %d bytes", len(n.Text))
			}
		}
		// Scan hands out the same references and notes, in order.
		var refs, notes int
		typ, err := Scan(context.Background(), string(data), b, func(r Ref) {
			if refs >= len(p.Refs) || r.Line != p.Refs[refs].Line || r.URI != p.Refs[refs].URI {
				t.Fatalf("Scan ref %d = %+v, Parse has %+v", refs, r, p.Refs)
			}
			refs++
		}, func(n Note) {
			if notes >= len(p.Notes) || n != p.Notes[notes] {
				t.Fatalf("Scan note %d = %+v", notes, n)
			}
			notes++
		})
		if err != nil || typ != p.Type || refs != len(p.Refs) || notes != len(p.Notes) {
			t.Fatalf("Scan: %v %s %d refs %d notes; Parse: %s %d %d", err, typ, refs, notes, p.Type, len(p.Refs), len(p.Notes))
		}
	})
}

func FuzzPropagateQuery(f *testing.F) {
	f.Add("https://h/a/seg.ts?v=1", "Expires=1&Signature=a~b&Key-Pair-Id=K")
	f.Add("https://h/a/seg.ts?Signature=own", "Signature=x&Signature=y&%zz=1")
	f.Add("/rel?a=1&", "&&a=2&b")
	f.Fuzz(func(t *testing.T, ref, query string) {
		if len(ref) > 4096 || len(query) > 4096 {
			t.Skip()
		}
		u, err := url.Parse(ref)
		if err != nil {
			return
		}
		out := PropagateQuery(u, query)
		names := map[string]int{}
		for _, part := range strings.Split(out.RawQuery, "&") {
			if part != "" {
				names[httplist.ParamName(part)]++
			}
		}
		own := map[string]int{}
		for _, part := range strings.Split(u.RawQuery, "&") {
			if part != "" {
				own[httplist.ParamName(part)]++
			}
		}
		for n, c := range names {
			if c > 1 && c != own[n] {
				t.Fatalf("parameter %q appears %d times (URI had %d): %q", n, c, own[n], out.RawQuery)
			}
		}
		for _, part := range strings.Split(query, "&") {
			if part != "" && names[httplist.ParamName(part)] == 0 {
				t.Fatalf("parameter %q of the query not propagated: %q", part, out.RawQuery)
			}
		}
		if out.Path != u.Path || out.Host != u.Host || out.Fragment != u.Fragment {
			t.Fatalf("PropagateQuery changed more than the query: %s -> %s", u, out)
		}
	})
}
