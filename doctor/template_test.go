package doctor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type wantFinding struct {
	sev     Severity
	id      string
	pattern string
	words   string // a substring of What or Cause
}

func TestTemplateFixtures(t *testing.T) {
	tests := []struct {
		file  string
		fails int
		want  []wantFinding
		none  []string // IDs that must not appear
	}{
		{"clean.json", 0, []wantFinding{
			{SeverityInfo, "signed.public-prefix", "public/*", "files under this prefix are public"},
			{SeverityPass, "behavior.ok", "", ""}, {SeverityPass, "cors.ok", "", ""}, {SeverityPass, "cache.ok", "", ""},
			{SeverityPass, "preflight.ok", "", ""}, {SeverityPass, "signed.ok", "", ""}, {SeverityPass, "origin.ok", "", ""},
			{SeverityPass, "bucket.ok", "", ""}, {SeverityPass, "vary.ok", "", ""},
		}, []string{"signed.shadowed", "signed.default-unsigned", "cache.origin-not-in-key", "vary.no-viewer-function", "bucket.public-access-block"}},
		{"seed002.json", 2, []wantFinding{
			{SeverityFail, "behavior.policy-mismatch", "*.ts, Default (*)", "*.m3u8 (cache CachingDisabled (managed)) use origin request policy none and response headers policy CORS-with-preflight-and-SecurityHeadersPolicy (managed)"},
			{SeverityFail, "cors.not-configured", "Default (*)", "origin request policy none"},
			{SeverityWarn, "preflight.not-forwarded", "*.m3u8", "CachingDisabled"},
			{SeverityWarn, "preflight.not-forwarded", "*.ts", "Elemental-MediaPackage"},
			{SeverityInfo, "vary.no-viewer-function", "*.m3u8, *.ts, Default (*)", ""},
		}, []string{"behavior.options-not-allowed"}},
		{"options-missing.json", 1, []wantFinding{{SeverityFail, "behavior.options-not-allowed", "*.ts", "AllowedMethods is GET,HEAD"}}, nil},
		{"caching-optimized-trap.json", 1, []wantFinding{{SeverityFail, "cache.optimized-cors-trap", "Default (*)", "first request after a cache miss decides"}},
			[]string{"cache.origin-not-in-key"}},
		{"origin-not-in-key.json", 1, []wantFinding{{SeverityFail, "cache.origin-not-in-key", "Default (*)", "Origin is forwarded (forward-origin) but neither in the cache key (mediacdn-segments)"}}, nil},
		{"override-false.json", 0, []wantFinding{{SeverityWarn, "cache.origin-not-in-key", "Default (*)", "OriginOverride false"}}, nil},
		{"signed-query-key.json", 0, []wantFinding{
			{SeverityWarn, "signed.cache-key-query", "Default (*)", "query strings (all)"},
			{SeverityWarn, "signed.cache-key-cookies", "Default (*)", "cookies (all)"},
		}, nil},
		{"unsigned-shadow.json", 1, []wantFinding{
			{SeverityFail, "signed.shadowed", "*.jpg", "before signed behavior(s) Default (*)"},
			{SeverityInfo, "signed.public-prefix", "thumbs/*", "thumbs/* comes before signed"},
		}, nil},
		{"default-unsigned.json", 1, []wantFinding{{SeverityFail, "signed.default-unsigned", "Default (*)", "PHOTO.JPG"}}, []string{"signed.shadowed"}},
		{"public-bucket.json", 1, []wantFinding{
			{SeverityFail, "bucket.public-policy", "", "Principal *"},
			{SeverityWarn, "bucket.public-access-block", "", "BlockPublicPolicy, RestrictPublicBuckets false"},
		}, nil},
		{"oai-legacy.json", 0, []wantFinding{
			{SeverityWarn, "origin.oai", "", "origin-access-identity/cloudfront/Ref(OAI)"},
			{SeverityWarn, "signed.forwarded-query", "Default (*)", "QueryString true"},
		}, []string{"cors.not-configured", "cache.origin-not-in-key", "origin.no-access-control"}},
		{"no-access-control.json", 1, []wantFinding{
			{SeverityFail, "origin.no-access-control", "", "neither Origin Access Control nor an origin access identity"},
			{SeverityWarn, "behavior.allow-http", "Default (*)", "allow-all"},
		}, nil},
		{"bucket-cors-mismatch.json", 1, []wantFinding{{SeverityFail, "bucket.cors-mismatch", "Default (*)", "origin https://admin.example.com with GET,HEAD"}}, nil},
		{"get-distribution-config.json", 1, []wantFinding{
			{SeverityFail, "behavior.options-not-allowed", "Default (*)", "HEAD,GET"},
			{SeverityInfo, "policy.unresolved", "", "response headers policy 0a6f1b8e-8b1d-4a43-9a8e-6b9f4f2c1d77"},
		}, []string{"origin.no-access-control", "cache.optimized-cors-trap"}},
		// A distribution that can serve nothing is a failure, not a pass (issue 11).
		{"empty-config.json", 1, []wantFinding{{SeverityFail, "origin.empty-config", "", "no DistributionConfig"}},
			[]string{"behavior.ok", "cors.ok", "origin.ok"}},
		{"no-origins.json", 1, []wantFinding{{SeverityFail, "origin.none", "", "no origins"}}, []string{"origin.ok", "behavior.no-default"}},
		{"get-distribution.json", 1, []wantFinding{{SeverityFail, "behavior.options-not-allowed", "Default (*)", "HEAD,GET"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, err := CheckTemplate(filepath.Join("testdata", "templates", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if r.Failures() != tt.fails {
				t.Errorf("%d failures, want %d: %q", r.Failures(), tt.fails, ids(r))
			}
			for _, w := range tt.want {
				found := false
				for _, f := range r.Findings {
					if f.ID == w.id && f.Severity == w.sev && f.Pattern == w.pattern && strings.Contains(f.What+" "+f.Cause, w.words) {
						found = true
						if f.Severity != SeverityPass && (f.Resource == "" || f.What == "") {
							t.Errorf("%s lacks resource or words: %+v", f.ID, f)
						}
						if (f.Severity == SeverityFail || f.Severity == SeverityWarn) && (f.Cause == "" || f.Fix == "") {
							t.Errorf("%s lacks a cause or fix", f.ID)
						}
					}
				}
				if !found {
					t.Errorf("no %s %s [%s] with %q; findings: %q", w.sev, w.id, w.pattern, w.words, ids(r))
				}
			}
			for _, id := range tt.none {
				mustNotFind(t, r, id)
			}
		})
	}
}

func TestTemplateCDKOut(t *testing.T) {
	r, err := CheckTemplate("testdata/cdkout")
	if err != nil {
		t.Fatal(err)
	}
	if r.Failed() || r.Count(SeverityWarn) != 0 {
		t.Fatalf("%q", ids(r))
	}
	f := mustFind(t, r, SeverityInfo, "signed.public-prefix")
	if f.Resource != "MediaStack/Distribution" {
		t.Errorf("resource = %q", f.Resource)
	}
	if len(r.Behaviors) != 6 || r.Behaviors[5].Pattern != "Default (*)" || r.Behaviors[1].ResponseHeadersPolicy != "mediacdn-cors" ||
		r.Behaviors[1].OriginRequestPolicy != "CORS-S3Origin" || !r.Behaviors[1].Signed || r.Behaviors[0].Signed {
		t.Errorf("behaviors = %+v", r.Behaviors)
	}
	// Without a manifest, every *.template.json is read.
	dir := t.TempDir()
	b, err := os.ReadFile("testdata/templates/seed002.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Seed.template.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err = CheckTemplate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if f := mustFind(t, r, SeverityFail, "behavior.policy-mismatch"); f.Resource != "Seed/Distribution" {
		t.Errorf("resource = %q", f.Resource)
	}
}

func TestTemplateInputErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, err := CheckTemplate(write("t.yaml", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n")); err == nil || !strings.Contains(err.Error(), "only JSON") {
		t.Errorf("YAML: %v", err)
	}
	if _, err := CheckTemplate(write("nodist.json", `{"Resources":{"B":{"Type":"AWS::S3::Bucket"}}}`)); !errors.Is(err, ErrNoDistribution) {
		t.Errorf("no distribution: %v", err)
	}
	if _, err := CheckTemplate(write("other.json", `{"foo":1}`)); err == nil {
		t.Error("unknown JSON: no error")
	}
	if _, err := CheckTemplate(write("broken.json", `{"Resources":`)); err == nil {
		t.Error("broken JSON: no error")
	}
	if _, err := CheckTemplate(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := CheckTemplate(t.TempDir()); err == nil || !strings.Contains(err.Error(), "cdk synth") {
		t.Errorf("empty dir: %v", err)
	}
}

func TestCheckTemplateJSON(t *testing.T) {
	b, err := os.ReadFile("testdata/templates/options-missing.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := CheckTemplateJSON("Stack", b)
	if err != nil {
		t.Fatal(err)
	}
	if f := mustFind(t, r, SeverityFail, "behavior.options-not-allowed"); f.Resource != "Stack/Distribution" {
		t.Errorf("resource = %q", f.Resource)
	}
}

func TestTemplateMatch(t *testing.T) {
	tmpl, err := LoadTemplate("testdata/templates/unsigned-shadow.json")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/thumbs/a.jpg":   "thumbs/*",
		"/private/a.jpg":  "*.jpg",
		"/v/index.m3u8":   "*.m3u8",
		"/v/PHOTO.JPG":    "Default (*)", // path patterns are case-sensitive
		"/v/seg.ts":       "Default (*)",
		"/thumbs/x.m3u8":  "thumbs/*",
		"/thumbs":         "Default (*)",
		"/a/b/c/deep.jpg": "*.jpg",
	} {
		u := mustParse(t, "https://media.example.com"+path)
		if got, _ := tmpl.match(u); got != want {
			t.Errorf("%s matched %q, want %q", path, got, want)
		}
	}
}

// TestTemplateAssemblyCycle: a cdk.out whose manifest nests the assembly in
// itself is a clear error (it was a stack overflow).
func TestTemplateAssemblyCycle(t *testing.T) {
	dir := t.TempDir()
	m := `{"artifacts":{"Stage":{"type":"cdk:cloud-assembly","properties":{"directoryName":"."}}}}`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckTemplate(dir); err == nil || !strings.Contains(err.Error(), "nested in itself") {
		t.Fatalf("err = %v, want the cycle named", err)
	}
}
