package urlsign

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestParseRoundTrip(t *testing.T) {
	keys := []struct {
		name string
		pub  any
		s    func(HashAlgorithm) *Signer
	}{
		{"rsa", loadPublic(t, rsaPubFile), func(h HashAlgorithm) *Signer { return newTestSigner(t, loadRSA(t), h) }},
		{"ecdsa", loadPublic(t, ecPubFile), func(h HashAlgorithm) *Signer { return newTestSigner(t, loadECDSA(t), h) }},
	}
	other := loadPublic(t, otherPubFile)
	const u = "https://media.example.com/a/b.jpg?x=1&y=2"
	for _, k := range keys {
		for _, h := range []HashAlgorithm{SHA1, SHA256} {
			for _, custom := range []bool{false, true} {
				name := k.name + "/" + string(h) + map[bool]string{false: "/canned", true: "/custom"}[custom]
				t.Run(name, func(t *testing.T) {
					s := k.s(h)
					var signed string
					var err error
					nb := testNow.Add(-time.Minute)
					if custom {
						signed, err = s.SignURLWithPolicy(u, Policy{Resource: "https://media.example.com/a/*", Expires: testExpires, NotBefore: nb, IPAddress: "192.0.2.0/24"})
					} else {
						signed, err = s.SignURL(u, testExpires)
					}
					if err != nil {
						t.Fatal(err)
					}
					d, err := Parse(signed)
					if err != nil {
						t.Fatal(err)
					}
					if d.URL != signed || d.BaseURL != u || d.KeyPairID != testKeyID || d.HashAlgorithm != h || d.Canned == custom || d.FromCookies {
						t.Errorf("decoded %+v", d)
					}
					if !d.Expires.Equal(testExpires) {
						t.Errorf("Expires = %v", d.Expires)
					}
					if custom {
						if d.Resource != "https://media.example.com/a/*" || !d.NotBefore.Equal(nb) || d.IPAddress != "192.0.2.0/24" {
							t.Errorf("custom fields: %q %v %q", d.Resource, d.NotBefore, d.IPAddress)
						}
					} else if d.Resource != u || !d.NotBefore.IsZero() || d.IPAddress != "" {
						t.Errorf("canned fields: %q %v %q", d.Resource, d.NotBefore, d.IPAddress)
					}
					if err := d.Verify(k.pub); err != nil {
						t.Errorf("Verify: %v", err)
					}
					wantErr(t, d.Verify(other), ErrBadSignature, "does not verify")

					// Tampering: another object (canned) or a changed hash claim.
					if !custom {
						t2, _ := Parse(strings.Replace(signed, "/a/b.jpg", "/a/c.jpg", 1))
						wantErr(t, t2.Verify(k.pub), ErrBadSignature)
						t3, _ := Parse(strings.Replace(signed, "x=1", "x=2", 1))
						wantErr(t, t3.Verify(k.pub), ErrBadSignature)
					}
					flipped := signed + "&Hash-Algorithm=SHA256"
					if h == SHA256 {
						flipped = strings.TrimSuffix(signed, "&Hash-Algorithm=SHA256")
					}
					t4, err := Parse(flipped)
					if err != nil {
						t.Fatal(err)
					}
					wantErr(t, t4.Verify(k.pub), ErrBadSignature)
				})
			}
		}
	}
}

func TestCheckTime(t *testing.T) {
	d := &Signed{Expires: testExpires, NotBefore: testNow}
	tests := []struct {
		name string
		at   time.Time
		err  error
		msg  []string
	}{
		{"valid", testNow.Add(30 * time.Minute), nil, nil},
		{"last valid second", testExpires.Add(-time.Second), nil, nil},
		{"sub-second before expiry is the expiry second", testExpires.Add(-time.Millisecond), nil, nil},
		{"at expiry", testExpires, ErrExpired, []string{"expired 0s ago"}},
		{"3 minutes late", testExpires.Add(3 * time.Minute), ErrExpired, []string{"expired 3m0s ago", "2026-01-01T01:00:00Z", "DateLessThan 1767229200"}},
		{"2 days late", testExpires.Add(49 * time.Hour), ErrExpired, []string{"expired 49h0m0s ago"}},
		{"at not-before", testNow, ErrNotYetValid, []string{"not yet valid", "DateGreaterThan 1767225600"}},
		{"before not-before", testNow.Add(-10 * time.Minute), ErrNotYetValid, []string{"10m0s after the time checked"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := d.CheckTime(tc.at)
			if tc.err == nil {
				if err != nil {
					t.Errorf("CheckTime: %v", err)
				}
				return
			}
			wantErr(t, err, tc.err, tc.msg...)
			var ee *ExpiredError
			var ne *NotYetValidError
			if errors.Is(tc.err, ErrExpired) && (!errors.As(err, &ee) || !ee.Expires.Equal(testExpires)) {
				t.Errorf("not an *ExpiredError: %#v", err)
			}
			if errors.Is(tc.err, ErrNotYetValid) && (!errors.As(err, &ne) || !ne.NotBefore.Equal(testNow)) {
				t.Errorf("not a *NotYetValidError: %#v", err)
			}
		})
	}
}

