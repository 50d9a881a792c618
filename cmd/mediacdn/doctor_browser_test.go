package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
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

// TestDoctorBrowserAgainstServe: "doctor --browser" against "serve" itself
// (the default template over the generated media, on loopback): the image
// passes the <img>-then-fetch sequence and the TS master plays, with no
// failed finding and no CORS error.
func TestDoctorBrowserAgainstServe(t *testing.T) {
	set := mediafixture.RequireBrowser(t)
	base, out := startServe(t, "--template", defaultTemplate, "--dir", set.Dir)
	type report struct {
		Result   string `json:"result"`
		Findings []struct {
			ID, Severity, What, Cause string
		} `json:"findings"`
	}
	check := func(key string) report {
		t.Helper()
		code, stdout, stderr := runCLI("doctor", "--browser", base+"/"+key, "--origin", "http://localhost:3000", "--json")
		var r report
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("%s: --json output: %v\n%s%s", key, err, stdout, stderr)
		}
		if code != 0 || r.Result != "pass" {
			t.Errorf("%s: exit %d, result %q; want 0 and pass\n%s%s", key, code, r.Result, stdout, stderr)
		}
		for _, f := range r.Findings {
			if f.Severity == "fail" || strings.Contains(f.Cause, "CORS") {
				t.Errorf("%s: finding %s %s: %s %s", key, f.Severity, f.ID, f.What, f.Cause)
			}
		}
		return r
	}
	passed := func(r report, id string) bool {
		for _, f := range r.Findings {
			if f.ID == id && f.Severity == "pass" {
				return true
			}
		}
		return false
	}

	img := check(set.Images[0])
	if !passed(img, "browser.img") || !passed(img, "browser.fetch-after-img") {
		t.Errorf("image: want passed browser.img and browser.fetch-after-img: %+v", img.Findings)
	}
	played := regexp.MustCompile(`^hls\.js \S+ played ([0-9.]+) s `)
	seconds := 0.0
	for _, f := range check(set.TSMaster).Findings {
		if m := played.FindStringSubmatch(f.What); f.ID == "browser.playback" && f.Severity == "pass" && m != nil {
			seconds, _ = strconv.ParseFloat(m[1], 64)
		}
	}
	if seconds <= 0 {
		t.Errorf("playlist: no passed browser.playback with played seconds > 0")
	}
	// The requests went through serve: its request lines show the browser's.
	for _, want := range []string{"GET /" + set.Images[0] + " behavior=*.jpg", "GET /" + set.TSMaster + " behavior=*.m3u8", ".ts behavior=*.ts cache="} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve printed no line with %q:\n%s", want, out.String())
		}
	}
}
