package stacks

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
)

// FuzzLoadConfig feeds one context key a value from cdk.json (JSON) or from
// -c key=value (a string) and checks that LoadConfig never panics, that every
// message line is bounded and free of raw control characters, and that what
// it accepts is in range. publicKeyFiles is left out: it names files to read,
// which TestKeyFilesAreReadWithALimit covers with real files.
func FuzzLoadConfig(f *testing.F) {
	for _, seed := range []struct {
		key, value string
		asJSON     bool
	}{
		{"accessLogRetentionDays", "0", true},
		{"accessLogRetentionDays", "1e400", false},
		{"accessLogRetentionDays", "NaN", false},
		{"imageTtl", `{"min":0,"default":86400,"max":31536000}`, true},
		{"imageTtl", `{"max":1e400}`, false},
		{"playlistTtl", `{"default":-0.5,"max":{"x":[1]}}`, true},
		{"allowedOrigins", `["https://a.example.com","http://127.1:+80","https://bücher.example"]`, true},
		{"allowedOrigins", "https://a.example.com, http://[0:0::1]:0080", false},
		{"geoAllowList", `["KR","UK","\u001b[2J"]`, true},
		{"region", "US-EAST-1", false},
		{"stackName", "my stack", false},
		{"account", "123456789012", false},
		{"originShieldRegion", "eu-north-1", false},
		{"domainNames", `[[["deep"]]]`, true},
		{"segmentExtensions", ",,,", false},
		{"ipv6", "maybe", false},
		{"\u202ekey", "x", false},
		{"cachePolicyIds", `{"images":"not-a-uuid","\u001b[2J":"658327ea-f89d-4fab-a63d-7e88639e58f6","segments":7}`, false},
		{"cachePolicyIds", `{"playlists":"\u202e"}`, true},
		{"responseHeadersPolicyId", "cors\x1b[2J", false},
	} {
		f.Add(seed.key, seed.value, seed.asJSON)
	}
	f.Fuzz(func(t *testing.T, key, value string, asJSON bool) {
		if key == "publicKeyFiles" {
			return
		}
		var v any = value
		if asJSON {
			if err := json.Unmarshal([]byte(value), &v); err != nil {
				return
			}
		}
		c, err := LoadConfig(map[string]any{"allowedOrigins": "https://app.example.com", "accessLogging": true, key: v})
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if len(line) > 4096 {
					t.Fatalf("a %d-byte message line", len(line))
				}
				if !utf8.ValidString(line) || strings.ContainsAny(line, "\x00\x1b\r\u202e") {
					t.Fatalf("raw control characters in %q", line)
				}
			}
			return
		}
		if c.AccessLogRetentionDays < 0 || c.AccessLogRetentionDays > maxRetentionDays {
			t.Fatalf("accepted accessLogRetentionDays %d", c.AccessLogRetentionDays)
		}
		for _, ttl := range []*mediacdn.CacheTtl{c.ImageTtl, c.SegmentTtl, c.PlaylistTtl} {
			if ttl != nil && (ttl.Min < 0 || ttl.Max > mediacdn.MaxTtl || ttl.Min > ttl.Default || ttl.Default > ttl.Max) {
				t.Fatalf("accepted TTL %+v", *ttl)
			}
		}
	})
}