func TestMatchURL(t *testing.T) {
	custom := &Signed{Resource: "https://media.example.com/v/abc/*"}
	canned := &Signed{Canned: true, Resource: "https://media.example.com/a.jpg?w=1"}
	none := &Signed{}
	tests := []struct {
		name string
		d    *Signed
		url  string
		msg  []string // nil: match
	}{
		{"custom: file below", custom, "https://media.example.com/v/abc/1080p/s.ts", nil},
		{"custom: signed URL given, CloudFront params ignored", custom, "https://media.example.com/v/abc/i.m3u8?Policy=x&Signature=y&Key-Pair-Id=K", nil},
		{"custom: host case ignored", custom, "https://MEDIA.example.com/v/abc/i.m3u8", nil},
		{"custom: other asset", custom, "https://media.example.com/v/abd/i.m3u8", []string{"does not match the custom policy's resource pattern", `"https://media.example.com/v/abd/i.m3u8"`, `"https://media.example.com/v/abc/*"`}},
		{"custom: other host", custom, "https://d1.cloudfront.net/v/abc/i.m3u8", []string{"does not match"}},
		{"canned: exact", canned, "https://media.example.com/a.jpg?w=1&Expires=1&Signature=s&Key-Pair-Id=K", nil},
		{"canned: other query", canned, "https://media.example.com/a.jpg?w=2", []string{"is not exactly the canned policy's resource"}},
		{"canned: extra query", canned, "https://media.example.com/a.jpg?w=1&h=2", []string{"not exactly"}},
		{"no resource: everything", none, "https://anything.example/x", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.MatchURL(tc.url)
			if tc.msg == nil {
				if err != nil {
					t.Errorf("MatchURL: %v", err)
				}
				return
			}
			wantErr(t, err, ErrResourceMismatch, tc.msg...)
			var re *ResourceMismatchError
			if !errors.As(err, &re) || re.Resource != tc.d.Resource {
				t.Errorf("not a *ResourceMismatchError: %#v", err)
			}
		})
	}
	wantErr(t, custom.MatchURL("/relative"), ErrInvalidURL)
}

