package main

import (
	"strings"
	"testing"
)

// TestDoctorOriginAsBrowsersSendIt: --origin goes through the same parser
// as the construct's AllowedOrigins (internal/weborigin). Old behaviour:
// "http://127.1:03010" was sent verbatim, a header no browser sends, so a
// CDN that allows http://127.0.0.1:3010 looked broken; "https://a..example.com"
// and "http://256.1.1.1" were sent too.
func TestDoctorOriginAsBrowsersSendIt(t *testing.T) {
	srv, seen := doctorServer(t, true)
	u := srv.URL + "/v/index.m3u8"
	for _, c := range []struct{ origin, sent string }{
		{"http://127.1:03010", "http://127.0.0.1:3010"},
		{"https://bücher.example", "https://xn--bcher-kva.example"},
		{"http://[0:0:0:0:0:0:0:1]:3010", "http://[::1]:3010"},
		{"https://App.Example.com:443", "https://app.example.com"},
	} {
		before := len(seen())
		_, out, errOut := runCLI("doctor", u, "--origin", c.origin)
		if !strings.Contains(out, "Origin sent: "+c.sent+"\n") {
			t.Errorf("--origin %q: report lacks %q:\n%s%s", c.origin, "Origin sent: "+c.sent, out, errOut)
		}
		for _, h := range seen()[before:] {
			if got := h.Get("Origin"); got != "" && got != c.sent {
				t.Errorf("--origin %q: a request carried Origin %q, want %q", c.origin, got, c.sent)
			}
		}
	}
	before := len(seen())
	for _, c := range []struct{ origin, want string }{
		{"https://a..example.com", "not a valid DNS name"},
		{"http://256.1.1.1", "read it as an IPv4 address"},
		{"https://app.example.com.", "ends with a dot"},
	} {
		code, out, errOut := runCLI("doctor", u, "--origin", c.origin)
		if code != 2 || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("--origin %q: exit %d, stderr %q; want 2 and %q", c.origin, code, errOut, c.want)
		}
	}
	if n := len(seen()) - before; n != 0 {
		t.Errorf("%d requests sent for refused origins", n)
	}
}
