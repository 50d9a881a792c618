package cfconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/readlimit"
)

func TestLoadSignedTemplate(t *testing.T) {
	dists, err := Load("../test/testdata/signed.template.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(dists) != 1 {
		t.Fatalf("%d distributions", len(dists))
	}
	d := dists[0]
	def := d.DefaultBehavior()
	if def == nil || d.Behaviors[len(d.Behaviors)-1] != def {
		t.Fatal("default behavior is not last")
	}
	if d.Behaviors[0].PathPattern != "thumbs/*" || d.Behaviors[0].Signed() {
		t.Errorf("first behavior = %+v", d.Behaviors[0])
	}
	keys := d.PublicKeys()
	if len(keys) != 2 || !strings.HasPrefix(keys[0].PEM, "-----BEGIN PUBLIC KEY-----") || keys[0].LogicalID != "MediaPublicKey18b185b56e81f992F3F5212B" {
		t.Errorf("public keys = %+v", keys)
	}
	jpg := d.Behaviors[2]
	if jpg.PathPattern != "*.jpg" || len(jpg.KeyGroups) != 1 || len(jpg.KeyGroups[0].PublicKeys) != 2 {
		t.Errorf("*.jpg = %+v", jpg)
	}
	if !jpg.Forwards("Origin") || jpg.InCacheKey("origin") || jpg.OriginRequestPolicy.Name != "CORS-S3Origin" || !jpg.OriginRequestPolicy.Managed {
		t.Errorf("*.jpg forwarding wrong: %+v", jpg.OriginRequestPolicy)
	}
	rhp := jpg.ResponseHeadersPolicy
	if rhp.CORS == nil || !rhp.CORS.OriginOverride || rhp.CORS.MaxAgeSec != 3600 || len(rhp.SecurityHeaders) != 4 {
		t.Errorf("response headers policy = %+v", rhp)
	}
	var fn *Function
	for i := range jpg.Functions {
		fn = &jpg.Functions[i]
	}
	if fn == nil || fn.EventType != "viewer-response" || fn.Runtime != "cloudfront-js-2.0" || !strings.Contains(fn.Code, "function handler") {
		t.Errorf("function = %+v", fn)
	}
	o := d.Origins[def.TargetOrigin]
	if o == nil || !o.S3 || o.Custom || !o.HasOAC || o.Bucket == nil || len(o.Bucket.CORS) != 1 || o.Bucket.CORS[0].MaxAgeSeconds != 3600 ||
		len(o.Bucket.CORS[0].ExposeHeaders) != 6 {
		t.Errorf("origin = %+v bucket %+v", o, o.Bucket)
	}
}

