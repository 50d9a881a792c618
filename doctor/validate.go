package doctor

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// ValidateOrigin checks that s is an Origin header value a browser could
// send: "null", or scheme://host[:port] with scheme http or https, and nothing
// else (no path, no trailing slash, no query, no user info, no whitespace).
// The error says what is wrong and, where it can, what to use instead.
func ValidateOrigin(s string) error {
	if s == "" {
		return fmt.Errorf("--origin is empty: give the web app's origin, e.g. https://app.example.com")
	}
	if s == "null" {
		return nil
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("origin %q contains whitespace or a line break (a broken shell line?): browsers send scheme://host[:port] only, e.g. %s",
				s, suggestOrigin(s))
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("origin %q is not a URL: %v", s, err)
	}
	if (u.Scheme == "http" || u.Scheme == "https") && !strings.HasPrefix(s, u.Scheme+":") {
		return fmt.Errorf("origin %q has an upper-case scheme: browsers send it in lower case, use %s", s, suggestOrigin(s))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		if strings.EqualFold(u.Scheme, "http") || strings.EqualFold(u.Scheme, "https") {
			return fmt.Errorf("origin %q has an upper-case scheme: browsers send it in lower case, use %s", s, suggestOrigin(s))
		}
		if u.Scheme == "" || u.Opaque != "" {
			return fmt.Errorf("origin %q has no scheme: browsers send scheme://host[:port], e.g. https://%s", s, strings.TrimPrefix(s, "//"))
		}
		return fmt.Errorf("origin %q: scheme must be http or https (or the literal null)", s)
	}
	if u.Host == "" {
		return fmt.Errorf("origin %q has no host", s)
	}
	if u.User != nil {
		return fmt.Errorf("origin %q holds user info: browsers send scheme://host[:port] only, use %s", s, suggestOrigin(s))
	}
	if u.Path != "" || u.RawPath != "" {
		if u.Path == "/" && u.RawQuery == "" && u.Fragment == "" {
			return fmt.Errorf("origin %q ends with a slash: browsers send no trailing slash, use %s", s, suggestOrigin(s))
		}
		return fmt.Errorf("origin %q: Origin has a path; browsers send only scheme://host[:port], use %s", s, suggestOrigin(s))
	}
	if u.RawQuery != "" || u.ForceQuery {
		return fmt.Errorf("origin %q has a query; browsers send only scheme://host[:port], use %s", s, suggestOrigin(s))
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return fmt.Errorf("origin %q has a fragment; browsers send only scheme://host[:port], use %s", s, suggestOrigin(s))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("origin %q: port %q is not a valid port", s, p)
		}
		if (u.Scheme == "http" && p == "80") || (u.Scheme == "https" && p == "443") {
			return fmt.Errorf("origin %q names the default port: browsers leave it out, use %s://%s", s, u.Scheme, u.Hostname())
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return fmt.Errorf("origin %q has an empty port", s)
	}
	if u.Host != strings.ToLower(u.Host) {
		return fmt.Errorf("origin %q has upper-case letters in the host: browsers send it in lower case, use %s://%s", s, u.Scheme, strings.ToLower(u.Host))
	}
	return nil
}

// suggestOrigin cuts s down to scheme://host[:port], or returns a generic
// example when s has no recognizable host.
func suggestOrigin(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		s = s[:i]
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "https://app.example.com"
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		scheme = "https"
	}
	return scheme + "://" + strings.ToLower(u.Host)
}

// ValidateURL checks that s is an absolute http or https URL to check.
func ValidateURL(s string) (*url.URL, error) {
	if strings.TrimSpace(s) != s || strings.ContainsAny(s, "\r\n\t ") {
		return nil, fmt.Errorf("URL %q contains whitespace or a line break (quote it in the shell)", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("URL %q does not parse: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL %q must be absolute, starting with https:// or http://", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("URL %q has no host", s)
	}
	if u.Fragment != "" {
		u.Fragment = ""
	}
	return u, nil
}
