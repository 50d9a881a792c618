package weborigin

import (
	"encoding/json"
	"os/exec"
	"testing"
)

// browsersRefuse are inputs the URL Standard itself rejects; Parse must
// refuse them too.
var browsersRefuse = []string{
	"http://localhost:+80", "http://localhost:-1", "http://localhost:8o", "http://localhost:99999",
	"http://[::1", "http://[::g]", "http://[fe80::1%25eth0]", "http://[1.2.3.4]", "http://::1",
	"http://256.0.0.1", "http://1.2.3.4.5", "http://example.123", "http://1.2.3.0x100", "http://0x100000000",
	"http://99999999999999999999", "https://xn--a.example", "https://",
}

// stricterThanBrowsers are accepted by the URL Standard but refused here on
// purpose, each for the reason its Parse error gives: a path or user info
// that an Origin header never carries, port 0, a trailing dot (a different
// origin from the name without it), "%" and characters no DNS name has.
var stricterThanBrowsers = []string{
	"https://app.example.com/", "https://user@app.example.com", "http://localhost:0", "https://app.example.com.",
	"https://ex%61mple.com", "https://app..example.com", "https://-app.example.com", "https://a!b.example.com",
	"http://localhost:", "https:app.example.com",
}

// TestAgreesWithWHATWG compares Parse with a real implementation of the URL
// Standard, Node's URL class (the Ada parser; Node comes with the CDK CLI):
// new URL(s).origin must equal Parse(s).String() for every accepted input.
func TestAgreesWithWHATWG(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed (the CDK CLI needs it; CI installs it): cannot compare with a WHATWG URL parser")
	}
	var inputs []string
	for _, c := range canonicalCases {
		inputs = append(inputs, c.in)
	}
	inputs = append(inputs, browsersRefuse...)
	inputs = append(inputs, stricterThanBrowsers...)
	raw, _ := json.Marshal(inputs)
	script := `const out = {}; for (const s of JSON.parse(process.argv[1])) { try { out[s] = new URL(s).origin } catch (e) { out[s] = null } } console.log(JSON.stringify(out))`
	stdout, err := exec.Command(node, "-e", script, string(raw)).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var whatwg map[string]*string
	if err := json.Unmarshal(stdout, &whatwg); err != nil {
		t.Fatalf("node output %q: %v", stdout, err)
	}
	for _, c := range canonicalCases {
		got, want := whatwg[c.in], c.want
		if got == nil || *got != want {
			t.Errorf("new URL(%q).origin = %v, the table says %q", c.in, deref(got), want)
		}
	}
	for _, s := range browsersRefuse {
		if got := whatwg[s]; got != nil {
			t.Errorf("new URL(%q) accepted it (origin %q); the table says browsers refuse it", s, *got)
		}
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted what browsers refuse", s)
		}
	}
	for _, s := range stricterThanBrowsers {
		if whatwg[s] == nil {
			t.Errorf("new URL(%q) refused it: move it to browsersRefuse", s)
		}
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted it", s)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "(TypeError: Invalid URL)"
	}
	return *s
}
