package browser

import (
	"net/http/httptest"
	"testing"

	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/internal/edgefixture"
	"github.com/mediacdn/mediacdn/internal/mediafixture"
)

var (
	defaultsTemplate   = edgefixture.Template{Name: "cdk.json defaults", Path: "../testdata/default.template.json", Origin: "http://localhost:3000"}
	allOriginsTemplate = edgefixture.Template{Name: `allowedOrigins ["*"]`, Path: "../testdata/all-origins.template.json"}
	// The construct embedded in a user's stack, with the user's own bucket
	// and its own CORS rule first: one specific origin.
	specificTemplate = edgefixture.Template{Name: "specific origin, user's bucket", Path: "../testdata/embedded.template.json", Origin: "https://backoffice.example.com"}
	// Signed with a key group whose private key is in testdata/keys, with
	// credentials allowed (signed cookies); testdata/gen.sh makes it.
	signedTemplate = edgefixture.Template{Name: "signed, credentials", Path: "testdata/signed-cookies.template.json", Origin: "http://localhost:3000"}
	// The doctor's F4 trap: CachingOptimized + CORS-S3Origin, no response
	// headers policy.
	trapTemplate = edgefixture.Template{Name: "CachingOptimized trap", Path: "../../doctor/testdata/templates/caching-optimized-trap.json", Origin: "https://app.example.com"}
)

// startEdge serves tpl for the page at pageOrigin over the generated media.
func startEdge(t *testing.T, set *mediafixture.Set, tpl edgefixture.Template, pageOrigin string, opts ...edge.Options) (*httptest.Server, *edge.Edge) {
	t.Helper()
	var o edge.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	return edgefixture.Start(t, tpl, pageOrigin, set.Dir, o)
}

// TestGalleryThroughEdge is F1 fixed: the gallery shows 20 images with
// <img>, then the download buttons and Download all fetch them, through the
// edge serving what mediacdn synthesizes; every blob arrives.
func TestGalleryThroughEdge(t *testing.T) {
	set := requireComponents(t)
	names := jpegs(set)
	if len(names) < 20 {
		t.Fatalf("%d images generated, want 20", len(names))
	}
	page := pageServer(t, nil)
	for _, tpl := range []edgefixture.Template{defaultsTemplate, allOriginsTemplate, specificTemplate} {
		t.Run(tpl.Name, func(t *testing.T) {
			media, _ := startEdge(t, set, tpl, page.URL)
			ctx, netlog := tab(t)
			res := runGallery(t, ctx, page.URL, media.URL+"/images/", names, nil)
			checkAllDownloaded(t, set, names, res, netlog)
		})
	}
}

// TestPlaybackThroughEdge plays the TS and the fMP4 asset through their
// master playlists past 2 s, with hls.js and with the browser's own HLS
// support, both in <video crossorigin="anonymous">.
func TestPlaybackThroughEdge(t *testing.T) {
	set := requireComponents(t)
	page := pageServer(t, nil)
	media, _ := startEdge(t, set, defaultsTemplate, page.URL)
	for _, master := range []string{set.TSMaster, set.FMP4Master} {
		for _, mode := range []string{"hlsjs", "native"} {
			t.Run(master+" "+mode, func(t *testing.T) {
				t.Parallel() // each in its own tab; playing takes real time
				ctx, netlog := tab(t)
				res := play(t, ctx, page.URL, urlValues("src", media.URL+"/"+master, "mode", mode), 2)
				if mode == "native" && res.Engine == "none" {
					// Reported, not faked: this Chromium has no native HLS.
					t.Skipf("this Chromium does not play HLS natively (canPlayType: %q)", res.NativeHLS)
				}
				checkPlayed(t, res, netlog)
			})
		}
	}
}
