package urlsign

import (
	"errors"
	"strings"
	"testing"
)

// Malformed hosts and ports. The old parser split the authority at its last
// ':' and checked nothing else, so it signed https://::443 (host ":"),
// https://a:b:443/x (host "a:b") and port 99999; every refused case below
// was accepted then.
func TestNormalizeURLRefusesMalformedAuthority(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"https://::443", "more than one ':'"},
		{"https://::443/a.jpg", "more than one ':'"},
		{"https://a:b:443/x", "more than one ':'"},
		{"https://h.example.com:99999/a", "ports go up to 65535"},
		{"https://h.example.com:65536/a", "ports go up to 65535"},
		{"https://h.example.com:0/a", "port 0"},
		{"https://h.example.com:+443/a", `character "+"`},
		{"https://h.example.com:-1/a", "invalid port"},
		{"https://h.example.com:4 43/a", "character"},
		{"https:///a", "no host"},
		{"https://:443/a", "no host"},
		{"https://?x=1", "no host"},
		{"https://user@h.example.com/a", "user information"},
		{"https://user:pw@h.example.com/a", "user information"},
		{"https://@h.example.com/a", "user information"},
		{"https://[::1/a", "closing ']'"},
		{"https://[::1]x/a", "only :PORT may follow"},
		{"https://[::1]:8443:1/a", "more than one ':'"},
		{"https://[zz::1]/a", "invalid IPv6 host"},
		{"https://[1.2.3.4]/a", "invalid IPv6 host"},
		{"https://[fe80::1%25eth0]/a", "character"},
		{"https://[::ffff:1.2.3.4]/a", "IPv4-mapped"},
		{"https://h]x.example.com/a", "misplaced"},
		{"https://127.1/a", "numeric host"},
		{"https://0x7f.0.0.1/a", "numeric host"},
		{"https://1.2.3.04/a", "numeric host"},
		{"https://1.2.3.256/a", "numeric host"},
		{"https://example.123/a", "numeric host"},
		{"https://a..b.example.com/a", "empty label"},
		{"https://.example.com/a", "empty label"},
		{"https://" + strings.Repeat("a", 64) + ".example.com/a", "at most 63"},
		{"https://" + strings.Repeat("abcdefghi.", 26) + "com/a", "at most 253"},
		// Browsers delete tabs and line breaks anywhere in a URL; they were
		// signed as %09 and %0A, a path the page's URL never requests.
		{"https://h.example.com/a\tb.ts", `contains a tab or line break, which browsers delete from URLs (they would request "https://h.example.com/ab.ts")`},
		{"https://h.example.com/a\nb.ts", "%0A"},
		{"https://h.example.com/a.ts?x=1\r\n2", `"https://h.example.com/a.ts?x=12"`},
		{"https://h.exa\nmple.com/a", "tab or line break"},
	}
	for _, tc := range tests {
		got, err := NormalizeURL(tc.in)
		if err == nil {
			t.Errorf("NormalizeURL(%q) = %q, want an error with %q", tc.in, got, tc.msg)
			continue
		}
		if !errors.Is(err, ErrInvalidURL) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("NormalizeURL(%q): %v; want ErrInvalidURL with %q", tc.in, err, tc.msg)
		}
	}
}

