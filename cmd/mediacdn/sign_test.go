package main

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/urlsign"
)

// cliNow is the fixed clock of the sign and verify tests: 2026-01-01T00:00:00Z.
var cliNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func pemOfPublic(t *testing.T, k crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// testKeys writes a fresh key pair of type typ into a temp dir.
func testKeys(t *testing.T, typ cfkeys.KeyType) (privPath, pubPath string, pub *cfkeys.PublicKey) {
	t.Helper()
	priv, pubPEM, err := cfkeys.GenerateKeyPair(typ)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	privPath, pubPath = filepath.Join(dir, "private_key.pem"), filepath.Join(dir, "public_key.pem")
	if err := os.WriteFile(privPath, priv, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	pub, err = cfkeys.ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	return privPath, pubPath, pub
}

func TestSignURL(t *testing.T) {
	fixNow(t, cliNow)
	rsaPriv, _, rsaPub := testKeys(t, cfkeys.RSA)
	ecPriv, _, ecPub := testKeys(t, cfkeys.ECDSA)
	tests := []struct {
		name       string
		priv       string
		pub        *cfkeys.PublicKey
		args       []string
		canned     bool
		expires    time.Time
		hash       urlsign.HashAlgorithm
		prefix     string // start of the signed URL
		resource   string
		notBefore  time.Time
		ip         string
		stderrText []string
	}{
		{name: "canned, duration", priv: rsaPriv, pub: rsaPub,
			args:   []string{"--url", "https://media.example.com/a.jpg?w=1&h=2", "--expires", "90m"},
			canned: true, expires: cliNow.Add(90 * time.Minute), hash: urlsign.SHA1,
			prefix: "https://media.example.com/a.jpg?w=1&h=2&Expires=1767231000&Signature=", resource: "https://media.example.com/a.jpg?w=1&h=2",
			stderrText: []string{"canned policy for https://media.example.com/a.jpg?w=1&h=2", "2026-01-01T01:30:00Z", "in 1h30m", "SHA1"}},
		{name: "canned, RFC 3339, ECDSA, sha256", priv: ecPriv, pub: ecPub,
			args:   []string{"--url", "https://media.example.com/사진.jpg", "--expires", "2026-01-02T00:00:00Z", "--hash", "SHA256"},
			canned: true, expires: cliNow.Add(24 * time.Hour), hash: urlsign.SHA256,
			prefix: "https://media.example.com/%EC%82%AC%EC%A7%84.jpg?Expires=1767312000&Signature=", resource: "https://media.example.com/%EC%82%AC%EC%A7%84.jpg",
			stderrText: []string{"in 24h"}},
		{name: "custom wildcard, days", priv: rsaPriv, pub: rsaPub,
			args:    []string{"--url", "https://media.example.com/videos/abc/index.m3u8", "--resource", "https://media.example.com/videos/abc/*", "--expires", "7d"},
			expires: cliNow.Add(7 * 24 * time.Hour), hash: urlsign.SHA1,
			prefix: "https://media.example.com/videos/abc/index.m3u8?Policy=", resource: "https://media.example.com/videos/abc/*",
			stderrText: []string{"custom policy for https://media.example.com/videos/abc/*", "in 7d"}},
		{name: "custom via --ip and --not-before only", priv: ecPriv, pub: ecPub,
			args:    []string{"--url", "https://media.example.com/dl/r.pdf", "--expires", "1h", "--not-before", "2025-12-31T23:00:00Z", "--ip", "192.0.2.7", "--hash", "sha256"},
			expires: cliNow.Add(time.Hour), hash: urlsign.SHA256,
			prefix: "https://media.example.com/dl/r.pdf?Policy=", resource: "https://media.example.com/dl/r.pdf",
			notBefore: cliNow.Add(-time.Hour), ip: "192.0.2.7/32"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"sign", "--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", tc.priv}, tc.args...)
			code, stdout, stderr := cli(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			if len(lines) != 1 {
				t.Fatalf("stdout has %d lines, want the signed URL only:\n%s", len(lines), stdout)
			}
			signed := lines[0]
			if !strings.HasPrefix(signed, tc.prefix) {
				t.Errorf("signed URL %s\nwant prefix %s", signed, tc.prefix)
			}
			wantEnd := "&Key-Pair-Id=K2JCJMDEHXQW5F"
			if tc.hash == urlsign.SHA256 {
				wantEnd += "&Hash-Algorithm=SHA256"
			}
			if !strings.HasSuffix(signed, wantEnd) {
				t.Errorf("signed URL does not end with %s: %s", wantEnd, signed)
			}
			d, err := urlsign.Parse(signed)
			if err != nil {
				t.Fatal(err)
			}
			if d.Canned != tc.canned || !d.Expires.Equal(tc.expires) || d.HashAlgorithm != tc.hash || d.Resource != tc.resource ||
				!d.NotBefore.Equal(tc.notBefore) || d.IPAddress != tc.ip {
				t.Errorf("decoded %+v", d)
			}
			if err := d.Check(tc.pub.Key, "", cliNow); err != nil {
				t.Errorf("Check: %v", err)
			}
			mustContain(t, "stderr", stderr, tc.stderrText...)
		})
	}
}

