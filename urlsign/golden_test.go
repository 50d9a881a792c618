package urlsign

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// go test ./urlsign -run Golden -update rewrites testdata/golden.json.
// Review the diff by hand: the policy field is the JSON that is signed, and
// TestCannedURLDerivedByHand / TestMatchesAWSSDK / TestOpenSSLCrossCheck
// check the same recipe independently.
var update = flag.Bool("update", false, "rewrite testdata/golden.json")

const goldenFile = "testdata/golden.json"

// goldenCase is one vector. ECDSA signatures are randomized: for them the
// stored output has the signature replaced by ecdsaPlaceholder, and the real
// signature is checked with the public key instead.
type goldenCase struct {
	Name      string `json:"name"`
	Key       string `json:"key"`  // "rsa" or "ecdsa" (testdata/test_only_*)
	Hash      string `json:"hash"` // "SHA1" or "SHA256"
	Kind      string `json:"kind"` // canned-url, custom-url, asset-url, custom-cookies, canned-cookies
	URL       string `json:"url"`
	Resource  string `json:"resource,omitempty"`
	NotBefore int64  `json:"notBefore,omitempty"`
	IP        string `json:"ip,omitempty"`
	Domain    string `json:"domain,omitempty"`
	Expires   int64  `json:"expires"`
	Policy    string `json:"policy"`
	Output    string `json:"output"` // signed URL, or Set-Cookie lines joined by "\n"
}

const ecdsaPlaceholder = "ECDSA-SIGNATURE-RANDOMIZED"

var goldenInputs = []goldenCase{
	{Name: "canned image", Kind: "canned-url", URL: "https://media.example.com/photos/cat.jpg"},
	{Name: "canned with own query and &", Kind: "canned-url", URL: "https://media.example.com/photos/cat.jpg?w=640&h=480&caption=tom%26jerry"},
	{Name: "canned non-ASCII path", Kind: "canned-url", URL: "https://media.example.com/사진/고양이 1.jpg"},
	{Name: "custom wildcard asset", Kind: "custom-url", URL: "https://media.example.com/videos/abc/index.m3u8", Resource: "https://media.example.com/videos/abc/*"},
	{Name: "custom with not-before and IP", Kind: "custom-url", URL: "https://media.example.com/dl/report.pdf?v=3", Resource: "https://media.example.com/dl/*", NotBefore: 1767225000, IP: "203.0.113.0/24"},
	{Name: "asset playlist", Kind: "asset-url", URL: "https://media.example.com/videos/abc/index.m3u8", Resource: "https://media.example.com/videos/abc/"},
	{Name: "custom cookies for an asset", Kind: "custom-cookies", Resource: "https://media.example.com/videos/abc/*", Domain: "example.com"},
	{Name: "canned cookies", Kind: "canned-cookies", URL: "https://media.example.com/photos/cat.jpg"},
}

func runGolden(t *testing.T, in goldenCase) (goldenCase, *Signed) {
	t.Helper()
	var s *Signer
	if in.Key == "rsa" {
		s = newTestSigner(t, loadRSA(t), HashAlgorithm(in.Hash))
	} else {
		s = newTestSigner(t, loadECDSA(t), HashAlgorithm(in.Hash))
	}
	p := Policy{Resource: in.Resource, Expires: testExpires, IPAddress: in.IP}
	if in.NotBefore != 0 {
		p.NotBefore = time.Unix(in.NotBefore, 0)
	}
	var out string
	var cookies []*http.Cookie
	var err error
	switch in.Kind {
	case "canned-url":
		out, err = s.SignURL(in.URL, testExpires)
	case "custom-url":
		out, err = s.SignURLWithPolicy(in.URL, p)
	case "asset-url":
		var a *SignedAsset
		p.Resource = ""
		if a, err = s.SignAsset(in.Resource, p); err == nil {
			out, err = a.URL(in.URL)
		}
	case "custom-cookies":
		cookies, err = s.Cookies(p, CookieOptions{Domain: in.Domain})
	case "canned-cookies":
		cookies, err = s.CannedCookies(in.URL, testExpires, CookieOptions{Domain: in.Domain})
	default:
		t.Fatalf("unknown kind %q", in.Kind)
	}
	if err != nil {
		t.Fatalf("%s: %v", in.Name, err)
	}
	var d *Signed
	if cookies != nil {
		var lines []string
		for _, c := range cookies {
			lines = append(lines, c.String())
		}
		out = strings.Join(lines, "\n")
		d, err = ParseCookies(cookies)
		if err == nil && d.Canned {
			err = d.BindURL(in.URL)
		}
	} else {
		d, err = Parse(out)
	}
	if err != nil {
		t.Fatalf("%s: decoding own output: %v", in.Name, err)
	}
	in.Expires = d.Expires.Unix()
	in.Policy = string(d.PolicyJSON)
	in.Output = out
	return in, d
}

