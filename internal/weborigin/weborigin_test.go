package weborigin

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// canonicalCases are spellings browsers accept and the Origin header they
// send for each (WHATWG URL Standard host and port parsing);
// TestAgreesWithWHATWG checks every row against Node's URL parser. Before
// this package the construct compared these as typed: "http://127.1" and
// "http://127.0.0.1" were two origins, "+80" passed strconv.Atoi, and an IDN
// host was refused outright.
var canonicalCases = []struct{ in, want string }{
	{"https://app.example.com", "https://app.example.com"},
	{"HTTPS://App.EXAMPLE.com", "https://app.example.com"},
	{"https://app.example.com:443", "https://app.example.com"},
	{"http://app.example.com:80", "http://app.example.com"},
	{"https://app.example.com:80", "https://app.example.com:80"},
	{"http://localhost:3000", "http://localhost:3000"},
	{"http://localhost:03000", "http://localhost:3000"},
	{"http://localhost:0080", "http://localhost"},
	{"http://localhost:00000000000000000443", "http://localhost:443"},
	// IPv4 shorthand, hex and octal parts.
	{"http://127.1", "http://127.0.0.1"},
	{"http://127.1:8080", "http://127.0.0.1:8080"},
	{"http://0x7f.1", "http://127.0.0.1"},
	{"http://0177.0.0.1", "http://127.0.0.1"},
	{"http://2130706433", "http://127.0.0.1"},
	{"http://10.0.258", "http://10.0.1.2"},
	{"http://0x7F000001", "http://127.0.0.1"},
	// IPv6: compressed, lowercase, no dotted tail.
	{"http://[0:0:0:0:0:0:0:1]", "http://[::1]"},
	{"http://[::1]:3000", "http://[::1]:3000"},
	{"https://[2001:DB8:0000:0000:0001:0000:0000:0001]", "https://[2001:db8::1:0:0:1]"},
	{"https://[2001:db8:0:0:1::1]", "https://[2001:db8::1:0:0:1]"},
	{"http://[::ffff:127.0.0.1]", "http://[::ffff:7f00:1]"},
	{"http://[1:0:0:2:0:0:0:3]", "http://[1:0:0:2::3]"},
	{"http://[1:0:2:0:3:0:4:0]", "http://[1:0:2:0:3:0:4:0]"},
	// Internationalised names become punycode; full-width forms map.
	{"https://bücher.example", "https://xn--bcher-kva.example"},
	{"https://BÜCHER.example", "https://xn--bcher-kva.example"},
	{"https://例え.jp", "https://xn--r8jz45g.jp"},
	{"https://ｅｘａｍｐｌｅ.com", "https://example.com"},
	{"https://example。com", "https://example.com"},
	{"https://xn--bcher-kva.example", "https://xn--bcher-kva.example"},
	{"https://faß.de", "https://xn--fa-hia.de"}, // nontransitional: ß kept
	{"http://under_score.example.com", "http://under_score.example.com"},
}

func TestParseCanonical(t *testing.T) {
	for _, c := range canonicalCases {
		o, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := o.String(); got != c.want {
			t.Errorf("Parse(%q) = %q, want %q", c.in, got, c.want)
		}
		// Canonical forms are fixed points.
		if again, err := Canonical(c.want); err != nil || again != c.want {
			t.Errorf("Canonical(%q) = %q, %v; want it unchanged", c.want, again, err)
		}
	}
}

