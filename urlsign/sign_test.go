package urlsign

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestSignURLQueryAndEncoding: the URL's own query is kept in order before
// CloudFront's parameters and is part of the canned resource; the URL is
// normalized to what a browser sends.
func TestSignURLQueryAndEncoding(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	tests := []struct {
		name, in, resource string
	}{
		{"no query", "https://media.example.com/a.jpg", "https://media.example.com/a.jpg"},
		{"one param", "https://media.example.com/a.jpg?w=1", "https://media.example.com/a.jpg?w=1"},
		{"several params kept in order", "https://media.example.com/a.jpg?z=1&a=2&m=3&a=4", "https://media.example.com/a.jpg?z=1&a=2&m=3&a=4"},
		{"encoded ampersand and plus kept", "https://media.example.com/a.jpg?q=tom%26jerry&s=a+b", "https://media.example.com/a.jpg?q=tom%26jerry&s=a+b"},
		{"param without value", "https://media.example.com/a.jpg?download&v=2", "https://media.example.com/a.jpg?download&v=2"},
		{"percent-encoded path kept as is", "https://media.example.com/a%20b/c%2Fd%25.jpg", "https://media.example.com/a%20b/c%2Fd%25.jpg"},
		{"non-ASCII path encoded as UTF-8", "https://media.example.com/사진/한.jpg", "https://media.example.com/%EC%82%AC%EC%A7%84/%ED%95%9C.jpg"},
		{"non-ASCII query encoded", "https://media.example.com/a.jpg?title=café", "https://media.example.com/a.jpg?title=caf%C3%A9"},
		{"space in path and query", "https://media.example.com/my photo.jpg?c=a b", "https://media.example.com/my%20photo.jpg?c=a%20b"},
		{"quote and angle brackets", `https://media.example.com/"x"<y>.jpg?a="<'>"`, "https://media.example.com/%22x%22%3Cy%3E.jpg?a=%22%3C%27%3E%22"},
		{"scheme and host lowercased, path case kept", "HTTPS://Media.Example.COM/Photos/A.JPG", "https://media.example.com/Photos/A.JPG"},
		{"default https port dropped", "https://media.example.com:443/a.jpg", "https://media.example.com/a.jpg"},
		{"default http port dropped", "http://media.example.com:80/a.jpg", "http://media.example.com/a.jpg"},
		{"other port kept", "https://media.example.com:8443/a.jpg", "https://media.example.com:8443/a.jpg"},
		{"empty path becomes /", "https://media.example.com", "https://media.example.com/"},
		{"empty path with query", "https://media.example.com?x=1", "https://media.example.com/?x=1"},
		{"empty query dropped", "https://media.example.com/a.jpg?", "https://media.example.com/a.jpg"},
		{"surrounding whitespace trimmed", "  https://media.example.com/a.jpg\n", "https://media.example.com/a.jpg"},
		{"wildcard characters are literal in a canned URL", "https://media.example.com/a*b.jpg", "https://media.example.com/a*b.jpg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.SignURL(tc.in, testExpires)
			if err != nil {
				t.Fatal(err)
			}
			sep := "?"
			if strings.Contains(tc.resource, "?") {
				sep = "&"
			}
			prefix := tc.resource + sep + "Expires=1767229200&Signature="
			if !strings.HasPrefix(got, prefix) {
				t.Fatalf("SignURL = %s\nwant prefix %s", got, prefix)
			}
			if !strings.HasSuffix(got, "&Key-Pair-Id="+testKeyID) {
				t.Errorf("SignURL = %s: Key-Pair-Id is not last", got)
			}
			d, err := Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			wantPolicy := `{"Statement":[{"Resource":"` + tc.resource + `","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`
			if string(d.PolicyJSON) != wantPolicy {
				t.Errorf("signed policy\n%s\nwant\n%s", d.PolicyJSON, wantPolicy)
			}
			if err := d.Check(loadPublic(t, rsaPubFile), "", testNow); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

// TestPolicyJSONNotHTMLEscaped: '&' stays '&' (json.Marshal would write
// \u0026, and CloudFront would then deny the request).
func TestPolicyJSONNotHTMLEscaped(t *testing.T) {
	const resource = "https://media.example.com/a.jpg?x=1&y=2"
	marshalled, _ := json.Marshal(resource)
	if !strings.Contains(string(marshalled), `\u0026`) {
		t.Fatalf("premise: json.Marshal escapes & (%s)", marshalled)
	}
	got := string(statement{resource: resource, expires: 1767229200, notBefore: 1767225600, ip: "192.0.2.0/24"}.json())
	want := `{"Statement":[{"Resource":"https://media.example.com/a.jpg?x=1&y=2","Condition":{"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"},"DateGreaterThan":{"AWS:EpochTime":1767225600},"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`
	if got != want {
		t.Errorf("policy\n%s\nwant\n%s", got, want)
	}
	if !json.Valid([]byte(got)) {
		t.Error("policy is not valid JSON")
	}
	// JSON-special characters, which normalized URLs never contain, are still escaped validly.
	odd := string(appendJSONString(nil, "a\"b\\c\x01"))
	if odd != `"a\"b\\c\u0001"` {
		t.Errorf("appendJSONString = %s", odd)
	}
}

func TestSignURLWithPolicy(t *testing.T) {
	s := newTestSigner(t, loadECDSA(t), SHA256)
	pub := loadPublic(t, ecPubFile)
	tests := []struct {
		name       string
		url        string
		p          Policy
		wantPolicy string
	}{
		{"resource defaults to the URL", "https://media.example.com/a.jpg?w=1",
			Policy{Expires: testExpires},
			`{"Statement":[{"Resource":"https://media.example.com/a.jpg?w=1","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`},
		{"wildcard asset, not-before, bare IP is /32", "https://media.example.com/v/abc/index.m3u8",
			Policy{Resource: "https://media.example.com/v/abc/*", Expires: testExpires, NotBefore: testNow.Add(-time.Minute), IPAddress: "203.0.113.9"},
			`{"Statement":[{"Resource":"https://media.example.com/v/abc/*","Condition":{"IpAddress":{"AWS:SourceIp":"203.0.113.9/32"},"DateGreaterThan":{"AWS:EpochTime":1767225540},"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`},
		{"CIDR and wildcard scheme/host", "http://cdn2.example.com/x/y.ts",
			Policy{Resource: "http*://*.example.com/x/*", Expires: testExpires, IPAddress: "10.0.0.0/8"},
			`{"Statement":[{"Resource":"http*://*.example.com/x/*","Condition":{"IpAddress":{"AWS:SourceIp":"10.0.0.0/8"},"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.SignURLWithPolicy(tc.url, tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(got, "&Key-Pair-Id="+testKeyID+"&Hash-Algorithm=SHA256") {
				t.Errorf("%s: Hash-Algorithm=SHA256 is not the last parameter", got)
			}
			d, err := Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			if d.Canned || string(d.PolicyJSON) != tc.wantPolicy {
				t.Errorf("policy (canned=%v)\n%s\nwant\n%s", d.Canned, d.PolicyJSON, tc.wantPolicy)
			}
			if !strings.Contains(got, "Policy="+encodeB64([]byte(tc.wantPolicy))+"&Signature=") {
				t.Errorf("Policy parameter is not the CloudFront base64 of the policy: %s", got)
			}
			if err := d.Check(pub, "", testNow); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

func TestSignErrors(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	past := testNow.Add(-3 * time.Minute)
	tests := []struct {
		name string
		sign func() error
		err  error
		msg  []string
	}{
		{"relative URL", func() error { _, err := s.SignURL("/photos/a.jpg", testExpires); return err }, ErrInvalidURL, []string{"not absolute", "https://host/path"}},
		{"no scheme", func() error { _, err := s.SignURL("media.example.com/a.jpg", testExpires); return err }, ErrInvalidURL, []string{"not absolute"}},
		{"ftp", func() error { _, err := s.SignURL("ftp://media.example.com/a.jpg", testExpires); return err }, ErrInvalidURL, []string{`scheme "ftp"`, "http or https"}},
		{"no host", func() error { _, err := s.SignURL("https:///a.jpg", testExpires); return err }, ErrInvalidURL, []string{"no host"}},
		{"port only", func() error { _, err := s.SignURL("https://:443/a.jpg", testExpires); return err }, ErrInvalidURL, []string{"no host"}},
		{"empty", func() error { _, err := s.SignURL("", testExpires); return err }, ErrInvalidURL, []string{"empty URL"}},
		{"fragment", func() error { _, err := s.SignURL("https://m.example.com/a.jpg#top", testExpires); return err }, ErrInvalidURL, []string{"fragment"}},
		{"backslash", func() error { _, err := s.SignURL(`https://m.example.com/a\b.jpg`, testExpires); return err }, ErrInvalidURL, []string{"backslash", "%5C"}},
		{"user info", func() error { _, err := s.SignURL("https://u:p@m.example.com/a.jpg", testExpires); return err }, ErrInvalidURL, []string{"user information"}},
		{"non-ASCII host", func() error { _, err := s.SignURL("https://사진.example.com/a.jpg", testExpires); return err }, ErrInvalidURL, []string{"punycode"}},
		{"bad port", func() error { _, err := s.SignURL("https://m.example.com:x/a.jpg", testExpires); return err }, ErrInvalidURL, []string{"invalid port"}},
		{"Expires param", func() error {
			_, err := s.SignURL("https://m.example.com/a.jpg?w=1&Expires=5", testExpires)
			return err
		}, ErrReservedParameter, []string{`"Expires" query parameter`}},
		{"Policy param", func() error { _, err := s.SignURL("https://m.example.com/a.jpg?Policy=x", testExpires); return err }, ErrReservedParameter, []string{`"Policy"`}},
		{"Signature param", func() error { _, err := s.SignURL("https://m.example.com/a.jpg?Signature", testExpires); return err }, ErrReservedParameter, []string{`"Signature"`}},
		{"Key-Pair-Id param", func() error {
			_, err := s.SignURL("https://m.example.com/a.jpg?Key-Pair-Id=K", testExpires)
			return err
		}, ErrReservedParameter, []string{`"Key-Pair-Id"`}},
		{"Hash-Algorithm param (custom)", func() error {
			_, err := s.SignURLWithPolicy("https://m.example.com/a.jpg?Hash-Algorithm=SHA256", Policy{Expires: testExpires})
			return err
		}, ErrReservedParameter, []string{`"Hash-Algorithm"`}},
		{"percent-encoded reserved name", func() error { _, err := s.SignURL("https://m.example.com/a.jpg?Ex%70ires=1", testExpires); return err }, ErrReservedParameter, []string{`"Expires"`}},
		{"expiry in the past", func() error { _, err := s.SignURL("https://m.example.com/a.jpg", past); return err }, ErrInvalidExpiry, []string{"in the past", "3m0s ago", "2025-12-31T23:57:00Z"}},
		{"expiry now", func() error { _, err := s.SignURL("https://m.example.com/a.jpg", testNow); return err }, ErrInvalidExpiry, []string{"in the past"}},
		{"no expiry", func() error { _, err := s.SignURL("https://m.example.com/a.jpg", time.Time{}); return err }, ErrInvalidExpiry, []string{"DateLessThan"}},
		{"expiry after 2038", func() error {
			_, err := s.SignURL("https://m.example.com/a.jpg", time.Unix(2147483648, 0))
			return err
		}, ErrInvalidExpiry, []string{"2147483647"}},
		{"not-before after expiry", func() error {
			_, err := s.SignURLWithPolicy("https://m.example.com/a.jpg", Policy{Expires: testExpires, NotBefore: testExpires})
			return err
		}, ErrInvalidExpiry, []string{"never be valid"}},
		{"IPv6", func() error {
			_, err := s.SignURLWithPolicy("https://m.example.com/a.jpg", Policy{Expires: testExpires, IPAddress: "2001:db8::1"})
			return err
		}, ErrInvalidIP, []string{"IPv6", "IPv4 address or CIDR only"}},
		{"IPv6 CIDR", func() error {
			_, err := s.SignURLWithPolicy("https://m.example.com/a.jpg", Policy{Expires: testExpires, IPAddress: "2001:db8::/32"})
			return err
		}, ErrInvalidIP, []string{"IPv6"}},
		{"IPv4-mapped IPv6", func() error {
			_, err := s.SignURLWithPolicy("https://m.example.com/a.jpg", Policy{Expires: testExpires, IPAddress: "::ffff:192.0.2.1"})
			return err
		}, ErrInvalidIP, []string{"IPv6"}},
		{"host bits set", func() error {
			_, err := s.SignURLWithPolicy("https://m.example.com/a.jpg", Policy{Expires: testExpires, IPAddress: "192.0.2.7/24"})
			return err
		}, ErrInvalidIP, []string{"did you mean 192.0.2.0/24"}},
		{"not an IP", func() error {
			_, err := s.SignURLWithPolicy("https://m.example.com/a.jpg", Policy{Expires: testExpires, IPAddress: "example.com"})
			return err
		}, ErrInvalidIP, []string{"not an IPv4 address"}},
		{"URL outside the resource", func() error {
			_, err := s.SignURLWithPolicy("https://m.example.com/other/a.jpg", Policy{Resource: "https://m.example.com/v/*", Expires: testExpires})
			return err
		}, ErrResourceMismatch, []string{"https://m.example.com/other/a.jpg", "https://m.example.com/v/*"}},
		{"resource with ftp scheme", func() error {
			_, err := s.SignURLWithPolicy("https://m.example.com/a.jpg", Policy{Resource: "ftp://m.example.com/*", Expires: testExpires})
			return err
		}, ErrInvalidResource, []string{`scheme "ftp"`}},
		{"cookies without resource", func() error { _, err := s.Cookies(Policy{Expires: testExpires}, CookieOptions{}); return err }, ErrInvalidResource, []string{"no Resource", "every file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.sign(), tc.err, tc.msg...)
		})
	}
}

func TestNew(t *testing.T) {
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey := loadRSA(t)
	tests := []struct {
		name string
		new  func() (*Signer, error)
		err  error
		msg  string
	}{
		{"empty id", func() (*Signer, error) { return New("", rsaKey) }, ErrInvalidKey, "empty Key-Pair-Id"},
		{"id with a space", func() (*Signer, error) { return New("K2 X", rsaKey) }, ErrInvalidKey, "letters and digits"},
		{"id with &", func() (*Signer, error) { return New("K2&x=1", rsaKey) }, ErrInvalidKey, `contains "&"`},
		{"nil key", func() (*Signer, error) { return New(testKeyID, nil) }, ErrInvalidKey, "no private key"},
		{"RSA 1024", func() (*Signer, error) { return New(testKeyID, rsa1024) }, ErrInvalidKey, "RSA 1024-bit"},
		{"P-384", func() (*Signer, error) { return New(testKeyID, p384) }, ErrInvalidKey, "ECDSA on P-384"},
		{"Ed25519", func() (*Signer, error) { return New(testKeyID, ed) }, ErrInvalidKey, "ed25519.PublicKey"},
		{"unknown hash", func() (*Signer, error) { return New(testKeyID, rsaKey, WithHash("MD5")) }, ErrUnknownHashAlgorithm, `unknown hash algorithm "MD5"`},
		{"lowercase hash", func() (*Signer, error) { return New(testKeyID, rsaKey, WithHash("sha256")) }, ErrUnknownHashAlgorithm, `"SHA256"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.new()
			if s != nil {
				t.Errorf("got a signer")
			}
			wantErr(t, err, tc.err, tc.msg)
		})
	}
	s, err := New(testKeyID, rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	if s.Hash() != SHA1 || s.KeyPairID() != testKeyID {
		t.Errorf("defaults: hash %s, id %s", s.Hash(), s.KeyPairID())
	}
	// The real clock: an expiry one hour from now is accepted.
	if _, err := s.SignURL("https://m.example.com/a.jpg", time.Now().Add(time.Hour)); err != nil {
		t.Error(err)
	}
}

func TestNormalizeURL(t *testing.T) {
	got, err := NormalizeURL("HTTPS://Media.Example.com:443/사진.jpg?a=1&b=c d")
	if err != nil || got != "https://media.example.com/%EC%82%AC%EC%A7%84.jpg?a=1&b=c%20d" {
		t.Errorf("NormalizeURL = %q, %v", got, err)
	}
	_, err = NormalizeURL("https://m.example.com/a.jpg?Signature=x")
	wantErr(t, err, ErrReservedParameter, `"Signature"`)
	_, err = NormalizeURL("ftp://m.example.com/a.jpg")
	wantErr(t, err, ErrInvalidURL, "http or https")
}