func TestCheckIP(t *testing.T) {
	d := &Signed{IPAddress: "192.0.2.0/24"}
	for _, tc := range []struct {
		ip string
		ok bool
	}{
		{"192.0.2.1", true}, {"192.0.2.255", true}, {"::ffff:192.0.2.9", true}, {"192.0.3.1", false}, {"2001:db8::1", false},
	} {
		err := d.CheckIP(netip.MustParseAddr(tc.ip))
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.ip, err)
		}
		if !tc.ok {
			wantErr(t, err, ErrIPNotAllowed, tc.ip, "192.0.2.0/24")
		}
	}
	if err := (&Signed{}).CheckIP(netip.MustParseAddr("2001:db8::1")); err != nil {
		t.Errorf("no IP condition: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	good := "https://m.example.com/a.jpg?Expires=1767229200&Signature=AAAA&Key-Pair-Id=K1"
	pol := func(json string) string {
		return "https://m.example.com/a.jpg?Policy=" + encodeB64([]byte(json)) + "&Signature=AAAA&Key-Pair-Id=K1"
	}
	if _, err := Parse(good); err != nil {
		t.Fatalf("premise: %v", err)
	}
	tests := []struct {
		name string
		url  string
		err  error
		msg  []string
	}{
		{"unsigned", "https://m.example.com/a.jpg?w=1", ErrMissingParameter, []string{"not a CloudFront signed URL", "Policy parameter", "Signature parameter", "Key-Pair-Id parameter"}},
		{"no Key-Pair-Id", "https://m.example.com/a.jpg?Expires=1767229200&Signature=AAAA", ErrMissingParameter, []string{"missing Key-Pair-Id parameter"}},
		{"no Signature", "https://m.example.com/a.jpg?Expires=1767229200&Key-Pair-Id=K1", ErrMissingParameter, []string{"missing Signature parameter"}},
		{"both Expires and Policy", good + "&Policy=e30_", ErrMalformedPolicy, []string{"both Expires parameter and Policy parameter"}},
		{"standard base64 signature", strings.Replace(good, "AAAA", "AA+/", 1), ErrMalformedSignature, []string{"MalformedSignature", `character "+"`, "'-' for '+'"}},
		{"signature with space (form-decoded +)", strings.Replace(good, "AAAA", "AA%20A", 1), ErrMalformedSignature, []string{`character " "`}},
		{"signature bad length", strings.Replace(good, "AAAA", "AAA", 1), ErrMalformedSignature, []string{"not valid base64"}},
		{"unknown hash", good + "&Hash-Algorithm=MD5", ErrUnknownHashAlgorithm, []string{`Hash-Algorithm parameter="MD5"`, `"SHA256"`}},
		{"lowercase hash", good + "&Hash-Algorithm=sha256", ErrUnknownHashAlgorithm, []string{`"sha256"`}},
		{"Expires not a number", strings.Replace(good, "1767229200", "soon", 1), ErrMalformedPolicy, []string{`malformed Expires parameter "soon"`}},
		{"Expires after 2038", strings.Replace(good, "1767229200", "2147483648", 1), ErrMalformedPolicy, []string{"2147483647"}},
		{"duplicate Signature", good + "&Signature=BBBB", ErrMalformedPolicy, []string{"Signature parameter appears twice"}},
		{"policy not base64", "https://m.example.com/a.jpg?Policy=e30=&Signature=AAAA&Key-Pair-Id=K1", ErrMalformedPolicy, []string{"MalformedPolicy", `character "="`}},
		{"policy not JSON", pol("not json"), ErrMalformedPolicy, []string{"not a JSON object"}},
		{"two statements", pol(`{"Statement":[{"Resource":"a","Condition":{"DateLessThan":{"AWS:EpochTime":1}}},{"Resource":"b","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}`), ErrMalformedPolicy, []string{"2 statements", "exactly one"}},
		{"no DateLessThan", pol(`{"Statement":[{"Resource":"a","Condition":{"DateGreaterThan":{"AWS:EpochTime":1}}}]}`), ErrMalformedPolicy, []string{"no DateLessThan"}},
		{"quoted epoch", pol(`{"Statement":[{"Resource":"a","Condition":{"DateLessThan":{"AWS:EpochTime":"1767229200"}}}]}`), ErrMalformedPolicy, []string{"unquoted integer"}},
		{"miscased key", pol(`{"Statement":[{"Resource":"a","Condition":{"dateLessThan":{"AWS:EpochTime":1767229200}}}]}`), ErrMalformedPolicy, []string{`unexpected key "dateLessThan"`, "spelled exactly"}},
		{"unknown statement key", pol(`{"Statement":[{"Resource":"a","Effect":"Allow","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`), ErrMalformedPolicy, []string{`unexpected key "Effect"`}},
		{"no Condition", pol(`{"Statement":[{"Resource":"a"}]}`), ErrMalformedPolicy, []string{"no \"Condition\""}},
		{"IPv6 condition", pol(`{"Statement":[{"Resource":"a","Condition":{"IpAddress":{"AWS:SourceIp":"2001:db8::/32"},"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`), ErrMalformedPolicy, []string{"IPv6"}},
		{"not a URL", "a.jpg?Expires=1", ErrInvalidURL, []string{"not absolute"}},
		// encoding/json keeps the last of two equal keys; CloudFront's reading is undocumented.
		{"duplicate Resource", pol(`{"Statement":[{"Resource":"https://m.example.com/a.jpg","Resource":"https://m.example.com/*","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`), ErrMalformedPolicy, []string{`key "Resource" appears twice`}},
		{"duplicate escaped Resource", pol(`{"Statement":[{"Resource":"https://m.example.com/a.jpg","Reso\u0075rce":"https://m.example.com/*","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`), ErrMalformedPolicy, []string{`key "Resource" appears twice`}},
		{"duplicate DateLessThan", pol(`{"Statement":[{"Resource":"a","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200},"DateLessThan":{"AWS:EpochTime":2000000000}}}]}`), ErrMalformedPolicy, []string{`key "DateLessThan" appears twice`}},
		{"duplicate epoch", pol(`{"Statement":[{"Resource":"a","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200,"AWS:EpochTime":2000000000}}}]}`), ErrMalformedPolicy, []string{`key "AWS:EpochTime" appears twice`}},
		{"duplicate Statement", pol(`{"Statement":[{"Resource":"a","Condition":{"DateLessThan":{"AWS:EpochTime":1767229200}}}],"Statement":[]}`), ErrMalformedPolicy, []string{`key "Statement" appears twice`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.url)
			wantErr(t, err, tc.err, tc.msg...)
		})
	}
}

