package doctor

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const tsMedia = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\na.ts\n#EXTINF:6,\nb.ts\n#EXT-X-ENDLIST\n"

func TestCleanSetupPasses(t *testing.T) {
	s := newSim()
	s.put("/v/index.m3u8", "application/vnd.apple.mpegurl", tsMedia)
	s.put("/v/a.ts", "video/mp2t", "GGGG")
	s.put("/v/b.ts", "video/mp2t", "GGGG")
	s.put("/img/photo.jpg", "image/jpeg", "\xff\xd8")
	srv := startSim(t, s)
	for _, u := range []string{"/v/index.m3u8", "/img/photo.jpg"} {
		r := check(t, LiveOptions{URL: srv.URL + u})
		if r.Failed() {
			t.Fatalf("%s: %q", u, ids(r))
		}
		// Origin is not in the sim's cache key: without a template the
		// doctor cannot tell the edge overrides CORS, so it warns.
		f := mustFind(t, r, SeverityWarn, "cache.origin-not-in-key")
		if !strings.Contains(f.What, "cache hit") {
			t.Errorf("what = %s", f.What)
		}
	}
	// With the template of such a setup (OriginOverride true) it is only
	// info. A fresh cache, so that the first GET is a miss again.
	s.entries = nil
	tmpl, err := LoadTemplate("testdata/templates/clean.json")
	if err != nil {
		t.Fatal(err)
	}
	r := check(t, LiveOptions{URL: srv.URL + "/v/index.m3u8", Template: tmpl})
	if r.Failed() || r.Count(SeverityWarn) != 0 {
		t.Fatalf("clean setup with template: %q", ids(r))
	}
	if f := mustFind(t, r, SeverityInfo, "cache.origin-not-in-key"); f.Pattern != "*.m3u8" {
		t.Errorf("pattern from template = %q", f.Pattern)
	}
	for _, p := range r.Probes {
		if strings.HasSuffix(p.URL, ".ts") && p.Pattern != "*.ts" {
			t.Errorf("%s matched %q", p.URL, p.Pattern)
		}
	}
	for _, id := range []string{"http.ok", "cors.ok", "preflight.ok", "vary.ok", "expose.ok", "content-type.ok", "playlist.ok"} {
		mustFind(t, r, SeverityPass, id)
	}
}

func TestNoOriginRequestPolicy(t *testing.T) {
	// S3 behind CloudFront with no origin request policy and no response
	// headers policy: S3 never sees Origin, so never answers with CORS.
	s := newSim()
	s.forwardOrigin, s.edgeCORS, s.varyFunction = false, false, false
	s.put("/img/photo.jpg", "image/jpeg", "\xff\xd8")
	srv := startSim(t, s)
	r := check(t, LiveOptions{URL: srv.URL + "/img/photo.jpg"})
	f := mustFind(t, r, SeverityFail, "cors.missing-acao")
	if f.Pattern != "*.jpg" || !strings.Contains(f.Fix, "CORS-S3Origin") {
		t.Errorf("finding = %+v", f)
	}
	// An image without Vary and without ACAO is the F1 case: fail, not warn.
	v := mustFind(t, r, SeverityFail, "vary.no-origin-unsafe")
	if !strings.Contains(v.Cause, "Chrome only") || !strings.Contains(v.Cause, "Safari") || !strings.Contains(v.Fix, "Vary: Origin") {
		t.Errorf("F1 words: %s / %s", v.Cause, v.Fix)
	}
	mustFind(t, r, SeverityFail, "preflight.origin-not-forwarded")
}

