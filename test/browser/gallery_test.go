package browser

import (
	"context"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mediacdn/mediacdn/internal/chromium"
	"github.com/mediacdn/mediacdn/internal/mediafixture"
)

// galleryResult is window.gallery as the page reports it.
type galleryResult struct {
	Images    map[string]string `json:"images"`
	Downloads []struct {
		Name  string `json:"name"`
		OK    bool   `json:"ok"`
		Size  int64  `json:"size"`
		Type  string `json:"type"`
		Error string `json:"error"`
	} `json:"downloads"`
}

// runGallery opens the gallery on the images under mediaBase, waits for the
// <img> tags, then clicks the first image's Download button and Download
// all, as a user does, and returns what the page saw.
func runGallery(t *testing.T, ctx context.Context, pageURL, mediaBase string, names []string, extra url.Values) galleryResult {
	t.Helper()
	q := url.Values{"media": {mediaBase}, "images": {strings.Join(names, ",")}}
	for k, v := range extra {
		q[k] = v
	}
	navigate(t, ctx, pageURL+"/gallery/?"+q.Encode())
	eval[chromedp.Void](t, ctx, `gallery.imagesLoaded.then(() => undefined)`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-name="`+names[0]+`"]`))); err != nil {
		t.Fatal(err)
	}
	eval[chromedp.Void](t, ctx, `new Promise(r => { const f = () => gallery.downloads.length ? r() : setTimeout(f, 20); f(); })`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("download-all"))); err != nil {
		t.Fatal(err)
	}
	n := len(names) + 1
	return eval[galleryResult](t, ctx, `new Promise(r => { const f = () => gallery.downloads.length >= `+strconv.Itoa(n)+` ? r(gallery) : setTimeout(f, 20); f(); })`)
}

// jpegs returns the 20 JPEG keys of the generated set, relative to images/.
func jpegs(set *mediafixture.Set) []string {
	var out []string
	for _, k := range set.Images {
		if strings.HasSuffix(k, ".jpg") {
			out = append(out, path.Base(k))
		}
	}
	return out
}

// checkAllDownloaded asserts every <img> showed and every download got a
// blob of the file's size.
func checkAllDownloaded(t *testing.T, set *mediafixture.Set, names []string, res galleryResult, netlog *chromium.NetLog) {
	t.Helper()
	for _, n := range names {
		if res.Images[n] != "loaded" {
			t.Errorf("<img> %s: %q", n, res.Images[n])
		}
	}
	if len(res.Downloads) != len(names)+1 {
		t.Errorf("%d downloads, want %d", len(res.Downloads), len(names)+1)
	}
	ok := 0
	for _, d := range res.Downloads {
		st, err := os.Stat(filepath.Join(set.Dir, "images", d.Name))
		switch {
		case err != nil:
			t.Errorf("download %s: %v", d.Name, err)
		case !d.OK:
			t.Errorf("download %s failed in the page: %s", d.Name, d.Error)
		case d.Size != st.Size():
			t.Errorf("download %s: blob of %d bytes, the file has %d", d.Name, d.Size, st.Size())
		default:
			ok++
		}
	}
	if ok != len(names)+1 {
		t.Errorf("%d of %d blobs arrived", ok, len(names)+1)
	}
	for _, r := range netlog.Failures() {
		t.Errorf("Chromium failed a request: %s", r)
	}
}

// TestGalleryNegativeControlF1 is seed 000: a media server that sends CORS
// headers only to requests with Origin, and no Vary: Origin to the others.
// The <img> tags load the images without Origin; Chromium caches those
// answers and serves the download's CORS fetch from that cache, which has no
// Access-Control-Allow-Origin: the downloads fail. The same server with
// Vary: Origin on every response (the fix) passes, which shows the failure
// comes from the browser cache and nothing else.
func TestGalleryNegativeControlF1(t *testing.T) {
	set := requireComponents(t)
	names := jpegs(set)[:3]
	page := pageServer(t, nil)

	t.Run("without Vary fails from the browser cache", func(t *testing.T) {
		bare := &mediafixture.BareS3{Dir: set.Dir}
		media := serve(t, bare)
		ctx, netlog := tab(t)
		res := runGallery(t, ctx, page.URL, media.URL+"/images/", names, nil)
		for _, n := range names {
			if res.Images[n] != "loaded" {
				t.Errorf("<img> %s: %q (the images themselves must show)", n, res.Images[n])
			}
		}
		for _, d := range res.Downloads {
			if d.OK {
				t.Errorf("download %s succeeded; want the CORS failure of seed 000", d.Name)
			}
		}
		failed := 0
		for _, r := range netlog.Failures() {
			if r.Type != "Fetch" {
				continue
			}
			failed++
			if r.CORSError != "MissingAllowOriginHeader" || r.FromCache != "disk" {
				t.Errorf("want a CORS MissingAllowOriginHeader failure of a response from the disk cache, got: %s", r)
			}
		}
		if failed != len(names)+1 {
			t.Errorf("%d failed fetches reported over DevTools, want %d", failed, len(names)+1)
			logRequests(t, netlog)
		}
		// The server's view agrees: no CORS request ever reached it.
		if n := bare.WithOrigin.Load(); n != 0 {
			t.Errorf("the server got %d requests with Origin; want 0 (all from the browser cache)", n)
		}
	})
	t.Run("with Vary on every response passes", func(t *testing.T) {
		media := serve(t, &mediafixture.BareS3{Dir: set.Dir, VaryAlways: true})
		ctx, netlog := tab(t)
		res := runGallery(t, ctx, page.URL, media.URL+"/images/", names, nil)
		checkAllDownloaded(t, set, names, res, netlog)
	})
}
