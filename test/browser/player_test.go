package browser

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/chromium"
	"github.com/mediacdn/mediacdn/internal/mediafixture"
)

// playerError is one entry of window.player.errors.
type playerError struct {
	Type    string `json:"type"`
	Details string `json:"details"`
	Fatal   bool   `json:"fatal"`
	URL     string `json:"url"`
	Status  int    `json:"status"`
}

// playerResult is what the player page reports after playing or failing.
type playerResult struct {
	Engine      string        `json:"engine"`
	NativeHLS   string        `json:"nativeHLS"`
	CurrentTime float64       `json:"currentTime"`
	Errors      []playerError `json:"errors"`
}

// networkErrors returns the hls.js network errors (and session errors).
func (p playerResult) networkErrors() []playerError {
	var out []playerError
	for _, e := range p.Errors {
		if e.Type == "networkError" || e.Type == "session" {
			out = append(out, e)
		}
	}
	return out
}

// play opens the player on src and waits until the video has played past
// want seconds, or a network or fatal error, or the deadline.
func play(t *testing.T, ctx context.Context, pageURL string, q url.Values, want float64) playerResult {
	t.Helper()
	// No deadline of its own: the tab's (see tab) bounds it. Playing ends the
	// wait at once; only a stall uses it up, and on a loaded machine a 20 s
	// wait ran out while playback was still progressing.
	navigate(t, ctx, pageURL+"/player/?"+q.Encode())
	script := `new Promise(resolve => {
		const v = document.getElementById("video");
		const done = () => resolve({engine: player.engine, nativeHLS: player.nativeHLS, currentTime: v.currentTime, errors: player.errors});
		const poll = () => {
			if (v.currentTime > ` + ftoa(want) + ` || player.engine === "none" ||
			    player.errors.some(e => e.fatal || e.type === "networkError" || e.type === "session")) { return done(); }
			setTimeout(poll, 50);
		};
		poll();
	})`
	return eval[playerResult](t, ctx, script)
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// checkPlayed asserts playback passed 2 s with no network error and no
// request failed in Chromium.
func checkPlayed(t *testing.T, res playerResult, netlog *chromium.NetLog) {
	t.Helper()
	if res.CurrentTime <= 2 {
		t.Errorf("%s played to %.2f s, want > 2 s; errors %+v", res.Engine, res.CurrentTime, res.Errors)
	}
	for _, e := range res.networkErrors() {
		t.Errorf("%s network error: %+v", res.Engine, e)
	}
	for _, r := range netlog.Failures() {
		t.Errorf("Chromium failed a request: %s", r)
	}
}

// TestPlayerNegativeControlSegmentsWithoutCORS is seed 002's failing
// distribution: playlists answered with CORS headers, .ts segments without.
// hls.js loads the playlists and fails on the first segment with
// fragLoadError, and Chromium names the CORS reason. The same server with
// CORS on the segments plays, so the failure is the segments' headers.
func TestPlayerNegativeControlSegmentsWithoutCORS(t *testing.T) {
	set := requireComponents(t)
	page := pageServer(t, nil)

	t.Run(".ts without CORS headers fails", func(t *testing.T) {
		media := serve(t, &mediafixture.BareS3{Dir: set.Dir, VaryAlways: true, NoCORSFor: []string{".ts"}})
		ctx, netlog := tab(t)
		res := play(t, ctx, page.URL, url.Values{"src": {media.URL + "/" + set.TSMaster}, "mode": {"hlsjs"}}, 2)
		if res.CurrentTime > 0.5 {
			t.Errorf("played to %.2f s without CORS on the segments", res.CurrentTime)
		}
		var frag bool
		for _, e := range res.networkErrors() {
			if e.Details == "fragLoadError" && strings.HasSuffix(e.URL, ".ts") {
				frag = true
			}
		}
		if !frag {
			t.Errorf("want an hls.js fragLoadError on a .ts, got %+v", res.Errors)
		}
		var cors bool
		for _, r := range netlog.Failures() {
			// 200: the segment exists and was sent; only its headers fail.
			if strings.HasSuffix(r.URL, ".ts") && r.CORSError == "MissingAllowOriginHeader" && r.Status == http.StatusOK {
				cors = true
			} else {
				t.Errorf("unexpected failure: %s", r)
			}
		}
		if !cors {
			t.Error("Chromium reported no MissingAllowOriginHeader for a .ts answered 200")
			logRequests(t, netlog)
		}
	})
	t.Run("with CORS on the segments plays", func(t *testing.T) {
		media := serve(t, &mediafixture.BareS3{Dir: set.Dir, VaryAlways: true})
		ctx, netlog := tab(t)
		res := play(t, ctx, page.URL, url.Values{"src": {media.URL + "/" + set.TSMaster}, "mode": {"hlsjs"}}, 2)
		checkPlayed(t, res, netlog)
	})
}
