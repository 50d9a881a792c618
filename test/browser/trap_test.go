package browser

import (
	"net/http"
	"testing"

	"github.com/mediacdn/mediacdn/internal/chromium"
	"github.com/mediacdn/mediacdn/internal/edgefixture"
)

// TestDownloadNegativeControlF4 serves the doctor's trap template
// (CachingOptimized + CORS-S3Origin, no response headers policy): Origin
// reaches S3 but is not in the cache key, so the edge caches whatever
// answer came first. After a request without Origin (another visitor's
// <img>) is cached, the download button's CORS fetch gets that cached
// answer, without Access-Control-Allow-Origin, and fails: from the edge's
// cache (X-Cache: Hit), not the browser's. Without that earlier request the
// same download works, so the failure is the edge cache's.
func TestDownloadNegativeControlF4(t *testing.T) {
	set := requireComponents(t)
	page := pageServer(t, nil)
	const image = "img05.jpg"

	download := func(t *testing.T, mediaURL string) (galleryResult, []chromium.Request) {
		ctx, netlog := tab(t)
		navigate(t, ctx, page.URL+"/gallery/?"+urlValues("media", mediaURL+"/images/", "save", "0").Encode())
		res := eval[galleryResult](t, ctx, `gallery.download("`+image+`").then(() => gallery)`)
		var fetches []chromium.Request
		for _, r := range netlog.Requests() {
			if r.Type == "Fetch" {
				fetches = append(fetches, r)
			}
		}
		return res, fetches
	}

	t.Run("download works on a cold edge cache", func(t *testing.T) {
		media, _ := startEdge(t, set, trapTemplate, page.URL)
		res, fetches := download(t, media.URL)
		if len(res.Downloads) != 1 || !res.Downloads[0].OK {
			t.Errorf("download failed: %+v %v", res.Downloads, fetches)
		}
	})
	t.Run("download fails after a request without Origin", func(t *testing.T) {
		media, _ := startEdge(t, set, trapTemplate, page.URL)
		// No Origin, as an <img> elsewhere, with the Accept-Encoding Chromium
		// sends to 127.0.0.1: the cache key holds its normalized value (br).
		resp := edgefixture.GetAsImage(t, media.URL+"/images/"+image)
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("priming request: %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
		res, fetches := download(t, media.URL)
		if len(res.Downloads) != 1 || res.Downloads[0].OK {
			t.Errorf("download succeeded, want F4's failure: %+v", res.Downloads)
		}
		if len(fetches) != 1 {
			t.Fatalf("want one fetch, Chromium reported %v", fetches)
		}
		// The reason, not just a failure: a 200 from the edge's cache (not
		// the browser's), blocked for want of Access-Control-Allow-Origin.
		r := fetches[0]
		if !r.Failed || r.CORSError != "MissingAllowOriginHeader" || r.Status != http.StatusOK || r.FromCache != "" || r.XCache != "Hit from cloudfront" {
			t.Errorf("want a 200 edge cache hit (X-Cache: Hit) blocked with CORS MissingAllowOriginHeader, not from the browser cache; got: %s", r)
		}
		t.Logf("as Chromium reported it: %s", r)
	})
}