func TestSignCookies(t *testing.T) {
	fixNow(t, cliNow)
	priv, _, pub := testKeys(t, cfkeys.ECDSA)
	base := []string{"sign", "--cookies", "--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", priv, "--expires", "2h"}
	tests := []struct {
		name  string
		args  []string
		names []string
		attrs []string
	}{
		{"canned", []string{"--url", "https://media.example.com/a.jpg"},
			[]string{"CloudFront-Expires", "CloudFront-Signature", "CloudFront-Key-Pair-Id"},
			[]string{"Path=/", "Expires=Thu, 01 Jan 2026 02:00:00 GMT", "HttpOnly", "Secure", "SameSite=Lax"}},
		{"custom asset, shared domain, sha256", []string{"--url", "https://media.example.com/v/abc/index.m3u8", "--resource", "https://media.example.com/v/abc/*",
			"--cookie-domain", "example.com", "--cookie-path", "/v/abc/", "--hash", "sha256"},
			[]string{"CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id", "CloudFront-Hash-Algorithm"},
			[]string{"Path=/v/abc/", "Domain=example.com", "Secure", "HttpOnly", "SameSite=Lax"}},
		{"cross-site player", []string{"--url", "https://media.example.com/v/abc/index.m3u8", "--resource", "https://media.example.com/v/abc/*", "--cookie-samesite", "none"},
			[]string{"CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id"},
			[]string{"SameSite=None", "Secure"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, append(base, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var cookies []*http.Cookie
			var names []string
			for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
				v, ok := strings.CutPrefix(line, "Set-Cookie: ")
				if !ok {
					t.Fatalf("not a Set-Cookie line: %q", line)
				}
				mustContain(t, "Set-Cookie", line, tc.attrs...)
				c, err := http.ParseSetCookie(v)
				if err != nil {
					t.Fatal(err)
				}
				cookies = append(cookies, c)
				names = append(names, c.Name)
			}
			if strings.Join(names, " ") != strings.Join(tc.names, " ") {
				t.Errorf("cookies %v, want %v", names, tc.names)
			}
			d, err := urlsign.ParseCookies(cookies)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Check(pub.Key, tc.args[1], cliNow); err != nil {
				t.Errorf("Check: %v", err)
			}
			mustContain(t, "stderr", stderr, "signed cookies:")
		})
	}
}

