package urlsign

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Seeds: the shapes a signed URL takes, and the hostile ones the parser
// must refuse without a crash.
var urlSeeds = []string{
	"https://media.example.com/a.jpg?w=1&Expires=1767229200&Signature=AAAA&Key-Pair-Id=K2JCJMDEHXQW5F",
	"https://media.example.com/v/abc/index.m3u8?Policy=eyJTdGF0ZW1lbnQiOltdfQ__&Signature=AAAA&Key-Pair-Id=K&Hash-Algorithm=SHA256",
	"https://::443",
	"https://a:b:443/x",
	"https://h:99999/x",
	"https://[2001:db8::1]:8443/a/../b/./c?x=../y",
	"https://u@h/x",
	"https://h/%2e%2E/a%00b\x1b[2K",
	"http://127.1/",
	"https://h/a?Expires=1&Expires=2&Signature=A&Key-Pair-Id=K",
	"https://H.EXAMPLE.com:0443/사진.jpg",
}

// Parse never panics, and what it accepts re-parses to the same values from
// its normalised URL.
func FuzzParse(f *testing.F) {
	for _, s := range urlSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		d, err := Parse(raw)
		if err != nil {
			return
		}
		again, err := Parse(d.URL)
		if err != nil {
			t.Fatalf("Parse(%q) gave URL %q, which does not parse: %v", raw, d.URL, err)
		}
		if again.URL != d.URL || again.Resource != d.Resource || again.KeyPairID != d.KeyPairID || !again.Expires.Equal(d.Expires) {
			t.Fatalf("Parse is not stable: %+v then %+v", d, again)
		}
		if d.Expires.Unix() < 1 || d.Expires.Unix() > MaxEpoch {
			t.Fatalf("expiry %v out of range", d.Expires)
		}
	})
}

// NormalizeURL is idempotent and its output is plain printable ASCII with no
// dot segments left.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range urlSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := NormalizeURL(raw)
		if err != nil {
			return
		}
		for i := 0; i < len(n); i++ {
			if n[i] <= 0x20 || n[i] >= 0x7f {
				t.Fatalf("NormalizeURL(%q) = %q: byte %#x left unencoded", raw, n, n[i])
			}
		}
		again, err := NormalizeURL(n)
		if err != nil || again != n {
			t.Fatalf("NormalizeURL(%q) = %q, then %q, %v", raw, n, again, err)
		}
		path, _, _ := strings.Cut(n[strings.Index(n, "://")+3:], "?")
		if _, changed := removeDotSegments(path[strings.IndexByte(path+"/", '/'):]); changed {
			t.Fatalf("NormalizeURL(%q) = %q still has dot segments", raw, n)
		}
	})
}

// ParseCookies never panics on a Cookie header from outside.
func FuzzParseCookies(f *testing.F) {
	f.Add("CloudFront-Policy=eyJTdGF0ZW1lbnQiOltdfQ__; CloudFront-Signature=AAAA; CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F")
	f.Add("CloudFront-Expires=1767229200; CloudFront-Signature=AAAA; CloudFront-Key-Pair-Id=K; CloudFront-Hash-Algorithm=SHA256")
	f.Add("CloudFront-Expires=99999999999; CloudFront-Signature=+/=; CloudFront-Key-Pair-Id=K")
	f.Add("CloudFront-Key-Pair-Id=A; CloudFront-Key-Pair-Id=B")
	f.Fuzz(func(t *testing.T, header string) {
		cookies, err := http.ParseCookie(header)
		if err != nil {
			return
		}
		d, err := ParseCookies(cookies)
		if err != nil {
			return
		}
		if !d.FromCookies || d.Expires.Unix() < 1 || d.Expires.Unix() > MaxEpoch {
			t.Fatalf("ParseCookies(%q) = %+v", header, d)
		}
		if d.Canned {
			if err := d.BindURL("https://media.example.com/a.jpg"); err != nil {
				t.Fatalf("BindURL: %v", err)
			}
		}
		_ = d.CheckTime(time.Unix(1767225600, 0))
	})
}

// The policy JSON decoded from Policy / CloudFront-Policy never panics the
// parser, and what it accepts has times in CloudFront's range.
func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(`{"Statement":[{"Resource":"https://h/v/*","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`))
	f.Add([]byte(`{"Statement":[{"Resource":"https://h/v/*","Condition":{"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"},"DateGreaterThan":{"AWS:EpochTime":1},"DateLessThan":{"AWS:EpochTime":2147483647}}}]}`))
	f.Add([]byte(`{"Statement":{"Condition":{"DateLessThan":{"AWS:EpochTime":1e99}}}}`))
	f.Add([]byte(`{"Statement":[{"Resource":"a\u0000\u202e","Condition":{"DateLessThan":{"AWS:EpochTime":"1"}}}]}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`))
	f.Add([]byte(`{"Statement":[{"Resource":"a","Resource":"b","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}`))
	f.Fuzz(func(t *testing.T, policy []byte) {
		var s Signed
		if err := s.parsePolicy(policy); err != nil {
			return
		}
		if err := noDuplicateKeys(policy); err != nil {
			t.Fatalf("policy %q accepted with a repeated key: %v", policy, err)
		}
		if s.Expires.Unix() < 1 || s.Expires.Unix() > MaxEpoch || (!s.NotBefore.IsZero() && s.NotBefore.Unix() > MaxEpoch) {
			t.Fatalf("policy %q accepted with times %v, %v", policy, s.Expires, s.NotBefore)
		}
		_ = s.MatchURL("https://media.example.com/v/a.ts")
	})
}
