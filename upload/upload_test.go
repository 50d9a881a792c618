package upload

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/mediacdn/mediacdn/internal/s3gwtest"
)

// media writes a small HLS tree into a new directory.
func media(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.m3u8":       "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nlow/index.m3u8\n",
		"low/index.m3u8":   "#EXTM3U\n#EXTINF:4,\nseg0.ts\n",
		"low/seg0.ts":      "G\x00\x00segment bytes",
		"subs/en.vtt":      "WEBVTT\n",
		"poster.jpg":       "\xff\xd8\xff",
		"notes/readme.txt": "hello",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(body), 0o644))
	}
	return dir
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) add(e Event) {
	if e.Action == Sending || e.Action == Planned {
		return
	}
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) byAction(a Action) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.Action == a {
			out = append(out, e.Path)
		}
	}
	sort.Strings(out)
	return out
}

func head(t *testing.T, c *s3.Client, bucket, key string) *s3.HeadObjectOutput {
	t.Helper()
	out, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("head %s: %v", key, err)
	}
	return out
}

func keys(t *testing.T, c *s3.Client, bucket string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	must(t, err)
	var ks []string
	for _, o := range out.Contents {
		ks = append(ks, aws.ToString(o.Key))
	}
	sort.Strings(ks)
	return ks
}