func TestCachingOptimizedPoisoning(t *testing.T) {
	newTrap := func() *cdnSim {
		s := newSim()
		// CachingOptimized + CORS-S3Origin, no response headers policy.
		s.edgeCORS, s.varyFunction, s.originInKey = false, false, false
		s.exposeHeaders = ""
		s.put("/img/photo.jpg", "image/jpeg", "\xff\xd8")
		return s
	}
	t.Run("poisoned by an img request", func(t *testing.T) {
		s := newTrap()
		srv := startSim(t, s)
		s.poison(t, srv.URL+"/img/photo.jpg")
		r := check(t, LiveOptions{URL: srv.URL + "/img/photo.jpg"})
		f := mustFind(t, r, SeverityFail, "cache.hit-without-cors")
		if !strings.Contains(f.What, "Hit from cloudfront") || !strings.Contains(f.Fix, "create-invalidation") || !strings.Contains(f.Fix, "'/img/photo.jpg'") {
			t.Errorf("finding = %+v", f)
		}
		mustNotFind(t, r, "cors.missing-acao")
	})
	t.Run("cold cache", func(t *testing.T) {
		s := newTrap()
		srv := startSim(t, s)
		r := check(t, LiveOptions{URL: srv.URL + "/img/photo.jpg"})
		if r.Failed() {
			t.Fatalf("%q", ids(r))
		}
		f := mustFind(t, r, SeverityWarn, "cache.origin-not-in-key")
		if !strings.Contains(f.Cause, "CachingOptimized + CORS-S3Origin") {
			t.Errorf("cause = %s", f.Cause)
		}
		// The doctor sent the request with Origin first, so its own request
		// without Origin did not poison the cache.
		reqs := s.requests()
		if !strings.Contains(reqs[0], "origin="+testOrigin) {
			t.Errorf("first request = %s", reqs[0])
		}
	})
}

func TestCacheCORSLost(t *testing.T) {
	// An entry refilled by the request without Origin between the two GETs
	// with Origin: the first answer had CORS headers, the cached repeat not.
	var mu sync.Mutex
	var stored string // "", "cors", "plain"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		h := w.Header()
		h.Set("Content-Type", "image/png")
		h.Set("Vary", "Origin")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Allow-Methods", "GET")
			h.Set("Access-Control-Allow-Headers", "range")
			return
		}
		origin := r.Header.Get("Origin")
		switch {
		case stored == "":
			h.Set("X-Cache", "Miss from cloudfront")
			stored = "cors"
			if origin == "" {
				stored = "plain"
			} else {
				h.Set("Access-Control-Allow-Origin", "*")
			}
		case origin == "":
			h.Set("X-Cache", "RefreshHit from cloudfront")
			stored = "plain"
		default:
			h.Set("X-Cache", "Hit from cloudfront")
			if stored == "cors" {
				h.Set("Access-Control-Allow-Origin", "*")
			}
		}
		fmt.Fprint(w, "P")
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/a.png"})
	f := mustFind(t, r, SeverityFail, "cache.cors-lost")
	if !strings.Contains(f.What, "x-cache: Miss from cloudfront") || !strings.Contains(f.What, "x-cache: Hit from cloudfront") ||
		!strings.Contains(f.Cause, "Cached response without CORS headers") || !strings.Contains(f.Fix, "create-invalidation") {
		t.Errorf("finding = %+v", f)
	}
}

