package mediacdn

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// corsOrigins is the parsed form of Props.AllowedOrigins: the one list from
// which the bucket CORS rules, the response-headers policy and the
// viewer-response function are all derived.
type corsOrigins struct {
	all     bool     // "*": every origin
	origins []string // normalized scheme://host[:port], possibly with a leading "*." host label
}

// parseAllowedOrigins validates each origin as a browser would send it in an
// Origin header (scheme://host[:port], nothing else) and rejects what
// CloudFront or S3 would refuse or silently never match.
func parseAllowedOrigins(list []string) (corsOrigins, error) {
	if len(list) == 0 {
		return corsOrigins{}, fmt.Errorf(`AllowedOrigins is empty: list the origins of the web apps that load this media, e.g. ["https://app.example.com", "http://localhost:3000"], or ["*"] to allow every origin`)
	}
	var out corsOrigins
	seen := map[string]int{}
	for i, raw := range list {
		if raw == "*" {
			if len(list) > 1 {
				return corsOrigins{}, fmt.Errorf(`AllowedOrigins[%d] is "*" but other origins are listed too: "*" already allows every origin; give either ["*"] alone or only specific origins`, i)
			}
			out.all = true
			return out, nil
		}
		o, err := normalizeOrigin(raw)
		if err != nil {
			return corsOrigins{}, fmt.Errorf("AllowedOrigins[%d] %q: %w", i, raw, err)
		}
		if j, dup := seen[o]; dup {
			return corsOrigins{}, fmt.Errorf("AllowedOrigins[%d] %q repeats AllowedOrigins[%d]: list each origin once", i, raw, j)
		}
		seen[o] = i
		out.origins = append(out.origins, o)
	}
	return out, nil
}

// normalizeOrigin returns the origin in the form browsers serialize it
// (lowercase scheme and host, default port dropped) or says what to change.
func normalizeOrigin(raw string) (string, error) {
	if raw == "" {
		return "", fmt.Errorf("empty origin: remove it or write scheme://host[:port]")
	}
	if strings.TrimSpace(raw) != raw || strings.ContainsAny(raw, " \t\r\n") {
		return "", fmt.Errorf("contains white space or a line break: write scheme://host[:port] with nothing around it")
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", fmt.Errorf("has no scheme: browsers send the scheme in Origin, write https://%s (or http:// for local development)", raw)
	}
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("scheme %q is not http or https: media is fetched by web pages, write https://host", scheme)
	}
	hostport := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		hostport = rest[:i]
		extra := rest[i:]
		if extra == "/" {
			return "", fmt.Errorf("ends with a slash: an Origin header never does, write %s://%s", scheme, hostport)
		}
		return "", fmt.Errorf("has a path, query or fragment %q: an Origin header is only scheme://host[:port] (a page at %s sends Origin %s://%s), write %s://%s", extra, raw, scheme, hostport, scheme, hostport)
	}
	if strings.Contains(hostport, "@") {
		return "", fmt.Errorf("has user information: write %s://host[:port]", scheme)
	}
	host, port := hostport, ""
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	} else if strings.HasSuffix(hostport, ":") {
		return "", fmt.Errorf("has an empty port: write %s://%s or give the port number", scheme, strings.TrimSuffix(hostport, ":"))
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
		if (scheme == "https" && n == 443) || (scheme == "http" && n == 80) {
			port = "" // browsers omit the default port, so the header never contains it
		}
	}
	host = strings.ToLower(host)
	if err := checkOriginHost(host); err != nil {
		return "", err
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		return scheme + "://" + host + ":" + port, nil
	}
	return scheme + "://" + host, nil
}

// checkOriginHost accepts a DNS name, an IP literal, or a DNS name whose
// leftmost label is "*" (the only wildcard both S3 CORS and CloudFront accept).
func checkOriginHost(host string) error {
	if host == "" {
		return fmt.Errorf("has no host: write scheme://host[:port]")
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	labels := strings.Split(host, ".")
	for i, label := range labels {
		if label == "*" && i == 0 {
			if len(labels) < 3 {
				return fmt.Errorf("wildcard %q is too broad: a wildcard may only replace the leftmost label of a domain with at least two more labels, e.g. https://*.example.com", host)
			}
			continue
		}
		if strings.Contains(label, "*") {
			return fmt.Errorf("wildcard in %q is not the whole leftmost label: CloudFront and S3 only accept forms like https://*.example.com", host)
		}
		if !validDNSLabel(label) {
			return fmt.Errorf("host %q is not a valid DNS name (label %q)", host, label)
		}
	}
	return nil
}

func validDNSLabel(label string) bool {
	if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for _, r := range label {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// match reports whether an Origin header value is allowed: exact match,
// or a "*." pattern matching one or more leading labels, as S3 does.
func (c corsOrigins) match(origin string) bool {
	if c.all {
		return true
	}
	for _, o := range c.origins {
		if o == origin {
			return true
		}
		scheme, host, ok := strings.Cut(o, "://*.")
		if ok && strings.HasPrefix(origin, scheme+"://") && strings.HasSuffix(origin, "."+host) &&
			len(origin) > len(scheme)+3+len(host)+1 {
			return true
		}
	}
	return false
}

// list returns the origins in the form the bucket CORS rule and the
// response-headers policy take.
func (c corsOrigins) list() []string {
	if c.all {
		return []string{"*"}
	}
	return append([]string(nil), c.origins...)
}

// exampleOrigin picks an origin to show in outputs and docs.
func (c corsOrigins) example() string {
	if c.all || len(c.origins) == 0 {
		return "https://app.example.com"
	}
	return strings.Replace(c.origins[0], "://*.", "://www.", 1)
}
