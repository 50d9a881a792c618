package edge

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/cfconfig"
)

// TestRemoveHeaders: a policy's RemoveHeadersConfig removes the origin's
// headers on misses and hits, matching names without regard to case; it is
// applied before the policy adds headers, so a header both removed and added
// carries the policy's value ("CloudFront removes the headers first and then
// adds", DG23 understanding-response-headers-policies.md); removing Server
// makes CloudFront send its own, "CloudFront".
func TestRemoveHeaders(t *testing.T) {
	rm := testBehavior("rm/*") // cached: the second request is a hit
	rm.ResponseHeadersPolicy = &cfconfig.ResponseHeadersPolicy{Name: "rm",
		SecurityHeaders: []cfconfig.Header{{Name: "X-Content-Type-Options", Value: "nosniff"}}, // no override
		RemoveHeaders:   []string{"X-Amz-Meta-Owner", "x-content-type-options", "Server"}}
	plain := testBehavior("plain/*")
	h := newHarness(t, testDistribution(rm, plain), Options{})
	s3 := http.Header{"X-Amz-Meta-Owner": {"alice"}, "X-Amz-Meta-Keep": {"yes"}, "X-Content-Type-Options": {"from-origin"}, "Server": {"AmazonS3"}}
	for _, k := range []string{"rm/a.jpg", "plain/a.jpg"} {
		h.origin.(*memOrigin).objects[k] = testObject{body: "jpeg", contentType: "image/jpeg", header: s3}
	}
	for _, tt := range []struct {
		path  string
		cache string
		want  map[string]string
	}{
		// Without the policy the origin's headers pass: the control.
		{"/plain/a.jpg", "Miss", map[string]string{"X-Amz-Meta-Owner": "alice", "X-Amz-Meta-Keep": "yes", "X-Content-Type-Options": "from-origin", "Server": "AmazonS3"}},
		{"/rm/a.jpg", "Miss", map[string]string{"X-Amz-Meta-Owner": "", "X-Amz-Meta-Keep": "yes", "X-Content-Type-Options": "nosniff", "Server": "CloudFront"}},
		{"/rm/a.jpg", "Hit", map[string]string{"X-Amz-Meta-Owner": "", "X-Amz-Meta-Keep": "yes", "X-Content-Type-Options": "nosniff", "Server": "CloudFront"}},
	} {
		r := h.do("GET", tt.path)
		if got := r.Header.Get("X-Cache"); got != tt.cache+" from cloudfront" {
			t.Errorf("%s: X-Cache %q, want %s", tt.path, got, tt.cache)
		}
		for k, v := range tt.want {
			if got := r.Header.Get(k); got != v {
				t.Errorf("%s (%s): %s = %q, want %q", tt.path, tt.cache, k, got, v)
			}
		}
	}
}

// TestRemoveHeadersRefused: CloudFront answers an error to a policy that
// removes one of the headers it manages itself (DG23
// understanding-response-headers-policies.md, "Headers that you can't
// remove"), so such a template never deploys and New refuses it, naming
// the header. The list names X-Amzn-* headers one by one; others are
// removable.
func TestRemoveHeadersRefused(t *testing.T) {
	for _, tt := range []struct {
		header  string
		refused bool
	}{
		{"Via", true},
		{"via", true},
		{"X-Cache", true},
		{"Content-Length", true},
		{"Warning", true},
		{"X-Amz-Cf-Pop", true}, // X-Amz-Cf-.*
		{"X-Edge-Location", true},
		{"X-Amzn-RequestId", true},
		{"X-Accel-Redirect", true},
		{"X-Forwarded-Proto", true},
		{"X-Powered-By", false}, // the doc's examples
		{"Vary", false},
		{"Server", false},
		{"X-Amz-Meta-Owner", false},
		{"X-Amzn-Trace-Id", false}, // not in the list
		{"X-Accel-Other", false},
	} {
		b := testBehavior("rm/*")
		b.ResponseHeadersPolicy = &cfconfig.ResponseHeadersPolicy{Name: "strip", RemoveHeaders: []string{"X-Powered-By", tt.header}}
		_, err := New(testDistribution(b), http.NotFoundHandler(), Options{})
		switch {
		case tt.refused && (err == nil || !strings.Contains(err.Error(), "removes "+tt.header) || !strings.Contains(err.Error(), "strip")):
			t.Errorf("removing %s: err = %v, want a refusal naming the policy and the header", tt.header, err)
		case !tt.refused && err != nil:
			t.Errorf("removing %s: refused: %v", tt.header, err)
		}
	}
}

