package urlsign

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Cookie names CloudFront reads.
const (
	CookiePolicy        = "CloudFront-Policy"
	CookieExpires       = "CloudFront-Expires"
	CookieSignature     = "CloudFront-Signature"
	CookieKeyPairID     = "CloudFront-Key-Pair-Id"
	CookieHashAlgorithm = "CloudFront-Hash-Algorithm"
)

// CookieOptions sets the attributes of signed cookies. Every cookie is
// Secure and HttpOnly.
type CookieOptions struct {
	// Domain is empty for a host-only cookie (sent to the host that set it
	// only), or a domain shared by the page and the media host, e.g.
	// "example.com" for a back end on app.example.com and media on
	// media.example.com (an alternate domain name of the distribution). A
	// *.cloudfront.net domain is refused: cloudfront.net is a public suffix,
	// so a browser never accepts a cookie for it from another site.
	Domain string
	// Path defaults to "/". A narrower path (e.g. "/videos/abc/") limits
	// which requests carry the cookies. It is written as the browser sends
	// the path (printable ASCII, percent-encoded otherwise, no ';') and must
	// be one the browser sends the cookies with for the signed resource.
	Path string
	// SameSite defaults to Lax (http.SameSiteDefaultMode and 0 also mean
	// Lax), right when the player page and the media are the same site.
	// A player on another site needs http.SameSiteNoneMode plus credentialed
	// requests and a non-"*" Access-Control-Allow-Origin with
	// Access-Control-Allow-Credentials: true (see the package doc).
	SameSite http.SameSite
	// Session omits the Expires attribute so the browser drops the cookies
	// when it closes (CloudFront still enforces the policy's expiry).
	// By default the cookies expire with the policy.
	Session bool
}

// Cookies returns signed cookies for a custom policy: CloudFront-Policy,
// CloudFront-Signature, CloudFront-Key-Pair-Id and, with SHA-256,
// CloudFront-Hash-Algorithm. p.Resource is required; it is usually a
// pattern such as "https://media.example.com/videos/abc/*".
func (s *Signer) Cookies(p Policy, o CookieOptions) ([]*http.Cookie, error) {
	policy, st, err := s.customPolicy(p, "")
	if err != nil {
		return nil, err
	}
	if err := checkCookieScope(o, st.resource); err != nil {
		return nil, err
	}
	sig, err := s.signPolicy(policy)
	if err != nil {
		return nil, err
	}
	return s.cookies(CookiePolicy, encodeB64(policy), sig, time.Unix(st.expires, 0), o), nil
}

// CannedCookies returns signed cookies for a canned policy on one URL:
// CloudFront-Expires, CloudFront-Signature, CloudFront-Key-Pair-Id (and
// CloudFront-Hash-Algorithm with SHA-256). CloudFront rebuilds the policy from
// the requested URL, so they grant exactly rawURL (with its query) and
// nothing else; use Cookies or AssetCookies for a set of files.
func (s *Signer) CannedCookies(rawURL string, expires time.Time, o CookieOptions) ([]*http.Cookie, error) {
	u, err := parseURL(rawURL, false)
	if err != nil {
		return nil, err
	}
	if err := checkNoReserved(rawURL, u.query); err != nil {
		return nil, err
	}
	exp, _, err := checkExpiry(expires, time.Time{}, s.now())
	if err != nil {
		return nil, err
	}
	if err := checkCookieScope(o, u.String()); err != nil {
		return nil, err
	}
	sig, err := s.signPolicy(cannedJSON(u.String(), exp))
	if err != nil {
		return nil, err
	}
	return s.cookies(CookieExpires, strconv.FormatInt(exp, 10), sig, time.Unix(exp, 0), o), nil
}

func (s *Signer) cookies(firstName, firstValue, sig string, expires time.Time, o CookieOptions) []*http.Cookie {
	path := o.Path
	if path == "" {
		path = "/"
	}
	sameSite := o.SameSite
	if sameSite == 0 || sameSite == http.SameSiteDefaultMode {
		sameSite = http.SameSiteLaxMode
	}
	domain := strings.TrimPrefix(strings.ToLower(o.Domain), ".")
	mk := func(name, value string) *http.Cookie {
		c := &http.Cookie{Name: name, Value: value, Path: path, Domain: domain, Secure: true, HttpOnly: true, SameSite: sameSite}
		if !o.Session {
			c.Expires = expires.UTC()
		}
		return c
	}
	out := []*http.Cookie{mk(firstName, firstValue), mk(CookieSignature, sig), mk(CookieKeyPairID, s.keyPairID)}
	if s.hash == SHA256 {
		out = append(out, mk(CookieHashAlgorithm, string(SHA256)))
	}
	return out
}

