package hls

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
)

// TestRewriteKeepsEverythingElse rewrites every URI of each test playlist
// and checks, line by line, that only the URIs changed.
func TestRewriteKeepsEverythingElse(t *testing.T) {
	base, _ := url.Parse("https://cdn.example.com/a/b/index.m3u8")
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".m3u8") {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			in := readTestdata(t, e.Name())
			out, p, err := Rewrite(in, base, func(r Ref) (string, bool) { return "NEW" + fmt.Sprint(r.Line), true })
			if err != nil {
				t.Fatal(err)
			}
			inLines, outLines := strings.Split(string(in), "\n"), strings.Split(string(out), "\n")
			if len(inLines) != len(outLines) {
				t.Fatalf("%d lines became %d", len(inLines), len(outLines))
			}
			byLine := map[int]Ref{}
			for _, r := range p.Refs {
				byLine[r.Line] = r
			}
			for i := range inLines {
				r, ok := byLine[i+1]
				want := inLines[i]
				if ok {
					want = strings.Replace(want, r.URI, "NEW"+fmt.Sprint(r.Line), 1)
				}
				if outLines[i] != want {
					t.Errorf("line %d: %q, want %q", i+1, outLines[i], want)
				}
			}
		})
	}
}

func TestRewriteCases(t *testing.T) {
	for _, tc := range []struct {
		name, in, repl, want string
	}{
		{"unquoted attribute gets quotes", "#EXTM3U\n#EXT-X-MAP:URI=init.mp4 ,BYTERANGE=\"1@0\"\n", "a,b", "#EXTM3U\n#EXT-X-MAP:URI=\"a,b\" ,BYTERANGE=\"1@0\"\n"},
		{"space after = goes with the unquoted value", "#EXTM3U\n#EXT-X-KEY:URI= k.bin\n", "x", "#EXTM3U\n#EXT-X-KEY:URI=\"x\"\n"},
		{"a quote after a space is part of the value", "#EXTM3U\n#EXT-X-KEY:URI= \"k\" ,IV=0x1\n", "x", "#EXTM3U\n#EXT-X-KEY:URI=\"x\" ,IV=0x1\n"},
		{"spaces around a URI line kept", "#EXTM3U\n#EXTINF:1,\n\t seg.ts \r\n", "x", "#EXTM3U\n#EXTINF:1,\n\t x \r\n"},
		{"lone CR line ends", "#EXTM3U\r#EXTINF:1,\rseg.ts\r#EXT-X-ENDLIST", "x", "#EXTM3U\r#EXTINF:1,\rx\r#EXT-X-ENDLIST"},
		{"first URI attribute only", "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k1\",URI=\"k2\"\n", "x", "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"x\",URI=\"k2\"\n"},
		{"name inside a value is not the attribute", "#EXTM3U\n#EXT-X-MEDIA:NAME=\"URI=no\",URI=\"yes\"\n", "x", "#EXTM3U\n#EXT-X-MEDIA:NAME=\"URI=no\",URI=\"x\"\n"},
		{"BOM kept", "\xef\xbb\xbf#EXTM3U\n#EXTINF:1,\ns.ts\n", "x", "\xef\xbb\xbf#EXTM3U\n#EXTINF:1,\nx\n"},
		{"comment and unknown tag untouched", "#EXTM3U\n# seg.ts\n#EXT-X-FOO:URI=\"seg.ts\"\n#EXTINF:1,\nseg.ts\n", "x", "#EXTM3U\n# seg.ts\n#EXT-X-FOO:URI=\"seg.ts\"\n#EXTINF:1,\nx\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := Rewrite([]byte(tc.in), nil, func(Ref) (string, bool) { return tc.repl, true })
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("got  %q\nwant %q", out, tc.want)
			}
		})
	}
}

func TestRewriteRefusesStructuralReplacements(t *testing.T) {
	in := []byte("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\n#EXTINF:1,\nseg.ts\n")
	for _, repl := range []string{"", "a\nb", "a\rb", " a", `a"b`, "#a", "%2", "skd://k"} {
		_, _, err := Rewrite(in, nil, func(r Ref) (string, bool) {
			if repl == `a"b` && r.Kind != KindInit || repl == "#a" && r.Kind != KindSegment {
				return "ok", true
			}
			return repl, true
		})
		if err == nil {
			t.Errorf("replacement %q accepted", repl)
		}
	}
	// ok=false leaves the URI as written.
	out, _, err := Rewrite(in, nil, func(Ref) (string, bool) { return "", false })
	if err != nil || !bytes.Equal(out, in) {
		t.Errorf("%q, %v", out, err)
	}
}

