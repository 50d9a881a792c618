package s3origin

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// S3's limits on what a request may carry: keys up to 1,024 bytes of UTF-8
// (object-keys.html) and a header section of 8 KB (RequestHeaderSectionTooLarge).
const (
	maxKeyBytes    = 1024
	maxHeaderBytes = 8 * 1024
)

// headerBytes counts a request's header section as sent on the wire.
func headerBytes(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4 // ": " and CRLF
		}
	}
	return n
}

// checkRequest applies the checks S3 makes on every request before looking
// at the object: header section size, then the key (URL path minus the
// leading "/", percent-decoded, so %2F is a "/" inside the key as on S3).
func checkRequest(r *http.Request) (key string, e *s3Error) {
	if n := headerBytes(r.Header); n > maxHeaderBytes {
		err := errHeadersTooLarge(n)
		return "", &err
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") || !utf8.ValidString(p) || strings.ContainsRune(p, 0) {
		err := errInvalidURI()
		return "", &err
	}
	key = p[1:]
	if len(key) > maxKeyBytes {
		err := errKeyTooLong(len(key))
		return "", &err
	}
	return key, nil
}

// readOnly answers the methods a reader with only s3:GetObject (the OAC
// bucket policy) cannot use: S3 operations are denied, anything else is not
// an S3 method on an object at all.
func readOnly(w http.ResponseWriter, r *http.Request, key string) {
	switch r.Method {
	case http.MethodPut, http.MethodPost, http.MethodDelete:
		errAccessDenied().write(w, r)
	default:
		errMethodNotAllowed(r.Method, resourceType(key)).write(w, r)
	}
}

func resourceType(key string) string {
	if key == "" {
		return "BUCKET"
	}
	return "OBJECT"
}

// corsActual sets the CORS headers of a non-preflight request (GET, HEAD):
// only when it has an Origin, and only when a rule allows that origin and
// the request's method. Without a match S3 adds nothing, not even Vary.
func corsActual(h http.Header, r *http.Request, rules []CORSRule) {
	origin := r.Header.Get("Origin")
	if origin == "" || rules == nil {
		return
	}
	if rule, star := matchRule(rules, origin, r.Method, nil); rule != nil {
		setCORSHeaders(h, rule, star, origin, nil)
	}
}

// preflight answers an OPTIONS request from the bucket's CORS rules, in the
// order S3 checks: Origin present, method valid, CORS enabled, a rule
// matches. S3 answers preflights without looking at the object.
func preflight(w http.ResponseWriter, r *http.Request, key string, rules []CORSRule) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		errMissingOrigin().write(w, r)
		return
	}
	method := r.Header.Get("Access-Control-Request-Method")
	if !corsMethods[method] {
		errBadRequestMethod(method).write(w, r)
		return
	}
	if rules == nil {
		errCORSNotEnabled().write(w, r)
		return
	}
	headers := requestHeaderList(r.Header.Get("Access-Control-Request-Headers"))
	rule, star := matchRule(rules, origin, method, headers)
	if rule == nil {
		errCORSForbidden(resourceType(key)).write(w, r)
		return
	}
	h := w.Header()
	setRequestIDs(h)
	setCORSHeaders(h, rule, star, origin, headers)
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// byteRange is a satisfiable single range [start, end].
type byteRange struct{ start, end int64 }

// parseRange reads a Range header for an object of size bytes as S3 does:
// one range only (S3 ignores a multi-range or malformed header and sends
// the whole object), "bytes=a-b", "bytes=a-" or "bytes=-n"; a range that
// starts past the end is unsatisfiable (416).
func parseRange(v string, size int64) (br byteRange, ok, unsatisfiable bool) {
	spec, found := strings.CutPrefix(v, "bytes=")
	if !found || strings.Contains(spec, ",") {
		return byteRange{}, false, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return byteRange{}, false, false
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 || !digits(last) {
			return byteRange{}, false, false
		}
		if n == 0 || size == 0 {
			return byteRange{}, false, true
		}
		n = min(n, size)
		return byteRange{size - n, size - 1}, true, false
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || !digits(first) {
		return byteRange{}, false, false
	}
	end := size - 1
	if last != "" {
		e, err := strconv.ParseInt(last, 10, 64)
		if err != nil || !digits(last) || e < start {
			return byteRange{}, false, false
		}
		end = min(e, size-1)
	}
	if start >= size {
		return byteRange{}, false, true
	}
	return byteRange{start, end}, true, false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// condition is the outcome of GetObject's conditional headers.
type condition int

const (
	condProceed condition = iota
	condNotModified
	condFailed
)

// checkConditions evaluates If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since as GetObject documents: If-Match true overrides a false
// If-Unmodified-Since; If-None-Match false (ETag matches) gives 304 whatever
// If-Modified-Since says. It returns the failed condition's name for 412.
func checkConditions(h http.Header, etag string, modified time.Time) (condition, string) {
	modified = modified.Truncate(time.Second)
	if im := h.Get("If-Match"); im != "" {
		if !etagListMatch(im, etag) {
			return condFailed, "If-Match"
		}
	} else if t, err := http.ParseTime(h.Get("If-Unmodified-Since")); err == nil && modified.After(t) {
		return condFailed, "If-Unmodified-Since"
	}
	if inm := h.Get("If-None-Match"); inm != "" {
		if etagListMatch(inm, etag) {
			return condNotModified, ""
		}
	} else if t, err := http.ParseTime(h.Get("If-Modified-Since")); err == nil && !modified.After(t) {
		return condNotModified, ""
	}
	return condProceed, ""
}

// etagListMatch reports whether a comma-separated If-Match/If-None-Match
// list names etag (quoted or not, weak prefix ignored) or is "*".
func etagListMatch(list, etag string) bool {
	bare := strings.Trim(etag, `"`)
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || strings.Trim(t, `"`) == bare {
			return true
		}
	}
	return false
}
