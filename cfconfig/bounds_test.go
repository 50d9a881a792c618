package cfconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/readlimit"
)

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// artifacts renders a manifest.json: kind is "stack" (name -> templateFile)
// or "assembly" (name -> directoryName).
func artifacts(kind string, targets ...string) string {
	var parts []string
	for i, t := range targets {
		b, _ := json.Marshal(t)
		target := string(b)
		if kind == "stack" {
			parts = append(parts, fmt.Sprintf(`"S%d":{"type":"aws:cloudformation:stack","properties":{"templateFile":%s}}`, i, target))
		} else {
			parts = append(parts, fmt.Sprintf(`"A%d":{"type":"cdk:cloud-assembly","properties":{"directoryName":%s}}`, i, target))
		}
	}
	return `{"artifacts":{` + strings.Join(parts, ",") + `}}`
}

const oneDistribution = `{"Resources":{"D":{"Type":"AWS::CloudFront::Distribution","Properties":{"DistributionConfig":{"Origins":[{"Id":"o","DomainName":"b.s3.us-east-1.amazonaws.com","S3OriginConfig":{}}],"DefaultCacheBehavior":{"TargetOriginId":"o"}}}}}}`

// diamond builds d0 .. d{levels-1}, each manifest naming the next directory
// 4 times (../d{i+1}, spelt 4 ways); the last holds one template. Walked
// path by path that is 4^(levels-1) manifests.
func diamond(t *testing.T, levels int, last string) string {
	root := t.TempDir()
	for i := 0; i < levels-1; i++ {
		next := fmt.Sprintf("../d%d", i+1)
		writeFile(t, filepath.Join(root, fmt.Sprintf("d%d", i), "manifest.json"),
			artifacts("assembly", next, next+"/", "./"+next, next+"/."))
	}
	writeFile(t, filepath.Join(root, fmt.Sprintf("d%d", levels-1), "manifest.json"), last)
	writeFile(t, filepath.Join(root, fmt.Sprintf("d%d", levels-1), "S.template.json"), oneDistribution)
	return filepath.Join(root, "d0")
}

// TestDiamondWalkedOnce: an assembly reached by many paths is walked once.
// Before, a diamond 8 levels deep took 15 s and one 16 deep (the depth
// limit) would take days; here the count of manifests read is the measure.
func TestDiamondWalkedOnce(t *testing.T) {
	dir := diamond(t, maxAssemblyDepth, artifacts("stack", "S.template.json"))
	w := newWalk()
	if err := w.assembly(dir, nil); err != nil {
		t.Fatal(err)
	}
	if w.assemblies != maxAssemblyDepth || len(w.files) != 1 {
		t.Errorf("walked %d assemblies and listed %d templates, want %d and 1", w.assemblies, len(w.files), maxAssemblyDepth)
	}
	dists, err := Load(dir)
	if err != nil || len(dists) != 1 {
		t.Errorf("Load: %d distributions, err %v", len(dists), err)
	}

	// A real cycle at the bottom of the diamond is still an error.
	cyclic := diamond(t, 6, artifacts("assembly", "../d2"))
	if _, err := Load(cyclic); err == nil || !strings.Contains(err.Error(), "nested in itself") {
		t.Errorf("cycle below a diamond: err = %v", err)
	}
}

