// Package hlsjs embeds hls.js (https://github.com/video-dev/hls.js, Apache
// License 2.0, see LICENSE here), the player the doctor's browser check and
// the browser tests run in Chromium. It is the npm release pinned in
// package.json, committed so that `go install` builds a doctor that needs no
// npm; a test keeps it identical to node_modules/hls.js/dist/hls.min.js.
//
//	http.HandleFunc("/vendor/hls.min.js", hlsjs.ServeHTTP)
package hlsjs

import (
	_ "embed"
	"net/http"
)

// Version is the hls.js release embedded, as pinned in package.json.
const Version = "1.7.4"

// Script is hls.min.js.
//
//go:embed hls.min.js
var Script []byte

// ServeHTTP answers with the script, as a static file server would.
func ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(Script)
}
