package mediafixture

import (
	"net/http"
	"strings"
	"sync/atomic"
)

// BareS3 serves a directory the way a bucket whose CORS rule allows every
// origin answers without an edge in front: CORS headers only for requests
// with Origin, and responses the browser may cache (max-age=3600). It is
// the media server of seed 000 and of the negative controls; each field
// switches one behavior.
//
//	h := &mediafixture.BareS3{Dir: set.Dir}              // F1: no Vary without Origin
//	h := &mediafixture.BareS3{Dir: set.Dir, VaryAlways: true}
//	srv := httptest.NewServer(h)
type BareS3 struct {
	Dir string
	// VaryAlways adds Vary: Origin to responses to requests without Origin
	// too (the fix mediacdn's edge applies); off reproduces F1.
	VaryAlways bool
	// NoCORSFor lists path suffixes answered without any CORS header
	// (".ts": segments on a behavior without the origin request policy, F4).
	NoCORSFor []string

	// WithOrigin counts the requests that had an Origin header.
	WithOrigin atomic.Int64
}

func (b *BareS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin != "" {
		b.WithOrigin.Add(1)
	}
	h := w.Header()
	h.Set("Cache-Control", "max-age=3600")
	cors := true
	for _, suffix := range b.NoCORSFor {
		if strings.HasSuffix(r.URL.Path, suffix) {
			cors = false
		}
	}
	if origin != "" && cors {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Vary", "Origin")
	} else if b.VaryAlways {
		h.Set("Vary", "Origin")
	}
	http.FileServer(http.Dir(b.Dir)).ServeHTTP(w, r)
}
