package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/cfkeys"
)

// signedFixture signs with the CLI itself and returns stdout lines.
func signedFixture(t *testing.T, priv string, args ...string) []string {
	t.Helper()
	code, stdout, stderr := cli(t, append([]string{"sign", "--key-pair-id", "K2JCJMDEHXQW5F", "--private-key", priv}, args...)...)
	if code != 0 {
		t.Fatalf("sign: exit %d: %s", code, stderr)
	}
	return strings.Split(strings.TrimSpace(stdout), "\n")
}

func TestVerify(t *testing.T) {
	fixNow(t, cliNow)
	priv, pubPath, pub := testKeys(t, cfkeys.RSA)
	_, otherPub, _ := testKeys(t, cfkeys.RSA)
	asset := signedFixture(t, priv, "--url", "https://media.example.com/v/abc/index.m3u8", "--resource", "https://media.example.com/v/abc/*",
		"--expires", "1h", "--not-before", "2025-12-31T23:50:00Z", "--ip", "192.0.2.0/24", "--hash", "sha256")[0]
	canned := signedFixture(t, priv, "--url", "https://media.example.com/a.jpg?w=1", "--expires", "59m")[0]
	cookies := signedFixture(t, priv, "--cookies", "--url", "https://media.example.com/v/abc/index.m3u8", "--resource", "https://media.example.com/v/abc/*", "--expires", "1h")
	cannedCookies := signedFixture(t, priv, "--cookies", "--url", "https://media.example.com/a.jpg", "--expires", "1h")
	var cookieFlags, cannedCookieFlags, headerPairs []string
	for _, l := range cookies {
		cookieFlags = append(cookieFlags, "--cookie", l)
		nv, _, _ := strings.Cut(strings.TrimPrefix(l, "Set-Cookie: "), ";")
		headerPairs = append(headerPairs, nv)
	}
	for _, l := range cannedCookies {
		cannedCookieFlags = append(cannedCookieFlags, "--cookie", l)
	}
	cookieHeader := "Cookie: session=abc; " + strings.Join(headerPairs, "; ")
	// The site's own cookies, as a browser sends them: values net/http
	// refuses (quotes inside JSON, spaces, non-ASCII) made the whole header
	// an error before.
	browserHeader := `Cookie: prefs={"theme":"dark"}; consent=yes please; name=Zoë; ` + strings.Join(headerPairs, "; ") + "; _ga=GA1.2.3"

	v := func(args ...string) []string { return append([]string{"verify", "--public-key", pubPath}, args...) }
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"valid canned URL", v(canned), 0, []string{
			"Kind:           signed URL, canned policy",
			"Resource:       https://media.example.com/a.jpg?w=1",
			`Policy:         {"Statement":[{"Resource":"https://media.example.com/a.jpg?w=1","Condition":{"DateLessThan":{"AWS:EpochTime":1767229140}}}]}`,
			"Expires:        2026-01-01T00:59:00Z (in 59m)",
			"Key-Pair-Id:    K2JCJMDEHXQW5F",
			"Hash algorithm: SHA1 (no Hash-Algorithm: CloudFront's default)",
			"Public key:     RSA 2048, SHA-256 fingerprint " + pub.Fingerprint(),
			"Verdict:        VALID"}, nil},
		{"valid custom URL, segment checked", v("--url", "https://media.example.com/v/abc/720p/seg_1.ts", asset), 0, []string{
			"signed URL, custom policy", "Resource:       https://media.example.com/v/abc/*", `"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"}`,
			"Not before:     2025-12-31T23:50:00Z", "IP address:     192.0.2.0/24 (not checked here)", "Hash algorithm: SHA256",
			"Checked URL:    https://media.example.com/v/abc/720p/seg_1.ts", "Verdict:        VALID"}, nil},
		{"expired", v("--at", "2026-01-01T01:02:00Z", canned), 1, []string{"(expired 3m ago)", "Checked at:     2026-01-01T01:02:00Z", "Verdict:        INVALID", "expired 3m0s ago"},
			[]string{"mediacdn: invalid: expired 3m0s ago"}},
		{"not yet valid", v("--at", "2025-12-31T23:40:00Z", asset), 1, []string{"INVALID", "not yet valid"}, []string{"not yet valid"}},
		{"other asset", v("--url", "https://media.example.com/v/xyz/seg.ts", asset), 1, []string{"INVALID", "resource mismatch", `"https://media.example.com/v/xyz/seg.ts"`, `"https://media.example.com/v/abc/*"`}, []string{"resource mismatch"}},
		{"wrong public key", []string{"verify", "--public-key", otherPub, canned}, 1, []string{"INVALID", "bad signature"}, []string{"bad signature"}},
		{"tampered URL", v(strings.Replace(canned, "w=1", "w=2", 1)), 1, []string{"INVALID", "bad signature"}, nil},
		{"hash claim removed", v(strings.TrimSuffix(asset, "&Hash-Algorithm=SHA256")), 1, []string{"Hash algorithm: SHA1", "bad signature"}, nil},
		{"unsigned URL", v("https://media.example.com/a.jpg"), 1, []string{"INVALID", "missing"}, []string{"not a CloudFront signed URL"}},
		{"mangled signature", v(strings.Replace(canned, "&Signature=", "&Signature=+", 1)), 1, []string{"INVALID", "MalformedSignature"}, nil},
		{"cookies as Set-Cookie lines", v(append([]string{"--url", "https://media.example.com/v/abc/1080p/s.ts"}, cookieFlags...)...), 0, []string{"signed cookies, custom policy", "VALID"}, nil},
		{"cookies as a Cookie header", v("--url", "https://media.example.com/v/abc/1080p/s.ts", "--cookie-header", cookieHeader), 0, []string{"signed cookies, custom policy", "VALID"}, nil},
		{"custom cookies without --url", v("--cookie-header", cookieHeader), 0, []string{"VALID"}, nil},
		{"Cookie header with the site's own cookies", v("--cookie-header", browserHeader), 0, []string{"signed cookies, custom policy", "VALID"}, nil},
		{"Cookie header without CloudFront cookies", v("--cookie-header", `prefs={"a":1}`), 1, []string{"INVALID", "not a CloudFront signed cookie set"}, []string{"missing CloudFront-Policy cookie"}},
		{"canned cookies with --url", v(append([]string{"--url", "https://media.example.com/a.jpg"}, cannedCookieFlags...)...), 0, []string{"signed cookies, canned policy", "Resource:       https://media.example.com/a.jpg", "VALID"}, nil},
		{"canned cookies for another URL", v(append([]string{"--url", "https://media.example.com/b.jpg"}, cannedCookieFlags...)...), 1, []string{"bad signature"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			mustContain(t, "stdout", stdout, tc.stdout...)
			mustContain(t, "stderr", stderr, tc.stderr...)
			if tc.code == 0 && stderr != "" {
				t.Errorf("stderr %q on success", stderr)
			}
		})
	}
}

