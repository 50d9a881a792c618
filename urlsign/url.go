package urlsign

import (
	"github.com/mediacdn/mediacdn/internal/glob"

	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
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
// A tab or line break inside the URL is refused: browsers delete it.
//
// With pattern set, it accepts a custom-policy resource instead: the
// wildcards * and ? may appear anywhere, including the scheme and host, and a
// pattern may start with "*" and have no "://" at all.
func parseURL(raw string, pattern bool) (urlParts, error) {
	sentinel, what := ErrInvalidURL, "URL"
	if pattern {
		sentinel, what = ErrInvalidResource, "resource pattern"
	}
	// Browsers trim C0 controls and spaces at both ends (WHATWG URL
	// standard), not Unicode spaces such as U+00A0, which they encode.
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= 0x20 })
	if s == "" {
		return urlParts{}, errorf(sentinel, "empty %s: give an absolute https:// URL", what)
	}
	if !utf8.ValidString(s) {
		return urlParts{}, errorf(sentinel, "%s %q is not valid UTF-8", what, raw)
	}
	if strings.ContainsAny(s, "\t\n\r") {
		// Browsers delete them from anywhere in a URL: signing "a\tb" as
		// "a%09b" would sign a path the page's URL never requests.
		return urlParts{}, errorf(sentinel, "%s %q contains a tab or line break, which browsers delete from URLs (they would request %q): remove it, or write it as %%09, %%0A or %%0D if it is part of a name",
			what, raw, strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s))
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
	host, port, err := parseAuthority(authority, pattern)
	if err != nil {
		return urlParts{}, errorf(sentinel, "%s %q %v", what, raw, err)
	}
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
	if clean, changed := removeDotSegments(path); changed {
		if pattern {
			// A browser never sends a "." or ".." segment, so a pattern with
			// one matches nothing; rewriting a pattern could change its meaning.
			return urlParts{}, errorf(sentinel, "%s %q has a \".\" or \"..\" path segment, which no browser sends (it would request %q): write the path without it", what, raw, clean)
		}
		path = clean
	}
	u.path = encode(path, pathSet)
	u.query = encode(query, querySet)
	return u, nil
}

// parseAuthority splits "host[:port]" strictly and returns the host in the
// form a browser sends (lowercase; IPv6 compressed in brackets) and the port
// without leading zeros ("" when absent). It refuses user information, a
// second ':' outside brackets (https://a:b:443), an empty or non-numeric
// port or one past 65535, empty labels, and numeric hosts that browsers
// would reinterpret as IPv4 (127.1, 0x7f.0.0.1). In a pattern, a host or
// port holding * or ? is checked for its characters only.
func parseAuthority(authority string, pattern bool) (host, port string, err error) {
	if authority == "" {
		return "", "", errors.New("has no host")
	}
	if strings.Contains(authority, "@") {
		return "", "", errors.New("has user information (user@host), which CloudFront does not use; remove it")
	}
	for k := 0; k < len(authority); k++ {
		c := authority[k]
		if c >= 0x80 {
			return "", "", errors.New("has a non-ASCII host: use its punycode (xn--...) form")
		}
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_'
		if !ok && !(pattern && (c == '*' || c == '?')) {
			return "", "", fmt.Errorf("has the character %q in its host", string(c))
		}
	}
	host, rest := authority, ""
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return "", "", errors.New("has an IPv6 host without its closing ']'")
		}
		host, rest = authority[:end+1], authority[end+1:]
		if rest != "" && rest[0] != ':' {
			return "", "", fmt.Errorf("has %q after its IPv6 host: only :PORT may follow", rest)
		}
	} else if k := strings.IndexByte(authority, ':'); k >= 0 {
		host, rest = authority[:k], authority[k:]
	}
	if rest != "" {
		port = rest[1:]
		if strings.ContainsAny(port, ":[]") {
			return "", "", fmt.Errorf("has more than one ':' in its host and port (%q): an IPv6 address goes in brackets, [2001:db8::1]:443", authority)
		}
		if port, err = checkPort(port, pattern); err != nil {
			return "", "", err
		}
	}
	if host == "" {
		return "", "", errors.New("has no host")
	}
	if pattern && strings.ContainsAny(host, "*?") {
		if strings.ContainsAny(host, "[]") && !(strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]")) {
			return "", "", fmt.Errorf("has a misplaced '[' or ']' in its host %q", host)
		}
		return strings.ToLower(host), port, nil
	}
	host, err = checkHost(host)
	return host, port, err
}