var sigValue = regexp.MustCompile(`(Signature=)[A-Za-z0-9~_-]+`)

func TestGolden(t *testing.T) {
	var got []goldenCase
	for _, key := range []string{"rsa", "ecdsa"} {
		for _, h := range []string{"SHA1", "SHA256"} {
			for _, in := range goldenInputs {
				in.Key, in.Hash = key, h
				g, d := runGolden(t, in)
				pub := loadPublic(t, map[string]string{"rsa": rsaPubFile, "ecdsa": ecPubFile}[key])
				if err := d.Verify(pub); err != nil {
					t.Errorf("%s %s %s: %v", key, h, in.Name, err)
				}
				if key == "ecdsa" {
					g.Output = sigValue.ReplaceAllString(g.Output, "${1}"+ecdsaPlaceholder)
				}
				got = append(got, g)
			}
		}
	}
	// No HTML escaping, so the file reads like the URLs ("&", not "\u0026").
	var buf bytes.Buffer
	je := json.NewEncoder(&buf)
	je.SetEscapeHTML(false)
	je.SetIndent("", "  ")
	if err := je.Encode(got); err != nil {
		t.Fatal(err)
	}
	enc := buf.Bytes()
	if *update {
		if err := os.WriteFile(goldenFile, enc, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: review the diff by hand", goldenFile)
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run go test -run Golden -update to create it)", err)
	}
	if bytes.Equal(enc, want) {
		return
	}
	var wantCases []goldenCase
	if err := json.Unmarshal(want, &wantCases); err != nil {
		t.Fatal(err)
	}
	if len(wantCases) != len(got) {
		t.Fatalf("%d golden cases, produced %d", len(wantCases), len(got))
	}
	for i := range got {
		if got[i] != wantCases[i] {
			t.Errorf("%s %s %s:\n got  %+v\n want %+v", got[i].Key, got[i].Hash, got[i].Name, got[i], wantCases[i])
		}
	}
}

// TestGoldenSelfConsistent checks properties of the stored vectors that do
// not depend on the code under test: each policy is the JSON CloudFront
// expects, and the stored signature (RSA) verifies over it.
func TestGoldenSelfConsistent(t *testing.T) {
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	rsaPub := loadPublic(t, rsaPubFile)
	for _, c := range cases {
		if strings.ContainsAny(c.Policy, " \n\t") || strings.Contains(c.Policy, `\u0026`) || !strings.HasPrefix(c.Policy, `{"Statement":[{"Resource":"`) {
			t.Errorf("%s: policy not in CloudFront's compact form: %s", c.Name, c.Policy)
		}
		if !strings.HasSuffix(c.Policy, `"DateLessThan":{"AWS:EpochTime":1767229200}}}]}`) {
			t.Errorf("%s: policy does not end with DateLessThan 1767229200: %s", c.Name, c.Policy)
		}
		if c.Key != "rsa" {
			continue
		}
		m := regexp.MustCompile(`Signature=([A-Za-z0-9~_-]+)`).FindStringSubmatch(c.Output)
		if m == nil {
			t.Fatalf("%s: no signature in %s", c.Name, c.Output)
		}
		sig, err := decodeB64(m[1], ErrMalformedSignature)
		if err != nil {
			t.Fatal(err)
		}
		if err := verifySignature(rsaPub, HashAlgorithm(c.Hash), []byte(c.Policy), sig); err != nil {
			t.Errorf("%s %s: stored signature does not verify over stored policy: %v", c.Hash, c.Name, err)
		}
	}
}
