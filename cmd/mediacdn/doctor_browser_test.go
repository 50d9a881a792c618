package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/internal/edgefixture"
	"github.com/mediacdn/mediacdn/internal/mediafixture"
	"github.com/mediacdn/mediacdn/urlsign"
)

// TestMain removes the media the browser tests generated, once for all.
// With MEDIACDN_TEST_RUN_MAIN=1 the test binary is the CLI instead (its
// arguments are the CLI's), so tests can run it as a process and signal it.
func TestMain(m *testing.M) {
	if os.Getenv("MEDIACDN_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	code := m.Run()
	mediafixture.RemoveShared()
	os.Exit(code)
}

func TestDoctorBrowserUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"doctor", "--browser", "--origin", "http://localhost:3000"}, "--browser needs the URL"},
		{[]string{"doctor", "--browser", "http://127.0.0.1:1/a.jpg"}, "--origin is required"},
		{[]string{"doctor", "--browser", "http://127.0.0.1:1/a.jpg", "--origin", "http://localhost:3000", "--chrome", "/nonexistent/chromium"}, `--chrome: Chromium "/nonexistent/chromium": not an executable file`},
		// Flags of the HTTP checks would be silently ignored by the browser.
		{[]string{"doctor", "--browser", "http://127.0.0.1:1/a.jpg", "--origin", "http://localhost:3000", "--header", "Cookie: a=b"}, "--header is not used by --browser"},
		{[]string{"doctor", "--browser", "http://127.0.0.1:1/a.m3u8", "--origin", "http://localhost:3000", "--sample", "3"}, "--sample is not used by --browser"},
		{[]string{"doctor", "--browser", "http://127.0.0.1:1/a.m3u8", "--origin", "http://localhost:3000", "--timeout", "0s"}, "--timeout must be positive"},
	} {
		code, _, stderr := runCLI(tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestDoctorBrowserNoChromium: without --chrome and with no Chromium on
// PATH (an empty directory; chromium.Find looks nowhere else), the doctor
// stops with exit 2 and says how to install one or name it with --chrome.
func TestDoctorBrowserNoChromium(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	code, stdout, stderr := runCLI("doctor", "--browser", "http://127.0.0.1:1/a.jpg", "--origin", "http://localhost:3000")
	if code != 2 || stdout != "" {
		t.Errorf("exit %d, stdout %q; want 2 and nothing\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"mediacdn: --browser: no Chromium found on PATH", "install it (Debian: apt-get install chromium)", ", or pass --chrome PATH"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q does not say %q", stderr, want)
		}
	}
}

// TestDoctorBrowser runs the CLI's --browser mode on a server that fails F1
// (exit 1, the cache named) and on one that does not (exit 0).
func TestDoctorBrowser(t *testing.T) {
	set := mediafixture.RequireBrowser(t)
	good := httptest.NewServer(&mediafixture.BareS3{Dir: set.Dir, VaryAlways: true})
	defer good.Close()
	bad := httptest.NewServer(&mediafixture.BareS3{Dir: set.Dir})
	defer bad.Close()

	code, stdout, stderr := runCLI("doctor", "--browser", good.URL+"/"+set.Images[0], "--origin", "http://localhost:3000")
	if code != 0 || !strings.Contains(stdout, "Result: PASS") {
		t.Errorf("good server: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI("doctor", "--browser", bad.URL+"/"+set.Images[0], "--origin", "http://localhost:3000", "--json")
	if code != 1 {
		t.Errorf("F1 server: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	var doc struct {
		Result   string `json:"result"`
		Findings []struct {
			ID, Severity, Cause string
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout)
	}
	found := false
	for _, f := range doc.Findings {
		if f.ID == "browser.fetch-after-img" && f.Severity == "fail" && strings.Contains(f.Cause, "MissingAllowOriginHeader") && strings.Contains(f.Cause, "cache") {
			found = true
		}
	}
	if doc.Result != "fail" || !found {
		t.Errorf("want a failed browser.fetch-after-img naming the CORS reason and the cache:\n%s", stdout)
	}
}

// TestDoctorBrowserSignedPlaylist: --propagate-query reaches the browser
// check, so a signed playlist URL plays (exit 0) through the edge serving a
// template with a key group.
func TestDoctorBrowserSignedPlaylist(t *testing.T) {
	set := mediafixture.RequireBrowser(t)
	signed := edgefixture.Template{Path: "../../test/browser/testdata/signed-cookies.template.json"}
	srv, e := edgefixture.Start(t, signed, "", set.Dir, edge.Options{})
	signer := edgefixture.Signer(t, e, "../../test/browser/testdata/keys/test_only_rsa_private.pem")
	asset, err := signer.SignAsset(srv.URL+"/video/ts/", urlsign.Policy{Expires: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI("doctor", "--browser", srv.URL+"/"+set.TSMaster+"?"+asset.Query,
		"--origin", "http://localhost:3000", "--propagate-query")
	if code != 0 || !strings.Contains(stdout, "PASS  browser.playback") {
		t.Errorf("exit %d, want 0 and a played asset\n%s%s", code, stdout, stderr)
	}
}
