package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/edge"
)

// syncBuffer collects the command's output across goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "t.yaml")
	if err := os.WriteFile(notJSON, []byte("Resources: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	signed := "../../test/testdata/signed.template.json"
	for _, tt := range []struct {
		name string
		f    serveFlags
		want string
		asIs bool // f as given: no defaults filled in
	}{
		{"no template", serveFlags{dir: dir}, "--template is required", false},
		{"no origin", serveFlags{template: signed}, "--dir DIR", false},
		{"two origins", serveFlags{template: signed, dir: dir, endpoint: "http://127.0.0.1:9"}, "exclusive", false},
		{"endpoint without bucket", serveFlags{template: signed, endpoint: "http://127.0.0.1:9"}, "needs --bucket", false},
		{"missing dir", serveFlags{template: signed, dir: filepath.Join(dir, "nope")}, "--dir", false},
		{"dir is a file", serveFlags{template: signed, dir: notJSON}, "not a directory", false},
		{"template not JSON", serveFlags{template: notJSON, dir: dir}, "not JSON", false},
		{"template missing", serveFlags{template: filepath.Join(dir, "x.json"), dir: dir}, "no such file", false},
		{"bad addr", serveFlags{template: signed, dir: dir, addr: "8080"}, "--addr", false},
		{"unknown reading", serveFlags{template: signed, dir: dir, addr: "127.0.0.1:0", readings: []string{"Optimistic"}}, "PolicyCORSWithoutOrigin", false},
		{"cache size 0", serveFlags{template: signed, dir: dir, addr: "127.0.0.1:0", invalidationPath: "-"}, "--cache-size must be between 1 and 65536 MiB, got 0", true},
		{"cache size negative", serveFlags{template: signed, dir: dir, cacheMiB: -1}, "--cache-size must be between 1 and 65536 MiB, got -1", false},
		{"cache size over 64 GiB", serveFlags{template: signed, dir: dir, cacheMiB: 65537}, "--cache-size must be between 1 and 65536 MiB, got 65537", false},
		{"relative invalidation path", serveFlags{template: signed, dir: dir, invalidationPath: "purge"}, `--invalidation-path must start with / (or be - to disable), got "purge"`, false},
	} {
		if tt.f.addr == "" && !tt.asIs {
			tt.f.addr = "127.0.0.1:0"
		}
		if tt.f.cacheMiB == 0 && !tt.asIs {
			tt.f.cacheMiB = 64
		}
		if tt.f.invalidationPath == "" && !tt.asIs {
			tt.f.invalidationPath = "/.mediacdn/invalidate"
		}
		_, err := resolveServe(tt.f)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want exit 2 naming %q", tt.name, err, tt.want)
		}
	}
}

func TestServeRefusesWhatItCannotEmulate(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "lambda.json")
	doc := `{"Resources":{"D":{"Type":"AWS::CloudFront::Distribution","Properties":{"DistributionConfig":{
	  "Origins":[{"Id":"o","DomainName":"b.s3.us-east-1.amazonaws.com","S3OriginConfig":{}}],
	  "DefaultCacheBehavior":{"TargetOriginId":"o","CachePolicyId":"658327ea-f89d-4fab-a63d-7e88639e58f6",
	    "LambdaFunctionAssociations":[{"EventType":"origin-request","LambdaFunctionARN":"arn:aws:lambda:us-east-1:1:function:f:1"}]}}}}}}`
	if err := os.WriteFile(tmpl, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := resolveServe(serveFlags{template: tmpl, dir: dir, addr: "127.0.0.1:0", cacheMiB: 1, invalidationPath: "-"})
	if err != nil {
		t.Fatal(err)
	}
	err = serveEdge(context.Background(), cfg, http.NotFoundHandler(), io.Discard, nil)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "Lambda@Edge") {
		t.Errorf("err = %v, want exit 2 naming Lambda@Edge", err)
	}
}