// The same key in different objects is not a duplicate: AWS:EpochTime in
// both conditions, Resource in a nested value (the control for the
// "duplicate ..." cases of TestParseErrors).
func TestParseSameKeyInSiblingObjects(t *testing.T) {
	policy := `{"Statement":[{"Resource":"https://m.example.com/*","Condition":{"DateGreaterThan":{"AWS:EpochTime":1767225600},"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`
	d, err := Parse("https://m.example.com/a.jpg?Policy=" + encodeB64([]byte(policy)) + "&Signature=AAAA&Key-Pair-Id=K1")
	if err != nil {
		t.Fatal(err)
	}
	if d.NotBefore.Unix() != 1767225600 || d.Expires.Unix() != 1767229200 {
		t.Errorf("times %v %v", d.NotBefore, d.Expires)
	}
	for _, doc := range []string{`{"a":{"k":1},"b":{"k":2}}`, `[{"k":1},{"k":2}]`, `{"k":[{"k":{"k":0}}]}`, `{}`, `[]`, `{"a":[],"b":{}}`} {
		if err := noDuplicateKeys([]byte(doc)); err != nil {
			t.Errorf("noDuplicateKeys(%s) = %v", doc, err)
		}
	}
	for _, doc := range []string{`{"a":1,"a":1}`, `[{"k":1,"k":2}]`, `{"x":{"y":[{"k":{},"k":[]}]}}`, `{"a":{},"b":0,"a":2}`} {
		if err := noDuplicateKeys([]byte(doc)); err == nil {
			t.Errorf("noDuplicateKeys(%s) = nil, want an error", doc)
		}
	}
}

func TestParseCookiesErrors(t *testing.T) {
	c := func(kv ...string) []*http.Cookie {
		var out []*http.Cookie
		for i := 0; i < len(kv); i += 2 {
			out = append(out, &http.Cookie{Name: kv[i], Value: kv[i+1]})
		}
		return out
	}
	tests := []struct {
		name    string
		cookies []*http.Cookie
		err     error
		msg     []string
	}{
		{"none", c("session", "x"), ErrMissingParameter, []string{"not a CloudFront signed cookie set", "CloudFront-Policy cookie (or CloudFront-Expires)"}},
		{"no key pair id", c(CookieExpires, "1767229200", CookieSignature, "AAAA"), ErrMissingParameter, []string{"missing CloudFront-Key-Pair-Id cookie"}},
		{"conflicting duplicates", c(CookiePolicy, "e30_", CookiePolicy, "e31_", CookieSignature, "AAAA", CookieKeyPairID, "K"), ErrMalformedPolicy, []string{"two CloudFront-Policy cookies with different values"}},
		{"unknown hash", c(CookieExpires, "1767229200", CookieSignature, "AAAA", CookieKeyPairID, "K", CookieHashAlgorithm, "SHA512"), ErrUnknownHashAlgorithm, []string{`CloudFront-Hash-Algorithm cookie="SHA512"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCookies(tc.cookies)
			wantErr(t, err, tc.err, tc.msg...)
		})
	}
}

// TestCannedCookiesNeedURL: a CloudFront-Expires cookie set signs the request
// URL, so it verifies only for the URL it was made for.
func TestCannedCookiesNeedURL(t *testing.T) {
	s := newTestSigner(t, loadRSA(t), SHA1)
	pub := loadPublic(t, rsaPubFile)
	const u = "https://media.example.com/a.jpg?w=1"
	cookies, err := s.CannedCookies(u, testExpires, CookieOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseCookies(cookies)
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, d.Verify(pub), ErrNeedURL, "BindURL")
	wantErr(t, d.MatchURL(u), ErrNeedURL)
	wantErr(t, d.Check(pub, "", testNow), ErrNeedURL)
	if err := d.Check(pub, u, testNow); err != nil {
		t.Errorf("Check(%s): %v", u, err)
	}
	// Bound now: Check without a URL uses the bound one.
	if err := d.Check(pub, "", testNow); err != nil {
		t.Errorf("Check after binding: %v", err)
	}
	d2, _ := ParseCookies(cookies)
	wantErr(t, d2.Check(pub, "https://media.example.com/b.jpg", testNow), ErrBadSignature)
	// Every failure is reported, joined.
	d3, _ := ParseCookies(cookies)
	err = d3.Check(loadPublic(t, otherPubFile), u, testExpires.Add(time.Minute))
	wantErr(t, err, ErrBadSignature)
	wantErr(t, err, ErrExpired, "expired 1m0s ago")
}
