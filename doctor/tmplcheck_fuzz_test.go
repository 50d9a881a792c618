package doctor

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// maxFuzzTemplate bounds the fuzzed documents: the checks are what is
// exercised here; cfconfig's own tests hold the size bounds.
const maxFuzzTemplate = 256 << 10

// hostileTemplates carry to the text report what a terminal acts on, in
// names, patterns and values: escape sequences, a bidi override, a C1
// control, invalid UTF-8.
var hostileTemplates = []string{
	`{"Resources":{"D\u001b[2J":{"Type":"AWS::CloudFront::Distribution","Properties":{"DistributionConfig":{
	  "Origins":[{"Id":"o\u0007","DomainName":"b.s3.us-east-1.amazonaws.com","S3OriginConfig":{}}],
	  "CacheBehaviors":[{"PathPattern":"*.m3u8\u202e","TargetOriginId":"o\u0007","CachePolicyId":{"Ref":"P\u009b"},"AllowedMethods":["GET\r\nX","HEAD"]}],
	  "DefaultCacheBehavior":{"TargetOriginId":"o\u0007","ResponseHeadersPolicyId":"\u001b]8;;x\u0007"}}}},
	  "P\u009b":{"Type":"AWS::CloudFront::CachePolicy","Properties":{"CachePolicyConfig":{"Name":"n\u001b[1A"}}}}}`,
	"{\"DistributionConfig\":{\"Origins\":[{\"Id\":\"\xff\xfe\",\"DomainName\":\"x\"}],\"DefaultCacheBehavior\":{\"TargetOriginId\":\"\xff\xfe\"}},\"ETag\":\"\\u001b[31mE\\u202e\"}",
}

// FuzzTemplateChecks audits arbitrary template bytes (parsed by
// cfconfig.Parse): the checks must not panic, the text report must carry
// no raw control or format character whatever the names, patterns and
// values in the template, and the JSON report must stay valid JSON.
func FuzzTemplateChecks(f *testing.F) {
	seeds, _ := filepath.Glob("../test/testdata/*.template.json")
	more, _ := filepath.Glob("testdata/templates/*.json")
	seeds = append(seeds, more...)
	if len(seeds) < 10 {
		f.Fatalf("seed templates not found: %v", seeds)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, h := range hostileTemplates {
		f.Add([]byte(h))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzTemplate {
			t.Skip()
		}
		r, err := CheckTemplateJSON("fuzz", data)
		if err != nil {
			return
		}
		var text strings.Builder
		if err := r.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if i, c := rawControl(text.String()); i >= 0 {
			t.Fatalf("text report has raw %q at byte %d: %q", c, i, text.String()[max(0, i-60):min(len(text.String()), i+20)])
		}
		b, err := r.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Fatal("JSON report is not valid JSON")
		}
	})
}

// rawControl returns the first character of s that acts on a terminal (a
// control character other than the report's newlines, a Unicode format
// character, invalid UTF-8) and its offset, or -1.
func rawControl(s string) (int, string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1,
			r < 0x20 && r != '\n', r == 0x7f, r >= 0x80 && r < 0xa0,
			unicode.Is(unicode.Cf, r), r == '\u2028', r == '\u2029':
			return i, s[i : i+size]
		}
		i += size
	}
	return -1, ""
}

// TestRawControl: the fuzz target's check finds what safetext.Escape
// removes, and the hostile seeds make reports whose text passes it.
func TestRawControl(t *testing.T) {
	for i, h := range hostileTemplates {
		r, err := CheckTemplateJSON("seed", []byte(h))
		if err != nil {
			t.Fatalf("hostile seed %d does not parse: %v", i, err)
		}
		var text strings.Builder
		if err := r.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if j, c := rawControl(text.String()); j >= 0 || !strings.Contains(text.String(), []string{`D\x1b[2J`, `ETag \x1b[31mE\u{202e}`}[i]) {
			t.Errorf("hostile seed %d: raw %q at %d in\n%s", i, c, j, text.String())
		}
	}
	for s, want := range map[string]int{
		"ok\nline\n": -1, "a\x1b[2J": 1, "\u202e": 0, "x\xff": 1, "\u009b": 0, "tab\t": 3, "é ü": -1,
	} {
		if i, _ := rawControl(s); i != want {
			t.Errorf("rawControl(%q) = %d, want %d", s, i, want)
		}
	}
}
