package edge

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/cfconfig"
)

// interimS3Origin is a TEST-ONLY stand-in for s3origin.Dir (built in
// parallel on another branch): objects in memory, answered as S3 REST does
// for a bucket with the template's CORS rules (../shared/CLOUDFRONT-FACTS.md
// section 4): CORS headers only when Origin matches a rule (first match),
// preflight 400 without Origin / 403 without CORS or without a matching
// rule, 403 AccessDenied for a missing key, Range via net/http. It records
// the requests it receives.
type interimS3Origin struct {
	objects  map[string]testObject
	cors     []cfconfig.CORSRule
	hasCORS  bool
	mu       sync.Mutex
	requests []*http.Request
	modTime  time.Time
}

func (o *interimS3Origin) log() []*http.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*http.Request(nil), o.requests...)
}

type testObject struct {
	body, contentType, cacheControl string
}

func newInterimOrigin(b *cfconfig.Bucket) *interimS3Origin {
	o := &interimS3Origin{objects: map[string]testObject{}, modTime: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if b != nil {
		o.cors, o.hasCORS = b.CORS, b.HasCORS
	}
	return o
}

func (o *interimS3Origin) put(key, contentType, body string) {
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

func (o *interimS3Origin) rule(origin, method string, headers []string) *cfconfig.CORSRule {
	for i := range o.cors {
		r := &o.cors[i]
		ok := false
		for _, ro := range r.AllowedOrigins {
			if matchS3Origin(ro, origin) {
				ok = true
			}
		}
		if !ok || !containsString(r.AllowedMethods, method) {
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

func (o *interimS3Origin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if obj.cacheControl != "" {
		w.Header().Set("Cache-Control", obj.cacheControl)
	}
	http.ServeContent(w, r, "", o.modTime, bytes.NewReader([]byte(obj.body)))
}

func (o *interimS3Origin) corsHeaders(h http.Header, rule *cfconfig.CORSRule, origin string) {
	acao := origin
	if containsString(rule.AllowedOrigins, "*") {
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