func TestUpload(t *testing.T) {
	srv := s3gwtest.Start(t)
	srv.CreateBucket(t, "media")
	c := srv.Client()
	ctx := context.Background()
	dir := media(t)
	// Left alone: never deleted although DIR has no such file.
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String("video/old.ts"), Body: strings.NewReader("old")})
	must(t, err)

	// Dry run: reports, uploads nothing.
	var dry recorder
	sum, err := Run(ctx, dir, Options{Client: c, Bucket: "media", Prefix: "video", DryRun: true, Progress: dry.add})
	must(t, err)
	if sum.WouldUpload != 6 || sum.Uploaded != 0 || len(sum.Failed) != 0 {
		t.Fatalf("dry run summary %+v", sum)
	}
	if got := keys(t, c, "media"); len(got) != 1 {
		t.Fatalf("dry run created objects: %v", got)
	}

	var rec recorder
	sum, err = Run(ctx, dir, Options{Client: c, Bucket: "media", Prefix: "video/", Progress: rec.add})
	must(t, err)
	if sum.Uploaded != 6 || len(sum.Failed) != 0 {
		t.Fatalf("summary %+v, failed %v", sum, sum.Failed)
	}
	want := map[string][2]string{
		"video/index.m3u8":       {"application/vnd.apple.mpegurl", "max-age=2"},
		"video/low/index.m3u8":   {"application/vnd.apple.mpegurl", "max-age=2"},
		"video/low/seg0.ts":      {"video/mp2t", "max-age=86400"},
		"video/subs/en.vtt":      {"text/vtt", "max-age=86400"},
		"video/poster.jpg":       {"image/jpeg", "max-age=86400"},
		"video/notes/readme.txt": {"application/octet-stream", "max-age=2"},
	}
	for k, w := range want {
		h := head(t, c, "media", k)
		if aws.ToString(h.ContentType) != w[0] || aws.ToString(h.CacheControl) != w[1] {
			t.Errorf("%s: Content-Type %q Cache-Control %q, want %q %q", k, aws.ToString(h.ContentType), aws.ToString(h.CacheControl), w[0], w[1])
		}
	}
	if got := keys(t, c, "media"); len(got) != 7 || got[1] != "video/low/index.m3u8" || !contains(got, "video/old.ts") {
		t.Errorf("keys %v", got)
	}

	// Second run: everything unchanged.
	sum, err = Run(ctx, dir, Options{Client: c, Bucket: "media", Prefix: "video"})
	must(t, err)
	if sum.Unchanged != 6 || sum.Uploaded != 0 {
		t.Errorf("re-run summary %+v", sum)
	}

	// A changed file of the same size, and an object with the right bytes
	// but a guessed type (what aws s3 cp stores for .ts on Debian 12), are
	// uploaded again; the rest stays.
	must(t, os.WriteFile(filepath.Join(dir, "poster.jpg"), []byte("\xff\xd8\xfe"), 0o644))
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("media"), Key: aws.String("video/low/seg0.ts"),
		Body: strings.NewReader("G\x00\x00segment bytes"), ContentType: aws.String("text/vnd.trolltech.linguist")})
	must(t, err)
	var again recorder
	sum, err = Run(ctx, dir, Options{Client: c, Bucket: "media", Prefix: "video", Progress: again.add})
	must(t, err)
	if got := again.byAction(Uploaded); strings.Join(got, ",") != "low/seg0.ts,poster.jpg" {
		t.Errorf("re-uploaded %v, want low/seg0.ts and poster.jpg (summary %+v)", got, sum)
	}
	if got := aws.ToString(head(t, c, "media", "video/low/seg0.ts").ContentType); got != "video/mp2t" {
		t.Errorf("type not repaired: %q", got)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// A file over the part size goes up in parts; its ETag is then no MD5, and
// the md5 metadata lets the next run skip it.
func TestMultipart(t *testing.T) {
	srv := s3gwtest.Start(t)
	srv.CreateBucket(t, "media")
	c := srv.Client()
	dir := t.TempDir()
	big := make([]byte, 11<<20)
	_, _ = rand.Read(big)
	must(t, os.WriteFile(filepath.Join(dir, "big.mp4"), big, 0o644))
	var sent int64
	var mu sync.Mutex
	sum, err := Run(context.Background(), dir, Options{Client: c, Bucket: "media", Progress: func(e Event) {
		if e.Action == Sending {
			mu.Lock()
			sent = max(sent, e.Sent)
			mu.Unlock()
		}
	}})
	must(t, err)
	if sum.Uploaded != 1 {
		t.Fatalf("summary %+v %v", sum, sum.Failed)
	}
	if sent != int64(len(big)) {
		t.Errorf("progress reached %d of %d bytes", sent, len(big))
	}
	h := head(t, c, "media", "big.mp4")
	if !strings.Contains(aws.ToString(h.ETag), "-") {
		t.Errorf("ETag %s: not a multipart upload", aws.ToString(h.ETag))
	}
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("media"), Key: aws.String("big.mp4")})
	must(t, err)
	var got bytes.Buffer
	_, _ = got.ReadFrom(out.Body)
	out.Body.Close()
	if !bytes.Equal(got.Bytes(), big) {
		t.Fatal("multipart object differs from the file")
	}
	sum, err = Run(context.Background(), dir, Options{Client: c, Bucket: "media"})
	must(t, err)
	if sum.Unchanged != 1 {
		t.Errorf("multipart object not recognized as unchanged: %+v", sum)
	}
}