// checkCookieScope checks that a browser would send cookies with options o
// along with requests for resource (a URL or a pattern).
func checkCookieScope(o CookieOptions, resource string) error {
	if err := checkCookieDomain(o.Domain, resource); err != nil {
		return err
	}
	return checkCookiePath(o.Path, resource)
}

// checkCookiePath refuses a Path that net/http would silently alter (it
// drops control characters and ';' and logs a warning), one a browser
// never compares equal to a request path (not starting with '/', spaces or
// non-ASCII characters that the request carries percent-encoded), and one
// that covers no request for the resource (RFC 6265 path-match).
func checkCookiePath(path, resource string) error {
	if path == "" {
		return nil
	}
	if path[0] != '/' {
		return errorf(ErrCookiePath, "cookie path %q does not start with '/': browsers ignore such a Path; use e.g. /videos/abc/", path)
	}
	for _, r := range path {
		if r <= 0x20 || r >= 0x7f || r == ';' {
			return errorf(ErrCookiePath, "cookie path %q contains %q: write the path as the browser sends it, percent-encoded (e.g. %%20 for a space)", path, string(r))
		}
	}
	u, err := parseURL(resource, true)
	if err != nil || !strings.Contains(u.prefix, "://") || strings.ContainsAny(u.prefix, "*?") || u.path == "" {
		return nil // no fixed path to compare with
	}
	lit, wild := u.path, false
	if k := strings.IndexAny(lit, "*?"); k >= 0 {
		lit, wild = lit[:k], true
	}
	// Some request path covered by the resource must path-match: with a
	// wildcard, any path starting with lit (so a longer Path under lit
	// matches one of them); without, exactly lit.
	if pathMatch(path, lit) || (wild && strings.HasPrefix(path, lit)) {
		return nil
	}
	return errorf(ErrCookiePath, "cookie path %q does not cover the signed resource's path %q: the browser would never send these cookies with its requests; use a parent path such as %q", path, u.path, parentPath(lit))
}

// pathMatch is RFC 6265's path-match: the browser sends a cookie with Path
// cookiePath along with a request for requestPath.
func pathMatch(cookiePath, requestPath string) bool {
	if !strings.HasPrefix(requestPath, cookiePath) {
		return false
	}
	return len(requestPath) == len(cookiePath) || strings.HasSuffix(cookiePath, "/") || requestPath[len(cookiePath)] == '/'
}

// parentPath is the directory part of path, ending in '/'.
func parentPath(path string) string {
	return path[:strings.LastIndexByte(path, '/')+1]
}

// checkCookieDomain refuses a cloudfront.net Domain and a Domain that does
// not cover the resource's host (when the host has no wildcard).
func checkCookieDomain(domain, resource string) error {
	if domain == "" {
		return nil
	}
	d := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if d == "" || strings.ContainsAny(d, " /:;,*?") {
		return errorf(ErrCookieDomain, "cookie domain %q is not a domain name", domain)
	}
	if d == "cloudfront.net" || strings.HasSuffix(d, ".cloudfront.net") {
		return errorf(ErrCookieDomain, "cookie domain %q is a cloudfront.net name: cookies for a *.cloudfront.net host cannot be shared (cloudfront.net is a public suffix, so browsers refuse them from your back end's site). "+
			"Serve the media on your own domain (an alternate domain name of the distribution, e.g. media.example.com) and the player page on the same site (e.g. app.example.com), then set Domain=example.com", domain)
	}
	u, err := parseURL(resource, true)
	if err != nil {
		return err
	}
	host := hostOf(u)
	if host == "" || strings.ContainsAny(host, "*?") {
		return nil
	}
	if host != d && !strings.HasSuffix(host, "."+d) {
		return errorf(ErrCookieDomain, "cookie domain %q does not cover the media host %q: the browser would never send these cookies to it; use %q or a parent domain of it shared with the page", domain, host, host)
	}
	return nil
}
