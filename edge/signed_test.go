package edge

import (
	"crypto"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/urlsign"
)

// signedHarness serves the synthesized signed template with fresh keys.
func signedHarness(t *testing.T) (*harness, []*urlsign.Signer, []crypto.Signer) {
	t.Helper()
	d := loadDist(t, "../test/testdata/signed.template.json")
	h := &harness{t: t, clock: &clock{t: time.Now()}}
	h.origin = originFor(t, d)
	signers, keys := rekeyWithKeys(t, d, func() *Edge {
		e, err := New(d, h.origin, Options{FunctionTimeout: testFunctionTimeout, Now: h.clock.now, Log: func(i RequestInfo) { h.mu.Lock(); h.infos = append(h.infos, i); h.mu.Unlock() }})
		if err != nil {
			t.Fatal(err)
		}
		h.edge = e
		return e
	})
	return h, signers, keys
}

const base = "http://127.0.0.1:8080"

func pathQuery(t *testing.T, signed string) string {
	t.Helper()
	u, err := url.Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

func xmlCode(b string) string {
	_, rest, _ := strings.Cut(b, "<Code>")
	code, _, _ := strings.Cut(rest, "</Code>")
	return code
}

func TestSignedRequests(t *testing.T) {
	h, signers, keys := signedHarness(t)
	now := time.Now()
	img := base + "/photos/a.jpg"
	canned, err := signers[0].SignURL(img, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := signers[1].SignURL(img, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	sha256Signer, err := urlsign.New(signers[0].KeyPairID(), keys[0], urlsign.WithHash(urlsign.SHA256))
	if err != nil {
		t.Fatal(err)
	}
	sha256URL, _ := sha256Signer.SignURL(img, now.Add(time.Hour))
	expired, err := signers[0].SignURL(img, now.Add(time.Minute)) // requested two minutes later
	if err != nil {
		t.Fatal(err)
	}
	other := otherSigner(t, signers[0].KeyPairID())
	wrongKey, _ := other.SignURL(img, now.Add(time.Hour))
	unknown := otherSigner(t, "KUNKNOWNKEY123")
	unknownKey, _ := unknown.SignURL(img, now.Add(time.Hour))
	tampered := strings.Replace(canned, "/photos/a.jpg", "/photos/b.jpg", 1)
	h.origin.put("photos/b.jpg", "image/jpeg", "b")
	h.origin.put("thumbs/a.jpg", "image/jpeg", "thumb")
	h.origin.put("posters/p.jpg", "image/jpeg", "poster")
	badSig := canned[:strings.Index(canned, "Signature=")] + "Signature=%%%" + canned[strings.Index(canned, "&Key-Pair-Id"):]
	noKey := canned[:strings.Index(canned, "&Key-Pair-Id")]
	cookies, err := signers[1].CannedCookies(img, now.Add(time.Hour), urlsign.CookieOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var cookieHeader []string
	for _, c := range cookies {
		cookieHeader = append(cookieHeader, c.Name+"="+c.Value)
	}

	for _, tt := range []struct {
		name, target string
		headers      []string
		status       int
		code         string
		later        time.Duration
		fromS3       bool // a 403 S3 answered (RequestId), not the edge
	}{
		{"unsigned", "/photos/a.jpg", nil, 403, "MissingKey", 0, false},
		{"canned policy", pathQuery(t, canned), nil, 200, "", 0, false},
		{"second key of the group (rotation)", pathQuery(t, rotated), nil, 200, "", 0, false},
		{"Hash-Algorithm=SHA256", pathQuery(t, sha256URL), nil, 200, "", 0, false},
		{"signed cookies", "/photos/a.jpg", []string{"Cookie: " + strings.Join(cookieHeader, "; ")}, 200, "", 0, false},
		{"not yet expired", pathQuery(t, expired), nil, 200, "", 0, false},
		{"expired", pathQuery(t, expired), nil, 403, "AccessDenied", 2 * time.Minute, false},
		{"wrong private key for the Key-Pair-Id", pathQuery(t, wrongKey), nil, 403, "AccessDenied", 0, false},
		{"unknown Key-Pair-Id", pathQuery(t, unknownKey), nil, 403, "InvalidKey", 0, false},
		{"tampered path", pathQuery(t, tampered), nil, 403, "AccessDenied", 0, false},
		{"undecodable signature", pathQuery(t, badSig), nil, 403, "MalformedSignature", 0, false},
		{"no Key-Pair-Id", pathQuery(t, noKey), nil, 403, "MissingKey", 0, false},
		// thumbs/* and posters/*.jpg come before the signed *.jpg behavior.
		{"public path needs no signature", "/thumbs/a.jpg", nil, 200, "", 0, false},
		{"public pattern before *.jpg", "/posters/p.jpg", nil, 200, "", 0, false},
		{"public path, missing object: S3's AccessDenied", "/thumbs/missing.jpg", nil, 403, "AccessDenied", 0, true},
		{"signed pattern, missing object: signature checked first", "/photos/missing.jpg", nil, 403, "MissingKey", 0, false},
	} {
		h.clock.add(tt.later)
		r := h.do("GET", tt.target, tt.headers...)
		h.clock.add(-tt.later)
		if r.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d (%s)", tt.name, r.StatusCode, tt.status, h.last().Reason)
			continue
		}
		b := body(t, r)
		if want, ok := map[string]string{"/thumbs/a.jpg": "thumb", "/posters/p.jpg": "poster"}[tt.target]; ok && b != want {
			t.Errorf("%s: body %q, want %q", tt.name, b, want)
		}
		if tt.code != "" {
			if got := xmlCode(b); got != tt.code {
				t.Errorf("%s: code %q, want %q", tt.name, got, tt.code)
			}
			// S3's denial carries a RequestId; the edge's signing 403s do not
			// (CLOUDFRONT-FACTS section 6: the discriminator).
			if strings.Contains(b, "<RequestId>") != tt.fromS3 {
				t.Errorf("%s: body %q, want it from S3: %v", tt.name, b, tt.fromS3)
			}
			if r.Header.Get("X-Cache") != "Error from cloudfront" {
				t.Errorf("%s: X-Cache %q", tt.name, r.Header.Get("X-Cache"))
			}
		}
	}
	// Signing parameters never reach the origin.
	for _, r := range h.origin.log() {
		if r.URL.RawQuery != "" || strings.Contains(r.Header.Get("Cookie"), "CloudFront-") {
			t.Errorf("origin received %q / cookies %q", r.URL.RawQuery, r.Header.Get("Cookie"))
		}
	}
}

// TestWildcardPolicyCoversOneAsset: a policy for videos/v1/* admits every
// playlist and segment of the asset and nothing else.
func TestWildcardPolicyCoversOneAsset(t *testing.T) {
	h, signers, _ := signedHarness(t)
	h.origin.put("videos/v10/index.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n")
	h.origin.put("videos/v2/index.m3u8", "application/vnd.apple.mpegurl", "#EXTM3U\n")
	asset, err := signers[0].SignAsset(base+"/videos/v1/", urlsign.Policy{Expires: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/videos/v1/index.m3u8", "/videos/v1/low/index.m3u8", "/videos/v1/low/seg0.ts", "/videos/v1/low/seg1.ts"} {
		if r := h.do("GET", p+"?"+asset.Query); r.StatusCode != 200 {
			t.Errorf("%s: %d (%s)", p, r.StatusCode, h.last().Reason)
		}
	}
	for _, p := range []string{"/videos/v2/index.m3u8", "/videos/v10/index.m3u8", "/videos/index.m3u8"} {
		r := h.do("GET", p+"?"+asset.Query)
		if r.StatusCode != 403 || xmlCode(body(t, r)) != "AccessDenied" {
			t.Errorf("%s outside the asset: %d", p, r.StatusCode)
		}
	}
	// The resource is the URL as the viewer requested it: another host fails.
	r := httpDo(h, "GET", "http://localhost:8080/videos/v1/index.m3u8?"+asset.Query)
	if r.StatusCode != 403 {
		t.Errorf("other host: %d", r.StatusCode)
	}
}

func httpDo(h *harness, method, target string) *http.Response {
	h.t.Helper()
	u, _ := url.Parse(target)
	r, _ := http.NewRequest(method, target, nil)
	r.Host = u.Host
	r.RequestURI = u.RequestURI()
	r.RemoteAddr = "127.0.0.1:5000"
	w := httptest.NewRecorder()
	h.edge.ServeHTTP(w, r)
	return w.Result()
}

// otherSigner signs with a fresh key under the given Key-Pair-Id.
func otherSigner(t *testing.T, kpid string) *urlsign.Signer {
	t.Helper()
	priv, _, err := cfkeys.GenerateKeyPair(cfkeys.ECDSA)
	if err != nil {
		t.Fatal(err)
	}
	k, err := cfkeys.ParsePrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	s, err := urlsign.New(kpid, k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSameKeyInTwoResources: two PublicKey resources holding the same key
// get the same local Key-Pair-Id, both are listed, and a behavior trusting
// either accepts it. The old edge kept only the last resource: the first got
// no id and its behaviors answered InvalidKey.
func TestSameKeyInTwoResources(t *testing.T) {
	d := loadDist(t, "../test/testdata/signed.template.json")
	pks := d.PublicKeys()
	if len(pks) != 2 {
		t.Fatalf("%d public keys in the signed template, want 2", len(pks))
	}
	priv, pub, err := cfkeys.GenerateKeyPair(cfkeys.ECDSA)
	if err != nil {
		t.Fatal(err)
	}
	pks[0].PEM, pks[1].PEM = string(pub), string(pub)
	// *.jpg trusts only the first resource; the others keep both.
	for _, b := range d.Behaviors {
		if b.PathPattern == "*.jpg" {
			g := *b.KeyGroups[0]
			g.PublicKeys = pks[:1]
			b.KeyGroups = []*cfconfig.KeyGroup{&g}
		}
	}
	o := originFor(t, d)
	e, err := New(d, o, Options{FunctionTimeout: testFunctionTimeout})
	if err != nil {
		t.Fatal(err)
	}
	ids := e.KeyPairIDs()
	if ids[pks[0].LogicalID] == "" || ids[pks[0].LogicalID] != ids[pks[1].LogicalID] {
		t.Fatalf("KeyPairIDs = %v, want one id for both resources", ids)
	}
	key, err := cfkeys.ParsePrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	s, err := urlsign.New(ids[pks[0].LogicalID], key)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := s.SignURL(base+"/photos/a.jpg", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(e, httptest.NewRequest(http.MethodGet, signed, nil)); w.Code != 200 {
		t.Errorf("signed GET: %d %s", w.Code, w.Body.String())
	}
}
