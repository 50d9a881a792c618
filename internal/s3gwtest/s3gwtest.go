// Package s3gwtest runs the Versity S3 Gateway (versitygw, a real
// S3-compatible server with bucket CORS and SigV4 checks) for tests. The
// binary is built once per machine from the module version in go.mod's tool
// line and cached under the user cache directory, keyed on go.sum; each
// Start runs a fresh gateway on a free 127.0.0.1 port with its posix
// backend in a temporary directory.
//
//	srv := s3gwtest.Start(t)
//	client := srv.Client()
//	srv.CreateBucket(t, "media")
//
// When the binary cannot be built the test is skipped with the reason,
// unless MEDIACDN_REQUIRE_S3GW=1 (set by .ci/run), which makes it fail.
package s3gwtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Server is one running gateway.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Region    string
	Dir       string // posix backend root: one subdirectory per bucket
}

const toolPackage = "github.com/versity/versitygw/cmd/versitygw"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Start builds (once) and runs a gateway for the test; it is stopped when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	buildOnce.Do(func() {
		var modRoot, cache string
		if modRoot, buildErr = moduleRoot(); buildErr != nil {
			return
		}
		if cache, buildErr = os.UserCacheDir(); buildErr != nil {
			return
		}
		binPath, buildErr = build(modRoot, filepath.Join(cache, "mediacdn"))
	})
	if buildErr != nil {
		if os.Getenv("MEDIACDN_REQUIRE_S3GW") == "1" {
			t.Fatalf("versitygw is required (MEDIACDN_REQUIRE_S3GW=1) but could not be built: %v", buildErr)
		}
		t.Skipf("versitygw unavailable (set MEDIACDN_REQUIRE_S3GW=1 to fail instead): %v", buildErr)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a free port can be taken between probe and bind
		srv, err := run(t)
		if err == nil {
			return srv
		}
		lastErr = err
	}
	t.Fatalf("versitygw did not start: %v", lastErr)
	return nil
}

func run(t testing.TB) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := t.TempDir()
	srv := &Server{
		Endpoint:  "http://127.0.0.1:" + port,
		AccessKey: "TESTACCESS" + randomHex(5),
		SecretKey: randomHex(20),
		Region:    "us-east-1",
		Dir:       filepath.Join(dir, "data"),
	}
	if err := os.Mkdir(srv.Dir, 0o755); err != nil {
		return nil, err
	}
	var logs bytes.Buffer
	// Loopback only; no admin API, web UI, IAM or event targets (all off
	// unless asked for). The environment is emptied so no VGW_* or
	// ROOT_* variable of the caller can reconfigure it.
	cmd := exec.Command(binPath,
		"--port", "127.0.0.1:"+port,
		"--access", srv.AccessKey, "--secret", srv.SecretKey,
		"--region", srv.Region, "--quiet",
		"posix", srv.Dir)
	cmd.Env = []string{"HOME=" + dir, "PATH=/usr/bin:/bin"}
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			return nil, fmt.Errorf("exited (%v): %s", err, strings.TrimSpace(logs.String()))
		default:
		}
		resp, err := http.Get(srv.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("no answer on %s after 30 s: %s", srv.Endpoint, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(stop)
	return srv, nil
}

// Credentials returns the gateway's root credentials.
func (s *Server) Credentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, "")
}

// Client returns an S3 client for the gateway (path-style).
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       s.Region,
		Credentials:  s.Credentials(),
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
	})
}

// CreateBucket creates a bucket or fails the test.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if _, err := s.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// build compiles versitygw from the module at modRoot into cacheRoot,
// keyed on go.sum so a version change rebuilds, under a file lock so
// parallel test binaries build it once.
func build(modRoot, cacheRoot string) (string, error) {
	sum, err := os.ReadFile(filepath.Join(modRoot, "go.sum"))
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(sum)
	dir := filepath.Join(cacheRoot, "versitygw-"+hex.EncodeToString(h[:8]))
	bin := filepath.Join(dir, "versitygw")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "build.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err == nil { // built while we waited
		return bin, nil
	}
	tmp := bin + ".tmp"
	cmd := exec.Command("go", "build", "-o", tmp, toolPackage)
	cmd.Dir = modRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %v: %s", toolPackage, err, lastLines(string(out), 5))
	}
	return bin, os.Rename(tmp, bin)
}

// moduleRoot finds the directory of go.mod from the test's working
// directory (a package directory inside the module).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
