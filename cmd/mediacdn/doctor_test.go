package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// doctorServer answers like S3 behind CloudFront: with CORS headers (and
// Vary: Origin on everything) when cors is true, without any otherwise.
func doctorServer(t *testing.T, cors bool) (*httptest.Server, func() []http.Header) {
	t.Helper()
	var mu sync.Mutex
	var seen []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := r.Header.Clone()
		h.Set("X-Method", r.Method)
		seen = append(seen, h)
		mu.Unlock()
		out := w.Header()
		out.Set("X-Cache", "Miss from cloudfront")
		if cors {
			out.Set("Vary", "Origin")
			if r.Header.Get("Origin") != "" {
				out.Set("Access-Control-Allow-Origin", "*")
				out.Set("Access-Control-Allow-Methods", "GET, HEAD")
				out.Set("Access-Control-Allow-Headers", "range")
				out.Set("Access-Control-Expose-Headers", "Content-Range, Accept-Ranges, ETag")
			}
		}
		if r.Method == http.MethodOptions {
			return
		}
		if strings.HasSuffix(r.URL.Path, ".m3u8") {
			out.Set("Content-Type", "application/vnd.apple.mpegurl")
			fmt.Fprint(w, "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\nseg1.ts\n#EXTINF:6,\nseg2.ts\n#EXT-X-ENDLIST\n")
			return
		}
		out.Set("Content-Type", "video/mp2t")
		fmt.Fprint(w, "G")
	}))
	t.Cleanup(srv.Close)
	return srv, func() []http.Header {
		mu.Lock()
		defer mu.Unlock()
		return append([]http.Header(nil), seen...)
	}
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestDoctorLiveExitStatus(t *testing.T) {
	good, seen := doctorServer(t, true)
	bad, _ := doctorServer(t, false)

	code, out, errOut := runCLI("doctor", good.URL+"/v/index.m3u8", "--origin", "http://localhost:3010")
	if code != 0 {
		t.Fatalf("working setup: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "Result: PASS") || errOut != "" {
		t.Errorf("stdout:\n%s\nstderr: %q (no progress line when stderr is not a terminal)", out, errOut)
	}
	var ua string
	for _, h := range seen() {
		ua = h.Get("User-Agent")
	}
	if !strings.HasPrefix(ua, "mediacdn-doctor/") {
		t.Errorf("User-Agent = %q", ua)
	}

	code, out, _ = runCLI("doctor", bad.URL+"/v/index.m3u8", "--origin", "http://localhost:3010")
	if code != 1 {
		t.Fatalf("failing setup: exit %d\n%s", code, out)
	}
	for _, want := range []string{"FAIL  cors.missing-acao  [*.m3u8]", "FAIL  cors.missing-acao  [*.ts]", "Result: FAIL"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDoctorJSON(t *testing.T) {
	bad, _ := doctorServer(t, false)
	code, out, errOut := runCLI("doctor", bad.URL+"/v/index.m3u8", "--origin", "http://localhost:3010", "--json", "--sample", "1", "--concurrency", "2")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Result   string `json:"result"`
		Mode     string `json:"mode"`
		Findings []struct {
			Severity, ID, URL, Pattern, What, Cause, Fix string
		} `json:"findings"`
		Probes []struct{ URL string } `json:"probes"`
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if dec.More() {
		t.Error("more than one document on stdout")
	}
	if doc.Result != "fail" || doc.Mode != "live" || len(doc.Probes) != 2 { // the playlist and a sample of 1 segment
		t.Errorf("doc = %+v", doc)
	}
	found := false
	for _, f := range doc.Findings {
		if f.ID == "cors.missing-acao" && f.Severity == "fail" && f.Pattern == "*.m3u8" && f.Fix != "" {
			found = true
		}
	}
	if !found {
		t.Errorf("findings = %+v", doc.Findings)
	}
}

func TestDoctorOriginValidation(t *testing.T) {
	srv, seen := doctorServer(t, true)
	u := srv.URL + "/v/index.m3u8"
	tests := []struct {
		origin string
		want   string
	}{
		// Seed 002 put the page URL in Origin.
		{"http://localhost:3010/movies/59", `--origin: origin "http://localhost:3010/movies/59" has a path, query or fragment "/movies/59": an Origin header is only scheme://host[:port] (a page at http://localhost:3010/movies/59 sends its origin), write http://localhost:3010`},
		// ...and a broken shell line left a curly quote and a newline in it
		// (escaped on the terminal).
		{"http://localhost:3010/movies/70\u201d\n", `\\n" contains white space, a line break or an invisible control character`},
		{"http://localhost:3010/", "ends with a slash: an Origin header never does, write http://localhost:3010"},
		{"http://localhost:3010?x", `has a path, query or fragment "?x"`},
		{"localhost:3010", "has no scheme"},
		{"", "--origin is required"},
	}
	for _, tt := range tests {
		args := []string{"doctor", u}
		if tt.origin != "" {
			args = append(args, "--origin", tt.origin)
		}
		code, out, errOut := runCLI(args...)
		if code != 2 {
			t.Errorf("--origin %q: exit %d, want 2", tt.origin, code)
		}
		if !strings.Contains(errOut, tt.want) || out != "" {
			t.Errorf("--origin %q: stderr %q lacks %q (stdout %q)", tt.origin, errOut, tt.want, out)
		}
	}
	if n := len(seen()); n != 0 {
		t.Errorf("%d requests sent despite usage errors", n)
	}
	// null is a valid Origin.
	if code, out, _ := runCLI("doctor", u, "--origin", "null"); code != 0 {
		t.Errorf("--origin null: exit %d\n%s", code, out)
	}
}

func TestDoctorUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"doctor"},
		{"doctor", "d16ufd393m7gss.cloudfront.net/a.m3u8", "--origin", "http://localhost:3010"},
		{"doctor", "https://h/a.m3u8", "https://h/b.m3u8", "--origin", "http://localhost:3010"},
		{"doctor", "https://h/a.m3u8", "--origin", "http://localhost:3010", "--header", "no-colon"},
		{"doctor", "https://h/a.m3u8", "--origin", "http://localhost:3010", "--header", "Origin: https://x"},
		{"doctor", "https://h/a.m3u8", "--origin", "http://localhost:3010", "--concurrency", "0"},
		{"doctor", "https://h/a.m3u8", "--origin", "http://localhost:3010", "--concurrency", "65"},
		{"doctor", "https://h/a.m3u8", "--origin", "http://localhost:3010", "--max-time", "-1s"},
		{"doctor", "https://h/a.m3u8", "--origin", "http://localhost:3010", "--timeout", "0s"},
		{"doctor", "https://h/a.m3u8", "--origin", "http://localhost:3010", "--sample", "-1"},
		{"doctor", "--template", "does-not-exist.json"},
		{"doctor", "--template", filepath.Join("..", "..", "doctor", "testdata", "templates", "clean.json"), "--origin", "http://localhost:3010"},
		{"doctor", "https://h/a.m3u8", "--origin", "http://localhost:3010", "--no-such-flag"},
	} {
		code, _, errOut := runCLI(args...)
		if code != 2 || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}

func TestDoctorTemplate(t *testing.T) {
	dir := filepath.Join("..", "..", "doctor", "testdata")
	tests := []struct {
		path string
		code int
		want string
	}{
		{filepath.Join(dir, "templates", "clean.json"), 0, "Result: PASS"},
		{filepath.Join(dir, "cdkout"), 0, "PASS  cors.ok"},
		{filepath.Join(dir, "templates", "seed002.json"), 1, "FAIL  behavior.policy-mismatch  [*.ts, Default (*)]"},
		{filepath.Join(dir, "templates", "unsigned-shadow.json"), 1, "FAIL  signed.shadowed  [*.jpg]"},
		{filepath.Join(dir, "templates", "override-false.json"), 0, "WARN  cache.origin-not-in-key  [Default (*)]"},
		{filepath.Join(dir, "templates", "get-distribution-config.json"), 1, "FAIL  behavior.options-not-allowed  [Default (*)]"},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI("doctor", "--template", tt.path)
		if code != tt.code || !strings.Contains(out, tt.want) {
			t.Errorf("%s: exit %d (want %d), output lacks %q:\n%s\n%s", tt.path, code, tt.code, tt.want, out, errOut)
		}
	}
	code, out, _ := runCLI("doctor", "--template", filepath.Join(dir, "templates", "public-bucket.json"), "--json")
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 || doc["mode"] != "template" {
		t.Errorf("json: exit %d, err %v, doc %v", code, err, doc)
	}
}

func TestDoctorLiveWithTemplate(t *testing.T) {
	bad, _ := doctorServer(t, false)
	tmpl := filepath.Join("..", "..", "doctor", "testdata", "templates", "seed002.json")
	code, out, _ := runCLI("doctor", bad.URL+"/v/index.m3u8", "--origin", "http://localhost:3010", "--template", tmpl)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	// The .ts segments matched the template's *.ts behavior, and the cause
	// names its policies.
	if !strings.Contains(out, "FAIL  cors.missing-acao  [*.ts]") || !strings.Contains(out, "behavior *.ts has cache policy Elemental-MediaPackage (managed), origin request policy none, response headers policy none") {
		t.Errorf("output:\n%s", out)
	}
}

func TestDoctorHeadersAndPreflight(t *testing.T) {
	srv, seen := doctorServer(t, true)
	code, out, _ := runCLI("doctor", srv.URL+"/v/seg1.ts", "--origin", "https://app.example.com",
		"--header", "Cookie: CloudFront-Key-Pair-Id=K", "--header", "X-Trace: 1", "--preflight-headers", "range,x-trace")
	if code != 1 || !strings.Contains(out, "preflight.headers-not-allowed") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	for _, h := range seen() {
		switch h.Get("X-Method") {
		case http.MethodOptions:
			if h.Get("Cookie") != "" || h.Get("Access-Control-Request-Headers") != "range,x-trace" || h.Get("Access-Control-Request-Method") != "GET" {
				t.Errorf("preflight headers = %v", h)
			}
		case http.MethodGet:
			if h.Get("Cookie") != "CloudFront-Key-Pair-Id=K" || h.Get("X-Trace") != "1" || h.Get("Range") != "bytes=0-0" {
				t.Errorf("GET headers = %v", h)
			}
		}
	}
}

// A walk cut short by --max-urls is a warning and exit status 1, with the
// count of what was left and the flag to raise (before: an INFO line and
// exit 0).
func TestDoctorTruncatedWalkExit(t *testing.T) {
	good, _ := doctorServer(t, true)
	code, out, _ := runCLI("doctor", good.URL+"/v/index.m3u8", "--origin", "http://localhost:3010", "--max-urls", "2")
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"WARN  walk.truncated", "stopped at --max-urls 2: 1 more distinct URLs", "--max-urls 4", "Result: INCOMPLETE"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI("doctor", good.URL+"/v/index.m3u8", "--origin", "http://localhost:3010", "--max-urls", "3")
	if code != 0 || !strings.Contains(out, "Result: PASS") {
		t.Errorf("uncapped walk: exit %d\n%s", code, out)
	}
	code, _, errOut := runCLI("doctor", good.URL+"/v/index.m3u8", "--origin", "http://localhost:3010", "--max-time", "0s")
	if code != 2 || !strings.Contains(errOut, "--max-time") {
		t.Errorf("--max-time 0s: exit %d, %q", code, errOut)
	}
}

// Segments on another port were not checked: exit 1, "Result: INCOMPLETE",
// the count and --allow-hosts (before: "Result: PASS" and exit 0). With the
// port allowed, they are checked and the walk passes.
func TestDoctorOffHostReferencesExit(t *testing.T) {
	cors := func(w http.ResponseWriter) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "GET")
		w.Header().Set("Access-Control-Allow-Headers", "range")
		w.Header().Set("Vary", "Origin")
	}
	segs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cors(w)
		w.Header().Set("Content-Type", "video/mp2t")
	}))
	defer segs.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cors(w)
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		fmt.Fprintf(w, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n%[1]s/s1.ts\n#EXTINF:2,\n%[1]s/s2.ts\n#EXT-X-ENDLIST\n", segs.URL)
	}))
	defer srv.Close()
	code, out, _ := runCLI("doctor", srv.URL+"/index.m3u8", "--origin", "http://localhost:3010")
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"WARN  walk.not-fetched", "2 references were not fetched (2 on another host or port)", "--allow-hosts", "Result: INCOMPLETE"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI("doctor", srv.URL+"/index.m3u8", "--origin", "http://localhost:3010", "--allow-hosts", strings.TrimPrefix(segs.URL, "http://"))
	if code != 0 || !strings.Contains(out, "Result: PASS") || strings.Contains(out, "walk.") {
		t.Errorf("allowed: exit %d\n%s", code, out)
	}
}

// Usage errors quote what the user passed escaped. (They were %q-quoted
// before too; this guards the escaping now applied to every such message,
// including the suggested fixes built from the value.)
func TestDoctorUsageErrorEscaped(t *testing.T) {
	code, _, errOut := runCLI("doctor", "https://h/a.m3u8", "--origin", "HTTP://localhost:3010/x\x1b[31m")
	if code != 2 || strings.ContainsRune(errOut, 0x1b) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runCLI("doctor", "https://h/a\x1b[2J.m3u8\x1b]", "--origin", "http://localhost:3010\x1b[31m")
	if code != 2 || strings.ContainsRune(errOut, 0x1b) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// A --template error names the path escaped once: cfconfig escapes its
// errors and errorLine leaves an already safe message alone (escaping it
// again showed \x1b as \\x1b).
func TestDoctorTemplateErrorEscapedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a\x1b[2J.template.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI("doctor", "--template", path)
	if code != 2 || strings.ContainsRune(errOut, 0x1b) || !strings.Contains(errOut, `a\x1b[2J.template.json`) || strings.Contains(errOut, `\\x1b`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