// Cancelling mid-way stops with the context's error; the next run uploads
// the rest and skips what was done.
func TestInterrupted(t *testing.T) {
	srv := s3gwtest.Start(t)
	srv.CreateBucket(t, "media")
	c := srv.Client()
	dir := t.TempDir()
	for i := 0; i < 8; i++ {
		must(t, os.WriteFile(filepath.Join(dir, "seg"+string(rune('0'+i))+".ts"), []byte(strings.Repeat("x", 100+i)), 0o644))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := 0
	sum, err := Run(ctx, dir, Options{Client: c, Bucket: "media", Concurrency: 1, Progress: func(e Event) {
		if e.Action == Uploaded {
			if done++; done == 3 {
				cancel()
			}
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if sum.Uploaded < 3 || sum.Uploaded >= 8 {
		t.Fatalf("interrupted run uploaded %d of 8", sum.Uploaded)
	}
	first := sum.Uploaded
	sum, err = Run(context.Background(), dir, Options{Client: c, Bucket: "media"})
	must(t, err)
	if sum.Unchanged != first || sum.Uploaded != 8-first || len(sum.Failed) != 0 {
		t.Errorf("re-run after interruption: %+v (first run uploaded %d)", sum, first)
	}
	if n := len(keys(t, c, "media")); n != 8 {
		t.Errorf("%d objects after re-run, want 8", n)
	}
}

func TestFailuresAndSpecialFiles(t *testing.T) {
	srv := s3gwtest.Start(t)
	srv.CreateBucket(t, "media")
	c := srv.Client()
	dir := media(t)
	outside := filepath.Join(t.TempDir(), "secret.ts")
	must(t, os.WriteFile(outside, []byte("secret"), 0o644))
	must(t, os.Symlink(outside, filepath.Join(dir, "link.ts")))
	must(t, os.Symlink("..", filepath.Join(dir, "loop")))
	must(t, syscall.Mkfifo(filepath.Join(dir, "pipe.ts"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "bad\xffname.ts"), []byte("x"), 0o644))
	unreadable := filepath.Join(dir, "locked.ts")
	must(t, os.WriteFile(unreadable, []byte("x"), 0o000))
	root := os.Geteuid() == 0 // root reads mode-000 files anyway
	// A file that cannot be opened whoever runs the test: it disappears
	// between the walk and its upload.
	vanishing := filepath.Join(dir, "vanishing.ts")
	must(t, os.WriteFile(vanishing, []byte("x"), 0o644))

	var rec recorder
	sum, err := Run(context.Background(), dir, Options{Client: c, Bucket: "media", Progress: func(e Event) {
		if e.Action == Planned && e.Path == "vanishing.ts" {
			must(t, os.Remove(vanishing))
		}
		rec.add(e)
	}})
	must(t, err)
	if got := strings.Join(rec.byAction(Skipped), ","); got != "link.ts,loop,pipe.ts" {
		t.Errorf("skipped %q, want link.ts,loop,pipe.ts", got)
	}
	wantFailed := "bad\xffname.ts"
	if !root {
		wantFailed += ",locked.ts"
	}
	wantFailed += ",vanishing.ts"
	if got := strings.Join(rec.byAction(Failed), ","); got != wantFailed {
		t.Errorf("failed %q, want %q", got, wantFailed)
	}
	if len(sum.Failed) == 0 || !strings.Contains(sum.Failed[0].Err.Error(), "UTF-8") {
		t.Errorf("failure reasons: %v", sum.Failed)
	}
	for _, k := range keys(t, c, "media") {
		if strings.Contains(k, "link") || strings.Contains(k, "loop") || strings.Contains(k, "pipe") {
			t.Errorf("uploaded %s", k)
		}
	}

	// A missing bucket fails every file, naming the bucket.
	sum, err = Run(context.Background(), media(t), Options{Client: c, Bucket: "no-such-bucket"})
	must(t, err)
	if len(sum.Failed) != 6 || sum.Uploaded != 0 {
		t.Fatalf("missing bucket: %+v", sum)
	}
	if msg := sum.Failed[0].Err.Error(); !strings.Contains(msg, "no-such-bucket") {
		t.Errorf("missing bucket error %q does not name it", msg)
	}
}

func TestRunErrors(t *testing.T) {
	c := s3.New(s3.Options{Region: "us-east-1"})
	if _, err := Run(context.Background(), t.TempDir(), Options{Client: c}); err == nil {
		t.Error("no bucket accepted")
	}
	if _, err := Run(context.Background(), filepath.Join(t.TempDir(), "missing"), Options{Client: c, Bucket: "media"}); err == nil {
		t.Error("missing dir accepted")
	}
	if _, err := Run(context.Background(), t.TempDir(), Options{Client: c, Bucket: "media", Prefix: "a/../b"}); err == nil || !strings.Contains(err.Error(), `prefix "a/../b"`) {
		t.Errorf("bad prefix: %v", err)
	}
	// Out-of-range numbers were replaced by the defaults without a word.
	if _, err := Run(context.Background(), t.TempDir(), Options{Client: c, Bucket: "media", Concurrency: -1}); err == nil || !strings.Contains(err.Error(), "Concurrency -1") {
		t.Errorf("negative concurrency: %v", err)
	}
	if _, err := Run(context.Background(), t.TempDir(), Options{Client: c, Bucket: "media", PartSize: 1 << 20}); err == nil || !strings.Contains(err.Error(), "minimum part size") {
		t.Errorf("1 MiB parts: %v", err)
	}
	// Zero still means the default (an empty directory: nothing is sent).
	if _, err := Run(context.Background(), t.TempDir(), Options{Client: c, Bucket: "media"}); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

// Destinations a CloudFront URL could never reach were accepted: a prefix
// with ".." went into the keys ("../x/a.ts") and browsers remove that
// segment before requesting; an invalid bucket name failed every file.
func TestCheckDestination(t *testing.T) {
	tests := []struct {
		bucket, prefix string
		msg            string // "" when accepted
	}{
		{"media", "", ""},
		{"media", "video", ""},
		{"media", "video/", ""},
		{"media", "video/abc/", ""},
		{"media", "a..b/...", ""},
		{"media", "v/%2e%2ex", ""},
		{"Media_X", "video", "bucket name"},
		{"media?x=1", "a", "bucket name"},
		{"media", "../x", `segment ".."`},
		{"media", "a/./b", `segment "."`},
		{"media", "a/%2E%2e/b", `segment "%2E%2e"`},
		{"media", "a/.%2e", `segment ".%2e"`},
		{"media", "/video", "empty path segment"},
		{"media", "video//", "empty path segment"},
		{"media", "a//b", "empty path segment"},
		{"media", "a\x1b[2Jb", ""}, // valid in S3 and reachable as %1B; printed escaped
		{"media", "v/", ""},
		{"media", "/", "empty path segment"},
		{"media", "a\xffb", "UTF-8"},
		{"media", strings.Repeat("a", 1025), "S3 allows 1024"},
	}
	for _, tc := range tests {
		err := CheckDestination(tc.bucket, tc.prefix)
		switch {
		case tc.msg == "" && err != nil:
			t.Errorf("CheckDestination(%q, %q) = %v", tc.bucket, tc.prefix, err)
		case tc.msg != "" && (err == nil || !strings.Contains(err.Error(), tc.msg)):
			t.Errorf("CheckDestination(%q, %q) = %v, want an error with %q", tc.bucket, tc.prefix, err, tc.msg)
		}
	}
}

// Files whose names give keys no URL reaches fail with the reason before
// anything is sent; a good name next to them is planned as usual (dry run:
// it is compared with the bucket, which the client cannot reach, a closed
// port on 127.0.0.1, so it fails too, with another reason).
func TestUnreachableNamesFail(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"%2e%2e", "%2E", "bad\xffname.ts", "%2e%2e.ts"} {
		must(t, os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644))
	}
	must(t, os.MkdirAll(filepath.Join(dir, ".%2e"), 0o755)) // read as ".." by browsers
	must(t, os.WriteFile(filepath.Join(dir, ".%2e", "a.ts"), []byte("x"), 0o644))
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), UsePathStyle: true})
	var rec recorder
	var planned []string
	sum, err := Run(context.Background(), dir, Options{Client: c, Bucket: "media", DryRun: true, Progress: func(e Event) {
		if e.Action == Planned {
			planned = append(planned, e.Path)
		}
		rec.add(e)
	}})
	must(t, err)
	if strings.Join(planned, ",") != "%2e%2e.ts" { // not a dot segment: reachable
		t.Errorf("planned %q, want only %%2e%%2e.ts", planned)
	}
	want := []string{"%2E", "%2e%2e", "%2e%2e.ts", ".%2e/a.ts", "bad\xffname.ts"}
	if got := rec.byAction(Failed); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("failed %q, want %q", got, want)
	}
	for _, e := range sum.Failed {
		if e.Path == "%2e%2e.ts" {
			continue
		}
		if msg := e.Err.Error(); !strings.HasPrefix(msg, "file name: ") || !strings.Contains(msg, "rename it") {
			t.Errorf("%q: reason %q", e.Path, msg)
		}
	}
}