func TestVerifyErrors(t *testing.T) {
	fixNow(t, cliNow)
	priv, pubPath, _ := testKeys(t, cfkeys.ECDSA)
	signed := signedFixture(t, priv, "--url", "https://media.example.com/a.jpg", "--expires", "1h")[0]
	cannedCookies := signedFixture(t, priv, "--cookies", "--url", "https://media.example.com/a.jpg", "--expires", "1h")
	tests := []struct {
		name string
		args []string
		code int
		msg  []string
	}{
		{"no public key flag", []string{"verify", signed}, 2, []string{"--public-key is required"}},
		{"nothing to verify", []string{"verify", "--public-key", pubPath}, 2, []string{"give a SIGNED_URL argument, or the cookies"}},
		{"URL and cookies", []string{"verify", "--public-key", pubPath, "--cookie", "a=b", signed}, 2, []string{"not both"}},
		{"two URLs", []string{"verify", "--public-key", pubPath, signed, signed}, 2, []string{"accepts at most 1 arg"}},
		{"unreadable public key", []string{"verify", "--public-key", filepath.Join(t.TempDir(), "nope.pem"), signed}, 1, []string{"cannot read --public-key", "no such file"}},
		{"private key as public", []string{"verify", "--public-key", priv, signed}, 1, []string{"holds a PRIVATE key", "nothing was printed", "openssl pkey"}},
		{"relative signed URL", []string{"verify", "--public-key", pubPath, "/a.jpg?Expires=1"}, 2, []string{"SIGNED_URL", "not absolute"}},
		{"bad --url", []string{"verify", "--public-key", pubPath, "--url", "ftp://x/a", signed}, 2, []string{"--url", `scheme "ftp"`}},
		{"bad --at", []string{"verify", "--public-key", pubPath, "--at", "noon", signed}, 2, []string{`--at "noon"`}},
		{"bad cookie", []string{"verify", "--public-key", pubPath, "--cookie", "novalue"}, 2, []string{`--cookie "novalue"`}},
		{"bad CloudFront cookie in a header", []string{"verify", "--public-key", pubPath, "--cookie-header", `a=b; CloudFront-Policy="x"y`}, 2, []string{`--cookie-header: the cookie "CloudFront-Policy=\"x\"y"`}},
		{"canned cookies need --url", append([]string{"verify", "--public-key", pubPath, "--cookie", cannedCookies[0]}, "--cookie", cannedCookies[1], "--cookie", cannedCookies[2]), 2, []string{"canned-policy cookies", "--url"}},
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
			mustContain(t, "stderr", stderr, tc.msg...)
			if strings.Contains(stderr, "BEGIN") || strings.Contains(stderr, "PRIVATE KEY-----") {
				t.Errorf("stderr shows key material: %s", stderr)
			}
		})
	}
	// The private key file is left as it was.
	if m := fileMode(t, priv); m != 0o600 {
		t.Errorf("private key mode changed to %o", m)
	}
	if _, err := os.Stat(priv); err != nil {
		t.Error(err)
	}
}
