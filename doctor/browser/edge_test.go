package browser

import (
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/doctor"
	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/internal/edgefixture"
	"github.com/mediacdn/mediacdn/urlsign"
)

// TestAgainstEdge runs the browser check against the local edge serving the
// stack synthesized with the cdk.json defaults (which allow
// http://localhost:3000, the --origin here): the image passes F1 and the
// TS asset plays. Against the CachingOptimized trap, once a request without
// Origin is cached, the download fails with the edge's cached answer.
func TestAgainstEdge(t *testing.T) {
	t.Parallel()
	set := requireComponents(t)
	defaults := edgefixture.Template{Path: "../../test/testdata/default.template.json"}
	srv, _ := edgefixture.Start(t, defaults, "", set.Dir, edge.Options{})
	t.Run("image", func(t *testing.T) {
		rep := check(t, Options{URL: srv.URL + "/" + set.Images[0]})
		if rep.Failed() {
			t.Error("report failed")
		}
		finding(t, rep, "browser.fetch-after-img", doctor.SeverityPass)
	})
	t.Run("playlist", func(t *testing.T) {
		rep := check(t, Options{URL: srv.URL + "/" + set.TSMaster})
		if rep.Failed() {
			t.Error("report failed")
		}
		finding(t, rep, "browser.playback", doctor.SeverityPass)
	})
	t.Run("signed playlist", func(t *testing.T) {
		// A key group; its template allows http://localhost:3000 (appOrigin).
		signed := edgefixture.Template{Path: "../../test/browser/testdata/signed-cookies.template.json"}
		srv, e := edgefixture.Start(t, signed, "", set.Dir, edge.Options{})
		signer := edgefixture.Signer(t, e, "../../test/browser/testdata/keys/test_only_rsa_private.pem")
		asset, err := signer.SignAsset(srv.URL+"/video/ts/", urlsign.Policy{Expires: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		master := srv.URL + "/" + set.TSMaster + "?" + asset.Query
		// The query carried to the variant playlists and segments: it plays.
		rep := check(t, Options{URL: master, PropagateQuery: true})
		if rep.Failed() {
			t.Error("report failed")
		}
		finding(t, rep, "browser.playback", doctor.SeverityPass)
		// Not carried: the master loads, the variant playlist is refused.
		rep = check(t, Options{URL: master})
		finding(t, rep, "browser.playback", doctor.SeverityFail)
		f := finding(t, rep, "browser.request-failed", doctor.SeverityFail)
		if !strings.Contains(f.URL, "/video/ts/v") || !strings.Contains(f.What, "HTTP 403") ||
			!strings.Contains(f.Cause, "access denied (403)") || !strings.Contains(f.Fix, "--propagate-query") {
			t.Errorf("want a variant playlist or segment refused with 403, its cause and the fix, got %+v", f)
		}
	})
	t.Run("trap", func(t *testing.T) {
		trap := edgefixture.Template{Path: "../testdata/templates/caching-optimized-trap.json", Origin: "https://app.example.com"}
		srv, _ := edgefixture.Start(t, trap, appOrigin, set.Dir, edge.Options{})
		// Fill the cache as the browser's <img> would: CachingOptimized keys on
		// the normalized Accept-Encoding, and Chromium sends br to 127.0.0.1.
		edgefixture.GetAsImage(t, srv.URL+"/"+set.Images[1])
		rep := check(t, Options{URL: srv.URL + "/" + set.Images[1]})
		f := finding(t, rep, "browser.fetch", doctor.SeverityFail)
		for _, want := range []string{"MissingAllowOriginHeader", "X-Cache: Hit", "(F4)"} {
			if !strings.Contains(f.Cause, want) {
				t.Errorf("cause %q lacks %q", f.Cause, want)
			}
		}
	})
}