// Cancelling during a multipart upload leaves no unfinished upload behind
// (its parts would be billed on S3), and the next run completes the file.
func TestInterruptedMultipart(t *testing.T) {
	srv := s3gwtest.Start(t)
	srv.CreateBucket(t, "media")
	c := srv.Client()
	dir := t.TempDir()
	big := make([]byte, 16<<20)
	_, _ = rand.Read(big)
	must(t, os.WriteFile(filepath.Join(dir, "big.mp4"), big, 0o644))
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	sum, err := Run(ctx, dir, Options{Client: c, Bucket: "media", Progress: func(e Event) {
		if e.Action == Sending && e.Sent > 6<<20 {
			once.Do(cancel)
		}
	}})
	if !errors.Is(err, context.Canceled) || sum.Uploaded != 0 {
		t.Fatalf("interrupted multipart: %v, %+v", err, sum)
	}
	ups, err := c.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String("media")})
	must(t, err)
	if len(ups.Uploads) != 0 {
		t.Errorf("%d unfinished multipart upload(s) left after the interruption", len(ups.Uploads))
	}
	sum, err = Run(context.Background(), dir, Options{Client: c, Bucket: "media"})
	must(t, err)
	if sum.Uploaded != 1 {
		t.Errorf("re-run: %+v", sum)
	}
}

