package edge

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/doctor"
	"github.com/mediacdn/mediacdn/urlsign"
)

// mediaObjects are the files every doctor run reads: an image, an SVG, and an
// HLS asset (master, variant, segments).
func putMedia(o testOrigin) {
	o.put("photos/a.jpg", "image/jpeg", strings.Repeat("\xff\xd8jpeg", 400))
	o.put("icons/logo.svg", "image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg">`+strings.Repeat("<g/>", 400)+`</svg>`)
	o.put("videos/v1/index.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\nlow/index.m3u8\n")
	o.put("videos/v1/low/index.m3u8", "application/vnd.apple.mpegurl",
		"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nseg0.ts\n#EXTINF:4.0,\nseg1.ts\n#EXT-X-ENDLIST\n")
	o.put("videos/v1/low/seg0.ts", "video/mp2t", strings.Repeat("G", 188*20))
	o.put("videos/v1/low/seg1.ts", "video/mp2t", strings.Repeat("G", 188*20))
	o.put("thumbs/t.jpg", "image/jpeg", strings.Repeat("\xff\xd8thumb", 300))
}

// loadDist reads the one distribution of a template.
func loadDist(t testing.TB, path string) *cfconfig.Distribution {
	t.Helper()
	dists, err := cfconfig.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(dists) != 1 {
		t.Fatalf("%s: %d distributions", path, len(dists))
	}
	return dists[0]
}

// originFor builds the S3 origin (s3origin.Dir) with the template's bucket
// CORS rules and the media files. A template for an existing bucket has no
// rules: the user sets rules matching the response headers policy (README),
// so those are used.
func originFor(t testing.TB, d *cfconfig.Distribution) *dirOrigin {
	var b *cfconfig.Bucket
	for _, o := range d.Origins {
		b = o.Bucket
	}
	if b == nil {
		c := d.DefaultBehavior().EdgeCORS()
		b = &cfconfig.Bucket{HasCORS: true, CORS: []cfconfig.CORSRule{{AllowedOrigins: c.AllowOrigins, AllowedMethods: []string{"GET", "HEAD"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: c.ExposeHeaders, MaxAgeSeconds: 3600}}}
	}
	o := newDirOrigin(t, b)
	putMedia(o)
	return o
}

// rekey replaces the template's public keys with freshly generated ones (the
// repository holds no private key for them) and returns one signer per key,
// with the local Key-Pair-Id the edge gives it.
func rekey(t testing.TB, d *cfconfig.Distribution, e func() *Edge) []*urlsign.Signer {
	signers, _ := rekeyWithKeys(t, d, e)
	return signers
}

func rekeyWithKeys(t testing.TB, d *cfconfig.Distribution, e func() *Edge) ([]*urlsign.Signer, []crypto.Signer) {
	t.Helper()
	var privs [][]byte
	for _, pk := range d.PublicKeys() {
		priv, pub, err := cfkeys.GenerateKeyPair(cfkeys.ECDSA)
		if err != nil {
			t.Fatal(err)
		}
		pk.PEM = string(pub)
		privs = append(privs, priv)
	}
	edge := e()
	var signers []*urlsign.Signer
	var keys []crypto.Signer
	for i, pk := range d.PublicKeys() {
		key, err := cfkeys.ParsePrivateKey(privs[i])
		if err != nil {
			t.Fatal(err)
		}
		s, err := urlsign.New(edge.KeyPairIDs()[pk.LogicalID], key)
		if err != nil {
			t.Fatal(err)
		}
		signers = append(signers, s)
		keys = append(keys, key)
	}
	return signers, keys
}

var ourTemplates = []struct {
	file, origin string
	public       []string // paths checked without a signature (PublicPaths)
}{
	{"default.template.json", "https://app.example.com", nil},
	{"all-origins.template.json", "https://any.example.net", nil},
	{"custom-domain.template.json", "https://www.example.com", nil},
	{"embedded.template.json", "https://backoffice.example.com", nil},
	{"existing-bucket.template.json", "https://app.example.com", nil},
	{"signed.template.json", "https://app.example.com", []string{"/thumbs/t.jpg"}},
	{"signed-cookies.template.json", "http://localhost:3000", nil},
}

// TestDoctorFindsNoFailureOnOurTemplates runs the doctor's live mode against
// the edge serving each synthesized template, under every reading of
// undocumented behavior: an image, an SVG and an HLS asset, with and
// without Origin, preflight included.
func TestDoctorFindsNoFailureOnOurTemplates(t *testing.T) {
	for _, tt := range ourTemplates {
		for mask := 0; mask < 1<<len(Readings); mask++ {
			t.Run(fmt.Sprintf("%s/readings=%04b", tt.file, mask), func(t *testing.T) {
				d := loadDist(t, "../test/testdata/"+tt.file)
				origin := originFor(t, d)
				var e *Edge
				newEdge := func() *Edge {
					var err error
					// custom-domain has a WAF web ACL and a geographic
					// restriction, which are not emulated.
					e, err = New(d, origin, Options{IgnoreWAF: d.WebACLID != "", IgnoreGeoRestriction: d.GeoRestriction != "", FunctionTimeout: testFunctionTimeout}.WithReadings(mask))
					if err != nil {
						t.Fatal(err)
					}
					return e
				}
				var signers []*urlsign.Signer
				if len(d.PublicKeys()) > 0 {
					signers = rekey(t, d, newEdge)
				} else {
					newEdge()
				}
				srv := httptest.NewServer(e)
				defer srv.Close()
				for _, p := range append([]string{"/photos/a.jpg", "/icons/logo.svg", "/videos/v1/index.m3u8"}, tt.public...) {
					target := srv.URL + p
					opts := doctor.LiveOptions{URL: target, Origin: tt.origin, Client: srv.Client(), Template: templateFor(t, tt.file),
						// With credentials allowed, check as a credentialed request.
						Credentials: d.DefaultBehavior().EdgeCORS().AllowCredentials}
					if signers != nil && !slices.Contains(tt.public, p) {
						// Rotation: each key of the group signs a run.
						s := signers[len(p)%len(signers)]
						a, err := s.SignAsset(srv.URL+pathDir(p), urlsign.Policy{Expires: time.Now().Add(time.Hour)})
						if err != nil {
							t.Fatal(err)
						}
						opts.URL = target + "?" + a.Query
						opts.PropagateQuery = true
					}
					r, err := doctor.CheckURL(context.Background(), opts)
					if err != nil {
						t.Fatal(err)
					}
					if r.Failed() {
						for _, f := range r.Findings {
							if f.Severity == doctor.SeverityFail {
								t.Errorf("%s: %s %s: %s", p, f.ID, f.URL, f.What)
							}
						}
					}
				}
			})
		}
	}
}

func pathDir(p string) string { return p[:strings.LastIndex(p, "/")+1] }

func templateFor(t *testing.T, file string) *doctor.Template {
	tm, err := doctor.LoadTemplate("../test/testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestDoctorFindsKnownFailures: seed 002's configuration and CachingOptimized
// with CORS-S3Origin and no response headers policy fail live as they do in
// production.
func TestDoctorFindsKnownFailures(t *testing.T) {
	t.Run("seed002", func(t *testing.T) {
		for mask := 0; mask < 1<<len(Readings); mask++ {
			d := loadDist(t, "../doctor/testdata/templates/seed002.json")
			origin := originFor(t, d)
			e, err := New(d, origin, Options{FunctionTimeout: testFunctionTimeout}.WithReadings(mask))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(e)
			r, err := doctor.CheckURL(context.Background(), doctor.LiveOptions{URL: srv.URL + "/videos/v1/index.m3u8", Origin: "https://app.example.com", Client: srv.Client()})
			srv.Close()
			if err != nil {
				t.Fatal(err)
			}
			// The failure is the one seed 002 is known for: preflights of the
			// playlist and the segments reach S3 without Origin.
			failed := map[string][]string{}
			for _, f := range r.Findings {
				if f.Severity == doctor.SeverityFail {
					failed[f.ID] = append(failed[f.ID], append([]string{f.URL}, f.URLs...)...)
				}
			}
			urls := strings.Join(failed["preflight.origin-not-forwarded"], " ")
			if len(failed) != 1 || !strings.Contains(urls, ".m3u8") || !strings.Contains(urls, ".ts") {
				t.Errorf("readings %04b: seed 002 failures %v, want preflight.origin-not-forwarded on the playlist and a segment", mask, failed)
			}
			// The *.m3u8 behavior has no origin request policy and Origin is not
			// in its cache key: S3 never sees Origin there. The *.ts behavior's
			// Elemental-MediaPackage cache policy keys on Origin, so it does.
			var m3u8, ts int
			for _, req := range origin.log() {
				switch {
				case strings.HasSuffix(req.URL.Path, ".m3u8"):
					m3u8++
					if req.Header.Get("Origin") != "" {
						t.Errorf("the origin received Origin on %s", req.URL.Path)
					}
				case strings.HasSuffix(req.URL.Path, ".ts") && req.Header.Get("Origin") != "":
					ts++
				}
			}
			if m3u8 == 0 || ts == 0 {
				t.Errorf("origin saw %d playlist requests and %d segment requests with Origin", m3u8, ts)
			}
		}
	})
	// Negative control for TestDoctorFindsNoFailureOnOurTemplates: the same
	// default template with a bucket that has no CORS rules fails the
	// preflight (S3 answers it; the policy cannot repair the 403).
	t.Run("default template, bucket without CORS", func(t *testing.T) {
		d := loadDist(t, "../test/testdata/default.template.json")
		origin := newDirOrigin(t, nil)
		putMedia(origin)
		e, err := New(d, origin, Options{FunctionTimeout: testFunctionTimeout})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(e)
		defer srv.Close()
		r, err := doctor.CheckURL(context.Background(), doctor.LiveOptions{URL: srv.URL + "/photos/a.jpg", Origin: "https://app.example.com", Client: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Failed() {
			t.Errorf("no failure: %+v", r.Findings)
		}
	})
	t.Run("caching-optimized-trap", func(t *testing.T) {
		d := loadDist(t, "../doctor/testdata/templates/caching-optimized-trap.json")
		origin := originFor(t, d)
		e, err := New(d, origin, Options{FunctionTimeout: testFunctionTimeout})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(e)
		defer srv.Close()
		// An <img> (no Origin) fills the cache first. Accept-Encoding is in the
		// cache key (normalized) with CachingOptimized: identity here, as the
		// doctor's ranged requests send none.
		img, _ := http.NewRequest(http.MethodGet, srv.URL+"/photos/a.jpg", nil)
		img.Header.Set("Accept-Encoding", "identity")
		resp, err := http.DefaultClient.Do(img)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Access-Control-Allow-Origin") != "" || !strings.HasPrefix(resp.Header.Get("X-Cache"), "Miss") {
			t.Fatalf("first request: %v", resp.Header)
		}
		// The CORS request then gets that copy from the cache, without ACAO.
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/photos/a.jpg", nil)
		req.Header.Set("Origin", "https://app.example.com")
		req.Header.Set("Accept-Encoding", "identity")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Access-Control-Allow-Origin") != "" || !strings.HasPrefix(resp.Header.Get("X-Cache"), "Hit") {
			t.Fatalf("CORS request after a no-Origin request: ACAO %q, X-Cache %q; want none, Hit",
				resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("X-Cache"))
		}
		r, err := doctor.CheckURL(context.Background(), doctor.LiveOptions{URL: srv.URL + "/photos/a.jpg", Origin: "https://app.example.com", Client: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range r.Findings {
			if f.Severity == doctor.SeverityFail && f.ID == "cache.hit-without-cors" {
				found = true
			}
		}
		if !found {
			t.Errorf("doctor did not report cache.hit-without-cors: %+v", r.Findings)
		}
		// Negative control: after an invalidation the CORS request comes first
		// and is a miss with S3's CORS headers.
		e.Invalidate("/*")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
			t.Errorf("after invalidation the CORS request got ACAO %q", resp.Header.Get("Access-Control-Allow-Origin"))
		}
	})
}