// TestLoadBounds: each bound of a directory load, just at the limit (loads)
// and just past it (a clear error naming the limit).
func TestLoadBounds(t *testing.T) {
	type setup func(t *testing.T, dir string, n int)
	templates := func(pattern string) setup {
		return func(t *testing.T, dir string, n int) {
			for i := 0; i < n; i++ {
				writeFile(t, filepath.Join(dir, fmt.Sprintf(pattern, i)), oneDistribution)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		limit int
		build setup
		want  string
	}{
		{"templates in manifest", maxTemplateFiles, func(t *testing.T, dir string, n int) {
			var files []string
			for i := 0; i < n; i++ {
				files = append(files, fmt.Sprintf("S%d.template.json", i))
			}
			writeFile(t, filepath.Join(dir, "manifest.json"), artifacts("stack", files...))
			templates("S%d.template.json")(t, dir, n)
		}, "more than 500 template files"},
		{"templates without manifest", maxTemplateFiles, templates("S%d.template.json"), "more than 500 template files"},
		{"nested stack templates", maxTemplateFiles, func(t *testing.T, dir string, n int) {
			writeFile(t, filepath.Join(dir, "manifest.json"), `{"artifacts":{}}`)
			templates("N%d.nested.template.json")(t, dir, n)
		}, "more than 500 template files"},
		{"assemblies", maxAssemblies - 1, func(t *testing.T, dir string, n int) {
			var dirs []string
			for i := 0; i < n; i++ {
				dirs = append(dirs, fmt.Sprintf("a%d", i))
				writeFile(t, filepath.Join(dir, dirs[i], "manifest.json"), `{"artifacts":{}}`)
			}
			writeFile(t, filepath.Join(dir, "manifest.json"), artifacts("assembly", dirs...))
		}, "more than 500 nested assemblies"},
		{"depth", maxAssemblyDepth - 1, func(t *testing.T, dir string, n int) {
			for i := 0; i < n; i++ {
				writeFile(t, filepath.Join(dir, "manifest.json"), artifacts("assembly", "sub"))
				dir = filepath.Join(dir, "sub")
			}
			writeFile(t, filepath.Join(dir, "manifest.json"), `{"artifacts":{}}`)
		}, "nested assemblies deeper than 16 levels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, n := range []int{tc.limit, tc.limit + 1} {
				dir := t.TempDir()
				tc.build(t, dir, n)
				err := newWalk().assembly(dir, nil)
				if n == tc.limit && err != nil {
					t.Errorf("at the limit (%d): %v", n, err)
				}
				if n > tc.limit && (err == nil || !strings.Contains(err.Error(), tc.want)) {
					t.Errorf("past the limit (%d): err = %v, want %q", n, err, tc.want)
				}
			}
		})
	}
}

// TestLoadByteBudget: the files of one load share one byte budget. The
// template is hard-linked, so each name is a distinct file to the walk (and
// read), without writing 64 MiB.
func TestLoadByteBudget(t *testing.T) {
	const size = 15 << 20
	pad := strings.Repeat("a", size-len(oneDistribution)-20)
	tmpl := oneDistribution[:len(oneDistribution)-1] + `,"Pad":"` + pad + `"}`
	for _, tc := range []struct {
		copies int
		ok     bool
	}{{4, true}, {5, false}} { // 60 MiB loads, 75 MiB is past 64 MiB
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "S0.template.json"), tmpl)
		var files []string
		for i := 0; i < tc.copies; i++ {
			files = append(files, fmt.Sprintf("S%d.template.json", i))
			if i > 0 {
				if err := os.Link(filepath.Join(dir, "S0.template.json"), filepath.Join(dir, files[i])); err != nil {
					t.Fatal(err)
				}
			}
		}
		writeFile(t, filepath.Join(dir, "manifest.json"), artifacts("stack", files...))
		dists, err := Load(dir)
		if tc.ok && (err != nil || len(dists) != tc.copies) {
			t.Errorf("%d x 15 MiB: %d distributions, err %v", tc.copies, len(dists), err)
		}
		if !tc.ok && (err == nil || !errors.Is(err, readlimit.ErrTooLarge) || !strings.Contains(err.Error(), "add up to more than 64 MiB")) {
			t.Errorf("%d x 15 MiB: err = %v, want the 64 MiB budget", tc.copies, err)
		}
	}
}