// A file replaced between the walk and its upload by a symlink (open
// followed it out of the directory) or a FIFO (open blocked forever) fails
// with the reason, and nothing is read through it. No request is sent for
// them: the client points at a closed port on 127.0.0.1.
func TestReplacedAfterWalk(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret.ts")
	must(t, os.WriteFile(secret, []byte("secret"), 0o644))
	for _, name := range []string{"link.ts", "fifo.ts"} {
		must(t, os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644))
	}
	replace := map[string]func(string) error{
		"link.ts": func(p string) error { return os.Symlink(secret, p) },
		"fifo.ts": func(p string) error { return syscall.Mkfifo(p, 0o644) },
	}
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), UsePathStyle: true})
	var rec recorder
	done := make(chan error, 1)
	go func() {
		_, err := Run(context.Background(), dir, Options{Client: c, Bucket: "media", DryRun: true, Progress: func(e Event) {
			if e.Action == Planned {
				p := filepath.Join(dir, e.Path)
				must(t, os.Remove(p))
				must(t, replace[e.Path](p))
			}
			rec.add(e)
		}})
		done <- err
	}()
	select {
	case err := <-done:
		must(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Run hung on a file replaced by a FIFO")
	}
	if got := strings.Join(rec.byAction(Failed), ","); got != "fifo.ts,link.ts" {
		t.Fatalf("failed %q", got)
	}
	for _, e := range rec.events {
		if !strings.Contains(e.Err.Error(), "replaced since the directory was read") {
			t.Errorf("%s: %v", e.Path, e.Err)
		}
	}
}

// clientVia returns a client that reaches the gateway through a reverse
// proxy on 127.0.0.1, for tests that need to see or change the traffic.
// modify (optional) edits the gateway's responses; wrap (optional) wraps the
// proxy's handler. SigV4 still checks out since the Host header is passed on
// unchanged.
func clientVia(t *testing.T, srv *s3gwtest.Server, modify func(*http.Response) error, wrap func(http.Handler) http.Handler) *s3.Client {
	t.Helper()
	target, err := url.Parse(srv.Endpoint)
	must(t, err)
	var handler http.Handler = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host
		},
		ModifyResponse: modify,
	}
	if wrap != nil {
		handler = wrap(handler)
	}
	front := httptest.NewServer(handler)
	t.Cleanup(front.Close)
	return s3.New(s3.Options{Region: srv.Region, Credentials: srv.Credentials(), BaseEndpoint: aws.String(front.URL), UsePathStyle: true})
}

