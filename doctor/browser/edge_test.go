package browser

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/doctor"
	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/internal/edgefixture"
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
	t.Run("trap", func(t *testing.T) {
		trap := edgefixture.Template{Path: "../testdata/templates/caching-optimized-trap.json", Origin: "https://app.example.com"}
		srv, _ := edgefixture.Start(t, trap, appOrigin, set.Dir, edge.Options{})
		resp, err := http.Get(srv.URL + "/" + set.Images[1])
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		rep := check(t, Options{URL: srv.URL + "/" + set.Images[1]})
		f := finding(t, rep, "browser.fetch", doctor.SeverityFail)
		for _, want := range []string{"MissingAllowOriginHeader", "X-Cache: Hit", "(F4)"} {
			if !strings.Contains(f.Cause, want) {
				t.Errorf("cause %q lacks %q", f.Cause, want)
			}
		}
	})
}
