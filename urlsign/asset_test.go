package urlsign

import (
	"strings"
	"testing"
	"time"
)

func TestAssetResource(t *testing.T) {
	ok := []struct{ in, want string }{
		{"https://media.example.com/videos/abc/", "https://media.example.com/videos/abc/*"},
		{"https://media.example.com/videos/abc/*", "https://media.example.com/videos/abc/*"},
		{"HTTPS://Media.example.com:443/videos/Abc/", "https://media.example.com/videos/Abc/*"},
		{"https://media.example.com/비디오/", "https://media.example.com/%EB%B9%84%EB%94%94%EC%98%A4/*"},
	}
	for _, tc := range ok {
		got, err := AssetResource(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("AssetResource(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	bad := []struct {
		in  string
		err error
		msg string
	}{
		{"https://media.example.com/videos/abc/index.m3u8", ErrInvalidResource, "does not end in '/'"},
		{"https://media.example.com/videos/abc", ErrInvalidResource, "does not end in '/'"},
		{"https://media.example.com/", ErrInvalidResource, "root of the host"},
		{"https://media.example.com", ErrInvalidResource, "root of the host"},
		{"https://media.example.com/videos/?v=1", ErrInvalidResource, "query string"},
		{"https://media.example.com/*/abc/", ErrInvalidResource, "wildcard"},
		{"videos/abc/", ErrInvalidURL, "not absolute"},
	}
	for _, tc := range bad {
		_, err := AssetResource(tc.in)
		wantErr(t, err, tc.err, tc.msg)
	}
}

func TestSignAsset(t *testing.T) {
	for _, h := range []HashAlgorithm{SHA1, SHA256} {
		t.Run(string(h), func(t *testing.T) {
			s := newTestSigner(t, loadECDSA(t), h)
			pub := loadPublic(t, ecPubFile)
			a, err := s.SignAsset("https://media.example.com/videos/abc/", Policy{Expires: testExpires, NotBefore: testNow.Add(-time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			if a.Resource != "https://media.example.com/videos/abc/*" || !a.Expires.Equal(testExpires) {
				t.Errorf("asset %+v", a)
			}
			if !strings.HasPrefix(a.Query, "Policy=") || !strings.Contains(a.Query, "&Signature=") || !strings.Contains(a.Query, "&Key-Pair-Id="+testKeyID) {
				t.Errorf("Query = %s", a.Query)
			}
			if (h == SHA256) != strings.HasSuffix(a.Query, "&Hash-Algorithm=SHA256") {
				t.Errorf("Query = %s", a.Query)
			}
			// Every file of the asset gets the same signature.
			for _, f := range []string{
				"https://media.example.com/videos/abc/index.m3u8",
				"https://media.example.com/videos/abc/720p/index.m3u8",
				"https://media.example.com/videos/abc/720p/seg_00001.ts",
				"https://media.example.com/videos/abc/seg.ts?bitrate=720",
			} {
				u, err := a.URL(f)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasSuffix(u, a.Query) {
					t.Errorf("%s does not end with the asset query", u)
				}
				d, err := Parse(u)
				if err != nil {
					t.Fatal(err)
				}
				if err := d.Check(pub, "", testNow); err != nil {
					t.Errorf("%s: %v", f, err)
				}
			}
			// A file of another asset is refused, by URL and by the verifier.
			_, err = a.URL("https://media.example.com/videos/abd/index.m3u8")
			wantErr(t, err, ErrResourceMismatch, "videos/abd/index.m3u8", "videos/abc/*")
			u, _ := a.URL("https://media.example.com/videos/abc/index.m3u8")
			d, _ := Parse(u)
			wantErr(t, d.MatchURL("https://media.example.com/videos/abcd/x.ts"), ErrResourceMismatch)
			// Already signed.
			_, err = a.URL(u)
			wantErr(t, err, ErrReservedParameter)

			// The same asset as cookies.
			cookies, err := s.AssetCookies("https://media.example.com/videos/abc/", Policy{Expires: testExpires}, CookieOptions{Domain: "example.com"})
			if err != nil {
				t.Fatal(err)
			}
			dc, err := ParseCookies(cookies)
			if err != nil {
				t.Fatal(err)
			}
			if dc.Resource != "https://media.example.com/videos/abc/*" {
				t.Errorf("cookie resource %q", dc.Resource)
			}
			if err := dc.Check(pub, "https://media.example.com/videos/abc/1080p/seg_9.ts", testNow); err != nil {
				t.Error(err)
			}
			wantErr(t, dc.Check(pub, "https://media.example.com/videos/xyz/seg_9.ts", testNow), ErrResourceMismatch)
		})
	}
	s := newTestSigner(t, loadRSA(t), SHA1)
	_, err := s.SignAsset("https://media.example.com/videos/abc/", Policy{Resource: "https://other/*", Expires: testExpires})
	wantErr(t, err, ErrInvalidResource, "leave it empty")
	_, err = s.AssetCookies("https://media.example.com/videos/abc/index.m3u8", Policy{Expires: testExpires}, CookieOptions{})
	wantErr(t, err, ErrInvalidResource, "does not end in '/'")
	_, err = s.SignAsset("https://media.example.com/videos/abc/", Policy{Expires: testNow})
	wantErr(t, err, ErrInvalidExpiry)
}
