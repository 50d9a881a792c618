package doctor

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/httplist"
)

// cdnSim is a small stand-in for CloudFront in front of S3, enough to
// reproduce the failure modes: S3 answers CORS only when it receives Origin
// and its (wildcard) CORS rules are on; CloudFront forwards Origin only with
// an origin request policy; a response headers policy adds CORS at the edge;
// a cache keyed on the path (and Origin, if in the key) with x-cache.
type cdnSim struct {
	objects map[string]simObject

	bucketCORS     bool // bucket has CORS rules: origins *, GET HEAD, headers *
	exposeHeaders  string
	forwardOrigin  bool // origin request policy CORS-S3Origin
	edgeCORS       bool // response headers policy with CorsConfig, OriginOverride true
	varyFunction   bool // viewer-response function adding Vary: Origin
	cache          bool // responses are cached
	originInKey    bool // Origin is part of the cache key
	optionsAllowed bool
	extra          http.Header // added to every response (security headers)

	mu      sync.Mutex
	entries map[string]simEntry
	log     []string // "METHOD path origin=... range=..." of every request
}

type simObject struct {
	body  string
	ctype string
}

type simEntry struct {
	status int
	header http.Header
	body   string
}

func newSim() *cdnSim {
	return &cdnSim{objects: map[string]simObject{}, bucketCORS: true, forwardOrigin: true, edgeCORS: true,
		varyFunction: true, cache: true, optionsAllowed: true, exposeHeaders: "Content-Length, Content-Range, Accept-Ranges, ETag"}
}

func (s *cdnSim) put(p, ctype, body string) { s.objects[p] = simObject{body: body, ctype: ctype} }

func (s *cdnSim) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// s3 answers as S3 would for the request CloudFront forwards.
func (s *cdnSim) s3(method, p string, origin, acrm, acrh string) simEntry {
	h := http.Header{}
	h.Set("Server", "AmazonS3")
	if method == http.MethodOptions {
		switch {
		case origin == "" || acrm == "":
			// Observed status; the body text here is a placeholder.
			h.Set("Content-Type", "application/xml")
			return simEntry{400, h, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>BadRequest</Code><Message>Origin and Access-Control-Request-Method are required</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>`}
		case !s.bucketCORS:
			h.Set("Content-Type", "application/xml")
			return simEntry{403, h, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessForbidden</Code><Message>CORSResponse: CORS is not enabled for this bucket.</Message><Method>OPTIONS</Method><ResourceType>OBJECT</ResourceType><RequestId>R2</RequestId><HostId>H2</HostId></Error>`}
		}
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD")
		if acrh != "" { // AllowedHeaders * echoes what was asked for
			h.Set("Access-Control-Allow-Headers", acrh)
		}
		h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
		return simEntry{200, h, ""}
	}
	obj, ok := s.objects[p]
	if !ok {
		h.Set("Content-Type", "application/xml")
		return simEntry{403, h, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R3</RequestId><HostId>H3</HostId></Error>`}
	}
	h.Set("Content-Type", obj.ctype)
	h.Set("Accept-Ranges", "bytes")
	h.Set("ETag", `"e"`)
	if origin != "" && s.bucketCORS {
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD")
		if s.exposeHeaders != "" {
			h.Set("Access-Control-Expose-Headers", s.exposeHeaders)
		}
		h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
	}
	return simEntry{200, h, obj.body}
}

func (s *cdnSim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	s.mu.Lock()
	s.log = append(s.log, fmt.Sprintf("%s %s origin=%s range=%s", r.Method, r.URL.RequestURI(), origin, r.Header.Get("Range")))
	s.mu.Unlock()
	if r.Method == http.MethodOptions && !s.optionsAllowed {
		w.Header().Set("Server", "CloudFront")
		w.Header().Set("X-Cache", "Error from cloudfront")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(403)
		fmt.Fprint(w, `<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY><H1>403 ERROR</H1><H2>The request could not be satisfied.</H2>This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.</BODY></HTML>`)
		return
	}
	fwdOrigin := ""
	if s.forwardOrigin || s.originInKey {
		fwdOrigin = origin
	}
	acrm, acrh := "", ""
	if s.forwardOrigin {
		acrm = r.Header.Get("Access-Control-Request-Method")
		acrh = r.Header.Get("Access-Control-Request-Headers")
	}
	key := r.Method + " " + r.URL.Path
	if s.originInKey {
		key += " " + origin
	}
	var e simEntry
	xcache := "Miss from cloudfront"
	s.mu.Lock()
	cached, hit := s.entries[key]
	s.mu.Unlock()
	if s.cache && hit {
		e = cached
		xcache = "Hit from cloudfront"
	} else {
		e = s.s3(r.Method, r.URL.Path, fwdOrigin, acrm, acrh)
		if s.cache && e.status == 200 {
			s.mu.Lock()
			if s.entries == nil {
				s.entries = map[string]simEntry{}
			}
			s.entries[key] = simEntry{e.status, e.header.Clone(), e.body}
			s.mu.Unlock()
		}
	}
	h := w.Header()
	for k, v := range e.header {
		h[k] = append([]string(nil), v...)
	}
	for k, v := range s.extra {
		h[k] = append([]string(nil), v...)
	}
	if s.edgeCORS && origin != "" {
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "range")
		} else if s.exposeHeaders != "" {
			h.Set("Access-Control-Expose-Headers", s.exposeHeaders)
		}
	}
	if s.varyFunction && !httplist.VaryHas(h, "Origin") {
		h.Add("Vary", "Origin")
	}
	h.Set("X-Cache", xcache)
	body := e.body
	status := e.status
	if status == 200 && r.Method == http.MethodGet && strings.HasPrefix(r.Header.Get("Range"), "bytes=0-0") && len(body) > 0 {
		h.Set("Content-Range", fmt.Sprintf("bytes 0-0/%d", len(body)))
		body = body[:1]
		status = http.StatusPartialContent
	}
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// poison fills the cache as an <img> tag (no Origin) would.
func (s *cdnSim) poison(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func startSim(t *testing.T, s *cdnSim) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

const testOrigin = "http://localhost:3010"

func check(t *testing.T, opts LiveOptions) *Report {
	t.Helper()
	if opts.Origin == "" {
		opts.Origin = testOrigin
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Date(2025, 4, 25, 5, 0, 0, 0, time.UTC) }
	}
	r, err := CheckURL(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, string(f.Severity)+" "+f.ID+" ["+f.Pattern+"]")
	}
	return out
}

// mustFind returns the finding with the given id and severity, failing the
// test (with the report's findings) if there is none.
func mustFind(t *testing.T, r *Report, sev Severity, id string) Finding {
	t.Helper()
	for _, f := range r.Findings {
		if f.ID == id && f.Severity == sev {
			return f
		}
	}
	t.Fatalf("no %s finding %s; findings: %q", sev, id, ids(r))
	return Finding{}
}

func mustNotFind(t *testing.T, r *Report, id string) {
	t.Helper()
	for _, f := range r.Findings {
		if f.ID == id {
			t.Fatalf("unexpected finding %s %s: %s; findings: %q", f.Severity, f.ID, f.What, ids(r))
		}
	}
}