func TestServePrintsKeysURLAndRequests(t *testing.T) {
	dir := t.TempDir()
	cfg, err := resolveServe(serveFlags{template: "../../test/testdata/signed.template.json", dir: dir, addr: "127.0.0.1:0", cacheMiB: 8,
		invalidationPath: "/.mediacdn/invalidate"})
	if err != nil {
		t.Fatal(err)
	}
	origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if r.Header.Get("Origin") != "" {
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		}
		io.WriteString(w, "object "+r.URL.Path)
	})
	out := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- serveEdge(ctx, cfg, origin, out, func(a net.Addr) { addrc <- a }) }()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatal(err)
	}
	base := "http://" + addr.String()
	get(t, base+"/thumbs/a.jpg", "Origin: https://app.example.com")
	get(t, base+"/photos/a.jpg")            // signed: MissingKey
	get(t, base+"/thumbs/%1b%5b31mred.jpg") // an escape sequence in the path
	big := strings.Repeat("x", 128<<10)     // over the header bound
	req, _ := http.NewRequest(http.MethodGet, base+"/thumbs/a.jpg", nil)
	req.Header.Set("X-Big", big)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Errorf("oversized headers: %v, want a 431 answer", err)
	} else {
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("oversized headers: %d", resp.StatusCode)
		}
		resp.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	all := strings.Split(strings.TrimSpace(out.String()), "\n")
	if all[0] != "note: ViewerProtocolPolicy redirect-to-https is not emulated: the local edge serves plain HTTP" {
		t.Errorf("first line %q, want the TLS note", all[0])
	}
	lines := all[1:]
	keyLine := regexp.MustCompile(`^key-pair-id K[A-Z2-7]{13} \(MediaPublicKey[0-9a-f]{16}[0-9A-F]{8}\)$`)
	if len(lines) < 6 || !keyLine.MatchString(lines[0]) || !keyLine.MatchString(lines[1]) {
		t.Fatalf("output:\n%s", out.String())
	}
	if want := "on " + base + "/ (Ctrl-C to stop)"; !strings.HasPrefix(lines[2], "serving ") || !strings.HasSuffix(lines[2], want) {
		t.Errorf("URL line %q, want ...%q", lines[2], want)
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	var reqLines []string
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "GET ") {
			reqLines = append(reqLines, sc.Text())
		}
	}
	for i, want := range []string{
		"GET /thumbs/a.jpg behavior=thumbs/* cache=Miss status=200 cors=access-control-allow-origin=policy,access-control-expose-headers=policy,vary=function",
		"GET /photos/a.jpg behavior=*.jpg cache=Error status=403 reason=MissingKey: ",
		`GET /thumbs/%1b%5b31mred.jpg behavior=thumbs/* cache=Miss status=200`,
	} {
		if i >= len(reqLines) || !strings.HasPrefix(reqLines[i], want) {
			t.Errorf("request line %d = %q, want prefix %q", i, reqLines, want)
		}
	}
	if strings.ContainsRune(out.String(), 0x1b) {
		t.Error("an escape character reached the output")
	}
	if lines[len(lines)-1] != "stopped" {
		t.Errorf("last line %q", lines[len(lines)-1])
	}
}

// TestRequestLineEscapes: every untrusted part of a request line is escaped,
// header names included (a viewer-response function from the template can
// name a header anything; the old code printed CORS header names raw).
func TestRequestLineEscapes(t *testing.T) {
	line := requestLine(edge.RequestInfo{Method: "G\x1bT", Path: "/a\x1b[31m.jpg", Behavior: "x\x1b", Status: 200,
		CORS: map[string]edge.Layer{"Access-Control-\x1b[2J": edge.LayerFunction}, Reason: "r\x1b"})
	if strings.ContainsRune(line, 0x1b) {
		t.Errorf("escape character in %q", line)
	}
	if !strings.Contains(line, `cors=access-control-\x1b[2j=function`) {
		t.Errorf("line %q does not show the escaped header name", line)
	}
}

