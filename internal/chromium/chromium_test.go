package chromium

import (
	"errors"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
)

// TestNetLog feeds DevTools events in the orders Chromium sends them and
// checks what the log concludes, in particular where a CORS-blocked
// response came from (Chromium sends no responseReceived for it).
func TestNetLog(t *testing.T) {
	req := func(id, url string) *network.EventRequestWillBeSent {
		return &network.EventRequestWillBeSent{RequestID: network.RequestID(id), Request: &network.Request{URL: url, Method: "GET"}, Type: network.ResourceTypeFetch}
	}
	cors := func(id string, reason network.CorsError) *network.EventLoadingFailed {
		return &network.EventLoadingFailed{RequestID: network.RequestID(id), ErrorText: "net::ERR_FAILED", CorsErrorStatus: &network.CorsErrorStatus{CorsError: reason}}
	}
	extra := func(id string, status int64, h network.Headers) *network.EventResponseReceivedExtraInfo {
		return &network.EventResponseReceivedExtraInfo{RequestID: network.RequestID(id), StatusCode: status, Headers: h}
	}
	for _, tc := range []struct {
		name      string
		events    []any
		fromCache string
		status    int
		xcache    string
	}{
		{"blocked, nothing from the network: the HTTP cache's copy",
			[]any{req("1", "http://m/a.jpg"), cors("1", network.CorsErrorMissingAllowOriginHeader)}, "disk", 0, ""},
		{"blocked after a network response",
			[]any{req("1", "http://m/a.jpg"), extra("1", 200, network.Headers{"X-Cache": "Hit from cloudfront"}), cors("1", network.CorsErrorMissingAllowOriginHeader)}, "", 200, "Hit from cloudfront"},
		{"extra info arriving after the failure",
			[]any{req("1", "http://m/a.jpg"), cors("1", network.CorsErrorMissingAllowOriginHeader), extra("1", 200, nil)}, "", 200, ""},
		{"revalidated: 304 on the network, the cached copy blocked",
			[]any{req("1", "http://m/a.jpg"), extra("1", 304, nil), cors("1", network.CorsErrorMissingAllowOriginHeader)}, "revalidated", 304, ""},
		{"refused before sending: no cache involved",
			[]any{req("1", "http://m/a.jpg"), cors("1", network.CorsError("LocalNetworkAccessPermissionDenied"))}, "", 0, ""},
		{"served from the disk cache",
			[]any{req("1", "http://m/a.jpg"), &network.EventResponseReceived{RequestID: "1", Response: &network.Response{Status: 200, FromDiskCache: true}}}, "disk", 200, ""},
		{"served from the memory cache",
			[]any{req("1", "http://m/a.jpg"), &network.EventRequestServedFromCache{RequestID: "1"}, &network.EventResponseReceived{RequestID: "1", Response: &network.Response{Status: 200}}}, "memory", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &NetLog{byID: map[network.RequestID]*Request{}}
			for _, ev := range tc.events {
				l.event(ev)
			}
			rs := l.Requests()
			if len(rs) != 1 {
				t.Fatalf("%d requests", len(rs))
			}
			r := rs[0]
			if r.FromCache != tc.fromCache || r.Status != tc.status || r.XCache != tc.xcache {
				t.Errorf("got from cache %q, status %d, X-Cache %q; want %q, %d, %q (%s)", r.FromCache, r.Status, r.XCache, tc.fromCache, tc.status, tc.xcache, r)
			}
		})
	}
	t.Run("non-http requests are left out", func(t *testing.T) {
		l := &NetLog{byID: map[network.RequestID]*Request{}}
		l.event(req("1", "data:image/svg+xml;base64,AAAA"))
		l.event(req("2", "blob:http://p/1"))
		if rs := l.Requests(); len(rs) != 0 {
			t.Errorf("%v", rs)
		}
	})
}

func TestFind(t *testing.T) {
	if _, err := Find("/nonexistent/chromium"); !errors.Is(err, ErrNotExecutable) {
		t.Errorf("a missing explicit path: %v, want ErrNotExecutable", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := Find(""); !errors.Is(err, ErrNotFound) {
		t.Errorf("empty PATH: %v, want ErrNotFound", err)
	}
	// The message names every program Find looks for.
	for _, name := range candidates {
		if !strings.Contains(ErrNotFound.Error(), name+",") && !strings.Contains(ErrNotFound.Error(), name+")") {
			t.Errorf("ErrNotFound does not name %s: %v", name, ErrNotFound)
		}
	}
}

func TestSharedStoppedBeforeStart(t *testing.T) {
	var s Shared
	s.Stop() // starts nothing
	if b, err := s.Start(); err == nil || b != nil {
		t.Errorf("Start after Stop: %v, %v; want an error and no browser", b, err)
	}
}
