package doctor

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The error bodies, headers and signed URLs classified here come from the
// server or the user; whatever they hold, classification must not panic and
// what it quotes must stay small (a finding never grows with the body).

var fuzzBodies = []string{
	`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>`,
	`<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>`,
	`<Error><Code>AccessForbidden</Code><Message>CORSResponse: CORS is not enabled for this bucket.</Message><Method>OPTIONS</Method></Error>`,
	`<Error><Code>AccessForbidden</Code><Message>CORSResponse: This CORS request is not allowed.</Message></Error>`,
	`<HTML><BODY><H1>403 ERROR</H1><H2>The request could not be satisfied.</H2>This distribution is not configured to allow the HTTP request method that was used for this request.</BODY></HTML>`,
	`<Error><Code>` + strings.Repeat("\x1b[2J", 200) + `</Code><Message>` + strings.Repeat("m", 5000) + `</Message></Error>`,
	`<Code><Code><Code>`,
	"",
}

func policyParam(json string) string {
	s := base64.StdEncoding.EncodeToString([]byte(json))
	return strings.NewReplacer("+", "-", "=", "_", "/", "~").Replace(s)
}

var fuzzURLs = []string{
	"https://cdn.example.com/v/a.ts",
	"https://cdn.example.com/v/a.ts?Expires=1700000000&Signature=abc~&Key-Pair-Id=K2JCJMDEHXQW5F",
	"https://cdn.example.com/v/a.ts?Policy=" + policyParam(`{"Statement":[{"Resource":"https://cdn.example.com/w/*","Condition":{"DateLessThan":{"AWS:EpochTime":1700000000}}}]}`) + "&Signature=x&Key-Pair-Id=K",
	"https://cdn.example.com/v/a.ts?Policy=" + policyParam(`{"Statement":{"Resource":"`+strings.Repeat("*a", 300)+`"}}`) + "&Signature=x",
	"https://cdn.example.com/v/a.ts?Policy=%%%&Expires=-1",
}

func FuzzClassifyDenial(f *testing.F) {
	for i, b := range fuzzBodies {
		for _, status := range []int{400, 403, 404, 405, 501} {
			f.Add(status, b, fuzzURLs[i%len(fuzzURLs)], i%2 == 0, i%3 == 0, "AmazonS3")
		}
	}
	f.Fuzz(func(t *testing.T, status int, body, rawURL string, preflight, cookies bool, server string) {
		if len(body) > maxErrorBody || len(rawURL) > maxURLLength {
			t.Skip() // the walker never reads more
		}
		u, err := url.Parse(rawURL)
		if err != nil {
			u = &url.URL{Scheme: "https", Host: "cdn.example.com", Path: "/x"}
		}
		h := http.Header{"Server": {server}}
		d := classifyDenial(status, h, body, u, preflight, cookies, time.Unix(1750000000, 0))
		if d.id == "" || d.what == "" {
			t.Fatalf("empty denial %+v", d)
		}
		// Quoted values are clipped to maxXMLField before %q (at most 4
		// bytes out per byte in), so the texts have a fixed ceiling.
		if len(d.what) > 4096 || len(d.cause) > 8192 {
			t.Fatalf("denial texts grew with the input: what %d, cause %d bytes", len(d.what), len(d.cause))
		}
	})
}

func FuzzXMLField(f *testing.F) {
	for _, b := range fuzzBodies {
		f.Add(b, "Code")
		f.Add(b, "Message")
	}
	f.Fuzz(func(t *testing.T, body, name string) {
		v := xmlField(body, name)
		if len(v) > maxXMLField+len("... (18446744073709551615 more bytes)") {
			t.Fatalf("field of %d bytes", len(v))
		}
		if v != "" && !strings.Contains(body, strings.SplitN(v, "... (", 2)[0]) {
			t.Fatalf("field %q is not from the body", v)
		}
	})
}

func FuzzDescribeSignature(f *testing.F) {
	for _, u := range fuzzURLs {
		f.Add(u)
	}
	f.Add("https://h/p?Policy=" + policyParam(`{"Statement":[]}`))
	f.Add("https://h/p?Policy=" + policyParam(`{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1e400}}}]}`))
	f.Fuzz(func(t *testing.T, rawURL string) {
		if len(rawURL) > maxURLLength {
			t.Skip()
		}
		u, err := url.Parse(rawURL)
		if err != nil {
			return
		}
		s := describeSignature(u, time.Unix(1750000000, 0))
		if len(s) > 4096 {
			t.Fatalf("description of %d bytes", len(s))
		}
		if p := u.Query().Get("Policy"); p != "" {
			if pol, err := decodePolicy(p); err == nil && len(pol.resource) > len(p) {
				t.Fatalf("resource longer than the policy: %d > %d", len(pol.resource), len(p))
			}
		}
	})
}
