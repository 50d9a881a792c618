package edge

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/s3origin"
)

// memOrigin is a small in-memory S3-like origin for the rule tests that need
// what s3origin.Dir does not offer: any Content-Type per object, and CORS
// rules changed in the middle of a test. It answers as S3 does in the cases
// those tests use (CORS headers only when Origin matches a rule, preflight
// 400/403, 403 for a missing key, Range). The doctor, signed and serve tests
// use the real s3origin.Dir (dirOrigin). It records the requests it gets.
type memOrigin struct {
	objects  map[string]testObject
	cors     []cfconfig.CORSRule
	hasCORS  bool
	mu       sync.Mutex
	requests []*http.Request
	modTime  time.Time
}

func (o *memOrigin) log() []*http.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*http.Request(nil), o.requests...)
}

type testObject struct {
	body, contentType, cacheControl, contentEncoding string
	header                                           http.Header // more headers S3 sends (x-amz-meta-*, Server)
}

func newMemOrigin(b *cfconfig.Bucket) *memOrigin {
	o := &memOrigin{objects: map[string]testObject{}, modTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if b != nil {
		o.cors, o.hasCORS = b.CORS, b.HasCORS
	}
	return o
}

func (o *memOrigin) put(key, contentType, body string) {
	o.objects[strings.TrimPrefix(key, "/")] = testObject{body: body, contentType: contentType}
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>LOCAL</RequestId><HostId>LOCAL</HostId></Error>`, code, msg)
}

// matchS3Origin: exact scheme+host+port, or one "*" anywhere.
func matchS3Origin(rule, origin string) bool {
	if rule == "*" || rule == origin {
		return true
	}
	if pre, suf, ok := strings.Cut(rule, "*"); ok && !strings.Contains(suf, "*") {
		return len(origin) >= len(pre)+len(suf) && strings.HasPrefix(origin, pre) && strings.HasSuffix(origin, suf)
	}
	return false
}

func (o *memOrigin) rule(origin, method string, headers []string) *cfconfig.CORSRule {
	for i := range o.cors {
		r := &o.cors[i]
		ok := false
		for _, ro := range r.AllowedOrigins {
			if matchS3Origin(ro, origin) {
				ok = true
			}
		}
		if !ok || !slices.Contains(r.AllowedMethods, method) {
			continue
		}
		for _, h := range headers {
			hit := false
			for _, rh := range r.AllowedHeaders {
				if matchS3Origin(strings.ToLower(rh), strings.ToLower(h)) {
					hit = true
				}
			}
			if !hit {
				ok = false
			}
		}
		if ok {
			return r
		}
	}
	return nil
}

func (o *memOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.requests = append(o.requests, r)
	o.mu.Unlock()
	origin := r.Header.Get("Origin")
	if r.Method == http.MethodOptions {
		acrm := r.Header.Get("Access-Control-Request-Method")
		if origin == "" || acrm == "" {
			s3Error(w, 400, "BadRequest", "Insufficient information. Origin request header needed.")
			return
		}
		if !o.hasCORS {
			s3Error(w, 403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.")
			return
		}
		var hs []string
		for _, h := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
			if h = strings.TrimSpace(h); h != "" {
				hs = append(hs, h)
			}
		}
		rule := o.rule(origin, acrm, hs)
		if rule == nil {
			s3Error(w, 403, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
			return
		}
		o.corsHeaders(w.Header(), rule, origin)
		w.Header().Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
		if len(hs) > 0 {
			w.Header().Set("Access-Control-Allow-Headers", strings.Join(hs, ", "))
		}
		if rule.MaxAgeSeconds > 0 {
			w.Header().Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAgeSeconds))
		}
		w.WriteHeader(200)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s3Error(w, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	if origin != "" && o.hasCORS {
		if rule := o.rule(origin, r.Method, nil); rule != nil {
			o.corsHeaders(w.Header(), rule, origin)
		}
	}
	obj, ok := o.objects[strings.TrimPrefix(r.URL.Path, "/")]
	if !ok {
		s3Error(w, 403, "AccessDenied", "Access Denied")
		return
	}
	ct := obj.contentType
	if ct == "" {
		ct = "binary/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("ETag", fmt.Sprintf(`"%x"`, sha1.Sum([]byte(obj.body))))
	if obj.contentEncoding != "" {
		w.Header().Set("Content-Encoding", obj.contentEncoding)
	}
	if obj.cacheControl != "" {
		w.Header().Set("Cache-Control", obj.cacheControl)
	}
	for k, v := range obj.header {
		w.Header()[k] = v
	}
	http.ServeContent(w, r, "", o.modTime, bytes.NewReader([]byte(obj.body)))
}

func (o *memOrigin) corsHeaders(h http.Header, rule *cfconfig.CORSRule, origin string) {
	acao := origin
	if slices.Contains(rule.AllowedOrigins, "*") {
		acao = "*"
	} else {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Origin", acao)
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

// testOrigin is what the tests need of an origin.
type testOrigin interface {
	http.Handler
	put(key, contentType, body string)
	log() []*http.Request
}

// dirOrigin is s3origin.Dir over a temporary directory, recording requests.
// Content-Type comes from the shared extension table, as in production.
type dirOrigin struct {
	t        testing.TB
	root     string
	dir      *s3origin.Dir
	mu       sync.Mutex
	requests []*http.Request
}

func newDirOrigin(t testing.TB, b *cfconfig.Bucket) *dirOrigin {
	t.Helper()
	var rules []s3origin.CORSRule
	if b != nil && b.HasCORS {
		for _, r := range b.CORS {
			rules = append(rules, s3origin.CORSRule(r))
		}
	}
	root := t.TempDir()
	d, err := s3origin.NewDir(root, s3origin.DirOptions{CORS: rules})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return &dirOrigin{t: t, root: root, dir: d}
}

func (o *dirOrigin) put(key, _ string, body string) {
	p := filepath.Join(o.root, filepath.FromSlash(strings.TrimPrefix(key, "/")))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		o.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		o.t.Fatal(err)
	}
}

func (o *dirOrigin) log() []*http.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*http.Request(nil), o.requests...)
}

func (o *dirOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.requests = append(o.requests, r)
	o.mu.Unlock()
	o.dir.ServeHTTP(w, r)
}
