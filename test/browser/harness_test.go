// Package browser proves in headless Chromium what mediacdn deploys: the
// example pages (examples/) run from a page origin on 127.0.0.1 against the
// local edge serving synthesized templates over generated media, and the
// negative controls fail the way seeds 000 and 002 describe.
//
// Chromium and ffmpeg are needed; without them the tests skip, unless
// MEDIACDN_REQUIRE_BROWSER is set (as .ci/run does), where that is a failure.
package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mediacdn/mediacdn/internal/chromium"
	"github.com/mediacdn/mediacdn/internal/hlsjs"
	"github.com/mediacdn/mediacdn/internal/mediafixture"
)

func TestMain(m *testing.M) {
	start := time.Now()
	code := m.Run()
	browser.Stop()
	mediafixture.RemoveShared()
	if os.Getenv("MEDIACDN_BROWSER_TIMING") != "" {
		fmt.Printf("browser suite: %.1f s\n", time.Since(start).Seconds())
	}
	os.Exit(code)
}

// requireComponents skips (or fails under MEDIACDN_REQUIRE_BROWSER) when
// Chromium or ffmpeg is missing, and returns the generated media.
func requireComponents(t *testing.T) *mediafixture.Set {
	go browser.Start() // Chromium starts while the first test generates the media
	return mediafixture.RequireBrowser(t)
}

// browser is the one Chromium of the package's tests.
var browser chromium.Shared

// tab opens a tab with its own cache and cookies in the shared browser, and
// records its network requests.
func tab(t *testing.T) (context.Context, *chromium.NetLog) {
	t.Helper()
	b, err := browser.Start()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromium.NewTab(b)
	t.Cleanup(cancel)
	netlog, err := chromium.Record(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx, netlog
}

// pageServer is the web app's origin: the example pages, hls.js, and a
// back-end route the tests may add (e.g. one that sets signed cookies).
func pageServer(t *testing.T, backend map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir("../../examples")))
	mux.HandleFunc("/vendor/hls.min.js", hlsjs.ServeHTTP)
	for path, h := range backend {
		mux.HandleFunc(path, h)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// serve starts h on 127.0.0.1 for the test.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// urlValues builds a query from name, value pairs.
func urlValues(pairs ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Set(pairs[i], pairs[i+1])
	}
	return q
}

// navigate opens url in the tab and waits for the page's load event.
func navigate(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate %s: %v", url, err)
	}
}

// eval runs a script in the page, waiting for the promise it returns.
func eval[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", firstLine(script), err)
	}
	return v
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i > 0 {
		return s[:i] + "..."
	}
	return s
}

// logRequests writes what Chromium reported, for a failing test's log.
func logRequests(t *testing.T, netlog *chromium.NetLog) {
	t.Helper()
	for _, r := range netlog.Requests() {
		t.Log(r.String())
	}
}
