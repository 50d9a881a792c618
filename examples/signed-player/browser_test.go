package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/internal/chromium"
	"github.com/mediacdn/mediacdn/internal/edgefixture"
	"github.com/mediacdn/mediacdn/internal/hlsjs"
	"github.com/mediacdn/mediacdn/internal/mediafixture"
	"github.com/mediacdn/mediacdn/urlsign"
)

// TestExamplePagesInChromium runs the three example pages in headless
// Chromium, as a user would open them, against the local edge serving the
// signed template of the browser tests (key group, credentials allowed for
// the page's origin): each plays the generated TS asset past 2 s. The page
// origin and the edge are both on 127.0.0.1, the same site, so the cookie
// page's host-only cookies reach the media.
func TestExamplePagesInChromium(t *testing.T) {
	set := mediafixture.RequireBrowser(t)
	pemBytes, err := os.ReadFile("../../test/browser/testdata/keys/test_only_rsa_private.pem")
	if err != nil {
		t.Fatal(err)
	}
	key, err := cfkeys.ParsePrivateKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	var app http.Handler
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { app.ServeHTTP(w, r) }))
	defer page.Close()
	media, e := edgefixture.Start(t, edgefixture.Template{Path: "../../test/browser/testdata/signed-cookies.template.json", Origin: "http://localhost:3000"},
		page.URL, set.Dir, edge.Options{})
	var keyID string
	for _, id := range e.KeyPairIDs() {
		keyID = id
	}
	signer, err := urlsign.New(keyID, key)
	if err != nil {
		t.Fatal(err)
	}
	if app, err = newHandler(signer, media.URL+"/video/", http.HandlerFunc(hlsjs.ServeHTTP), "", time.Hour); err != nil {
		t.Fatal(err)
	}

	path, err := chromium.Find(os.Getenv("MEDIACDN_CHROME"))
	if err != nil {
		t.Fatal(err)
	}
	browser, stop, err := chromium.Start(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, p := range []string{"cookies.html", "query.html", "native.html"} {
		t.Run(p, func(t *testing.T) {
			ctx, closeTab := chromium.NewTab(browser)
			defer closeTab()
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			type state struct {
				CurrentTime float64  `json:"currentTime"`
				Errors      []string `json:"errors"`
				Playlist    string   `json:"playlist"`
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(page.URL+"/"+p+"?asset=ts&playlist=master.m3u8")); err != nil {
				t.Fatal(err)
			}
			// Until the video passes 2 s or the page reports an error.
			st, err := chromedp.Run(ctx, chromedp.Evaluate[state](`new Promise(resolve => {
				const poll = () => {
					const v = document.querySelector('video');
					const s = window.playerState;
					if (s && (v.currentTime > 2 || s.errors.length > 0)) {
						return resolve({currentTime: v.currentTime, errors: s.errors, playlist: s.playlist || ''});
					}
					setTimeout(poll, 50);
				};
				poll();
			})`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatal(err)
			}
			if st.CurrentTime <= 2 || len(st.Errors) > 0 {
				t.Errorf("%s played %.2f s, errors %v (playlist %s)", p, st.CurrentTime, st.Errors, st.Playlist)
			}
		})
	}
}