// What a browser sends for odd but valid authorities and for paths with dot
// segments (WHATWG URL standard; Chromium, Firefox and Safari agree on
// these). The old parser kept "/a/../b" as is: the signature was over a path
// no browser requests, so CloudFront answered 403.
func TestNormalizeURLAsBrowsers(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://Media.Example.COM:0443/a.jpg", "https://media.example.com/a.jpg"},
		{"https://media.example.com:08443/a.jpg", "https://media.example.com:8443/a.jpg"},
		{"https://media.example.com:/a.jpg", "https://media.example.com/a.jpg"},
		{"https://media.example.com:000000000000000000443/a.jpg", "https://media.example.com/a.jpg"},
		{"http://127.0.0.1:8080/a.jpg", "http://127.0.0.1:8080/a.jpg"},
		{"https://[2001:DB8:0:0:0:0:0:1]:8443/a", "https://[2001:db8::1]:8443/a"},
		{"https://[::1]/a", "https://[::1]/a"},
		{"https://media.example.com./a", "https://media.example.com./a"},
		{"https://a_b.example.com/a", "https://a_b.example.com/a"},
		{"https://h.example.com/a/./b.ts", "https://h.example.com/a/b.ts"},
		{"https://h.example.com/a/../b.ts", "https://h.example.com/b.ts"},
		{"https://h.example.com/a/b/..", "https://h.example.com/a/"},
		{"https://h.example.com/a/..", "https://h.example.com/"},
		{"https://h.example.com/a/.", "https://h.example.com/a/"},
		{"https://h.example.com/../../x.ts", "https://h.example.com/x.ts"},
		{"https://h.example.com/a/%2E%2e/b.ts", "https://h.example.com/b.ts"},
		{"https://h.example.com/a/.%2E/b.ts", "https://h.example.com/b.ts"},
		{"https://h.example.com/a/%2e/b.ts", "https://h.example.com/a/b.ts"},
		{"https://h.example.com/a/b/../?q=../x", "https://h.example.com/a/?q=../x"}, // the query is left alone
		{"https://h.example.com/a/.hidden/..b/b...ts", "https://h.example.com/a/.hidden/..b/b...ts"},
		{"https://h.example.com//a//./b", "https://h.example.com//a//b"},
		// Trimmed at the ends like a browser: C0 controls and spaces only;
		// a no-break space is part of the URL and encoded.
		{" \t\nhttps://h.example.com/a.jpg\r\n\x00 ", "https://h.example.com/a.jpg"},
		{"https://h.example.com/a%09b", "https://h.example.com/a%09b"},
		{"https://h.example.com/a\u00a0", "https://h.example.com/a%C2%A0"},
	}
	for _, tc := range tests {
		got, err := NormalizeURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// Resource patterns: wildcards may stand for a host or a port, but a
// pattern with dot segments is refused rather than rewritten.
func TestResourcePatterns(t *testing.T) {
	good := []struct{ in, want string }{
		{"https://*.example.com/*", "https://*.example.com/*"},
		{"https://h.example.com:*/v/*", "https://h.example.com:*/v/*"},
		{"https://h.example.com:84?3/v/*", "https://h.example.com:84?3/v/*"},
		{"http*://H.example.com/v/*", "http*://h.example.com/v/*"},
		{"https://h.example.com:0443/v/*", "https://h.example.com/v/*"},
		{"*.ts", "*.ts"},
	}
	for _, tc := range good {
		u, err := parseURL(tc.in, true)
		if err != nil || u.String() != tc.want {
			t.Errorf("parseURL(%q, pattern) = %q, %v; want %q", tc.in, u.String(), err, tc.want)
		}
	}
	bad := []struct{ in, msg string }{
		{"https://h.example.com/v/../*", `".." path segment`},
		{"https://h.example.com/v/./*", `".." path segment`},
		{"https://a:b:443/*", "more than one ':'"},
		{"https://*:99999/x", "ports go up to 65535"},
		{"https://h.example.com:x*/v", "invalid port"},
		{"https://u@*.example.com/*", "user information"},
		{"https://127.1/*", "numeric host"},
	}
	for _, tc := range bad {
		u, err := parseURL(tc.in, true)
		if err == nil || !errors.Is(err, ErrInvalidResource) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("parseURL(%q, pattern) = %q, %v; want ErrInvalidResource with %q", tc.in, u.String(), err, tc.msg)
		}
	}
}

// A wildcard policy is applied to the path the browser requests. Before,
// MatchURL globbed the raw path: ".../abc/../secret/x.ts" matched
// ".../abc/*" and was reported VALID, while a browser requests
// "/videos/secret/x.ts", which the policy does not cover.
func TestMatchURLUsesTheNormalisedPath(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	signed, err := s.SignURLWithPolicy("https://media.example.com/videos/abc/index.m3u8",
		Policy{Resource: "https://media.example.com/videos/abc/*", Expires: testExpires})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	pub := loadPublic(t, rsaPubFile)
	for _, tc := range []struct {
		url      string
		mismatch bool
	}{
		{"https://media.example.com/videos/abc/720p/s1.ts", false},
		{"https://media.example.com/videos/abc/./720p/s1.ts", false},
		{"https://media.example.com/videos/abc/../secret/x.ts", true},
		{"https://media.example.com/videos/abc/%2e%2e/secret/x.ts", true},
		{"https://media.example.com/videos/x/../abc/s1.ts", false},
	} {
		err := d.Check(pub, tc.url, testNow)
		if got := errors.Is(err, ErrResourceMismatch); got != tc.mismatch {
			t.Errorf("Check(%q) = %v; want mismatch %v", tc.url, err, tc.mismatch)
		}
	}
}
