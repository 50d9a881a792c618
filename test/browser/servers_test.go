package browser

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// A fakeS3 answers from dir the way a bucket with a CORS rule allowing every
// origin does, but without an edge in front: with CORS headers only when the
// request has Origin. It is the media server of seed 000 and the negative
// controls; each control switches one thing.
type fakeS3 struct {
	// varyAlways adds Vary: Origin to responses to requests without Origin
	// too (the fix mediacdn's edge applies); off reproduces F1.
	varyAlways bool
	// noCORSFor lists extensions answered without any CORS header (".ts":
	// segments on a behavior without the origin request policy, F4).
	noCORSFor []string
}

// server starts the fake; withOrigin counts the requests that had Origin.
func (f fakeS3) server(t *testing.T, dir string) (srv *httptest.Server, withOrigin *atomic.Int64) {
	t.Helper()
	withOrigin = new(atomic.Int64)
	files := http.FileServer(http.Dir(dir))
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") != "" {
			withOrigin.Add(1)
		}
		h := w.Header()
		// Cacheable, as media behind a CDN is: the browser may reuse it.
		h.Set("Cache-Control", "max-age=3600")
		cors := true
		for _, ext := range f.noCORSFor {
			if strings.HasSuffix(r.URL.Path, ext) {
				cors = false
			}
		}
		if origin := r.Header.Get("Origin"); origin != "" && cors {
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Vary", "Origin")
		} else if f.varyAlways {
			h.Set("Vary", "Origin")
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, withOrigin
}
