package browser

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/doctor"
	"github.com/mediacdn/mediacdn/internal/chromium"
	"github.com/mediacdn/mediacdn/internal/mediafixture"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testBrowser.Stop()
	mediafixture.RemoveShared()
	os.Exit(code)
}

func requireComponents(t *testing.T) *mediafixture.Set {
	go testBrowser.Start() // Chromium starts while the first test generates the media
	return mediafixture.RequireBrowser(t)
}

// The origin the page pretends to be on: nothing is ever sent to it.
const appOrigin = "http://localhost:3000"

// testBrowser is one Chromium for the tests that call check: starting one
// per check, as Check does, costs seconds each. TestPublicOriginToLoopback
// and the CLI's tests run Check itself, start included.
var testBrowser chromium.Shared

// check runs the check of o from appOrigin in the shared browser.
func check(t *testing.T, o Options) *doctor.Report {
	t.Helper()
	b, err := testBrowser.Start()
	if err != nil {
		t.Fatal(err)
	}
	o.Origin = appOrigin
	o, err = o.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.Timeout)
	defer cancel()
	rep, err := checkIn(ctx, b, o)
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	t.Log("\n" + text.String())
	return rep
}

func finding(t *testing.T, rep *doctor.Report, id string, sev doctor.Severity) doctor.Finding {
	t.Helper()
	for _, f := range rep.Find(id) {
		if f.Severity == sev {
			return f
		}
	}
	t.Fatalf("no %s finding %s", sev, id)
	return doctor.Finding{}
}

func TestImage(t *testing.T) {
	t.Parallel()
	set := requireComponents(t)
	t.Run("Vary on every response passes", func(t *testing.T) {
		srv := httptest.NewServer(&mediafixture.BareS3{Dir: set.Dir, VaryAlways: true})
		defer srv.Close()
		rep := check(t, Options{URL: srv.URL + "/" + set.Images[0]})
		if rep.Failed() {
			t.Error("report failed")
		}
		finding(t, rep, "browser.fetch-after-img", doctor.SeverityPass)
	})
	t.Run("F1: no Vary without Origin fails from the browser cache", func(t *testing.T) {
		bare := &mediafixture.BareS3{Dir: set.Dir}
		srv := httptest.NewServer(bare)
		defer srv.Close()
		rep := check(t, Options{URL: srv.URL + "/" + set.Images[0]})
		finding(t, rep, "browser.fetch", doctor.SeverityPass)
		finding(t, rep, "browser.img", doctor.SeverityPass)
		f := finding(t, rep, "browser.fetch-after-img", doctor.SeverityFail)
		for _, want := range []string{"CORS error MissingAllowOriginHeader", "browser's disk cache"} {
			if !strings.Contains(f.Cause, want) {
				t.Errorf("cause %q lacks %q", f.Cause, want)
			}
		}
		if !strings.Contains(f.Fix, "Vary: Origin") {
			t.Errorf("fix %q does not name Vary: Origin", f.Fix)
		}
		// Only the first fetch (fresh profile) reached the server with Origin.
		if n := bare.WithOrigin.Load(); n != 1 {
			t.Errorf("server got %d requests with Origin, want 1", n)
		}
	})
}

func TestPlaylist(t *testing.T) {
	t.Parallel()
	set := requireComponents(t)
	t.Run("plays", func(t *testing.T) {
		srv := httptest.NewServer(&mediafixture.BareS3{Dir: set.Dir, VaryAlways: true})
		defer srv.Close()
		rep := check(t, Options{URL: srv.URL + "/" + set.FMP4Master})
		if rep.Failed() {
			t.Error("report failed")
		}
		finding(t, rep, "browser.playback", doctor.SeverityPass)
	})
	t.Run("segments without CORS fail", func(t *testing.T) {
		srv := httptest.NewServer(&mediafixture.BareS3{Dir: set.Dir, VaryAlways: true, NoCORSFor: []string{".ts"}})
		defer srv.Close()
		rep := check(t, Options{URL: srv.URL + "/" + set.TSMaster})
		finding(t, rep, "browser.playback", doctor.SeverityFail)
		f := finding(t, rep, "browser.request-failed", doctor.SeverityFail)
		if !strings.HasSuffix(f.URL, ".ts") || !strings.Contains(f.What, "MissingAllowOriginHeader") {
			t.Errorf("want a .ts failing with MissingAllowOriginHeader, got %+v", f)
		}
	})
}

// TestPublicOriginToLoopback checks a local server with a public origin:
// Chromium's local network permission is granted, and the report says so.
func TestPublicOriginToLoopback(t *testing.T) {
	t.Parallel()
	set := requireComponents(t)
	srv := httptest.NewServer(&mediafixture.BareS3{Dir: set.Dir, VaryAlways: true})
	defer srv.Close()
	rep, err := Check(context.Background(), Options{URL: srv.URL + "/" + set.Images[0], Origin: "https://app.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	finding(t, rep, "browser.local-network", doctor.SeverityInfo)
	finding(t, rep, "browser.fetch-after-img", doctor.SeverityPass)
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"no chromium", Options{URL: "http://127.0.0.1:1/a.jpg", Origin: appOrigin, Chrome: "/nonexistent/chromium"}, "Chromium \"/nonexistent/chromium\""},
		{"origin with a path", Options{URL: "http://127.0.0.1:1/a.jpg", Origin: "http://localhost:3010/movies/59"}, "--origin"},
		{"bad url", Options{URL: "ftp://x/a.jpg", Origin: appOrigin}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Check(context.Background(), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestDescribeEscapes: the CORS parameter (the Access-Control-Allow-Origin
// the server sent) and X-Cache are the server's text: escaped and bounded
// before they reach a terminal.
func TestDescribeEscapes(t *testing.T) {
	got := describe(chromium.Request{
		ErrorText: "net::ERR_FAILED", CORSError: "AllowOriginMismatch",
		CORSParameter: "https://a.example\x1b[2J\x1b[HResult: PASS", Status: 200,
		XCache: "Hit\r\nfrom cloudfront" + strings.Repeat("x", 500),
	})
	if strings.ContainsAny(got, "\x1b\r\n") {
		t.Errorf("control characters reached the text: %q", got)
	}
	for _, want := range []string{`CORS error AllowOriginMismatch (https://a.example\x1b[2J\x1b[HResult: PASS)`, `X-Cache: Hit\r\nfrom cloudfront`, "more bytes)"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}