// TestDuplicatesReadOnce: a template named many times (other spellings, a
// symbolic link, and the nested-stack glob) is read and modelled once.
// Before, a manifest naming one 4 MiB template 20 times used 1.6 GB.
func TestDuplicatesReadOnce(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "S.nested.template.json"), oneDistribution)
	if err := os.Symlink("S.nested.template.json", filepath.Join(dir, "link.template.json")); err != nil {
		t.Fatal(err)
	}
	names := []string{"S.nested.template.json", "./S.nested.template.json", "sub/../S.nested.template.json", "link.template.json"}
	for i := 0; i < 20; i++ {
		names = append(names, "S.nested.template.json")
	}
	writeFile(t, filepath.Join(dir, "sub", "x"), "")
	writeFile(t, filepath.Join(dir, "manifest.json"), artifacts("stack", names...))
	w := newWalk()
	if err := w.assembly(dir, nil); err != nil {
		t.Fatal(err)
	}
	if len(w.files) != 1 {
		t.Errorf("listed %d files, want one: %q", len(w.files), w.files[:min(3, len(w.files))])
	}
	dists, err := Load(dir)
	if err != nil || len(dists) != 1 {
		t.Errorf("Load: %d distributions, err %v", len(dists), err)
	}
}

// TestLoadDistributionCap: a template of minimal distributions makes a
// model about 25 times its size; more than maxDistributions is refused, in
// one document and across the templates of a load.
func TestLoadDistributionCap(t *testing.T) {
	many := func(n int) string {
		var parts []string
		for i := 0; i < n; i++ {
			parts = append(parts, fmt.Sprintf(`"D%d":{"Type":"AWS::CloudFront::Distribution"}`, i))
		}
		return `{"Resources":{` + strings.Join(parts, ",") + `}}`
	}
	if d, err := Parse("t", []byte(many(maxDistributions))); err != nil || len(d) != maxDistributions {
		t.Errorf("at the limit: %d distributions, err %v", len(d), err)
	}
	if _, err := Parse("t", []byte(many(maxDistributions+1))); err == nil || !strings.Contains(err.Error(), "more than 1000") {
		t.Errorf("one document past the limit: err = %v", err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.template.json"), many(maxDistributions/2))
	writeFile(t, filepath.Join(dir, "b.template.json"), many(maxDistributions/2+1))
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "more than 1000 CloudFront distributions") {
		t.Errorf("a load past the limit: err = %v", err)
	}
}

// TestLoadErrorsEscaped: paths come from manifests; Load's errors show
// their control characters escaped, and still wrap the cause.
func TestLoadErrorsEscaped(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "manifest.json"), artifacts("stack", "\x1b[2J\x1b[HPASS.template.json"))
	_, err := Load(dir)
	if err == nil || strings.ContainsRune(err.Error(), 0x1b) || !strings.Contains(err.Error(), `\x1b[2J`) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %q", err)
	}
}

