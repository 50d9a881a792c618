package edge

import (
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfconfig"
)

func withFunction(b *cfconfig.Behavior, event, code string) *cfconfig.Behavior {
	b.Functions = append(b.Functions, cfconfig.Function{Name: "Stack/" + strings.ReplaceAll(b.PathPattern, "*", "x") + event, EventType: event, Code: code, Runtime: "cloudfront-js-2.0"})
	return b
}

func TestFunctions(t *testing.T) {
	rewrite := withFunction(testBehavior("rewrite/*"), "viewer-request", `
import cf from 'cloudfront';
function handler(event) {
  var req = event.request;
  req.uri = req.uri.replace('/rewrite/', '/photos/');
  req.headers['origin'] = {value: 'https://app.example.com'};
  delete req.querystring['drop'];
  return req;
}`)
	gen := withFunction(testBehavior("gen/*"), "viewer-request", `
async function handler(event) {
  return {statusCode: 302, statusDescription: 'Found', headers: {location: {value: 'https://example.com' + event.request.uri}}};
}`)
	vary := withFunction(testBehavior("*"), "viewer-response", `
function handler(event) {
  var h = event.response.headers;
  h['vary'] = {value: 'Origin'};
  h['x-seen-status'] = {value: String(event.response.statusCode)};
  h['x-seen-origin'] = {value: event.request.headers['origin'] ? event.request.headers['origin'].value : 'none'};
  return event.response;
}`)
	throws := withFunction(testBehavior("throw/*"), "viewer-request", `function handler(event) { throw new Error('boom'); }`)
	loops := withFunction(testBehavior("loop/*"), "viewer-request", `function handler(event) { for (;;) {} }`)
	d := testDistribution(rewrite, gen, throws, loops)
	d.Behaviors[len(d.Behaviors)-1] = vary
	vary.IsDefault, vary.PathPattern = true, "*"
	h := newHarness(t, d, Options{FunctionTimeout: 300 * time.Millisecond}) // generous: CI machines are loaded

	r := h.do("GET", "/rewrite/a.jpg?drop=1&keep=2")
	reqs := h.origin.log()
	if r.StatusCode != 200 || len(reqs) != 1 || reqs[0].URL.Path != "/photos/a.jpg" || reqs[0].Header.Get("Origin") != "https://app.example.com" {
		t.Errorf("viewer-request rewrite: %d, origin saw %v", r.StatusCode, reqs)
	}
	r = h.do("GET", "/gen/x")
	if r.StatusCode != 302 || r.Header.Get("Location") != "https://example.com/gen/x" || r.Header.Get("X-Cache") != "FunctionGeneratedResponse from cloudfront" {
		t.Errorf("generated response: %d %v", r.StatusCode, r.Header)
	}
	if len(h.origin.log()) != 1 {
		t.Error("a generated response reached the origin")
	}
	r = h.do("GET", "/photos/a.jpg", "Origin: https://app.example.com")
	if r.Header.Get("Vary") != "Origin" || r.Header.Get("X-Seen-Status") != "200" || r.Header.Get("X-Seen-Origin") != "https://app.example.com" {
		t.Errorf("viewer-response: %v", r.Header)
	}
	if info := h.last(); info.CORS["Vary"] != LayerFunction {
		t.Errorf("Vary credited to %q, want function", info.CORS["Vary"])
	}
	// No viewer-response function for a status of 400 or more.
	r = h.do("GET", "/photos/missing.jpg")
	if r.StatusCode != 403 || r.Header.Get("X-Seen-Status") != "" {
		t.Errorf("viewer-response ran on %d: %v", r.StatusCode, r.Header)
	}
	for _, p := range []string{"/throw/a", "/loop/a"} {
		start := time.Now()
		r = h.do("GET", p)
		if r.StatusCode != 503 || time.Since(start) > 5*time.Second {
			t.Errorf("%s: %d after %v", p, r.StatusCode, time.Since(start))
		}
		if !strings.Contains(h.last().Reason, "function") {
			t.Errorf("%s: reason %q", p, h.last().Reason)
		}
	}
	// The runtime is reusable after an interrupted run.
	if r := h.do("GET", "/rewrite/a.jpg"); r.StatusCode != 200 {
		t.Errorf("after a timeout: %d", r.StatusCode)
	}
}

// TestOurViewerResponseFunction runs the function the construct synthesizes
// (from the signed template) through the edge: Vary: Origin on every
// response, ACAO for an allowed origin when nothing else set it.
func TestOurViewerResponseFunction(t *testing.T) {
	d := loadDist(t, "../test/testdata/default.template.json")
	for _, b := range d.Behaviors {
		b.ResponseHeadersPolicy = nil // the function alone
	}
	origin := newMemOrigin(nil)
	putMedia(origin)
	e, err := New(d, origin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, edge: e, origin: origin}
	r := h.do("GET", "/photos/a.jpg")
	if r.Header.Get("Vary") != "Origin" || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no Origin: Vary %q ACAO %q", r.Header.Get("Vary"), r.Header.Get("Access-Control-Allow-Origin"))
	}
	r = h.do("GET", "/photos/a.jpg", "Origin: http://localhost:3000")
	if r.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("allowed origin: ACAO %q", r.Header.Get("Access-Control-Allow-Origin"))
	}
	r = h.do("GET", "/photos/a.jpg", "Origin: https://evil.example.net")
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin: ACAO %q", r.Header.Get("Access-Control-Allow-Origin"))
	}
}
