package s3origin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// CORSRule is one rule of a bucket's CORS configuration, as S3 stores it
// (PutBucketCors). MaxAgeSeconds 0 means unset: no Access-Control-Max-Age.
type CORSRule struct {
	AllowedOrigins []string
	AllowedMethods []string
	AllowedHeaders []string
	ExposeHeaders  []string
	MaxAgeSeconds  int
}

// S3's limits on a CORS configuration (API_CORSConfiguration,
// ManageCorsUsing: at most 100 rules, one "*" per origin or header).
const maxCORSRules = 100

var corsMethods = map[string]bool{"GET": true, "PUT": true, "POST": true, "DELETE": true, "HEAD": true}

// ValidateCORS returns an error naming the first rule and field S3 would
// refuse in PutBucketCors, so a bad configuration fails before serving.
func ValidateCORS(rules []CORSRule) error {
	if len(rules) > maxCORSRules {
		return fmt.Errorf("CORS configuration has %d rules; S3 allows at most %d", len(rules), maxCORSRules)
	}
	for i, r := range rules {
		if len(r.AllowedOrigins) == 0 {
			return fmt.Errorf("CORS rule %d: AllowedOrigins is empty; S3 requires at least one origin", i+1)
		}
		if len(r.AllowedMethods) == 0 {
			return fmt.Errorf("CORS rule %d: AllowedMethods is empty; S3 requires at least one of GET, PUT, POST, DELETE, HEAD", i+1)
		}
		for _, o := range r.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return fmt.Errorf("CORS rule %d: AllowedOrigin %q has more than one \"*\"; S3 allows one", i+1, o)
			}
		}
		for _, m := range r.AllowedMethods {
			if !corsMethods[m] {
				return fmt.Errorf("CORS rule %d: AllowedMethod %q is not one of GET, PUT, POST, DELETE, HEAD (case sensitive)", i+1, m)
			}
		}
		for _, h := range r.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return fmt.Errorf("CORS rule %d: AllowedHeader %q has more than one \"*\"; S3 allows one", i+1, h)
			}
		}
		if r.MaxAgeSeconds < 0 {
			return fmt.Errorf("CORS rule %d: MaxAgeSeconds %d is negative", i+1, r.MaxAgeSeconds)
		}
	}
	return nil
}

// wildcardMatch matches s against a pattern with at most one "*" (S3 allows
// no more), which stands for any run of characters.
func wildcardMatch(pattern, s string) bool {
	before, after, star := strings.Cut(pattern, "*")
	if !star {
		return pattern == s
	}
	return len(s) >= len(before)+len(after) && strings.HasPrefix(s, before) && strings.HasSuffix(s, after)
}

// corsVary is the Vary S3 sends with a successful CORS evaluation.
const corsVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// matchRule returns the first rule allowing origin, method and every one of
// the (lower-cased) request headers, as S3 evaluates them
// (ManageCorsUsing.html "How does Amazon S3 evaluate the CORS
// configuration"). Origins match case sensitively, headers case-insensitively.
func matchRule(rules []CORSRule, origin, method string, headers []string) (rule *CORSRule, wildcardOrigin bool) {
	for i := range rules {
		r := &rules[i]
		found, star := false, false
		for _, o := range r.AllowedOrigins {
			if wildcardMatch(o, origin) {
				found, star = true, o == "*"
				break
			}
		}
		if !found || !contains(r.AllowedMethods, method) {
			continue
		}
		if allHeadersAllowed(r.AllowedHeaders, headers) {
			return r, star
		}
	}
	return nil, false
}

func allHeadersAllowed(allowed, requested []string) bool {
	for _, h := range requested {
		ok := false
		for _, a := range allowed {
			if wildcardMatch(strings.ToLower(a), h) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// setCORSHeaders writes the headers S3 sends when rule allowed the request:
// "*" (and no credentials) when the rule matched by the "*" origin, else the
// request's origin with credentials allowed.
func setCORSHeaders(h http.Header, rule *CORSRule, wildcardOrigin bool, origin string, requestHeaders []string) {
	if wildcardOrigin {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if len(requestHeaders) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(requestHeaders, ", "))
	}
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds > 0 {
		h.Set("Access-Control-Max-Age", strconv.Itoa(rule.MaxAgeSeconds))
	}
	h.Set("Vary", corsVary)
}

// requestHeaderList splits Access-Control-Request-Headers into lower-case
// names, dropping empty elements.
func requestHeaderList(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ",") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	return out
}