// checkPort validates a port as a browser parses it: decimal digits, at
// most 65535, leading zeros dropped ("" for an empty port, as browsers do).
func checkPort(port string, pattern bool) (string, error) {
	if port == "" {
		return "", nil
	}
	if pattern && strings.ContainsAny(port, "*?") {
		if strings.Trim(port, "0123456789*?") != "" {
			return "", fmt.Errorf("has an invalid port %q", port)
		}
		return port, nil
	}
	if strings.Trim(port, "0123456789") != "" {
		return "", fmt.Errorf("has an invalid port %q: a port is decimal digits, e.g. :8443", port)
	}
	trimmed := strings.TrimLeft(port, "0")
	if trimmed == "" {
		return "", errors.New("has port 0, which nothing can be requested on")
	}
	if n, err := strconv.Atoi(trimmed); err != nil || n > 65535 || len(trimmed) > 5 {
		return "", fmt.Errorf("has port %s: ports go up to 65535", port)
	}
	return trimmed, nil
}

// checkHost validates a host without wildcards: a bracketed IPv6 address,
// a dotted-quad IPv4 address, or a DNS name of labels of letters, digits,
// '-' and '_' (one trailing dot allowed, as browsers keep it).
func checkHost(host string) (string, error) {
	if strings.HasPrefix(host, "[") {
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		switch {
		case err != nil || !a.Is6() || a.Zone() != "":
			return "", fmt.Errorf("has an invalid IPv6 host %s", host)
		case a.Is4In6():
			return "", fmt.Errorf("has the IPv4-mapped IPv6 host %s: write the IPv4 address %s", host, a.Unmap())
		}
		return "[" + a.String() + "]", nil
	}
	if strings.ContainsAny(host, "[]") {
		return "", fmt.Errorf("has a misplaced '[' or ']' in its host %q", host)
	}
	host = strings.ToLower(host)
	name := strings.TrimSuffix(host, ".")
	if len(name) > 253 {
		return "", fmt.Errorf("has a host of %d characters: DNS names have at most 253", len(name))
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" {
			return "", fmt.Errorf("has an empty label in its host %q", host)
		}
		if len(l) > 63 {
			return "", fmt.Errorf("has a host label of %d characters in %q: DNS labels have at most 63", len(l), host)
		}
	}
	// Browsers parse a host whose last label is a number as IPv4 and rewrite
	// it (127.1 becomes 127.0.0.1); only the canonical form is accepted.
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" ||
		(strings.HasPrefix(last, "0x") && strings.Trim(last[2:], "0123456789abcdef") == "") {
		a, err := netip.ParseAddr(name)
		if err != nil || !a.Is4() || a.String() != name {
			return "", fmt.Errorf("has the numeric host %q, which browsers read as an IPv4 address and rewrite: write the four decimal parts without leading zeros, e.g. 127.0.0.1", host)
		}
		return name, nil
	}
	return host, nil
}

// removeDotSegments applies the WHATWG URL standard's path rules: "." and
// ".." segments (also written %2e) are removed, ".." taking the segment
// before it, as every browser does before sending the request. It reports
// whether anything changed.
func removeDotSegments(path string) (string, bool) {
	if !strings.Contains(path, ".") && !strings.Contains(path, "%2") {
		return path, false
	}
	segs := strings.Split(path, "/")
	if len(segs) < 2 || segs[0] != "" {
		return path, false // a pattern starting with '*': no path to clean
	}
	segs = segs[1:]
	out := make([]string, 0, len(segs))
	changed := false
	for k, seg := range segs {
		last := k == len(segs)-1
		switch {
		case isDoubleDot(seg):
			changed = true
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		case isSingleDot(seg):
			changed = true
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	if !changed {
		return path, false
	}
	return "/" + strings.Join(out, "/"), true
}

func isSingleDot(seg string) bool { return seg == "." || strings.EqualFold(seg, "%2e") }

func isDoubleDot(seg string) bool {
	switch strings.ToLower(seg) {
	case "..", ".%2e", "%2e.", "%2e%2e":
		return true
	}
	return false
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