func TestSignErrors(t *testing.T) {
	fixNow(t, cliNow)
	priv, pubPath, _ := testKeys(t, cfkeys.RSA)
	ok := func(extra ...string) []string {
		args := []string{"sign", "--url", "https://media.example.com/a.jpg", "--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", priv, "--expires", "1h"}
		return append(args, extra...)
	}
	with := func(flag, value string) []string {
		args := ok()
		for i := range args {
			if args[i] == flag {
				args[i+1] = value
				return args
			}
		}
		return append(args, flag, value)
	}
	tests := []struct {
		name string
		args []string
		code int
		msg  []string
	}{
		{"no flags", []string{"sign"}, 2, []string{"missing required flag(s): --url, --key-pair-id, --private-key, --expires"}},
		{"missing --expires", []string{"sign", "--url", "https://m.example.com/a", "--key-pair-id", "K", "--private-key", priv}, 2, []string{"missing required flag(s): --expires"}},
		{"unreadable key file", with("--private-key", filepath.Join(t.TempDir(), "nope.pem")), 1, []string{"cannot read --private-key", "no such file", "nothing was signed"}},
		{"public key as private", with("--private-key", pubPath), 1, []string{"is a public key; signing needs the private key", "nothing was signed"}},
		{"expiry in the past (duration)", with("--expires", "-5m"), 2, []string{"--expires -5m is in the past", "2025-12-31T23:55:00Z"}},
		{"expiry in the past (RFC 3339)", with("--expires", "2025-06-01T00:00:00Z"), 2, []string{"is in the past"}},
		{"expiry now", with("--expires", "0s"), 2, []string{"is in the past"}},
		{"expiry after 2038", with("--expires", "2040-01-01T00:00:00Z"), 2, []string{"2147483647", "nothing was signed"}},
		{"expiry not a time", with("--expires", "tomorrow"), 2, []string{`--expires "tomorrow" is neither a duration`, "RFC 3339"}},
		{"relative URL", with("--url", "/a.jpg"), 2, []string{"--url", "not absolute"}},
		{"not http", with("--url", "s3://bucket/a.jpg"), 2, []string{`scheme "s3"`, "http or https"}},
		{"no host", with("--url", "https:///a.jpg"), 2, []string{"no host"}},
		{"already signed URL", with("--url", "https://m.example.com/a.jpg?Expires=1&Signature=x&Key-Pair-Id=K"), 2, []string{`"Expires" query parameter`}},
		{"unknown hash", ok("--hash", "md5"), 2, []string{`unknown --hash "md5"`, "sha1", "sha256"}},
		{"IPv6", ok("--ip", "2001:db8::1"), 2, []string{"IPv6", "nothing was signed"}},
		{"resource does not cover URL", ok("--resource", "https://media.example.com/v/*"), 2, []string{"resource mismatch", "https://media.example.com/v/*"}},
		{"cookies resource does not cover URL", ok("--cookies", "--resource", "https://media.example.com/v/*"), 2, []string{"resource mismatch"}},
		{"cloudfront.net cookie domain", ok("--cookies", "--cookie-domain", "d111111abcdef8.cloudfront.net"), 2, []string{"cloudfront.net", "own domain"}},
		{"cookie flag without --cookies", ok("--cookie-domain", "example.com"), 2, []string{"need --cookies"}},
		{"bad samesite", ok("--cookies", "--cookie-samesite", "sometimes"), 2, []string{`unknown --cookie-samesite "sometimes"`}},
		// net/http used to drop the escape from the Set-Cookie line (logging a warning) and print a different path.
		{"cookie path with an escape", ok("--cookies", "--cookie-path", "/a\x1b[2J"), 2, []string{`cookie path "/a\x1b[2J" contains "\x1b"`, "nothing was signed"}},
		{"cookie path not covering URL", ok("--cookies", "--cookie-path", "/v/"), 2, []string{`cookie path "/v/" does not cover`, `"/a.jpg"`}},
		{"expiry within the second", with("--expires", "1ns"), 2, []string{"--expires 1ns", "not in the future", "whole seconds"}},
		{"bad key pair id", with("--key-pair-id", "K2 X"), 2, []string{"--key-pair-id", "letters and digits"}},
		{"bad not-before", ok("--not-before", "later"), 2, []string{`--not-before "later"`}},
		{"positional argument", ok("https://m.example.com/b.jpg"), 2, []string{"unknown command"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			mustContain(t, "stderr", stderr, append([]string{"mediacdn: "}, tc.msg...)...)
		})
	}
	// An encrypted or wrong-size key is a failure naming the flag.
	enc := filepath.Join(t.TempDir(), "enc.pem")
	if err := os.WriteFile(enc, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := cli(t, with("--private-key", enc)...)
	if code != 1 {
		t.Errorf("encrypted key: exit %d", code)
	}
	mustContain(t, "stderr", stderr, "--private-key", "encrypted with a passphrase")
}

func TestHumanDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {45 * time.Second, "45s"}, {59*time.Minute + 29*time.Second, "59m"}, {59*time.Minute + 31*time.Second, "1h"},
		{3 * time.Minute, "3m"}, {-3 * time.Minute, "3m"}, {90 * time.Minute, "1h30m"}, {47 * time.Hour, "47h"}, {7 * 24 * time.Hour, "7d"}, {50 * time.Hour, "2d2h"},
	} {
		if got := humanDuration(tc.d); got != tc.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