// TestServedURL: an unspecified listening address is printed as a usable
// loopback URL, with a note that other machines can connect (the old line
// was "http://[::]:PORT/", a URL nobody can sign for or open).
func TestServedURL(t *testing.T) {
	for _, tt := range []struct {
		addr       net.Addr
		want       string
		everywhere bool
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, "http://127.0.0.1:8080/", false},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, "http://[::1]:8080/", false},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "http://127.0.0.1:8080/", true},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 9000}, "http://127.0.0.1:9000/", true},
	} {
		got, everywhere := servedURL(tt.addr)
		if got != tt.want || everywhere != tt.everywhere {
			t.Errorf("%v: %q %v, want %q %v", tt.addr, got, everywhere, tt.want, tt.everywhere)
		}
	}
}

// mediaDir writes objects (key -> size in bytes of random content, so
// nothing compresses) below a new directory.
func mediaDir(t *testing.T, objects map[string]int) string {
	t.Helper()
	dir := t.TempDir()
	for key, size := range objects {
		p := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, size)
		rand.Read(b)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const defaultTemplate = "../../test/testdata/default.template.json"

// TestServeCacheSize: --cache-size is the edge's cache bound. Two images of
// 700 KiB do not both fit in 1 MiB, so the first is evicted by the second;
// in 2 MiB both stay.
func TestServeCacheSize(t *testing.T) {
	cfg, err := resolveServe(serveFlags{template: defaultTemplate, dir: t.TempDir(), addr: "127.0.0.1:0", cacheMiB: 3, invalidationPath: "-"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.opts.CacheBytes != 3<<20 {
		t.Errorf("--cache-size 3: CacheBytes %d, want %d", cfg.opts.CacheBytes, 3<<20)
	}
	dir := mediaDir(t, map[string]int{"images/a.jpg": 700 << 10, "images/b.jpg": 700 << 10})
	for _, tt := range []struct {
		mib, wantThird string
	}{
		{"1", "Miss from cloudfront"},
		{"2", "Hit from cloudfront"},
	} {
		base, out := startServe(t, "--template", defaultTemplate, "--dir", dir, "--cache-size", tt.mib)
		var got []string
		for _, key := range []string{"a", "b", "a"} {
			resp, body := get(t, base+"/images/"+key+".jpg")
			if resp.StatusCode != 200 || len(body) != 700<<10 {
				t.Fatalf("--cache-size %s: GET %s.jpg: %d, %d bytes\n%s", tt.mib, key, resp.StatusCode, len(body), out.String())
			}
			got = append(got, resp.Header.Get("X-Cache"))
		}
		if got[0] != "Miss from cloudfront" || got[1] != "Miss from cloudfront" || got[2] != tt.wantThird {
			t.Errorf("--cache-size %s: X-Cache of a, b, a = %q, want Miss, Miss, %s", tt.mib, got, tt.wantThird)
		}
	}
}

// TestServeInvalidationPath: --invalidation-path moves the invalidation
// endpoint (the default path is then an ordinary request, refused for
// POST), and "-" turns it off.
func TestServeInvalidationPath(t *testing.T) {
	for _, tt := range []struct {
		flag, path string // path "" when disabled
	}{
		{"/_purge", "/_purge"},
		{"-", ""},
	} {
		dir := mediaDir(t, map[string]int{"images/a.jpg": 100})
		base, out := startServe(t, "--template", defaultTemplate, "--dir", dir, "--invalidation-path", tt.flag)
		_, first := get(t, base+"/images/a.jpg")
		if err := os.WriteFile(filepath.Join(dir, "images", "a.jpg"), []byte("new bytes"), 0o644); err != nil {
			t.Fatal(err)
		}
		if resp, body := do(t, http.MethodPost, base+"/.mediacdn/invalidate?path=/images/*"); resp.StatusCode == 200 || strings.Contains(body, "invalidated") {
			t.Errorf("--invalidation-path %s: POST to the default path: %d %q, want no invalidation", tt.flag, resp.StatusCode, body)
		}
		if _, body := get(t, base+"/images/a.jpg"); body != first {
			t.Errorf("--invalidation-path %s: the cached object changed without an invalidation: %q", tt.flag, body)
		}
		if tt.path == "" {
			continue
		}
		if resp, body := do(t, http.MethodPost, base+tt.path+"?path=/images/*"); resp.StatusCode != 200 || body != "invalidated 1 cached responses\n" {
			t.Errorf("POST %s: %d %q\n%s", tt.path, resp.StatusCode, body, out.String())
		}
		if _, body := get(t, base+"/images/a.jpg"); body != "new bytes" {
			t.Errorf("after POST %s: %q, want the new object", tt.path, body)
		}
	}
}

// TestServeRequestBodyLimit: a request declaring a body over 1 MiB is
// refused with 413 before the edge sees it (the edge reads invalidation
// bodies only in part, so such a body was accepted and cut silently), with
// its request line; a body under the bound is an invalidation as before.
func TestServeRequestBodyLimit(t *testing.T) {
	dir := mediaDir(t, map[string]int{"images/a.jpg": 100})
	base, out := startServe(t, "--template", defaultTemplate, "--dir", dir)
	get(t, base+"/images/a.jpg")
	body := strings.Repeat("\n", serveMaxBodyBytes) + "/images/a.jpg\n"
	resp, err := http.Post(base+"/.mediacdn/invalidate", "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(answer), "request body over 1048576 bytes") {
		t.Errorf("POST of %d bytes: %d %q, want 413", len(body), resp.StatusCode, answer)
	}
	if resp, _ := get(t, base+"/images/a.jpg"); resp.Header.Get("X-Cache") != "Hit from cloudfront" {
		t.Errorf("the refused invalidation was applied: %v", resp.Header)
	}
	if !strings.Contains(out.String(), "POST /.mediacdn/invalidate behavior=- cache=- status=413 reason=request body of 1048590 bytes, over 1048576") {
		t.Errorf("no request line for the refusal:\n%s", out.String())
	}
	resp, err = http.Post(base+"/.mediacdn/invalidate", "text/plain", strings.NewReader("/images/a.jpg\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("small invalidation: %d", resp.StatusCode)
	}
}

// TestServeStopsOnCtrlC: "mediacdn serve" as a process (this test binary
// run as the CLI, see TestMain) ends on SIGINT with status 0 and "stopped",
// after answering a request.
func TestServeStopsOnCtrlC(t *testing.T) {
	dir := mediaDir(t, map[string]int{"images/a.jpg": 100})
	cmd := exec.Command(os.Args[0], "serve", "--template", defaultTemplate, "--dir", dir, "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "MEDIACDN_TEST_RUN_MAIN=1")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	waited := false
	defer func() {
		if !waited {
			cmd.Process.Kill()
			<-exited
		}
	}()
	urlLine := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)/ \(Ctrl-C to stop\)`)
	var base string
	for deadline := time.Now().Add(30 * time.Second); base == ""; time.Sleep(20 * time.Millisecond) {
		if m := urlLine.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("serve printed no URL:\n%s", out.String())
		}
	}
	if resp, _ := get(t, base+"/images/a.jpg"); resp.StatusCode != 200 {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		waited = true
		if err != nil || cmd.ProcessState.ExitCode() != 0 {
			t.Errorf("after SIGINT: %v (status %d), want status 0\n%s", err, cmd.ProcessState.ExitCode(), out.String())
		}
	case <-time.After(serveShutdownGrace + 10*time.Second):
		t.Fatalf("serve still running %s after SIGINT:\n%s", serveShutdownGrace+10*time.Second, out.String())
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); lines[len(lines)-1] != "stopped" {
		t.Errorf("last line %q, want \"stopped\"\n%s", lines[len(lines)-1], out.String())
	}
}
