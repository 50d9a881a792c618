package edge

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzServeRequest sends arbitrary request targets, cookies and CORS headers
// through the edge serving the signed template (functions, key groups,
// policies): it must answer, never panic.
func FuzzServeRequest(f *testing.F) {
	for _, s := range []string{
		"/photos/a.jpg", "/videos/v1/index.m3u8?Policy=x&Signature=y&Key-Pair-Id=K", "/thumbs/%2e%2e/a.jpg",
		"/a.jpg?Expires=99999999999&Signature=~~&Key-Pair-Id=KABC", "/.mediacdn/invalidate?path=/*",
	} {
		f.Add("GET", s, "CloudFront-Key-Pair-Id=K; CloudFront-Policy=eyJ9", "https://app.example.com")
	}
	f.Add("OPTIONS", "/videos/v1/low/seg0.ts", "", "null")
	d := loadDist(f, "../test/testdata/signed.template.json")
	o := newMemOrigin(nil)
	putMedia(o)
	e, err := New(d, o, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, method, target, cookie, origin string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || !strings.HasPrefix(target, "/") || method == "" || strings.ContainsAny(method, " \r\n\t") {
			return
		}
		r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/", nil)
		r.Method, r.URL, r.RequestURI = method, u, target
		r.Header.Set("Cookie", cookie)
		r.Header.Set("Origin", origin)
		r.Header.Set("Access-Control-Request-Method", "GET")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if w.Code < 100 || w.Code > 599 {
			t.Fatalf("status %d", w.Code)
		}
	})
}
