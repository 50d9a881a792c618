package edge

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/cfconfig"
)

// TestGetDistributionConfigJSON: the JSON of aws cloudfront
// get-distribution-config (API shape: {Quantity, Items} lists, ETag) drives
// New like a template. The doctor's fixture names a custom response headers
// policy and key groups by id only: their contents are not in that JSON, so
// New refuses it, naming the policy, then (policy made managed) the key
// group. With managed policies and no signing it is served.
func TestGetDistributionConfigJSON(t *testing.T) {
	raw, err := os.ReadFile("../doctor/testdata/templates/get-distribution-config.json")
	if err != nil {
		t.Fatal(err)
	}
	const (
		customRHP  = "0a6f1b8e-8b1d-4a43-9a8e-6b9f4f2c1d77"
		keyGroup   = "4b4f2cdc-3f8e-4f2d-9d7e-3b1c6a0e9f11"
		simpleCORS = "60669652-455b-4ae9-85a4-c4c02393f86c"
	)
	managedRHP := strings.ReplaceAll(string(raw), customRHP, simpleCORS)
	unsigned := strings.ReplaceAll(managedRHP, `{"Enabled": true, "Quantity": 1, "Items": ["`+keyGroup+`"]}`, `{"Enabled": false, "Quantity": 0}`)
	if strings.Contains(unsigned, keyGroup) || !strings.Contains(managedRHP, keyGroup) || strings.Contains(managedRHP, customRHP) {
		t.Fatal("the fixture's layout changed: the replacements below no longer apply")
	}
	for _, tt := range []struct {
		name, doc string
		refusal   []string // words the error must hold; nil: served
	}{
		{"fixture as captured", string(raw), []string{"response headers policy", customRHP}},
		{"managed policy, key groups by id", managedRHP, []string{"key groups", keyGroup}},
		{"managed policies, unsigned", unsigned, nil},
	} {
		dists, err := cfconfig.Parse("get-distribution-config.json", []byte(tt.doc))
		if err != nil || len(dists) != 1 {
			t.Fatalf("%s: Parse: %d distributions, %v", tt.name, len(dists), err)
		}
		o := newMemOrigin(&cfconfig.Bucket{HasCORS: true, CORS: []cfconfig.CORSRule{{AllowedOrigins: []string{"https://app.example.com"},
			AllowedMethods: []string{"GET", "HEAD"}, AllowedHeaders: []string{"*"}}}})
		putMedia(o)
		e, err := New(dists[0], o, Options{})
		if tt.refusal != nil {
			for _, w := range tt.refusal {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("%s: err = %v, want one naming %q", tt.name, err, w)
				}
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for _, c := range []struct{ path, acao string }{
			{"/photos/a.jpg", "*"}, // SimpleCORS fills in ACAO for an Origin S3 does not allow
			{"/videos/v1/index.m3u8", "*"},
		} {
			r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+c.path, nil)
			r.Header.Set("Origin", "https://other.example.net")
			w := serve(e, r)
			if w.Code != 200 || w.Header().Get("Access-Control-Allow-Origin") != c.acao {
				t.Errorf("%s: GET %s: %d, ACAO %q", tt.name, c.path, w.Code, w.Header().Get("Access-Control-Allow-Origin"))
			}
			if got := o.log()[len(o.log())-1].Host; got != "media-bucket.s3.ap-northeast-2.amazonaws.com" {
				t.Errorf("%s: origin request Host %q", tt.name, got)
			}
		}
		if got := e.match("/videos/v1/index.m3u8").Label(); got != "*.m3u8" {
			t.Errorf("behavior for an m3u8: %q", got)
		}
	}
}