// FuzzRewrite: for any playlist, replacing every URI (with values holding
// commas, spaces, quotes where allowed) gives a playlist that parses to the
// same references, of the same kinds, on the same lines, holding exactly the
// replacements; and attributeSpan reads every attribute list as
// ParseAttributes does.
func FuzzRewrite(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".m3u8") {
			f.Add(readTestdata(f, e.Name()), "https://x.example/a,b c?d=\"e\"")
		}
	}
	f.Add([]byte("#EXTM3U\r\n#EXT-X-MAP:URI=a b ,X=1\r#EXT-X-KEY:URI=\"k\n#EXTINF:1\n s \n"), "v")
	f.Fuzz(func(t *testing.T, data []byte, repl string) {
		if len(data) > maxFuzzInput || len(repl) > 1024 {
			t.Skip()
		}
		base, _ := url.Parse("https://cdn.example.com/a/b/index.m3u8")
		want := map[int]string{}
		out, p, err := Rewrite(data, base, func(r Ref) (string, bool) {
			v := fmt.Sprintf("%s%d", repl, r.Line)
			if isAttrTag(r.Tag) {
				v = strings.ReplaceAll(v, `"`, "%22")
			}
			if checkReplacement(r, v, urlHead(v), v) != nil {
				v = fmt.Sprintf("u%d", r.Line)
			}
			want[r.Line] = v
			return v, true
		})
		if err != nil {
			if _, perr := Parse(data, base); perr == nil {
				t.Fatalf("Rewrite failed on a playlist Parse reads: %v", err)
			}
			return
		}
		q, err := Parse(out, base)
		if err != nil {
			t.Fatalf("output does not parse: %v\n%q", err, out)
		}
		if len(q.Refs) != len(p.Refs) {
			t.Fatalf("%d URIs became %d:\n%q\n%q", len(p.Refs), len(q.Refs), data, out)
		}
		for i, r := range q.Refs {
			if r.Line != p.Refs[i].Line || r.Kind != p.Refs[i].Kind || r.URI != want[r.Line] {
				t.Fatalf("ref %d: %s %q on line %d, want %s %q on line %d", i, r.Kind, r.URI, r.Line, p.Refs[i].Kind, want[p.Refs[i].Line], p.Refs[i].Line)
			}
		}
		for _, line := range strings.Split(string(data), "\n") {
			_, attrs, _ := strings.Cut(line, ":")
			if len(attrs) > 4096 {
				continue
			}
			s, e, _, ok := attributeSpan(attrs, "URI")
			v, has := ParseAttributes(attrs)["URI"]
			if ok != has || ok && attrs[s:e] != v {
				t.Fatalf("attributeSpan(%q) = %v %q, ParseAttributes: %v %q", attrs, ok, attrs[s:e], has, v)
			}
		}
	})
}

// FuzzSimpleHTTPURL: every string the fast path accepts, url.Parse accepts
// as an http(s) URL, and the replacement check decides the same with and
// without the remembered tail.
func FuzzSimpleHTTPURL(f *testing.F) {
	f.Add("https://media.example.com/videos/abc/seg%204.m4s")
	f.Add("http://127.0.0.1:8080/a/b")
	f.Add("https://h:/x")
	f.Add("https://h:99999999/x")
	f.Add("https://[::1]/x")
	f.Add("https://h/%zz")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 2048 {
			t.Skip()
		}
		if simpleHTTPURL(s) {
			u, err := url.Parse(s)
			if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
				t.Fatalf("simpleHTTPURL(%q) but url.Parse: %v, %v", s, u, err)
			}
		}
		ref := Ref{Kind: KindSegment, Tag: "EXTINF", Line: 1}
		tail := "Policy=abc&Signature=d~e_&Key-Pair-Id=K"
		full := s + "?" + tail
		var c replacementChecker
		c.tail = tail
		fast := c.check(ref, full)
		slow := checkReplacement(ref, full, urlHead(full), full)
		if (fast == nil) != (slow == nil) {
			t.Fatalf("%q: with the remembered tail %v, without %v", full, fast, slow)
		}
	})
}