// TestWithoutListBucket: credentials without s3:ListBucket get 403, not
// 404, from HEAD on a missing key (S3's documented answer). Upload must
// treat that as "nothing to compare with" and send the file, not stop with
// access denied. A proxy in front of the gateway answers as S3 does then.
func TestWithoutListBucket(t *testing.T) {
	srv := s3gwtest.Start(t)
	srv.CreateBucket(t, "media")
	var forbidden atomic.Int32
	c := clientVia(t, srv, func(resp *http.Response) error {
		if resp.Request.Method == http.MethodHead && resp.StatusCode == http.StatusNotFound {
			forbidden.Add(1)
			resp.StatusCode, resp.Status = http.StatusForbidden, "403 Forbidden"
		}
		return nil
	}, nil)
	dir := media(t)

	sum, err := Run(context.Background(), dir, Options{Client: c, Bucket: "media", Prefix: "video"})
	if err != nil || sum.Uploaded != 6 || len(sum.Failed) != 0 {
		first := error(nil)
		if len(sum.Failed) > 0 {
			first = sum.Failed[0].Err
		}
		t.Fatalf("first run: %d uploaded, %d failed (first: %v), err %v", sum.Uploaded, len(sum.Failed), first, err)
	}
	if forbidden.Load() != 6 {
		t.Errorf("%d HEADs answered 403, want 6 (one per file)", forbidden.Load())
	}
	// Present objects are still compared (HEAD succeeds on them).
	sum, err = Run(context.Background(), dir, Options{Client: c, Bucket: "media", Prefix: "video"})
	if err != nil || sum.Unchanged != 6 || sum.Uploaded != 0 {
		t.Fatalf("second run: %d unchanged, %d uploaded, %d failed, err %v", sum.Unchanged, sum.Uploaded, len(sum.Failed), err)
	}
}

// TestConcurrencyBound counts the PUTs in flight at the gateway: with
// Concurrency 2 there are never more than two, and there are two at once
// (files do go in parallel). The proxy holds each PUT briefly so that
// overlapping uploads overlap at the proxy too; only counts are asserted.
func TestConcurrencyBound(t *testing.T) {
	srv := s3gwtest.Start(t)
	srv.CreateBucket(t, "media")
	var inFlight, peak, puts atomic.Int32
	c := clientVia(t, srv, nil, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut {
				puts.Add(1)
				n := inFlight.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				defer inFlight.Add(-1)
				time.Sleep(50 * time.Millisecond)
			}
			next.ServeHTTP(w, r)
		})
	})
	dir := t.TempDir()
	const files = 12
	for i := range files {
		must(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("seg%02d.ts", i)), []byte(fmt.Sprintf("segment %d", i)), 0o644))
	}
	for _, tc := range []struct {
		concurrency int
		wantPeak    int32
	}{{2, 2}, {1, 1}} {
		inFlight.Store(0)
		peak.Store(0)
		puts.Store(0)
		sum, err := Run(context.Background(), dir, Options{Client: c, Bucket: "media", Prefix: fmt.Sprint("c", tc.concurrency), Concurrency: tc.concurrency})
		if err != nil || sum.Uploaded != files {
			t.Fatalf("Concurrency %d: %d uploaded, %d failed, err %v", tc.concurrency, sum.Uploaded, len(sum.Failed), err)
		}
		if puts.Load() != files {
			t.Errorf("Concurrency %d: %d PUTs, want one per file (%d)", tc.concurrency, puts.Load(), files)
		}
		if got := peak.Load(); got != tc.wantPeak {
			t.Errorf("Concurrency %d: at most %d PUTs were in flight at once, want %d", tc.concurrency, got, tc.wantPeak)
		}
	}
}
