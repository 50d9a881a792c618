package browser

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/doctor"
	"github.com/mediacdn/mediacdn/internal/mediafixture"
)

func TestMain(m *testing.M) {
	code := m.Run()
	mediafixture.RemoveShared()
	os.Exit(code)
}

func requireComponents(t *testing.T) *mediafixture.Set { return mediafixture.RequireBrowser(t) }

// The origin the page pretends to be on: nothing is ever sent to it.
const appOrigin = "http://localhost:3000"

func check(t *testing.T, o Options) *doctor.Report {
	t.Helper()
	o.Origin = appOrigin
	o.Chrome = os.Getenv("MEDIACDN_CHROME")
	rep, err := Check(context.Background(), o)
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
