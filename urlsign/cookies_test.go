package urlsign

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCookies(t *testing.T) {
	rsaKey := loadRSA(t)
	pub := loadPublic(t, rsaPubFile)
	const resource = "https://media.example.com/videos/abc/*"
	tests := []struct {
		name       string
		hash       HashAlgorithm
		canned     bool
		opts       CookieOptions
		wantNames  []string
		wantDomain string
		wantPath   string
		wantSame   http.SameSite
		wantSetCk  []string // substrings of every Set-Cookie line
	}{
		{
			name: "custom, defaults", hash: SHA1,
			wantNames: []string{CookiePolicy, CookieSignature, CookieKeyPairID},
			wantPath:  "/", wantSame: http.SameSiteLaxMode,
			wantSetCk: []string{"Path=/", "Expires=Thu, 01 Jan 2026 01:00:00 GMT", "HttpOnly", "Secure", "SameSite=Lax"},
		},
		{
			name: "custom, SHA-256, shared domain", hash: SHA256,
			opts:      CookieOptions{Domain: ".Example.com", Path: "/videos/abc/"},
			wantNames: []string{CookiePolicy, CookieSignature, CookieKeyPairID, CookieHashAlgorithm},
			wantPath:  "/videos/abc/", wantDomain: "example.com", wantSame: http.SameSiteLaxMode,
			wantSetCk: []string{"Path=/videos/abc/", "Domain=example.com", "Secure", "HttpOnly"},
		},
		{
			name: "custom, cross-site player", hash: SHA1,
			opts:      CookieOptions{SameSite: http.SameSiteNoneMode, Domain: "media.example.com"},
			wantNames: []string{CookiePolicy, CookieSignature, CookieKeyPairID},
			wantPath:  "/", wantDomain: "media.example.com", wantSame: http.SameSiteNoneMode,
			wantSetCk: []string{"SameSite=None", "Secure"},
		},
		{
			name: "session cookies", hash: SHA1,
			opts:      CookieOptions{Session: true, SameSite: http.SameSiteStrictMode},
			wantNames: []string{CookiePolicy, CookieSignature, CookieKeyPairID},
			wantPath:  "/", wantSame: http.SameSiteStrictMode,
			wantSetCk: []string{"SameSite=Strict"},
		},
		{
			name: "canned", hash: SHA256, canned: true,
			wantNames: []string{CookieExpires, CookieSignature, CookieKeyPairID, CookieHashAlgorithm},
			wantPath:  "/", wantSame: http.SameSiteLaxMode,
			wantSetCk: []string{"Expires=Thu, 01 Jan 2026 01:00:00 GMT"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSigner(t, rsaKey, tc.hash)
			var cookies []*http.Cookie
			var err error
			if tc.canned {
				cookies, err = s.CannedCookies("https://media.example.com/videos/abc/index.m3u8", testExpires, tc.opts)
			} else {
				cookies, err = s.Cookies(Policy{Resource: resource, Expires: testExpires}, tc.opts)
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, c := range cookies {
				names = append(names, c.Name)
				if !c.Secure || !c.HttpOnly || c.Path != tc.wantPath || c.Domain != tc.wantDomain || c.SameSite != tc.wantSame {
					t.Errorf("%s: Secure=%v HttpOnly=%v Path=%q Domain=%q SameSite=%v", c.Name, c.Secure, c.HttpOnly, c.Path, c.Domain, c.SameSite)
				}
				if tc.opts.Session != c.Expires.IsZero() {
					t.Errorf("%s: Expires=%v with Session=%v", c.Name, c.Expires, tc.opts.Session)
				}
				if !tc.opts.Session && !c.Expires.Equal(testExpires) {
					t.Errorf("%s: Expires=%v, want the policy expiry %v", c.Name, c.Expires, testExpires)
				}
				line := c.String()
				if err := c.Valid(); err != nil {
					t.Errorf("%s invalid: %v", c.Name, err)
				}
				for _, sub := range tc.wantSetCk {
					if !strings.Contains(line, sub) {
						t.Errorf("Set-Cookie %q lacks %q", line, sub)
					}
				}
			}
			if strings.Join(names, ",") != strings.Join(tc.wantNames, ",") {
				t.Errorf("cookie names %v, want %v", names, tc.wantNames)
			}
			if tc.hash == SHA256 && cookies[len(cookies)-1].Value != "SHA256" {
				t.Errorf("CloudFront-Hash-Algorithm = %q", cookies[len(cookies)-1].Value)
			}
			if tc.canned && cookies[0].Value != "1767229200" {
				t.Errorf("CloudFront-Expires = %q", cookies[0].Value)
			}
			// Round trip through a Cookie header, as the browser sends them.
			var hdr []string
			for _, c := range cookies {
				hdr = append(hdr, c.Name+"="+c.Value)
			}
			parsed, err := http.ParseCookie(strings.Join(hdr, "; "))
			if err != nil {
				t.Fatal(err)
			}
			d, err := ParseCookies(parsed)
			if err != nil {
				t.Fatal(err)
			}
			if d.Canned != tc.canned || d.HashAlgorithm != tc.hash || d.KeyPairID != testKeyID || !d.Expires.Equal(testExpires) {
				t.Errorf("decoded %+v", d)
			}
			if err := d.Check(pub, "https://media.example.com/videos/abc/index.m3u8", testNow); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

func TestCookieDomainErrors(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	tests := []struct {
		domain, resource string
		msg              []string
	}{
		{"d111111abcdef8.cloudfront.net", "https://d111111abcdef8.cloudfront.net/v/*", []string{"cloudfront.net name", "cannot be shared", "own domain", "Domain=example.com"}},
		{".cloudfront.net", "https://d111111abcdef8.cloudfront.net/v/*", []string{"cloudfront.net name"}},
		{"CloudFront.NET", "https://media.example.com/v/*", []string{"cloudfront.net name"}},
		{"example.org", "https://media.example.com/v/*", []string{`does not cover the media host "media.example.com"`}},
		{"ample.com", "https://media.example.com/v/*", []string{"does not cover"}},
		{"app.example.com", "https://media.example.com/v/*", []string{"does not cover"}},
		{"example.com/v", "https://media.example.com/v/*", []string{"not a domain name"}},
	}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			_, err := s.Cookies(Policy{Resource: tc.resource, Expires: testExpires}, CookieOptions{Domain: tc.domain})
			wantErr(t, err, ErrCookieDomain, tc.msg...)
		})
	}
	// Canned cookies check the domain too.
	_, err := s.CannedCookies("https://d1.cloudfront.net/a.jpg", testExpires, CookieOptions{Domain: "d1.cloudfront.net"})
	wantErr(t, err, ErrCookieDomain, "cloudfront.net")
	// A wildcard host cannot be checked against the domain: accepted.
	if _, err := s.Cookies(Policy{Resource: "https://*.example.com/v/*", Expires: testExpires}, CookieOptions{Domain: "example.com"}); err != nil {
		t.Error(err)
	}
	// Canned cookies refuse a past expiry like URLs do.
	_, err = s.CannedCookies("https://m.example.com/a.jpg", testNow.Add(-time.Second), CookieOptions{})
	wantErr(t, err, ErrInvalidExpiry, "in the past")
}

func TestCookiePath(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	tests := []struct {
		path, resource string
		msg            []string // nil: accepted
	}{
		{"/", "https://m.example.com/videos/abc/*", nil},
		{"/videos/", "https://m.example.com/videos/abc/*", nil},
		{"/videos", "https://m.example.com/videos/abc/*", nil},
		{"/videos/abc/", "https://m.example.com/videos/abc/*", nil},
		{"/videos/abc/720p/", "https://m.example.com/videos/abc/*", nil}, // narrower: still sent for part of the asset
		{"/videos/ab", "https://m.example.com/videos/ab*", nil},
		{"/videos/a%20b/", "https://m.example.com/videos/a b/*", nil}, // the pattern is percent-encoded too
		{"/a.jpg", "https://m.example.com/a.jpg", nil},
		// A wildcard in the scheme or host may match across a '/': no fixed path.
		{"/x/", "https://*.example.com/v/*", nil},
		{"/x/", "https://m.example.com*", nil},
		{"/videos/xyz/", "https://m.example.com/videos/abc/*", []string{`does not cover the signed resource's path "/videos/abc/*"`, `use a parent path such as "/videos/abc/"`}},
		{"/videos/ab", "https://m.example.com/videos/abc/*", []string{"does not cover"}}, // /videos/ab does not path-match /videos/abc/...
		{"/a.jpg/", "https://m.example.com/a.jpg", []string{"does not cover"}},
		{"/b", "https://m.example.com/a.jpg", []string{"does not cover", `"/"`}},
		{"videos/", "https://m.example.com/videos/*", []string{`does not start with '/'`}},
		// Bytes net/http would drop from the Set-Cookie line (logging a
		// warning), changing the path without a word, and bytes a browser
		// sends percent-encoded.
		{"/v/\x1b[2J", "https://m.example.com/v/*", []string{`contains "\x1b"`, "write the path as the browser sends it"}},
		{"/v/a\nb", "https://m.example.com/v/*", []string{`contains "\n"`}},
		{"/v/a;b", "https://m.example.com/v/*", []string{`contains ";"`}},
		{"/v/a b", "https://m.example.com/v/*", []string{`contains " "`, "%20"}},
		{"/v/\u00e9", "https://m.example.com/v/*", []string{`contains "é"`, "write the path as the browser sends it"}},
		{"/v/\x7f", "https://m.example.com/v/*", []string{`contains "\x7f"`}},
	}
	for _, tc := range tests {
		t.Run(tc.path+" "+tc.resource, func(t *testing.T) {
			_, err := s.Cookies(Policy{Resource: tc.resource, Expires: testExpires}, CookieOptions{Path: tc.path})
			if tc.msg == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantErr(t, err, ErrCookiePath, tc.msg...)
		})
	}
	// Canned cookies check the path against their URL.
	_, err := s.CannedCookies("https://m.example.com/v/a.jpg", testExpires, CookieOptions{Path: "/w/"})
	wantErr(t, err, ErrCookiePath, "does not cover")
	if _, err := s.CannedCookies("https://m.example.com/v/a.jpg", testExpires, CookieOptions{Path: "/v"}); err != nil {
		t.Error(err)
	}
}
