package mediacdn

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/mediacdn/mediacdn/internal/cffunc"
)

type fnCase struct {
	name       string
	reqHeaders map[string]string
	resHeaders map[string]any // CloudFront Functions header objects
	want       map[string]any
}

func h(v string) map[string]any { return map[string]any{"value": v} }

func TestViewerResponseFunction(t *testing.T) {
	const app = "https://app.example.com"
	suites := []struct {
		name        string
		origins     []string
		credentials bool
		cases       []fnCase
	}{
		{
			name:    "all origins",
			origins: []string{"*"},
			cases: []fnCase{
				{name: "img tag, no Origin, bare S3 response",
					want: map[string]any{"vary": h("Origin"), "access-control-allow-origin": h("*")}},
				{name: "keeps the origin's Vary", resHeaders: map[string]any{"vary": h("Accept-Encoding")},
					want: map[string]any{"vary": h("Accept-Encoding, Origin"), "access-control-allow-origin": h("*")}},
				{name: "S3 CORS answer already varies on Origin", reqHeaders: map[string]string{"origin": app},
					resHeaders: map[string]any{"vary": h("Origin, Access-Control-Request-Headers, Access-Control-Request-Method"), "access-control-allow-origin": h("*")},
					want:       map[string]any{"vary": h("Origin, Access-Control-Request-Headers, Access-Control-Request-Method"), "access-control-allow-origin": h("*")}},
				{name: "lowercase origin token counts", resHeaders: map[string]any{"vary": h("accept-encoding,origin")},
					want: map[string]any{"vary": h("accept-encoding,origin"), "access-control-allow-origin": h("*")}},
				{name: "Vary * is left alone", resHeaders: map[string]any{"vary": h("*")},
					want: map[string]any{"vary": h("*"), "access-control-allow-origin": h("*")}},
				{name: "multi-value Vary is merged",
					resHeaders: map[string]any{"vary": map[string]any{"value": "Accept-Encoding", "multiValue": []any{h("Accept-Encoding"), h("X-Foo")}}},
					want:       map[string]any{"vary": h("Accept-Encoding, X-Foo, Origin"), "access-control-allow-origin": h("*")}},
			},
		},
		{
			name:    "listed origins",
			origins: []string{app, "http://localhost:3000", "https://*.example.org"},
			cases: []fnCase{
				{name: "img tag, no Origin: Vary only",
					want: map[string]any{"vary": h("Origin")}},
				{name: "allowed origin echoed", reqHeaders: map[string]string{"origin": app},
					want: map[string]any{"vary": h("Origin"), "access-control-allow-origin": h(app)}},
				{name: "localhost with port", reqHeaders: map[string]string{"origin": "http://localhost:3000"},
					want: map[string]any{"vary": h("Origin"), "access-control-allow-origin": h("http://localhost:3000")}},
				{name: "other port refused", reqHeaders: map[string]string{"origin": "http://localhost:3010"},
					want: map[string]any{"vary": h("Origin")}},
				{name: "unlisted origin refused", reqHeaders: map[string]string{"origin": "https://evil.example.net"},
					want: map[string]any{"vary": h("Origin")}},
				{name: "wildcard subdomain", reqHeaders: map[string]string{"origin": "https://tv.example.org"},
					want: map[string]any{"vary": h("Origin"), "access-control-allow-origin": h("https://tv.example.org")}},
				{name: "wildcard does not match the apex", reqHeaders: map[string]string{"origin": "https://example.org"},
					want: map[string]any{"vary": h("Origin")}},
				{name: "wildcard does not match a lookalike", reqHeaders: map[string]string{"origin": "https://evilexample.org"},
					want: map[string]any{"vary": h("Origin")}},
				{name: "wildcard keeps the scheme", reqHeaders: map[string]string{"origin": "http://tv.example.org"},
					want: map[string]any{"vary": h("Origin")}},
				{name: "ACAO set by the response-headers policy is kept", reqHeaders: map[string]string{"origin": app},
					resHeaders: map[string]any{"access-control-allow-origin": h(app), "vary": h("Origin")},
					want:       map[string]any{"vary": h("Origin"), "access-control-allow-origin": h(app)}},
			},
		},
		{
			name:        "credentials",
			origins:     []string{app},
			credentials: true,
			cases: []fnCase{
				{name: "allowed origin with credentials", reqHeaders: map[string]string{"origin": app},
					want: map[string]any{"vary": h("Origin"), "access-control-allow-origin": h(app), "access-control-allow-credentials": h("true")}},
				{name: "no Origin", want: map[string]any{"vary": h("Origin")}},
			},
		},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			origins, errs := parseAllowedOrigins(s.origins)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			var events []cffunc.Event
			for _, c := range s.cases {
				events = append(events, cffunc.ViewerResponseEvent(c.reqHeaders, c.resHeaders))
			}
			got, err := cffunc.RunViewerResponse(viewerResponseCode(origins, s.credentials), events)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range s.cases {
				// Round-trip the expectation through JSON so both sides have the same types.
				var want cffunc.Headers
				raw, _ := json.Marshal(c.want)
				_ = json.Unmarshal(raw, &want)
				if !reflect.DeepEqual(got[i], want) {
					t.Errorf("%s:\n got  %v\n want %v", c.name, got[i], want)
				}
			}
		})
	}
}

func TestViewerResponseCodeFitsCloudFrontLimit(t *testing.T) {
	// CloudFront Functions code is limited to 10 KB; 100 origins must fit.
	var list []string
	for i := 0; i < 100; i++ {
		list = append(list, "https://app"+string(rune('a'+i%26))+string(rune('a'+i/26))+".example.com")
	}
	origins, err := parseAllowedOrigins(list)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(viewerResponseCode(origins, false)); n > 10*1024 {
		t.Fatalf("function code is %d bytes, over CloudFront's 10 KB limit", n)
	}
}
