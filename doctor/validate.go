package doctor

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mediacdn/mediacdn/internal/safetext"
	"github.com/mediacdn/mediacdn/internal/weborigin"
)

// CanonicalOrigin returns s in the form a browser sends in the Origin
// header (lower case, punycode host, canonical IP address, no default
// port: internal/weborigin, the parser the construct's allowed origins go
// through too), or "null", the literal browsers send from sandboxed frames
// and file: pages. The error says what is wrong and, where it can, what to
// write.
func CanonicalOrigin(s string) (string, error) {
	switch s {
	case "null":
		return s, nil
	case "":
		return "", errors.New("the origin is empty: give the web app's origin, e.g. https://app.example.com")
	}
	o, err := weborigin.Parse(s)
	if err != nil {
		return "", fmt.Errorf("origin %s %v", safetext.Quote(s, 80), err)
	}
	return o.String(), nil
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
