package edge

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoFileOutsideTheDirectory sends raw requests (no client-side cleaning)
// through the edge to s3origin.Dir: dot segments, encoded dots and slashes
// and a symlink leaving the directory never reach a file outside it.
func TestNoFileOutsideTheDirectory(t *testing.T) {
	d := loadDist(t, "../test/testdata/default.template.json")
	origin := originFor(t, d)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.jpg"), []byte("TOP SECRET"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(origin.root, "link")); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(origin.root, filepath.Join(outside, "secret.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(d, origin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	for _, target := range []string{
		"/" + filepath.ToSlash(rel),
		"/photos/../../" + filepath.Base(outside) + "/secret.jpg",
		"/%2e%2e/" + filepath.Base(outside) + "/secret.jpg",
		"/link/secret.jpg",
		"/link%2Fsecret.jpg",
		"/photos%2F..%2F..%2Fsecret.jpg",
	} {
		status, body := rawGet(t, srv.Listener.Addr().String(), target)
		if status == http.StatusOK || strings.Contains(body, "TOP SECRET") {
			t.Errorf("GET %s: %d %q", target, status, body)
		}
	}
	// Control: the same file inside the directory is served.
	origin.put("photos/secret.jpg", "", "TOP SECRET")
	if status, body := rawGet(t, srv.Listener.Addr().String(), "/photos/secret.jpg"); status != 200 || body != "TOP SECRET" {
		t.Errorf("control: %d %q", status, body)
	}
}

func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