// TestParseRefuses lists what no browser sends as an Origin (or what a
// CORS rule can never match) and checks the reason names the fix.
func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "is empty"},
		{"null", `"null" is the origin browsers send for sandboxed frames`},
		{"app.example.com", "has no scheme"},
		{"//app.example.com", "write https://app.example.com"},
		{"https:app.example.com", `has no // after "https:"`},
		{"localhost:3010", "has no scheme: browsers send the scheme in Origin, write https://localhost:3010"},
		{"app.example.com:8443/x", "has no scheme"},
		{"https:443", `has no // after "https:"`},
		{"ftp://files.example.com", `scheme "ftp" is not http or https`},
		{"https://app.example.com/", "ends with a slash: an Origin header never does, write https://app.example.com"},
		{"http://localhost:3010/movies/59", `has a path, query or fragment "/movies/59"`},
		{"http://localhost:3010/movies/59", "write http://localhost:3010"},
		{"https://App.example.com:443/x", "write https://app.example.com"},
		{`https://app.example.com\x`, "has a path"},
		{"https://app.example.com?x", "has a path, query or fragment"},
		{"https://app.example.com#x", "has a path, query or fragment"},
		{"https://user:pw@app.example.com", "user information"},
		{"https://app.example.com\n", "white space, a line break"},
		{" https://app.example.com", "white space"},
		{"https://app.example.com\u200b", "invisible control character"},
		{"https://app.example.com\u202e", "invisible control character"},
		{"https://app.exa\x00mple.com", "control character"},
		{"https://\xff.example.com", "not valid UTF-8"},
		{"https://" + strings.Repeat("a", 2000) + ".com", "2012 bytes long"},
		{"http://localhost:+80", `port "+80" is not a number`},
		{"http://localhost:-1", `port "-1" is not a number`},
		{"http://localhost:8o", `port "8o" is not a number`},
		{"http://localhost:99999", `port "99999" is out of range`},
		{"http://localhost:100000000000000000000", "out of range"},
		{"http://localhost:0", "port \"0\" is 0"},
		{"http://localhost:000", "is 0"},
		{"http://localhost:", "has a ':' but no port"},
		{"https://", "has no host"},
		{"https://:443", "has no host"},
		{"http://::1", "IPv6 address without brackets: write [::1]"},
		{"http://a:b:c", "more than one ':'"},
		{"http://[::1", "without its closing ']'"},
		{"http://[::1]x", `"x" after the IPv6 address`},
		{"http://[::1]:", "no port"},
		{"http://[1.2.3.4]", "not a valid IPv6 address"},
		{"http://[fe80::1%25eth0]", "has a zone"},
		{"http://[fe80::1%eth0]", "has a zone"},
		{"http://[::g]", "not a valid IPv6 address"},
		{"http://256.0.0.1", "read it as an IPv4 address, and it is not one"},
		{"http://1.2.3.4.5", "more than four parts"},
		{"http://example.123", "IPv4"},
		{"http://1.2.3.0x100", "IPv4"},
		{"http://0x100000000", "IPv4"},
		{"http://99999999999999999999", "IPv4"},
		{"https://app.example.com.", "ends with a dot"},
		{"https://ex%61mple.com", "percent-encoded host"},
		{"https://app..example.com", "not a valid DNS name"},
		{"https://-app.example.com", "not a valid DNS name"},
		{"https://a!b.example.com", "not a valid DNS name"},
		{"https://" + strings.Repeat("a", 64) + ".com", "not a valid DNS name"},
		{"https://" + strings.Repeat("abcdefghi.", 26) + "com", "at most 253"},
		{"https://xn--a.example", "not a valid internationalised domain name"},
		{"https://*.example.com", "only the leftmost label may be one"},
		{"https://app-*.example.com", "wildcard inside a label"},
	} {
		_, err := Parse(c.in)
		if err == nil {
			t.Errorf("Parse(%q) accepted it; want an error containing %q", c.in, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %q; want it to contain %q", c.in, err, c.want)
		}
		if !utf8.ValidString(err.Error()) || strings.ContainsAny(err.Error(), "\x00\n\r\x1b") {
			t.Errorf("Parse(%q): the error carries raw control characters: %q", c.in, err)
		}
	}
}

func TestParsePattern(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"https://*.example.com", "https://*.example.com", ""},
		{"https://*.Example.COM:8443", "https://*.example.com:8443", ""},
		{"https://*.bücher.example", "https://*.xn--bcher-kva.example", ""},
		{"https://app.example.com", "https://app.example.com", ""},
		{"https://*.com", "", "too broad"},
		{"https://*.*.example.com", "", "only the leftmost label"},
		{"https://a.*.example.com", "", "whole leftmost label"},
		{"https://*", "", "only the leftmost label"},
		{"https://*.127.0.0.1", "", "not IP addresses"},
		{"https://*.[::1]", "", "more than one ':'"},
		{"https://*example.com", "", "wildcard inside a label"},
	} {
		o, err := ParsePattern(c.in)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("ParsePattern(%q): %v", c.in, err)
		case c.err == "" && o.String() != c.want:
			t.Errorf("ParsePattern(%q) = %q, want %q", c.in, o, c.want)
		case c.err != "" && err == nil:
			t.Errorf("ParsePattern(%q) = %q; want an error containing %q", c.in, o, c.err)
		case c.err != "" && !strings.Contains(err.Error(), c.err):
			t.Errorf("ParsePattern(%q) = %q; want it to contain %q", c.in, err, c.err)
		}
	}
	// Parse never accepts a wildcard.
	if _, err := Parse("https://*.example.com"); err == nil {
		t.Error("Parse accepted a wildcard")
	}
}

// FuzzParse checks that any input either fails with a bounded, printable
// message or gives a canonical origin that parses to itself and holds only
// the ASCII a browser sends in the Origin header.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"https://app.example.com", "http://127.1:0080", "http://[0:0::1]:3000", "https://bücher.example",
		"https://*.example.com", "null", "http://localhost:+80", "http://0x7f.1", "http://1.2.3.4.",
		"https://ｅｘａｍｐｌｅ。com", "http://[::ffff:1.2.3.4]", "https://a@b", "http://::1", "https://xn--",
		"HTTP://EXAMPLE.COM:00443", "https://app.example.com/\n", "http://99999999999999999999",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, pattern bool) {
		parseFn := Parse
		if pattern {
			parseFn = ParsePattern
		}
		o, err := parseFn(s)
		if err != nil {
			if len(err.Error()) > 2*MaxLength+600 {
				t.Fatalf("error of %d bytes for %d bytes of input", len(err.Error()), len(s))
			}
			return
		}
		got := o.String()
		_, hostport, _ := strings.Cut(got, "://")
		for i := 0; i < len(hostport); i++ {
			if c := hostport[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`/?#\@%`, c) >= 0 {
				t.Fatalf("%q gave %q, with byte %q no Origin header has", s, got, c)
			}
		}
		again, err := parseFn(got)
		if err != nil || again != o {
			t.Fatalf("%q gave %q, which parses to %+v, %v", s, got, again, err)
		}
	})
}