func xmlError(code, msg string, requestID bool) string {
	s := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>` + msg + `</Message>`
	if requestID {
		s += `<RequestId>4442587FB7D0A2F9</RequestId><HostId>vpvlYf6M+ZP0b1A/ZkT4=</HostId>`
	}
	return s + `</Error>`
}

func TestSignedAndS3Denials(t *testing.T) {
	tests := []struct {
		name, query, body, id string
		server                string
		words                 []string
	}{
		{"missing key", "", xmlError("MissingKey", "Missing Key-Pair-Id query parameter or cookie value", false), "signed.missing-key", "CloudFront",
			[]string{"no signature"}},
		{"unknown key", "?Expires=2000000000&Signature=abc&Key-Pair-Id=KUNKNOWN", xmlError("InvalidKey", "Unknown Key", false), "signed.unknown-key", "CloudFront",
			[]string{`"KUNKNOWN"`}},
		{"malformed signature", "?Expires=2000000000&Signature=%%%&Key-Pair-Id=K", xmlError("MalformedSignature", "Could not unencode Signature", false), "signed.malformed-signature", "CloudFront",
			[]string{"could not be decoded"}},
		{"malformed policy", "?Policy=xx&Signature=abc&Key-Pair-Id=K", xmlError("MalformedPolicy", "Malformed Policy", false), "signed.malformed-policy", "CloudFront",
			[]string{"policy could not be read"}},
		{"expired canned", "?Expires=1700000000&Signature=abc&Key-Pair-Id=K", xmlError("AccessDenied", "Access denied", false), "signed.access-denied", "CloudFront",
			[]string{"expired at 2023-11-14T22:13:20Z", "no RequestId"}},
		{"expired custom policy", "?Policy=" + testPolicy("https://x/*", 1600000000) + "&Signature=abc&Key-Pair-Id=K", xmlError("AccessDenied", "Access denied", false), "signed.access-denied", "CloudFront",
			[]string{"policy expired at 2020-09-13T12:26:40Z"}},
		{"s3 bucket policy", "", xmlError("AccessDenied", "Access Denied", true), "s3.access-denied", "AmazonS3",
			[]string{"RequestId", "s3:ListBucket"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Server", tt.server)
				w.Header().Set("Content-Type", "application/xml")
				w.Header().Set("X-Cache", "Error from cloudfront")
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			r := check(t, LiveOptions{URL: srv.URL + "/v/a.ts" + tt.query})
			f := mustFind(t, r, SeverityFail, tt.id)
			for _, w := range tt.words {
				if !strings.Contains(f.What+" "+f.Cause, w) {
					t.Errorf("%q not in %s / %s", w, f.What, f.Cause)
				}
			}
			if !strings.Contains(f.What, "shows it as a CORS error") && !strings.Contains(f.What, "reports it as a CORS error") {
				t.Errorf("what should say a browser shows a CORS error: %s", f.What)
			}
			mustNotFind(t, r, "http.ok")
		})
	}
}

// testPolicy builds a custom policy as CloudFront expects it, URL-safe base64.
func testPolicy(resource string, expires int64) string {
	js := fmt.Sprintf(`{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%d}}}]}`, resource, expires)
	enc := strings.NewReplacer("+", "-", "=", "_", "/", "~").Replace(b64(js))
	return enc
}

func TestCannedSignatureCarriedToSegments(t *testing.T) {
	// A canned signature covers one URL: carried to segments, CloudFront
	// refuses it with "Access denied", and the doctor says why.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Vary", "Origin")
		if strings.HasSuffix(r.URL.Path, ".m3u8") {
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			fmt.Fprint(w, tsMedia)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, xmlError("AccessDenied", "Access denied", false))
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/v/index.m3u8?Expires=2000000000&Signature=s&Key-Pair-Id=K", PropagateQuery: true})
	f := mustFind(t, r, SeverityFail, "signed.access-denied")
	if !strings.Contains(f.Cause, "covers exactly one URL") || f.Count != 2 {
		t.Errorf("finding = %+v", f)
	}
}

func TestPreflightFailures(t *testing.T) {
	t.Run("bucket without CORS rules", func(t *testing.T) {
		s := newSim()
		s.bucketCORS = false
		s.put("/v/a.ts", "video/mp2t", "G")
		srv := startSim(t, s)
		r := check(t, LiveOptions{URL: srv.URL + "/v/a.ts"})
		f := mustFind(t, r, SeverityFail, "preflight.s3-cors-not-enabled")
		if !strings.Contains(f.What, "CORS is not enabled") || !strings.Contains(f.Cause, "cannot turn the 403 into a success") {
			t.Errorf("finding = %+v", f)
		}
	})
	t.Run("no matching rule", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Server", "AmazonS3")
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprint(w, xmlError("AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.", true))
				return
			}
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Vary", "Origin")
			w.Header().Set("Content-Type", "image/jpeg")
		}))
		defer srv.Close()
		r := check(t, LiveOptions{URL: srv.URL + "/a.jpg", PreflightHeaders: []string{"x-custom"}})
		f := mustFind(t, r, SeverityFail, "preflight.s3-cors-rejected")
		if !strings.Contains(f.What, "Access-Control-Request-Headers: x-custom") {
			t.Errorf("what = %s", f.What)
		}
	})
	t.Run("OPTIONS not allowed on the behavior", func(t *testing.T) {
		s := newSim()
		s.optionsAllowed = false
		s.put("/v/a.ts", "video/mp2t", "G")
		srv := startSim(t, s)
		r := check(t, LiveOptions{URL: srv.URL + "/v/a.ts"})
		f := mustFind(t, r, SeverityFail, "preflight.options-not-allowed")
		if f.Pattern != "*.ts" || !strings.Contains(f.Fix, "GET, HEAD, OPTIONS") {
			t.Errorf("finding = %+v", f)
		}
	})
	t.Run("allowed headers do not cover the request", func(t *testing.T) {
		s := newSim()
		s.put("/v/a.ts", "video/mp2t", "G")
		srv := startSim(t, s)
		r := check(t, LiveOptions{URL: srv.URL + "/v/a.ts", PreflightHeaders: []string{"range", "x-player-session"}})
		f := mustFind(t, r, SeverityFail, "preflight.headers-not-allowed")
		if !strings.Contains(f.What, "x-player-session") || strings.Contains(f.What, "requested range") {
			t.Errorf("what = %s", f.What)
		}
	})
	t.Run("signed cookies", func(t *testing.T) {
		var preflightCookie atomic.Value
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions {
				preflightCookie.Store(r.Header.Get("Cookie"))
			}
			if !strings.Contains(r.Header.Get("Cookie"), "CloudFront-Key-Pair-Id=") {
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprint(w, xmlError("MissingKey", "Missing Key-Pair-Id query parameter or cookie value", false))
				return
			}
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Vary", "Origin")
			w.Header().Set("Content-Type", "image/jpeg")
		}))
		defer srv.Close()
		h := http.Header{}
		h.Set("Cookie", "CloudFront-Policy=p; CloudFront-Signature=s; CloudFront-Key-Pair-Id=K")
		r := check(t, LiveOptions{URL: srv.URL + "/a.jpg", Header: h})
		f := mustFind(t, r, SeverityFail, "preflight.signed-cookies")
		if !strings.Contains(f.What, "never send cookies") {
			t.Errorf("what = %s", f.What)
		}
		if c, _ := preflightCookie.Load().(string); c != "" {
			t.Errorf("the preflight carried Cookie %q", c)
		}
		mustFind(t, r, SeverityPass, "http.ok")
	})
}

func TestContentTypes(t *testing.T) {
	s := newSim()
	s.put("/v/index.m3u8", "binary/octet-stream", "#EXTM3U\n#EXTINF:6,\na.ts\n#EXTINF:6,\nb.vtt\n")
	s.put("/v/a.ts", "application/octet-stream", "G")
	s.put("/v/b.vtt", "text/vtt; charset=utf-8", "WEBVTT")
	srv := startSim(t, s)
	r := check(t, LiveOptions{URL: srv.URL + "/v/index.m3u8"})
	if r.Failed() {
		t.Fatalf("content types are warnings: %q", ids(r))
	}
	got := map[string]string{}
	for _, f := range r.Find("content-type.unexpected") {
		got[f.Pattern] = f.What
		// The fix names the project's uploader, which takes types from
		// package mediatype, not the AWS CLI that guesses them (issue 10).
		if !strings.Contains(f.Fix, "mediacdn upload DIR s3://BUCKET/PREFIX") || strings.Contains(f.Fix, "aws s3 cp") {
			t.Errorf("fix of %s: %s", f.Pattern, f.Fix)
		}
	}
	if len(got) != 2 || !strings.Contains(got["*.m3u8"], "binary/octet-stream, a generic type") ||
		!strings.Contains(got["*.m3u8"], "application/vnd.apple.mpegurl") || !strings.Contains(got["*.ts"], "video/mp2t") {
		t.Errorf("content-type findings: %v", got)
	}
}

func TestWalkMasterMediaSegments(t *testing.T) {
	s := newSim()
	s.put("/v/master.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n"+
		"#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"audio/en.m3u8\"\n"+
		"#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO=\"a\"\n720p/index.m3u8\n"+
		"#EXT-X-STREAM-INF:BANDWIDTH=2\n/v/720p/index.m3u8\n"+ // same playlist, absolute path: checked once
		"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI=\"https://elsewhere.example/iframes.m3u8\"\n")
	s.put("/v/720p/index.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n#EXT-X-TARGETDURATION:6\n"+
		"#EXT-X-KEY:METHOD=AES-128,URI=\"../keys/k1.key\"\n#EXT-X-MAP:URI=\"init.mp4\"\n"+
		"#EXTINF:6,\nseg1.m4s\n#EXTINF:6,\nseg2.m4s\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI=\"skd://fp\"\n#EXT-X-ENDLIST\n")
	s.put("/v/audio/en.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n#EXTINF:6,\nen1.aac\n")
	s.put("/v/keys/k1.key", "application/octet-stream", "0123456789abcdef")
	s.put("/v/720p/init.mp4", "video/mp4", "ftyp")
	s.put("/v/720p/seg1.m4s", "video/iso.segment", "moof")
	s.put("/v/720p/seg2.m4s", "video/mp4", "moof")
	s.put("/v/audio/en1.aac", "audio/aac", "aac")
	srv := startSim(t, s)
	r := check(t, LiveOptions{URL: srv.URL + "/v/master.m3u8"})
	var got []string
	for _, p := range r.Probes {
		got = append(got, strings.TrimPrefix(p.URL, srv.URL)+" "+p.Kind)
	}
	want := []string{"/v/master.m3u8 start", "/v/audio/en.m3u8 rendition", "/v/audio/en1.aac segment",
		"/v/720p/index.m3u8 variant", "/v/keys/k1.key key", "/v/720p/init.mp4 init", "/v/720p/seg1.m4s segment", "/v/720p/seg2.m4s segment"}
	sameLines(t, "walk", got, want)
	off := mustFind(t, r, SeverityWarn, "walk.off-host")
	if off.URL != "https://elsewhere.example/iframes.m3u8" || !strings.Contains(off.Fix, "--allow-hosts elsewhere.example") {
		t.Errorf("off-host = %+v", off)
	}
	// The I-frame playlist was not checked: the walk is incomplete.
	if nf := mustFind(t, r, SeverityWarn, "walk.not-fetched"); !r.Incomplete || !strings.Contains(nf.What, "1 reference was not fetched (1 on another host or port)") {
		t.Errorf("incomplete %v, %s", r.Incomplete, nf.What)
	}
	note := mustFind(t, r, SeverityInfo, "playlist.note")
	if !strings.Contains(note.What, "skd://fp") {
		t.Errorf("note = %s", note.What)
	}
	// Segments were asked for one byte; playlists in full.
	for _, l := range s.requests() {
		isGet := strings.HasPrefix(l, "GET ")
		if isGet && strings.Contains(l, ".m3u8") && !strings.HasSuffix(l, "range=") {
			t.Errorf("playlist fetched with a range: %s", l)
		}
		if isGet && (strings.Contains(l, ".m4s") || strings.Contains(l, ".aac")) && !strings.HasSuffix(l, "range=bytes=0-0") {
			t.Errorf("segment fetched without Range: %s", l)
		}
	}
	if r.Failed() {
		t.Errorf("walk of a clean setup failed: %q", ids(r))
	}
}

func TestPropagateQuery(t *testing.T) {
	const sig = "Policy=cG9s&Signature=c2ln&Key-Pair-Id=K2JCJMDEHXQW5F"
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI())
		mu.Unlock()
		if r.URL.Query().Get("Key-Pair-Id") == "" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, xmlError("MissingKey", "Missing Key-Pair-Id query parameter or cookie value", false))
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Vary", "Origin")
		w.Header().Set("Access-Control-Allow-Methods", "GET")
		w.Header().Set("Access-Control-Allow-Headers", "range")
		w.Header().Set("Access-Control-Expose-Headers", "Content-Range, Accept-Ranges, ETag")
		if strings.HasSuffix(r.URL.Path, ".m3u8") {
			w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
			fmt.Fprint(w, "#EXTM3U\n#EXTINF:6,\na.ts?v=2\n#EXTINF:6,\nb.ts?Key-Pair-Id=OWN\n")
			return
		}
		w.Header().Set("Content-Type", "video/mp2t")
		fmt.Fprint(w, "G")
	}))
	defer srv.Close()
	start := srv.URL + "/v/index.m3u8?" + sig

	r := check(t, LiveOptions{URL: start})
	f := mustFind(t, r, SeverityFail, "signed.missing-key")
	if f.Pattern != "*.ts" || !strings.Contains(f.Cause, "--propagate-query") || f.Count != 0 {
		t.Errorf("without propagation: %+v", f)
	}

	mu.Lock()
	seen = nil
	mu.Unlock()
	r = check(t, LiveOptions{URL: start, PropagateQuery: true})
	if r.Failed() {
		t.Fatalf("with propagation: %q", ids(r))
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]bool{
		"GET /v/a.ts?v=2&" + sig: true,
		// The segment's own Key-Pair-Id is kept and not duplicated.
		"GET /v/b.ts?Key-Pair-Id=OWN&Policy=cG9s&Signature=c2ln": true,
	}
	for _, l := range seen {
		delete(want, l)
	}
	if len(want) != 0 {
		t.Errorf("requests %q lack %v", seen, want)
	}
}

func TestSample(t *testing.T) {
	s := newSim()
	var b strings.Builder
	b.WriteString("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=\"init.mp4\"\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "#EXTINF:2,\ns%02d.ts\n", i)
		s.put(fmt.Sprintf("/v/s%02d.ts", i), "video/mp2t", "G")
	}
	s.put("/v/init.mp4", "video/mp4", "ftyp")
	s.put("/v/index.m3u8", "application/vnd.apple.mpegurl", b.String())
	srv := startSim(t, s)
	r := check(t, LiveOptions{URL: srv.URL + "/v/index.m3u8", Sample: 3})
	var got []string
	for _, p := range r.Probes {
		got = append(got, strings.TrimPrefix(p.URL, srv.URL+"/v/"))
	}
	if strings.Join(got, " ") != "index.m3u8 init.mp4 s00.ts s09.ts s19.ts" {
		t.Errorf("sampled %q", got)
	}
}

func TestConcurrencyBound(t *testing.T) {
	var inflight, max int64
	var total int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := atomic.AddInt64(&inflight, 1)
		defer atomic.AddInt64(&inflight, -1)
		atomic.AddInt64(&total, 1)
		for {
			m := atomic.LoadInt64(&max)
			if n <= m || atomic.CompareAndSwapInt64(&max, m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Vary", "Origin")
		if strings.HasSuffix(r.URL.Path, ".m3u8") {
			fmt.Fprint(w, "#EXTM3U\n")
			for i := 0; i < 30; i++ {
				fmt.Fprintf(w, "#EXTINF:2,\ns%d.ts\n", i)
			}
		}
	}))
	defer srv.Close()
	for _, bound := range []int{1, 3} {
		atomic.StoreInt64(&max, 0)
		atomic.StoreInt64(&total, 0)
		r := check(t, LiveOptions{URL: srv.URL + "/index.m3u8", Concurrency: bound})
		if len(r.Probes) != 31 {
			t.Fatalf("%d probes", len(r.Probes))
		}
		if m := atomic.LoadInt64(&max); m > int64(bound) {
			t.Errorf("bound %d: %d requests in flight", bound, m)
		} else if bound > 1 && m < 2 {
			t.Errorf("bound %d: never more than %d in flight: requests were not concurrent", bound, m)
		}
		if n := atomic.LoadInt64(&total); n != 31*4 {
			t.Errorf("%d requests, want %d", n, 31*4)
		}
	}
}

// A request past --timeout is abandoned: the server sees the connection
// closed (rather than waiting out its own 10 s), and the report says so.
func TestTimeout(t *testing.T) {
	var closedByClient, waitedOut atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "slow.ts") {
			select {
			case <-r.Context().Done():
				closedByClient.Add(1)
			case <-time.After(10 * time.Second):
				waitedOut.Add(1)
			}
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		fmt.Fprint(w, "#EXTM3U\n#EXTINF:2,\nslow.ts\n")
	}))
	r := check(t, LiveOptions{URL: srv.URL + "/index.m3u8", Timeout: 150 * time.Millisecond})
	srv.Close() // waits for the handlers
	if closedByClient.Load() == 0 || waitedOut.Load() != 0 {
		t.Errorf("slow.ts: %d requests closed by the doctor, %d waited out by the server", closedByClient.Load(), waitedOut.Load())
	}
	f := mustFind(t, r, SeverityFail, "http.timeout")
	if !strings.HasSuffix(f.URL, "/slow.ts") || !strings.Contains(f.What, "150ms") {
		t.Errorf("finding = %+v", f)
	}
}

func TestCredentials(t *testing.T) {
	s := newSim()
	s.put("/a.jpg", "image/jpeg", "J")
	srv := startSim(t, s)
	r := check(t, LiveOptions{URL: srv.URL + "/a.jpg", Credentials: true})
	mustFind(t, r, SeverityFail, "cors.credentials-wildcard")
	mustFind(t, r, SeverityFail, "cors.credentials-missing")
}

func TestACAOMismatchAndVary(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		if strings.HasPrefix(r.URL.Path, "/other") {
			w.Header().Set("Access-Control-Allow-Origin", "https://admin.example.com")
			w.Header().Set("Vary", "Origin")
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o) // echoed, no Vary
		}
	}))
	defer srv.Close()
	r := check(t, LiveOptions{URL: srv.URL + "/other.jpg"})
	f := mustFind(t, r, SeverityFail, "cors.acao-mismatch")
	if !strings.Contains(f.What, "https://admin.example.com, not "+testOrigin) {
		t.Errorf("what = %s", f.What)
	}
	r = check(t, LiveOptions{URL: srv.URL + "/echo.jpg"})
	mustFind(t, r, SeverityWarn, "vary.missing")
}

func TestCheckURLRejectsBadOptions(t *testing.T) {
	for _, o := range []LiveOptions{
		{URL: "https://cdn.example.com/a.m3u8", Origin: "http://localhost:3010/movies/59"},
		{URL: "cdn.example.com/a.m3u8", Origin: testOrigin},
		{URL: "ftp://cdn.example.com/a.m3u8", Origin: testOrigin},
	} {
		if _, err := CheckURL(context.Background(), o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestPlaylistProblemsAndLimits(t *testing.T) {
	s := newSim()
	s.put("/v/index.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n#EXTINF:6,\na.ts\n#EXTINF:6,\nmissing.ts\n#EXTINF:6,\nc.ts\n")
	s.put("/v/a.ts", "video/mp2t", "G")
	s.put("/v/c.ts", "video/mp2t", "G")
	s.put("/v/html.m3u8", "application/vnd.apple.mpegurl", "<html>Access Denied</html>")
	s.put("/v/big.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n"+strings.Repeat("#EXTINF:6,\na.ts\n", 100))
	srv := startSim(t, s)

	// A referenced object that does not exist: S3 without s3:ListBucket says 403.
	r := check(t, LiveOptions{URL: srv.URL + "/v/index.m3u8"})
	f := mustFind(t, r, SeverityFail, "s3.access-denied")
	if !strings.HasSuffix(f.URL, "/v/missing.ts") || !strings.Contains(f.Cause, "index.m3u8 line 5") {
		t.Errorf("finding = %+v", f)
	}

	r = check(t, LiveOptions{URL: srv.URL + "/v/html.m3u8"})
	if f := mustFind(t, r, SeverityFail, "playlist.invalid"); !strings.Contains(f.What, "<html>") {
		t.Errorf("what = %s", f.What)
	}

	r = check(t, LiveOptions{URL: srv.URL + "/v/big.m3u8", MaxPlaylistBytes: 100})
	mustFind(t, r, SeverityFail, "playlist.too-large")

	r = check(t, LiveOptions{URL: srv.URL + "/v/index.m3u8", MaxURLs: 2})
	if len(r.Probes) != 2 {
		t.Errorf("%d probes with MaxURLs 2", len(r.Probes))
	}
	// A capped walk is a warning and an incomplete report (it was an info
	// line in a passing report before).
	f = mustFind(t, r, SeverityWarn, "walk.truncated")
	if !r.Incomplete || r.Result() != "incomplete" || !strings.Contains(f.What, "2 more distinct URLs") || !strings.Contains(f.Fix, "--max-urls 4") {
		t.Errorf("incomplete=%v result=%s finding=%+v", r.Incomplete, r.Result(), f)
	}
}
