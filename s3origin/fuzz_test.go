package s3origin

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDirPath sends arbitrary raw paths to a Dir next to a secret file:
// it must never panic, never serve the secret, and a 200 must carry exactly
// the bytes of a regular file inside the root.
func FuzzDirPath(f *testing.F) {
	for _, s := range []string{
		"/video/seg1.ts", "/../secret.txt", "/%2e%2e/secret.txt", "/video/..%2F..%2Fsecret.txt",
		"/escape.ts", "/up/secret.txt", "/abs-escape.ts", "/inside-link.ts", "//video/seg1.ts",
		"/video/./seg1.ts", "/%00", "/%ff", "/fifo.ts", "/", "", "video", "/video%2fseg1.ts",
		"/" + strings.Repeat("a/", 600),
	} {
		f.Add(s)
	}
	root := newTestDir(f)
	dir, err := NewDir(root, DirOptions{CORS: testRules, ListBucket: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { dir.Close() })
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse("http://127.0.0.1" + raw)
		if err != nil || u.Host != "127.0.0.1" {
			u = &url.URL{Path: raw}
		}
		r := &http.Request{Method: "GET", URL: u, Header: http.Header{"Origin": {appOrigin}}}
		w := httptest.NewRecorder()
		dir.ServeHTTP(w, r)
		body := w.Body.String()
		if strings.Contains(body, secretBody) {
			t.Fatalf("path %q served the secret outside the root", raw)
		}
		if w.Code == http.StatusOK {
			key := strings.TrimPrefix(u.Path, "/")
			want, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(key)))
			if err != nil || string(want) != body {
				t.Fatalf("path %q: 200 with %q, file reads %q (%v)", raw, body, want, err)
			}
		}
	})
}

// FuzzParseRange: any Range header and size give either no range, an
// unsatisfiable one, or a range inside the object.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-1", "bytes=-5", "bytes=5-", "bytes=1-2,3-4", "bytes=9-1", "bytes=-", "bytes= 1-2", "bytes=-0"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, v string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		br, ok, unsat := parseRange(v, size)
		if ok && unsat {
			t.Fatalf("%q: both satisfiable and not", v)
		}
		if ok && (br.start < 0 || br.start > br.end || br.end >= size) {
			t.Fatalf("parseRange(%q, %d) = %+v: outside the object", v, size, br)
		}
	})
}
