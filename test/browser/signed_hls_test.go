package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/internal/chromium"
	"github.com/mediacdn/mediacdn/internal/edgefixture"
	"github.com/mediacdn/mediacdn/urlsign"
)

// Issue 9's proof in the browser, beside TestSignedPlayback (signed cookies
// and the signed query, valid and unsigned): signed playlists served by the
// back end (urlsign.PlaylistHandler) play with no player hook; each of the
// three methods fails with an expired signature, with the 403 seen by
// Chromium; and cookies meant for the media are not sent to another site.

// handlerTransport answers a PlaylistHandler's fetches from an http.Handler
// (here the bucket's files), as a back end reading the origin directly would.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// playlistRoute mounts a PlaylistHandler for the assets below media/video/
// at /hls/ of the page server.
func playlistRoute(t *testing.T, signer *urlsign.Signer, mediaURL string, transport http.RoundTripper) http.HandlerFunc {
	t.Helper()
	h, err := urlsign.NewPlaylistHandler(urlsign.PlaylistHandlerConfig{
		Signer:      signer,
		AssetPrefix: mediaURL + "/video/",
		Authorize:   func(*http.Request, string) error { return nil }, // the test's viewer may watch everything
		Transport:   transport,
		Expiry:      time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	return http.StripPrefix("/hls", h).ServeHTTP
}

// pastSigner signs with a clock two hours behind, so a one-hour policy has
// expired an hour ago.
func pastSigner(t *testing.T, e *edge.Edge) *urlsign.Signer {
	t.Helper()
	return edgefixture.Signer(t, e, testKey, urlsign.WithClock(func() time.Time { return time.Now().Add(-2 * time.Hour) }))
}

// TestSignedPlaylistsPlay: the page's player has no hook at all; it loads
// /hls/video/ts/master.m3u8 from the page's own origin. The back end's
// PlaylistHandler fetches each playlist from the edge (signed), points
// segments at the edge with the asset's signed query and child playlists
// back at itself. hls.js plays; the native player plays the same URL where
// Chromium has native HLS.
func TestSignedPlaylistsPlay(t *testing.T) {
	set := requireComponents(t)
	var route http.HandlerFunc
	page := pageServer(t, map[string]http.HandlerFunc{"/hls/": func(w http.ResponseWriter, r *http.Request) { route(w, r) }})
	media, e := startEdge(t, set, signedTemplate, page.URL)
	signer := edgefixture.Signer(t, e, testKey)
	route = playlistRoute(t, signer, media.URL, nil)

	// Negative control, the problem itself: the master's own URL signed, its
	// children relative. The master loads; the variant playlist goes without
	// the query and the edge refuses it.
	t.Run("only the master URL signed", func(t *testing.T) {
		t.Parallel()
		a, err := signer.SignAsset(media.URL+"/video/ts/", urlsign.Policy{Expires: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		master, err := a.URL(media.URL + "/" + set.TSMaster)
		if err != nil {
			t.Fatal(err)
		}
		ctx, netlog := tab(t)
		res := play(t, ctx, page.URL, urlValues("src", master, "mode", "hlsjs"), 2)
		if res.CurrentTime > 0 {
			t.Errorf("played %.2f s", res.CurrentTime)
		}
		var masterOK, childRefused bool
		for _, r := range netlog.Requests() {
			switch {
			case r.URL == master && r.Status == http.StatusOK:
				masterOK = true
			case strings.HasPrefix(r.URL, media.URL+"/video/ts/") && !strings.Contains(r.URL, "Signature=") && r.Status == http.StatusForbidden:
				childRefused = true
				t.Logf("child refusal as Chromium reported it: %s", r)
			}
		}
		if !masterOK || !childRefused {
			t.Errorf("want the signed master served and an unsigned child refused with 403 (master ok: %v, child 403: %v)", masterOK, childRefused)
			logRequests(t, netlog)
		}
	})
	for _, master := range []string{set.TSMaster, set.FMP4Master} {
		for _, mode := range []string{"hlsjs", "native"} {
			t.Run(master+" "+mode, func(t *testing.T) {
				t.Parallel()
				ctx, netlog := tab(t)
				src := page.URL + "/hls/" + strings.TrimPrefix(master, "video/")
				res := play(t, ctx, page.URL, urlValues("src", src, "mode", mode), 2)
				if mode == "native" && res.Engine == "none" {
					// A Chromium without native HLS (older releases) cannot give
					// this proof. Under MEDIACDN_REQUIRE_BROWSER (CI) that is a
					// failure, not a skip.
					msg := fmt.Sprintf("this Chromium does not play HLS natively (canPlayType: %q), so the native-player proof of the signed-playlist handler was not made; the hls.js subtest plays the same URL with no hook", res.NativeHLS)
					if os.Getenv("MEDIACDN_REQUIRE_BROWSER") != "" {
						t.Fatalf("MEDIACDN_REQUIRE_BROWSER is set: %s", msg)
					}
					t.Skip(msg + " (install a Chromium that plays HLS natively to run it)")
				}
				checkPlayed(t, res, netlog)
				t.Logf("%s played %.2f s (canPlayType HLS: %q)", res.Engine, res.CurrentTime, res.NativeHLS)
				playlists, segments := 0, 0
				for _, r := range netlog.Requests() {
					switch {
					case strings.HasPrefix(r.URL, page.URL+"/hls/"):
						playlists++
					case strings.HasPrefix(r.URL, media.URL+"/video/"):
						segments++
						// 206: the native player asks for byte ranges.
						if !strings.Contains(r.URL, "Signature=") || r.Status != http.StatusOK && r.Status != http.StatusPartialContent {
							t.Errorf("media request %s: want a signed URL answered 200 or 206", r)
						}
					}
				}
				if playlists < 2 || segments < 2 {
					t.Errorf("%d playlists from the back end, %d media requests; want the master and a variant, and segments", playlists, segments)
					logRequests(t, netlog)
				}
			})
		}
	}
}

// TestSignedHLSExpired: each method with a signature that expired an hour
// ago. The edge answers 403 (CloudFront's AccessDenied), Chromium sees it,
// and the player plays nothing.
func TestSignedHLSExpired(t *testing.T) {
	set := requireComponents(t)
	var cookies []*http.Cookie
	var route http.HandlerFunc
	page := pageServer(t, map[string]http.HandlerFunc{
		"/session": func(w http.ResponseWriter, r *http.Request) {
			for _, c := range cookies {
				http.SetCookie(w, c)
			}
			w.WriteHeader(http.StatusNoContent)
		},
		"/hls/": func(w http.ResponseWriter, r *http.Request) { route(w, r) },
	})
	media, e := startEdge(t, set, signedTemplate, page.URL)
	past := pastSigner(t, e)
	asset := media.URL + "/video/ts/"
	expired := urlsign.Policy{Expires: time.Now().Add(-time.Hour)}
	// Session cookies: with an Expires attribute in the past the browser
	// would drop them and send nothing; here it keeps and sends them, and the
	// policy inside has expired.
	var err error
	if cookies, err = past.AssetCookies(asset, expired, urlsign.CookieOptions{Session: true}); err != nil {
		t.Fatal(err)
	}
	signed, err := past.SignAsset(asset, expired)
	if err != nil {
		t.Fatal(err)
	}
	// The handler reads the playlists from the bucket directly (any
	// RoundTripper will do) and signs segments with the expired signer: the
	// playlists load, the first segment is refused.
	route = playlistRoute(t, past, media.URL, handlerTransport{http.FileServer(http.Dir(set.Dir))})

	for _, tc := range []struct {
		name    string
		q       url.Values
		refused string // the request the edge refuses first
	}{
		{"signed cookies", urlValues("src", media.URL+"/"+set.TSMaster, "mode", "hlsjs", "session", "/session"), "master.m3u8"},
		{"signed query", urlValues("src", media.URL+"/"+set.TSMaster, "mode", "hlsjs", "query", signed.Query), "master.m3u8"},
		{"signed playlists", urlValues("src", page.URL+"/hls/ts/master.m3u8", "mode", "hlsjs"), ".ts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, netlog := tab(t)
			res := play(t, ctx, page.URL, tc.q, 2)
			if res.CurrentTime > 0 {
				t.Errorf("played %.2f s with an expired signature", res.CurrentTime)
			}
			if len(res.networkErrors()) == 0 {
				t.Errorf("hls.js reported no network error: %+v", res.Errors)
			}
			refused := false
			for _, r := range netlog.Requests() {
				if !strings.HasPrefix(r.URL, media.URL) {
					continue
				}
				if r.Status == http.StatusOK || r.Status == http.StatusPartialContent {
					t.Errorf("the edge served %s with an expired signature", r)
				}
				if r.Status == http.StatusForbidden && strings.Contains(strings.SplitN(r.URL, "?", 2)[0], tc.refused) {
					refused = true
					t.Logf("refusal as Chromium reported it: %s", r)
				}
			}
			if !refused {
				t.Errorf("Chromium saw no 403 for a %s request", tc.refused)
				logRequests(t, netlog)
			}
		})
	}
}

// TestCookiesForAnotherSite: the page runs on 127.0.0.1, the media on
// localhost, two different sites. What Chromium does is observed, not assumed:
//
//   - cookies the page's back end sets are host-only for 127.0.0.1 (a server
//     can only set cookies for its own site): the media requests to
//     localhost go without them and the edge answers 403;
//   - SameSite=Lax cookies that the media host itself set are not sent with
//     the page's cross-site requests to it (the SameSite rule);
//   - SameSite=None cookies that the media host set while embedded in the
//     other site's page are third-party cookies: the test reports whether
//     this Chromium stored and sent them, with the reason DevTools gives,
//     and checks playback agrees. (Chromium 156 headless, fresh profile:
//     neither Lax nor None cookies are stored, reason UserPreferences.)
func TestCookiesForAnotherSite(t *testing.T) {
	set := requireComponents(t)
	var cookies []*http.Cookie
	page := pageServer(t, map[string]http.HandlerFunc{
		"/session": func(w http.ResponseWriter, r *http.Request) {
			for _, c := range cookies {
				http.SetCookie(w, c)
			}
			w.WriteHeader(http.StatusNoContent)
		},
		// Sets nothing: the player then makes credentialed requests.
		"/credentials": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) },
	})
	pageOrigin := strings.Replace(page.URL, "localhost", "127.0.0.1", 1)
	media, e := startEdge(t, set, signedTemplate, pageOrigin)
	mediaURL := strings.Replace(media.URL, "127.0.0.1", "localhost", 1) // same server, another site
	signer := edgefixture.Signer(t, e, testKey)
	asset := mediaURL + "/video/ts/"
	policy := urlsign.Policy{Expires: time.Now().Add(time.Hour)}
	var err error
	if cookies, err = signer.AssetCookies(asset, policy, urlsign.CookieOptions{}); err != nil {
		t.Fatal(err)
	}
	src := mediaURL + "/" + set.TSMaster

	t.Run("set by the page's back end", func(t *testing.T) {
		ctx, netlog := tab(t)
		res := play(t, ctx, pageOrigin, urlValues("src", src, "mode", "hlsjs", "session", "/session"), 2)
		if res.CurrentTime > 0 {
			t.Errorf("played %.2f s", res.CurrentTime)
		}
		checkNoCookiesRefused(t, netlog, mediaURL)
	})

	// The media host sets the cookies itself, answering a credentialed
	// fetch from the page (with CORS for it), as a CDN-side login would.
	for _, sameSite := range []http.SameSite{http.SameSiteLaxMode, http.SameSiteNoneMode} {
		name := map[http.SameSite]string{http.SameSiteLaxMode: "Lax", http.SameSiteNoneMode: "None"}[sameSite]
		t.Run("set by the media host, SameSite="+name, func(t *testing.T) {
			var mediaCookies []*http.Cookie
			mux := http.NewServeMux()
			mux.HandleFunc("/set-cookies", func(w http.ResponseWriter, r *http.Request) {
				for _, c := range mediaCookies {
					http.SetCookie(w, c)
				}
				w.Header().Set("Access-Control-Allow-Origin", pageOrigin)
				w.Header().Set("Access-Control-Allow-Credentials", "true")
				w.WriteHeader(http.StatusNoContent)
			})
			mux.Handle("/", e) // the same edge, on a server that can also set cookies
			cookieMedia := serve(t, mux)
			cookieMediaURL := strings.Replace(cookieMedia.URL, "127.0.0.1", "localhost", 1)
			var err error
			mediaCookies, err = signer.AssetCookies(cookieMediaURL+"/video/ts/", policy, urlsign.CookieOptions{SameSite: sameSite})
			if err != nil {
				t.Fatal(err)
			}
			ctx, netlog := tab(t)
			why := cookieReasons(t, ctx)
			navigate(t, ctx, pageOrigin+"/player/")
			status := eval[int](t, ctx, `fetch(`+jsString(cookieMediaURL+"/set-cookies")+`, {credentials: "include"}).then(r => r.status, () => -1)`)
			if status != http.StatusNoContent {
				t.Fatalf("/set-cookies: %d", status)
			}
			res := play(t, ctx, pageOrigin, urlValues("src", cookieMediaURL+"/"+set.TSMaster, "mode", "hlsjs", "session", "/credentials"), 2)
			var sent, refused bool
			for _, r := range netlog.Requests() {
				if !strings.HasPrefix(r.URL, cookieMediaURL+"/video/") {
					continue
				}
				if slices.Contains(r.Cookies, "CloudFront-Signature") {
					sent = true
				}
				if r.Status == http.StatusForbidden {
					refused = true
				}
			}
			switch {
			case sameSite == http.SameSiteLaxMode && sent:
				t.Errorf("Chromium sent SameSite=Lax cookies on cross-site requests")
				logRequests(t, netlog)
			case sent && res.CurrentTime <= 2, !sent && (!refused || res.CurrentTime > 0):
				t.Errorf("cookies sent: %v, but played %.2f s, 403 seen: %v", sent, res.CurrentTime, refused)
				logRequests(t, netlog)
			}
			notStored, notSent := why()
			t.Logf("Chromium %s cross-site: SameSite=%s cookies set by the media host: not stored because %v; not sent because %v; sent: %v; played %.2f s; 403 seen: %v",
				chromiumVersion(t, ctx), name, notStored, notSent, sent, res.CurrentTime, refused)
			if !sent && len(notStored)+len(notSent) == 0 {
				t.Errorf("the cookies were not sent, and Chromium gave no reason")
			}
		})
	}
}

// checkNoCookiesRefused asserts the media requests went without CloudFront
// cookies and the edge refused them.
func checkNoCookiesRefused(t *testing.T, netlog *chromium.NetLog, mediaURL string) {
	t.Helper()
	refused := false
	for _, r := range netlog.Requests() {
		if !strings.HasPrefix(r.URL, mediaURL) {
			continue
		}
		if slices.Contains(r.Cookies, "CloudFront-Signature") {
			t.Errorf("%s carried the page site's cookies to another site", r)
		}
		if r.Status == http.StatusForbidden {
			refused = true
			t.Logf("refusal as Chromium reported it: %s", r)
		}
	}
	if !refused {
		t.Error("Chromium saw no 403 from the media host")
		logRequests(t, netlog)
	}
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func chromiumVersion(t *testing.T, ctx context.Context) string {
	return eval[string](t, ctx, `navigator.userAgent.match(/Chrome\/[0-9.]+/)?.[0] || navigator.userAgent`)
}

// cookieReasons records, from DevTools, why Chromium refused to store a
// CloudFront-* cookie from a response (e.g. ThirdPartyPhaseout,
// SameSiteLax) or to send one with a request; the function it returns gives
// the distinct reasons seen so far.
func cookieReasons(t *testing.T, ctx context.Context) func() (notStored, notSent []string) {
	t.Helper()
	var mu sync.Mutex
	stored, sent := map[string]bool{}, map[string]bool{}
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventResponseReceivedExtraInfo:
			for _, c := range e.BlockedCookies {
				if strings.HasPrefix(c.CookieLine, "CloudFront-") {
					for _, r := range c.BlockedReasons {
						stored[string(r)] = true
					}
				}
			}
		case *network.EventRequestWillBeSentExtraInfo:
			for _, c := range e.AssociatedCookies {
				if c.Cookie != nil && strings.HasPrefix(c.Cookie.Name, "CloudFront-") {
					for _, r := range c.BlockedReasons {
						sent[string(r)] = true
					}
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	keys := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	return func() ([]string, []string) {
		mu.Lock()
		defer mu.Unlock()
		return keys(stored), keys(sent)
	}
}