// TestManagedCORSPolicies applies each managed CORS response headers policy,
// resolved by id from a template as cfconfig reads it, to S3's responses.
// Expected contents (DG using-managed-response-headers-policies.html):
// every one allows "*" without override, so S3's own CORS headers win and
// the policy fills in what S3 did not send; SimpleCORS lists only
// Access-Control-Allow-Origin ("adds ... to all responses for simple CORS
// requests"); CORS-With-Preflight adds "all three" of its headers (ACAO,
// Allow-Methods, Expose-Headers) to preflights and "only the
// Access-Control-Allow-Origin header" to simple CORS requests; the
// SecurityHeaders variants add security headers to all responses, only
// X-Content-Type-Options replacing the origin's value.
func TestManagedCORSPolicies(t *testing.T) {
	const (
		s3Allowed = "https://app.example.com"   // S3's rule answers it with its own CORS headers
		s3Refused = "https://other.example.net" // S3 sends no CORS headers (403 on a preflight)
		methods   = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
	)
	type want struct {
		status                       int
		acao, methods, expose, creds string // creds: Allow-Credentials, S3's only
	}
	for _, p := range []struct {
		id, name            string
		preflight, security bool
	}{
		{"60669652-455b-4ae9-85a4-c4c02393f86c", "SimpleCORS", false, false},
		{"5cc3b908-e619-4b99-88e5-2cf7f45965bd", "CORS-With-Preflight", true, false},
		{"e61eb60c-9c35-4d20-a928-2b84e02af89c", "CORS-and-SecurityHeadersPolicy", false, true},
		{"eaab4381-ed33-4a86-88ca-d9558dc6cd63", "CORS-with-preflight-and-SecurityHeadersPolicy", true, true},
	} {
		t.Run(p.name, func(t *testing.T) {
			doc := `{"Resources":{"D":{"Type":"AWS::CloudFront::Distribution","Properties":{"DistributionConfig":{
			  "Origins":[{"Id":"o","DomainName":"media.s3.us-east-1.amazonaws.com","S3OriginConfig":{}}],
			  "DefaultCacheBehavior":{"TargetOriginId":"o","AllowedMethods":["GET","HEAD","OPTIONS"],
			    "CachePolicyId":"` + cfconfig.CachingDisabledID + `","OriginRequestPolicyId":"` + cfconfig.CORSS3OriginID + `",
			    "ResponseHeadersPolicyId":"` + p.id + `"}}}}}}`
			dists, err := cfconfig.Parse("t", []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			rhp := dists[0].DefaultBehavior().ResponseHeadersPolicy
			if rhp == nil || rhp.Name != p.name || !rhp.Managed {
				t.Fatalf("policy %s resolved as %+v", p.id, rhp)
			}
			origin := newMemOrigin(&cfconfig.Bucket{HasCORS: true, CORS: []cfconfig.CORSRule{{AllowedOrigins: []string{s3Allowed},
				AllowedMethods: []string{"GET", "HEAD"}, AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}}}})
			putMedia(origin)
			origin.objects["own.jpg"] = testObject{body: "jpeg", contentType: "image/jpeg",
				header: http.Header{"X-Frame-Options": {"DENY"}, "X-Content-Type-Options": {"from-origin"}}}
			e, err := New(dists[0], origin, Options{})
			if err != nil {
				t.Fatal(err)
			}
			h := &harness{t: t, edge: e, origin: origin}

			pre := func(w want) want { // what only the preflight variants add
				if !p.preflight {
					w.methods, w.expose = "", ""
				}
				return w
			}
			for _, tt := range []struct {
				name    string
				method  string
				headers []string
				want    want
			}{
				{"GET, Origin S3 does not answer", "GET", []string{"Origin: " + s3Refused},
					want{200, "*", "", "", ""}}, // simple request: ACAO only
				{"GET, Origin S3 answers: S3's headers win", "GET", []string{"Origin: " + s3Allowed},
					want{200, s3Allowed, "", "ETag", "true"}},
				{"preflight S3 refuses: the policy decorates S3's 403", "OPTIONS", []string{"Origin: " + s3Refused, "Access-Control-Request-Method: GET"},
					pre(want{403, "*", methods, "*", ""})},
				{"preflight S3 answers: S3's headers win", "OPTIONS", []string{"Origin: " + s3Allowed, "Access-Control-Request-Method: GET"},
					want{200, s3Allowed, "GET, HEAD", "ETag", "true"}},
				{"GET without Origin: no CORS headers", "GET", nil,
					want{200, "", "", "", ""}},
			} {
				r := h.do(tt.method, "/photos/a.jpg", tt.headers...)
				got := want{r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"), r.Header.Get("Access-Control-Allow-Methods"), r.Header.Get("Access-Control-Expose-Headers"),
					r.Header.Get("Access-Control-Allow-Credentials")}
				if got != tt.want {
					t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
				}
				for _, k := range []string{"Referrer-Policy", "Strict-Transport-Security", "X-Frame-Options", "X-XSS-Protection"} {
					if has := r.Header.Get(k) != ""; has != p.security {
						t.Errorf("%s: %s = %q, want it present: %v", tt.name, k, r.Header.Get(k), p.security)
					}
				}
				if nosniff := r.Header.Get("X-Content-Type-Options") == "nosniff"; nosniff != p.security {
					t.Errorf("%s: X-Content-Type-Options %q", tt.name, r.Header.Get("X-Content-Type-Options"))
				}
			}

			// Under the PolicyCORSWithoutOrigin reading a request without
			// Origin is a simple request too: ACAO only.
			e2, err := New(dists[0], origin, Options{PolicyCORSWithoutOrigin: true})
			if err != nil {
				t.Fatal(err)
			}
			w := serve(e2, httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/photos/a.jpg", nil))
			if w.Header().Get("Access-Control-Allow-Origin") != "*" || w.Header().Get("Access-Control-Expose-Headers") != "" {
				t.Errorf("PolicyCORSWithoutOrigin, no Origin: ACAO %q, Expose-Headers %q; want *, none",
					w.Header().Get("Access-Control-Allow-Origin"), w.Header().Get("Access-Control-Expose-Headers"))
			}

			// Security headers: the origin's X-Frame-Options wins, its
			// X-Content-Type-Options does not.
			r := h.do("GET", "/own.jpg")
			frame, nosniff := "DENY", "from-origin"
			if p.security {
				nosniff = "nosniff"
			}
			if r.Header.Get("X-Frame-Options") != frame || r.Header.Get("X-Content-Type-Options") != nosniff {
				t.Errorf("origin's security headers: X-Frame-Options %q, X-Content-Type-Options %q; want %q, %q",
					r.Header.Get("X-Frame-Options"), r.Header.Get("X-Content-Type-Options"), frame, nosniff)
			}
		})
	}
}
