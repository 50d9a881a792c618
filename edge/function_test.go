package edge

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

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
	loops := withFunction(testBehavior("loop/*"), "viewer-request", `
function handler(event) {
  if (event.request.uri === '/loop/spin') { for (;;) {} }
  event.request.uri = '/photos/a.jpg';
  return event.request;
}`)
	d := testDistribution(rewrite, gen, throws, loops)
	d.Behaviors[len(d.Behaviors)-1] = vary
	vary.IsDefault, vary.PathPattern = true, "*"
	// Far above a normal run (microseconds) even on a loaded CI machine, so
	// only the endless loop reaches it.
	h := newHarness(t, d, Options{FunctionTimeout: 2 * time.Second})

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
	// A run that never ends is stopped by the timeout (without it, this
	// test hangs until go test's own timeout fails it).
	for _, c := range []struct{ path, reason string }{{"/throw/a", "threw"}, {"/loop/spin", "ran longer than 2s"}} {
		r = h.do("GET", c.path)
		if r.StatusCode != 503 || !strings.Contains(h.last().Reason, c.reason) {
			t.Errorf("%s: %d, reason %q, want 503 and %q", c.path, r.StatusCode, h.last().Reason, c.reason)
		}
	}
	// The same function runs normally after an interrupted run.
	if r := h.do("GET", "/loop/a"); r.StatusCode != 200 {
		t.Errorf("after a timeout: %d (%s)", r.StatusCode, h.last().Reason)
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
	e, err := New(d, origin, Options{FunctionTimeout: testFunctionTimeout})
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

// TestFunctionResponseCookies: a viewer-response function sees the origin's
// Set-Cookie lines in event.response.cookies (with their attributes) and
// what it returns there is what the viewer gets; a generated response's
// cookies keep their attributes. The old code hid the origin's cookies from
// the function and then dropped them from the response.
func TestFunctionResponseCookies(t *testing.T) {
	fn := withFunction(testBehavior("*"), "viewer-response", `
function handler(event) {
  var r = event.response;
  r.headers['x-seen'] = {value: r.cookies['session'] ? r.cookies['session'].value + '|' + r.cookies['session'].attributes : 'none'};
  r.cookies['added'] = {value: '1', attributes: 'Path=/; Max-Age=60'};
  return r;
}`)
	gen := withFunction(testBehavior("gen/*"), "viewer-request", `
function handler(event) {
  return {statusCode: 200, cookies: {a: {value: 'x', attributes: 'Secure'}, b: {value: 'y', multiValue: [{value: 'y'}, {value: 'z', attributes: 'Path=/z'}]}}};
}`)
	d := testDistribution(gen)
	d.Behaviors[len(d.Behaviors)-1] = fn
	fn.IsDefault = true
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "session=abc; Path=/; HttpOnly")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte("ok"))
	})
	e, err := New(d, origin, Options{FunctionTimeout: testFunctionTimeout})
	if err != nil {
		t.Fatal(err)
	}
	w := serve(e, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/a.txt", nil))
	if got := w.Header().Get("X-Seen"); got != "abc|Path=/; HttpOnly" {
		t.Errorf("function saw session cookie %q", got)
	}
	if got, want := strings.Join(w.Header().Values("Set-Cookie"), " / "), "added=1; Path=/; Max-Age=60 / session=abc; Path=/; HttpOnly"; got != want {
		t.Errorf("Set-Cookie %q, want %q", got, want)
	}
	w = serve(e, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/gen/x", nil))
	if got, want := strings.Join(w.Header().Values("Set-Cookie"), " / "), "a=x; Secure / b=y / b=z; Path=/z"; got != want {
		t.Errorf("generated Set-Cookie %q, want %q", got, want)
	}
}

// TestFunctionCompiledOnce: a function associated with several behaviors
// (ours: one viewer-response function on every behavior of the default
// template) is compiled once, when New runs, and every behavior runs that
// one program; two functions are two programs.
func TestFunctionCompiledOnce(t *testing.T) {
	d := loadDist(t, "../test/testdata/default.template.json")
	e, err := New(d, originFor(t, d), Options{FunctionTimeout: testFunctionTimeout})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*function{}
	programs := map[*goja.Program]string{}
	for _, b := range d.Behaviors {
		if len(b.Functions) == 0 {
			t.Fatalf("behavior %s has no function: the template changed", b.Label())
		}
		pair := e.funcs[b]
		for _, f := range b.Functions {
			fn := pair[0]
			if f.EventType == "viewer-response" {
				fn = pair[1]
			}
			if fn == nil {
				t.Fatalf("behavior %s: %s function %s not prepared", b.Label(), f.EventType, f.Name)
			}
			if prev, ok := byName[f.Name+" "+f.EventType]; ok && prev != fn {
				t.Errorf("behavior %s: function %s compiled again (a second program)", b.Label(), f.Name)
			}
			byName[f.Name+" "+f.EventType] = fn
			if other, ok := programs[fn.program]; ok && other != f.Name {
				t.Errorf("functions %s and %s share one program", other, f.Name)
			}
			programs[fn.program] = f.Name
		}
	}
	if len(byName) == 0 || len(programs) != len(byName) {
		t.Errorf("%d functions, %d programs", len(byName), len(programs))
	}

	// Two behaviors with different code get different programs.
	one := withFunction(testBehavior("one/*"), "viewer-request", `function handler(e) { return e.request; }`)
	two := withFunction(testBehavior("two/*"), "viewer-request", `function handler(e) { return e.request; }`)
	e2, err := New(testDistribution(one, two), http.NotFoundHandler(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e2.funcs[one][0] == e2.funcs[two][0] {
		t.Error("two functions (two names) share one compiled function")
	}
}