// TestSharedResourcesModelledOnce: a policy, key group or function that
// many behaviors reference is modelled once. Before, each reference built
// its own copy: a 10,000-header policy referenced by 2,000 behaviors made
// 20 million strings (a 16 MiB template could ask for terabytes).
func TestSharedResourcesModelledOnce(t *testing.T) {
	headers := make([]string, 10000)
	for i := range headers {
		headers[i] = fmt.Sprintf("h%d", i)
	}
	hj, _ := json.Marshal(headers)
	ref := func(id string) string { return `{"Ref":"` + id + `"}` }
	behavior := `{"PathPattern":"p%d/*","TargetOriginId":"o","CachePolicyId":` + ref("CP") + `,"OriginRequestPolicyId":` + ref("ORP") +
		`,"ResponseHeadersPolicyId":` + ref("RHP") + `,"TrustedKeyGroups":[` + ref("KG") + `],"FunctionAssociations":[{"EventType":"viewer-request","FunctionARN":{"Fn::GetAtt":["F","FunctionARN"]}}]}`
	var behaviors []string
	for i := 0; i < 2000; i++ {
		behaviors = append(behaviors, fmt.Sprintf(behavior, i))
	}
	doc := `{"Resources":{
	  "CP":{"Type":"AWS::CloudFront::CachePolicy","Properties":{"CachePolicyConfig":{"ParametersInCacheKeyAndForwardedToOrigin":{"HeadersConfig":{"HeaderBehavior":"whitelist","Headers":` + string(hj) + `}}}}},
	  "ORP":{"Type":"AWS::CloudFront::OriginRequestPolicy","Properties":{"OriginRequestPolicyConfig":{"HeadersConfig":{"HeaderBehavior":"whitelist","Headers":` + string(hj) + `}}}},
	  "RHP":{"Type":"AWS::CloudFront::ResponseHeadersPolicy","Properties":{"ResponseHeadersPolicyConfig":{"CorsConfig":{"AccessControlAllowHeaders":` + string(hj) + `}}}},
	  "K":{"Type":"AWS::CloudFront::PublicKey","Properties":{"PublicKeyConfig":{"EncodedKey":"x"}}},
	  "KG":{"Type":"AWS::CloudFront::KeyGroup","Properties":{"KeyGroupConfig":{"Items":[` + ref("K") + `]}}},
	  "F":{"Type":"AWS::CloudFront::Function","Properties":{"FunctionCode":{"Fn::Join":["",` + string(hj) + `]}}},
	  "D":{"Type":"AWS::CloudFront::Distribution","Properties":{"DistributionConfig":{
	    "Origins":[{"Id":"o","DomainName":"b.s3.us-east-1.amazonaws.com","S3OriginConfig":{}}],
	    "DefaultCacheBehavior":{"TargetOriginId":"o"},"CacheBehaviors":[` + strings.Join(behaviors, ",") + `]}}}}}`
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	dists, err := Parse("t", []byte(doc))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	first, last := dists[0].Behaviors[0], dists[0].Behaviors[1999]
	if first.CachePolicy != last.CachePolicy || first.OriginRequestPolicy != last.OriginRequestPolicy ||
		first.ResponseHeadersPolicy != last.ResponseHeadersPolicy || first.KeyGroups[0] != last.KeyGroups[0] ||
		len(first.Functions) != 1 || first.Functions[0].Code != last.Functions[0].Code || first.Functions[0].EventType != "viewer-request" {
		t.Error("behaviors referencing the same resources do not share its model")
	}
	if len(first.CachePolicy.Headers) != 10000 || len(first.ResponseHeadersPolicy.CORS.AllowHeaders) != 10000 {
		t.Errorf("policy headers: %d, %d", len(first.CachePolicy.Headers), len(first.ResponseHeadersPolicy.CORS.AllowHeaders))
	}
	// The document is about 0.6 MB; a copy per reference allocates GBs.
	if mib := (after.TotalAlloc - before.TotalAlloc) >> 20; mib > 100 {
		t.Errorf("parsing allocated %d MiB", mib)
	} else {
		t.Logf("parsing allocated %d MiB", mib)
	}
}

// TestModelItemBudget: list entries are modelled within one budget per
// load: "{}" entries in CacheBehaviors (3 bytes each, a behavior of some
// 300 bytes each, 1.6 GB of doctor for 4 MiB before), and strings of
// lists across the templates of a load.
func TestModelItemBudget(t *testing.T) {
	config := func(behaviors, aliases int) string {
		return `{"Origins":[{"Id":"o","DomainName":"x.example"}],"DefaultCacheBehavior":{"TargetOriginId":"o"},` +
			`"Aliases":[` + strings.TrimSuffix(strings.Repeat(`"a",`, aliases), ",") + `],` +
			`"CacheBehaviors":[` + strings.TrimSuffix(strings.Repeat(`{},`, behaviors), ",") + `]}`
	}
	for _, tc := range []struct {
		name      string
		behaviors int
		ok        bool
	}{
		{"behaviors within", maxModelItems/10 - 10, true},
		{"behaviors past", maxModelItems/10 + 1, false},
	} {
		dists, err := Parse("t", []byte(`{"DistributionConfig":`+config(tc.behaviors, 0)+`}`))
		if tc.ok && (err != nil || len(dists[0].Behaviors) != tc.behaviors+1) {
			t.Errorf("%s: err %v", tc.name, err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), "than one load models")) {
			t.Errorf("%s: err = %v, want the model item limit", tc.name, err)
		}
	}
	// One document holds at most maxJSONValues; the strings of several add up.
	perFile := maxJSONValues * 7 / 10
	for _, files := range []int{2, 3} {
		dir := t.TempDir()
		for i := 0; i < files; i++ {
			writeFile(t, filepath.Join(dir, fmt.Sprintf("S%d.template.json", i)),
				`{"Resources":{"D":{"Type":"AWS::CloudFront::Distribution","Properties":{"DistributionConfig":`+config(0, perFile)+`}}}}`)
		}
		dists, err := Load(dir)
		ok := files*perFile < maxModelItems
		if ok && (err != nil || len(dists) != files || len(dists[0].Aliases) != perFile) {
			t.Errorf("%d x %d strings: err %v", files, perFile, err)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "than one load models")) {
			t.Errorf("%d x %d strings: err = %v, want the model item limit", files, perFile, err)
		}
	}
}