func TestManagedPolicies(t *testing.T) {
	doc := `{"Resources":{"D":{"Type":"AWS::CloudFront::Distribution","Properties":{"DistributionConfig":{
	  "Origins":[{"Id":"o","DomainName":"b.s3.us-east-1.amazonaws.com","S3OriginConfig":{}}],
	  "DefaultCacheBehavior":{"TargetOriginId":"o","CachePolicyId":"658327ea-f89d-4fab-a63d-7e88639e58f6",
	    "OriginRequestPolicyId":"216adef6-5c7f-47e4-b989-5492eafa07d3","ResponseHeadersPolicyId":"eaab4381-ed33-4a86-88ca-d9558dc6cd63"}}}}}}`
	dists, err := Parse("t", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	b := dists[0].Behaviors[0]
	if c := b.CachePolicy; !c.Managed || c.Name != "CachingOptimized" || c.MinTTL != 1 || c.DefaultTTL != 86400 || c.MaxTTL != 31536000 || !c.EnableGzip || !c.EnableBrotli {
		t.Errorf("cache policy = %+v", c)
	}
	if !b.OriginRequestPolicy.ForwardsHeader("X-Anything") || !b.OriginRequestPolicy.ForwardsQuery("q") {
		t.Errorf("AllViewer forwards = %+v", b.OriginRequestPolicy)
	}
	r := b.ResponseHeadersPolicy
	if r.Name != "CORS-with-preflight-and-SecurityHeadersPolicy" || r.CORS.OriginOverride || r.CORS.AllowOrigins[0] != "*" || len(r.SecurityHeaders) != 5 {
		t.Errorf("response headers policy = %+v", r)
	}
	// The managed tables are shared: a caller's change must not leak.
	r.CORS.AllowOrigins[0] = "changed"
	again, _ := Parse("t", []byte(doc))
	if again[0].Behaviors[0].ResponseHeadersPolicy.CORS.AllowOrigins[0] != "*" {
		t.Error("managed policy table was modified through a returned policy")
	}
}

func writeManifest(t *testing.T, dir, body string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestNestedAssemblies(t *testing.T) {
	stage := `{"artifacts":{"S":{"type":"cdk:cloud-assembly","properties":{"directoryName":"assembly-Stage"}}}}`
	self := `{"artifacts":{"S":{"type":"cdk:cloud-assembly","properties":{"directoryName":"."}}}}`
	back := `{"artifacts":{"S":{"type":"cdk:cloud-assembly","properties":{"directoryName":".."}}}}`
	tmpl, err := os.ReadFile("../test/testdata/default.template.json")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("stage", func(t *testing.T) {
		dir := t.TempDir()
		writeManifest(t, dir, stage)
		writeManifest(t, filepath.Join(dir, "assembly-Stage"), `{"artifacts":{"Media":{"type":"aws:cloudformation:stack","properties":{"templateFile":"Media.template.json"}}}}`)
		if err := os.WriteFile(filepath.Join(dir, "assembly-Stage", "Media.template.json"), tmpl, 0o644); err != nil {
			t.Fatal(err)
		}
		dists, err := Load(dir)
		if err != nil || len(dists) != 1 || !strings.HasPrefix(dists[0].Label, "assembly-Stage/Media/") {
			t.Fatalf("dists %v, err %v", dists, err)
		}
	})
	for name, setup := range map[string]func(dir string){
		"self": func(dir string) { writeManifest(t, dir, self) },
		"each other": func(dir string) {
			writeManifest(t, dir, stage)
			writeManifest(t, filepath.Join(dir, "assembly-Stage"), back)
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			setup(dir)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), "nested in itself") {
				t.Fatalf("err = %v, want a cycle error", err)
			}
		})
	}
}

func TestInputErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(readlimit.TemplateSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Load(big); !errors.Is(err, readlimit.ErrTooLarge) {
		t.Errorf("oversized template: err = %v", err)
	}
	for _, doc := range []string{``, `[]`, `{"Resources":{}}`, `{"x":1}`, `{"Resources":`} {
		if _, err := Parse("t", []byte(doc)); err == nil {
			t.Errorf("%q: no error", doc)
		}
	}
	dists, err := Parse("t", []byte(`{"DistributionConfig":{}}`))
	if err != nil || !dists[0].Empty {
		t.Errorf("empty config: %v %v", dists, err)
	}
}

// FuzzParse feeds arbitrary documents to the template / CLI JSON parser: it
// must return an error or a model, never panic.
func FuzzParse(f *testing.F) {
	for _, p := range []string{
		"../test/testdata/signed.template.json",
		"../test/testdata/all-origins.template.json",
		"../doctor/testdata/templates/seed002.json",
		"../doctor/testdata/templates/get-distribution-config.json",
		"../doctor/testdata/templates/get-distribution.json",
		"../doctor/testdata/templates/oai-legacy.json",
	} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"Resources":{"D":{"Type":"AWS::CloudFront::Distribution","Properties":{"DistributionConfig":{"CacheBehaviors":{"Items":[1,{"TrustedKeyGroups":{"Enabled":"true","Items":[{"Ref":"D"}]}}]}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dists, err := Parse("fuzz", data)
		if err != nil {
			return
		}
		for _, d := range dists {
			for _, b := range d.Behaviors {
				_ = b.Label() + b.PathPattern
				b.Forwards("origin")
				b.TTLs()
			}
			d.PublicKeys()
		}
	})
}

// FuzzManifest feeds arbitrary manifest.json files to the cloud assembly walk.
func FuzzManifest(f *testing.F) {
	b, err := os.ReadFile("../doctor/testdata/cdkout/manifest.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"artifacts":{"S":{"type":"cdk:cloud-assembly","properties":{"directoryName":"."}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "manifest.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		_ = newWalk().assembly(dir, nil)
	})
}
