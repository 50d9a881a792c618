package test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// volatile matches values that change without a change in behavior: asset
// hashes and the CDK version in metadata.
var volatile = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`[0-9a-f]{64}(\.(zip|json))?`), "<asset-hash>$1"},
	{regexp.MustCompile(`"v2\.\d+\.\d+(-[a-z0-9.]+)?"`), `"<cdk-version>"`},
}

// normalizedTemplate renders the template for a snapshot: CDK metadata
// dropped, keys sorted (encoding/json sorts map keys), volatile values masked.
func normalizedTemplate(tpl map[string]any) []byte {
	clone := map[string]any{}
	for k, v := range tpl {
		clone[k] = v
	}
	if res, ok := clone["Resources"].(map[string]any); ok {
		filtered := map[string]any{}
		for id, r := range res {
			if dig(r, "Type") != "AWS::CDK::Metadata" {
				filtered[id] = r
			}
		}
		clone["Resources"] = filtered
	}
	// The CDK CLI's version reporting adds a condition for the metadata.
	if conds, ok := clone["Conditions"].(map[string]any); ok {
		kept := map[string]any{}
		for id, c := range conds {
			if id != "CDKMetadataAvailable" {
				kept[id] = c
			}
		}
		if len(kept) == 0 {
			delete(clone, "Conditions")
		} else {
			clone["Conditions"] = kept
		}
	}
	out, err := json.MarshalIndent(clone, "", "  ")
	if err != nil {
		panic(err)
	}
	for _, v := range volatile {
		out = v.re.ReplaceAll(out, []byte(v.repl))
	}
	return append(out, '\n')
}

// TestGoldenTemplates compares each scenario's template with its snapshot in
// testdata/. Refresh with `go test ./test -update` and review the diff.
func TestGoldenTemplates(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		path := filepath.Join("testdata", s.name+".template.json")
		got := normalizedTemplate(s.tpl)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (create it with: go test ./test -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("template differs from %s; if the change is intended, run `go test ./test -update` and review the diff.\n%s", path, firstDifference(want, got))
		}
	})
}

// firstDifference shows the first differing line with a little context.
func firstDifference(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + itoa(i+1) + ":\n  snapshot: " + string(w) + "\n  now:      " + string(g)
		}
	}
	return ""
}

func itoa(i int) string { return string(must(json.Marshal(i))) }

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// browserTemplate is the template the browser tests, the examples and the
// doctor's browser mode run on the local edge; gen.sh beside it regenerates
// it with the CDK CLI from the cdk.json defaults and the -c flags below.
const browserTemplate = "browser/testdata/signed-cookies.template.json"

// browserTemplateContext is gen.sh's -c flags. The key path is relative to
// the repository root for gen.sh, and to this directory here.
var browserTemplateContext = map[string]any{
	"stackName":        "SignedCookies",
	"allowedOrigins":   []any{"http://localhost:3000"},
	"allowCredentials": true,
	"publicKeyFiles":   []any{"../test/browser/testdata/keys/rsa_public.pem"},
}

// TestBrowserTemplateIsCurrent: the committed template the browser tests
// run is what the code synthesizes today, so a change to the construct
// cannot pass the browser tests on a stale copy.
func TestBrowserTemplateIsCurrent(t *testing.T) {
	s := synthAll(t)["signed-cookies"]
	raw, err := os.ReadFile(browserTemplate)
	if err != nil {
		t.Fatal(err)
	}
	var committed map[string]any
	if err := json.Unmarshal(raw, &committed); err != nil {
		t.Fatalf("%s: %v", browserTemplate, err)
	}
	got := bytes.ReplaceAll(normalizedTemplate(withoutResourceMetadata(s.tpl)), []byte("../test/browser/testdata/keys/"), []byte("test/browser/testdata/keys/"))
	want := normalizedTemplate(withoutResourceMetadata(committed))
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: regenerate it with test/browser/testdata/gen.sh and review the diff.\n%s", browserTemplate, firstDifference(want, got))
	}
}

// withoutResourceMetadata drops each resource's Metadata (construct paths,
// and the cdk-nag findings the tests' aspect records), which the CLI's synth
// and the tests' write differently without any change in behavior.
func withoutResourceMetadata(tpl map[string]any) map[string]any {
	clone := map[string]any{}
	for k, v := range tpl {
		clone[k] = v
	}
	res, _ := tpl["Resources"].(map[string]any)
	kept := map[string]any{}
	for id, r := range res {
		if m, ok := r.(map[string]any); ok {
			c := map[string]any{}
			for k, v := range m {
				if k != "Metadata" {
					c[k] = v
				}
			}
			r = c
		}
		kept[id] = r
	}
	clone["Resources"] = kept
	return clone
}