// TestDescribeBounded: an Fn::Join renders as its separator times its
// parts; Describe stops at maxDescribe. Before, this 0.3 MB document
// rendered 256 MiB (and 16 MiB of input could ask for terabytes).
func TestDescribeBounded(t *testing.T) {
	sep, _ := json.Marshal(strings.Repeat("s", 64<<10))
	doc := []byte(`{"DistributionConfig":{"Aliases":[{"Fn::Join":[` + string(sep) + `,[` + strings.TrimSuffix(strings.Repeat(`"p",`, 4096), ",") + `]]}],` +
		`"Origins":[{"Id":"o","DomainName":"x.example"}],"DefaultCacheBehavior":{"TargetOriginId":"o"}}}`)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	dists, err := Parse("t", doc)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	alias := dists[0].Aliases[0]
	if len(alias) > maxDescribe+100 || !strings.HasSuffix(alias, "... (cut at 64 KiB)") || !strings.HasPrefix(alias, "psss") {
		t.Errorf("alias of %d bytes: %.20q...%q", len(alias), alias, alias[max(0, len(alias)-30):])
	}
	if mib := (after.TotalAlloc - before.TotalAlloc) >> 20; mib > 32 {
		t.Errorf("parsing allocated %d MiB", mib)
	}
	if s := Describe(map[string]any{"Fn::Join": []any{"-", []any{"a", map[string]any{"Ref": "B"}, "c"}}}); s != "a-Ref(B)-c" {
		t.Errorf("Describe(Fn::Join) = %q", s)
	}
}

// TestJSONValuesBounded: a document's values are counted before it is
// decoded. Before, 4 templates of 16 MiB of "0," peaked at 900 MB RSS.
func TestJSONValuesBounded(t *testing.T) {
	for doc, want := range map[string]int{
		`{}`: 1, `{"a":1}`: 2, `[1,2,3]`: 4, `[[],{}]`: 4,
		`{"a":"x,y:[\"],\\"}`: 2, `{"a":"\\\\","b":[1]}`: 5,
	} {
		if n := jsonValues([]byte(doc), 100); n != want {
			t.Errorf("jsonValues(%s) = %d, want %d", doc, n, want)
		}
	}
	doc := func(zeros int) []byte {
		return []byte(`{"DistributionConfig":{"Origins":[{"Id":"o","DomainName":"x.example"}],"DefaultCacheBehavior":{"TargetOriginId":"o"}},` +
			`"J":[` + strings.TrimSuffix(strings.Repeat(`0,`, zeros), ",") + `]}`)
	}
	if _, err := Parse("t", doc(maxJSONValues-20)); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	if _, err := Parse("t", doc(maxJSONValues)); err == nil || !strings.Contains(err.Error(), "more than 1000000 JSON values") {
		t.Errorf("past the limit: err = %v", err)
	}
}
