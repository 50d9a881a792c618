package urlsign

import (
	"github.com/mediacdn/mediacdn/internal/glob"

	"net/url"
	"strings"
	"unicode/utf8"
)

// reservedParams are the query parameters CloudFront reads for signing; a
// URL to be signed must not carry them already.
var reservedParams = []string{"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"}

func isReserved(name string) bool {
	for _, r := range reservedParams {
		if name == r {
			return true
		}
	}
	return false
}

// paramName returns the decoded name of one raw "name=value" query parameter.
func paramName(param string) string {
	name, _, _ := strings.Cut(param, "=")
	if dec, err := url.QueryUnescape(name); err == nil {
		return dec
	}
	return name
}

// checkNoReserved refuses a query that already has a CloudFront parameter.
func checkNoReserved(rawURL, query string) error {
	if query == "" {
		return nil
	}
	for _, p := range strings.Split(query, "&") {
		if n := paramName(p); isReserved(n) {
			return errorf(ErrReservedParameter, "URL %q already has a %q query parameter: CloudFront reads Expires, Policy, Signature, Key-Pair-Id and Hash-Algorithm itself, so the URL to sign must not carry them (sign the unsigned URL, or rename your own parameter)", rawURL, n)
		}
	}
	return nil
}

// urlParts is an absolute http(s) URL split for signing.
type urlParts struct {
	prefix string // "scheme://host[:port]"
	path   string // "/..." (never empty for a URL)
	query  string // without the '?'; "" when none
}

func (u urlParts) String() string {
	if u.query == "" {
		return u.prefix + u.path
	}
	return u.prefix + u.path + "?" + u.query
}

// parseURL normalizes an absolute http or https URL to the form a browser
// sends and CloudFront matches: lowercase scheme and host, no default port,
// "/" for an empty path, no empty trailing "?", and spaces, control and
// non-ASCII characters percent-encoded as UTF-8 (existing %XX escapes kept).
//
// With pattern set, it accepts a custom-policy resource instead: the
// wildcards * and ? may appear anywhere, including the scheme and host, and a
// pattern may start with "*" and have no "://" at all.
func parseURL(raw string, pattern bool) (urlParts, error) {
	sentinel, what := ErrInvalidURL, "URL"
	if pattern {
		sentinel, what = ErrInvalidResource, "resource pattern"
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return urlParts{}, errorf(sentinel, "empty %s: give an absolute https:// URL", what)
	}
	if !utf8.ValidString(s) {
		return urlParts{}, errorf(sentinel, "%s %q is not valid UTF-8", what, raw)
	}
	if strings.Contains(s, "#") {
		return urlParts{}, errorf(sentinel, "%s %q has a fragment (#...): browsers never send it, so CloudFront never sees it; remove it", what, raw)
	}
	if strings.Contains(s, `\`) {
		return urlParts{}, errorf(sentinel, "%s %q contains a backslash, which browsers rewrite to '/' or send as is depending on where it is; percent-encode it as %%5C", what, raw)
	}
	i := strings.Index(s, "://")
	if i < 0 {
		if pattern && strings.HasPrefix(s, "*") {
			return urlParts{prefix: "", path: encode(s, pathSet)}, nil
		}
		return urlParts{}, errorf(sentinel, "%s %q is not absolute: give the full https://host/path URL the browser requests", what, raw)
	}
	scheme := strings.ToLower(s[:i])
	switch {
	case scheme == "http" || scheme == "https":
	case pattern && strings.ContainsAny(scheme, "*?") && (glob.Match(scheme, "http") || glob.Match(scheme, "https")):
	default:
		return urlParts{}, errorf(sentinel, "%s %q has scheme %q: CloudFront signed URLs are http or https", what, raw, s[:i])
	}
	rest := s[i+3:]
	authority, pathQuery := rest, ""
	if j := strings.IndexAny(rest, "/?"); j >= 0 {
		authority, pathQuery = rest[:j], rest[j:]
	}
	if authority == "" {
		return urlParts{}, errorf(sentinel, "%s %q has no host", what, raw)
	}
	if strings.Contains(authority, "@") {
		return urlParts{}, errorf(sentinel, "%s %q has user information (user@host), which CloudFront does not use; remove it", what, raw)
	}
	for k := 0; k < len(authority); k++ {
		c := authority[k]
		if c >= 0x80 {
			return urlParts{}, errorf(sentinel, "%s %q has a non-ASCII host: use its punycode (xn--...) form", what, raw)
		}
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_'
		if pattern && (c == '*' || c == '?') {
			ok = true
		}
		if !ok {
			return urlParts{}, errorf(sentinel, "%s %q has the character %q in its host", what, raw, string(c))
		}
	}
	host, port := authority, ""
	if k := strings.LastIndex(authority, ":"); k >= 0 && !strings.Contains(authority[k:], "]") {
		host, port = authority[:k], authority[k+1:]
		if port == "" || strings.Trim(port, "0123456789") != "" && !pattern {
			return urlParts{}, errorf(sentinel, "%s %q has an invalid port %q", what, raw, port)
		}
	}
	if host == "" {
		return urlParts{}, errorf(sentinel, "%s %q has no host", what, raw)
	}
	host = strings.ToLower(host)
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	u := urlParts{prefix: scheme + "://" + host}
	if port != "" {
		u.prefix += ":" + port
	}
	path, query, _ := strings.Cut(pathQuery, "?")
	if path == "" && !pattern {
		path = "/"
	}
	u.path = encode(path, pathSet)
	u.query = encode(query, querySet)
	return u, nil
}

// Percent-encode sets, after the WHATWG URL standard's path and
// special-query sets: what a browser encodes itself before sending.
const (
	pathSet  = "\"<>`{} "
	querySet = "\"<>' "
)

// encode percent-encodes spaces, controls, non-ASCII bytes and the
// characters in set; everything else, including existing %XX escapes, is kept.
func encode(s, set string) string {
	need := false
	for k := 0; k < len(s); k++ {
		if c := s[k]; c <= 0x20 || c >= 0x7f || strings.IndexByte(set, c) >= 0 {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 16)
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c <= 0x20 || c >= 0x7f || strings.IndexByte(set, c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// hostOf returns the lowercase host of a normalized URL or pattern prefix,
// without port; "" when there is none.
func hostOf(u urlParts) string {
	_, rest, ok := strings.Cut(u.prefix, "://")
	if !ok {
		return ""
	}
	if k := strings.LastIndex(rest, ":"); k >= 0 && !strings.Contains(rest[k:], "]") {
		rest = rest[:k]
	}
	return rest
}

// NormalizeURL returns rawURL in the form this package signs it, the form a
// browser sends (see the package doc), or the reason it cannot be signed: it
// is relative, not http or https, has no host, a fragment, a non-ASCII host,
// or already carries CloudFront signing parameters.
func NormalizeURL(rawURL string) (string, error) {
	u, err := parseURL(rawURL, false)
	if err != nil {
		return "", err
	}
	if err := checkNoReserved(rawURL, u.query); err != nil {
		return "", err
	}
	return u.String(), nil
}
