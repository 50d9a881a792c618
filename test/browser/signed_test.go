package browser

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/internal/chromium"
	"github.com/mediacdn/mediacdn/internal/edgefixture"
	"github.com/mediacdn/mediacdn/urlsign"
)

// testKey is the test-only private key of signed-cookies.template.json's public key.
const testKey = "testdata/keys/test_only_rsa_private.pem"

// TestSignedPlayback plays a signed asset through the edge serving a
// template with a key group: authorised by wildcard-policy signed cookies
// that the page's back end sets, and by the asset's signed query that the
// player carries to every request. Unsigned, the edge refuses the playlist
// and the page sees the 403.
func TestSignedPlayback(t *testing.T) {
	set := requireComponents(t)
	var assetCookies []*http.Cookie // set before the subtests run
	page := pageServer(t, map[string]http.HandlerFunc{
		// The app's back end: after its own authorisation, it sets the
		// asset's CloudFront cookies (host-only: the page on 127.0.0.1:P and
		// the media on 127.0.0.1:E are the same site).
		"/session": func(w http.ResponseWriter, r *http.Request) {
			for _, c := range assetCookies {
				http.SetCookie(w, c)
			}
			w.WriteHeader(http.StatusNoContent)
		},
	})
	media, e := startEdge(t, set, signedTemplate, page.URL)
	signer := edgefixture.Signer(t, e, testKey)
	asset := media.URL + "/video/ts/"
	expires := urlsign.Policy{Expires: time.Now().Add(time.Hour)}
	cookies, err := signer.AssetCookies(asset, expires, urlsign.CookieOptions{})
	if err != nil {
		t.Fatal(err)
	}
	assetCookies = cookies
	signed, err := signer.SignAsset(asset, expires)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("signed cookies", func(t *testing.T) {
		t.Parallel()
		ctx, netlog := tab(t)
		res := play(t, ctx, page.URL, urlValues("src", media.URL+"/"+set.TSMaster, "mode", "hlsjs", "session", "/session"), 2)
		checkPlayed(t, res, netlog)
		// The cookies went with the media requests (the browser's cookie
		// rules, seen, not assumed).
		for _, r := range netlog.Requests() {
			if strings.HasPrefix(r.URL, asset) && !slices.Contains(r.Cookies, "CloudFront-Signature") {
				t.Errorf("%s went without the CloudFront-Signature cookie (sent: %v)", r.URL, r.Cookies)
			}
		}
	})
	// The page takes the signed query percent-encoded (query=) or, as users
	// paste it, as CloudFront's own parameters after the page's.
	pasted := urlValues("src", media.URL+"/"+set.TSMaster, "mode", "hlsjs")
	signedParams, err := url.ParseQuery(signed.Query)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range signedParams {
		pasted[k] = v
	}
	for name, q := range map[string]url.Values{
		"signed query carried by the player":           urlValues("src", media.URL+"/"+set.TSMaster, "mode", "hlsjs", "query", signed.Query),
		"signed query pasted as the page's parameters": pasted,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, netlog := tab(t)
			res := play(t, ctx, page.URL, q, 2)
			checkPlayed(t, res, netlog)
			n := 0
			for _, r := range netlog.Requests() {
				if strings.HasPrefix(r.URL, asset) {
					n++
					if !strings.Contains(r.URL, "Signature=") {
						t.Errorf("%s went without the signed query", r.URL)
					}
				}
			}
			if n < 4 {
				t.Errorf("%d asset requests, want the master, a variant and segments", n)
			}
		})
	}
	t.Run("unsigned is refused", func(t *testing.T) {
		t.Parallel()
		// CloudFront's own 403 gets no viewer-response function (documented)
		// and, in the default reading, no response headers policy either
		// (UNCONF): the page then sees a CORS failure, and only DevTools
		// shows the 403.
		ctx, netlog := tab(t)
		res := play(t, ctx, page.URL, urlValues("src", media.URL+"/"+set.TSMaster, "mode", "hlsjs"), 2)
		checkRefused(t, res, netlog, set.TSMaster, 0)
	})
	t.Run("unsigned is refused, policy headers on edge errors", func(t *testing.T) {
		t.Parallel()
		// Under the other reading the policy's CORS headers reach the 403,
		// and the page reads the status.
		media, _ := startEdge(t, set, signedTemplate, page.URL, edge.Options{PolicyOnEdgeErrors: true})
		ctx, netlog := tab(t)
		res := play(t, ctx, page.URL, urlValues("src", media.URL+"/"+set.TSMaster, "mode", "hlsjs"), 2)
		checkRefused(t, res, netlog, set.TSMaster, http.StatusForbidden)
	})
}

// checkRefused asserts the master playlist was refused with 403: hls.js
// reports manifestLoadError with pageStatus (0 when CORS hid the response
// from the page), and Chromium saw the 403.
func checkRefused(t *testing.T, res playerResult, netlog *chromium.NetLog, master string, pageStatus int) {
	t.Helper()
	if res.CurrentTime > 0 {
		t.Errorf("played %.2f s unsigned", res.CurrentTime)
	}
	seen := false
	for _, e := range res.networkErrors() {
		if e.Details == "manifestLoadError" && e.Status == pageStatus {
			seen = true
		}
	}
	if !seen {
		t.Errorf("want hls.js manifestLoadError with status %d in the page, got %+v", pageStatus, res.Errors)
	}
	masters := 0
	for _, r := range netlog.Requests() {
		if !strings.HasSuffix(r.URL, master) {
			continue
		}
		masters++
		if r.Status != http.StatusForbidden {
			t.Errorf("Chromium saw %s, want 403", r)
		}
		if pageStatus == 0 && r.CORSError != "MissingAllowOriginHeader" {
			t.Errorf("Chromium saw %s, want CORS MissingAllowOriginHeader", r)
		}
		t.Logf("refusal as Chromium reported it: %s", r)
	}
	if masters == 0 {
		t.Errorf("Chromium reported no request for %s", master)
		logRequests(t, netlog)
	}
}
