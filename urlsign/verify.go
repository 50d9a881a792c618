package urlsign

import (
	"github.com/mediacdn/mediacdn/internal/glob"

	"bytes"
	"crypto"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Signed is a decoded CloudFront signed URL or signed cookie set.
type Signed struct {
	// URL is the signed URL, normalized (empty for cookies).
	URL string
	// BaseURL is URL without the CloudFront parameters: the resource a canned
	// policy signs (empty for cookies).
	BaseURL string
	// FromCookies is true for a cookie set.
	FromCookies bool
	// Canned is true for a canned policy (Expires / CloudFront-Expires), false
	// for a custom one (Policy / CloudFront-Policy).
	Canned bool
	// PolicyJSON is the exact policy the signature covers: the decoded Policy,
	// or for a canned policy the JSON CloudFront rebuilds. It is nil for
	// canned-policy cookies until BindURL gives the requested URL.
	PolicyJSON []byte
	// Resource is the policy's resource (a pattern for a custom policy). It is
	// empty for a custom policy without Resource (which CloudFront reads as
	// every file of every distribution trusting the key) and for canned
	// cookies until BindURL.
	Resource string
	// Expires is DateLessThan.
	Expires time.Time
	// NotBefore is DateGreaterThan, zero when absent.
	NotBefore time.Time
	// IPAddress is the IpAddress AWS:SourceIp CIDR, empty when absent.
	IPAddress string
	// KeyPairID is the CloudFront public key id.
	KeyPairID string
	// HashAlgorithm is SHA1 unless Hash-Algorithm / CloudFront-Hash-Algorithm says SHA256.
	HashAlgorithm HashAlgorithm
	// Signature is the decoded signature.
	Signature []byte
}

// fields are the raw CloudFront values, by URL parameter name.
type fields map[string]string

// Parse decodes a signed URL. It does not check the signature or the times:
// see Verify, CheckTime, MatchURL and Check.
func Parse(signedURL string) (*Signed, error) {
	u, err := parseURL(signedURL, false)
	if err != nil {
		return nil, err
	}
	base, f, err := splitSigned(u)
	if err != nil {
		return nil, err
	}
	s := &Signed{URL: u.String(), BaseURL: base.String()}
	if err := s.decode(f, "", "parameter"); err != nil {
		return nil, err
	}
	return s, nil
}

// splitSigned separates CloudFront's parameters from the URL's own query,
// which keeps its order. The parameter values are percent-decoded.
func splitSigned(u urlParts) (urlParts, fields, error) {
	f := fields{}
	if u.query == "" {
		return u, f, nil
	}
	var own []string
	for _, p := range strings.Split(u.query, "&") {
		name := paramName(p)
		if !isReserved(name) {
			own = append(own, p)
			continue
		}
		_, raw, _ := strings.Cut(p, "=")
		v, err := url.PathUnescape(raw)
		if err != nil {
			v = raw
		}
		if prev, dup := f[name]; dup && prev != v {
			return u, nil, errorf(ErrMalformedPolicy, "the %s parameter appears twice with different values", name)
		}
		f[name] = v
	}
	u.query = strings.Join(own, "&")
	return u, f, nil
}

// cookieParam maps cookie names to the URL parameter names.
var cookieParam = map[string]string{
	CookiePolicy:        "Policy",
	CookieExpires:       "Expires",
	CookieSignature:     "Signature",
	CookieKeyPairID:     "Key-Pair-Id",
	CookieHashAlgorithm: "Hash-Algorithm",
}

// ParseCookies decodes a CloudFront signed cookie set; other cookies are
// ignored. A canned-policy set (CloudFront-Expires) signs the requested URL
// itself: call BindURL before Verify or MatchURL.
func ParseCookies(cookies []*http.Cookie) (*Signed, error) {
	f := fields{}
	for _, c := range cookies {
		name, ok := cookieParam[c.Name]
		if !ok {
			continue
		}
		if prev, dup := f[name]; dup && prev != c.Value {
			return nil, errorf(ErrMalformedPolicy, "two %s cookies with different values (set with different Path or Domain?): the browser sends both and CloudFront may read either; clear the old ones", c.Name)
		}
		f[name] = c.Value
	}
	s := &Signed{FromCookies: true}
	if err := s.decode(f, "CloudFront-", "cookie"); err != nil {
		return nil, err
	}
	return s, nil
}

// decode fills s from the raw values; prefix and kind only shape messages.
func (s *Signed) decode(f fields, prefix, kind string) error {
	name := func(n string) string { return prefix + n + " " + kind }
	var missing []string
	if f["Policy"] == "" && f["Expires"] == "" {
		missing = append(missing, name("Policy")+" (or "+prefix+"Expires)")
	}
	if f["Signature"] == "" {
		missing = append(missing, name("Signature"))
	}
	if f["Key-Pair-Id"] == "" {
		missing = append(missing, name("Key-Pair-Id"))
	}
	if len(missing) > 0 {
		return errorf(ErrMissingParameter, "not a CloudFront signed %s: missing %s", map[string]string{"parameter": "URL", "cookie": "cookie set"}[kind], strings.Join(missing, ", "))
	}
	if f["Policy"] != "" && f["Expires"] != "" {
		return errorf(ErrMalformedPolicy, "both %s and %s are present: a signed %s uses a canned policy (Expires) or a custom one (Policy), not both",
			name("Expires"), name("Policy"), map[string]string{"parameter": "URL", "cookie": "cookie set"}[kind])
	}
	s.KeyPairID = f["Key-Pair-Id"]
	switch h := f["Hash-Algorithm"]; h {
	case "":
		s.HashAlgorithm = SHA1
	case "SHA1", "SHA256":
		s.HashAlgorithm = HashAlgorithm(h)
	default:
		return errorf(ErrUnknownHashAlgorithm, "unknown hash algorithm %s=%q: CloudFront knows %q (absent means SHA-1)", name("Hash-Algorithm"), h, SHA256)
	}
	sig, err := decodeB64(f["Signature"], ErrMalformedSignature)
	if err != nil {
		return errorf(ErrMalformedSignature, "malformed %s (CloudFront answers 403 MalformedSignature): %v", name("Signature"), err)
	}
	s.Signature = sig
	if e := f["Expires"]; e != "" {
		s.Canned = true
		n, err := strconv.ParseInt(e, 10, 64)
		if err != nil || n <= 0 || n > MaxEpoch {
			return errorf(ErrMalformedPolicy, "malformed %s %q: expected epoch seconds between 1 and 2147483647", name("Expires"), e)
		}
		s.Expires = time.Unix(n, 0).UTC()
		if s.BaseURL != "" {
			s.Resource = s.BaseURL
			s.PolicyJSON = cannedJSON(s.Resource, n)
		}
		return nil
	}
	pj, err := decodeB64(f["Policy"], ErrMalformedPolicy)
	if err != nil {
		return errorf(ErrMalformedPolicy, "malformed %s (CloudFront answers 403 MalformedPolicy): %v", name("Policy"), err)
	}
	s.PolicyJSON = pj
	return s.parsePolicy(pj)
}

// parsePolicy reads a custom policy's one statement. Keys are matched
// exactly (CloudFront does not accept other spellings, while encoding/json
// would match them case-insensitively).
func (s *Signed) parsePolicy(pj []byte) error {
	bad := func(format string, args ...any) error {
		return errorf(ErrMalformedPolicy, "malformed policy (CloudFront answers 403 MalformedPolicy): "+format, args...)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(pj, &top); err != nil {
		return bad("not a JSON object: %v", err)
	}
	if err := noDuplicateKeys(pj); err != nil {
		return bad("%v", err)
	}
	if err := onlyKeys(top, "Statement"); err != nil {
		return bad("%v", err)
	}
	raw, ok := top["Statement"]
	if !ok {
		return bad("no \"Statement\"")
	}
	var stmt map[string]json.RawMessage
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		var list []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return bad("\"Statement\" is not a list of objects: %v", err)
		}
		if len(list) != 1 {
			return bad("%d statements: CloudFront accepts exactly one", len(list))
		}
		stmt = list[0]
	} else if err := json.Unmarshal(raw, &stmt); err != nil {
		return bad("\"Statement\" is neither a list nor an object: %v", err)
	}
	if err := onlyKeys(stmt, "Resource", "Condition"); err != nil {
		return bad("statement: %v", err)
	}
	if r, ok := stmt["Resource"]; ok {
		if err := json.Unmarshal(r, &s.Resource); err != nil {
			return bad("\"Resource\" is not a string")
		}
	}
	var cond map[string]json.RawMessage
	if err := json.Unmarshal(stmt["Condition"], &cond); err != nil || cond == nil {
		return bad("no \"Condition\" object")
	}
	if err := onlyKeys(cond, "DateLessThan", "DateGreaterThan", "IpAddress"); err != nil {
		return bad("Condition: %v", err)
	}
	epoch := func(key string) (time.Time, error) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(cond[key], &m); err != nil {
			return time.Time{}, bad("%q is not an object", key)
		}
		if err := onlyKeys(m, "AWS:EpochTime"); err != nil {
			return time.Time{}, bad("%s: %v", key, err)
		}
		n, err := strconv.ParseInt(string(m["AWS:EpochTime"]), 10, 64)
		if err != nil || n <= 0 || n > MaxEpoch {
			return time.Time{}, bad("%s AWS:EpochTime %s is not an unquoted integer between 1 and 2147483647", key, m["AWS:EpochTime"])
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if _, ok := cond["DateLessThan"]; !ok {
		return bad("no DateLessThan: CloudFront requires an expiry")
	}
	var err error
	if s.Expires, err = epoch("DateLessThan"); err != nil {
		return err
	}
	if _, ok := cond["DateGreaterThan"]; ok {
		if s.NotBefore, err = epoch("DateGreaterThan"); err != nil {
			return err
		}
	}
	if raw, ok := cond["IpAddress"]; ok {
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			return bad("IpAddress is not an object of strings")
		}
		if err := onlyKeys(m, "AWS:SourceIp"); err != nil {
			return bad("IpAddress: %v", err)
		}
		ip, err := parseIP(m["AWS:SourceIp"])
		if err != nil {
			return bad("IpAddress: %v", err)
		}
		s.IPAddress = ip
	}
	return nil
}

// noDuplicateKeys reports a key that appears twice in one object of the
// valid JSON document doc. encoding/json keeps the last one silently, while
// CloudFront's reading of {"Resource":"a","Resource":"b"} is not documented:
// a policy that can be read two ways is refused rather than guessed at.
func noDuplicateKeys(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next token of an object is a key
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			name := tok.(string) // an object key is always a string
			if top.keys[name] {
				return errors.New("key " + strconv.Quote(name) + " appears twice in one object")
			}
			top.keys[name] = true
			top.key = false
			continue
		}
		if top != nil && top.object {
			top.key = true // this token is a value; a key comes next
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{keys: map[string]bool{}, object: true, key: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

// onlyKeys reports a key of m that is not one of allowed.
func onlyKeys[V any](m map[string]V, allowed ...string) error {
	for k := range m {
		found := false
		for _, a := range allowed {
			if k == a {
				found = true
				break
			}
		}
		if !found {
			return errors.New("unexpected key " + strconv.Quote(k) + " (expected " + strings.Join(allowed, ", ") + ", spelled exactly)")
		}
	}
	return nil
}

// BindURL gives a canned-policy cookie set the URL it is used for, which is
// the resource CloudFront rebuilds the policy from; CloudFront parameters in
// requestURL are ignored. For other kinds it only checks requestURL parses.
func (s *Signed) BindURL(requestURL string) error {
	u, err := parseURL(requestURL, false)
	if err != nil {
		return err
	}
	base, _, err := splitSigned(u)
	if err != nil {
		return err
	}
	if s.Canned && s.FromCookies {
		s.Resource = base.String()
		s.PolicyJSON = cannedJSON(s.Resource, s.Expires.Unix())
	}
	return nil
}

// Verify checks the signature over PolicyJSON with pub (a *rsa.PublicKey or
// *ecdsa.PublicKey, e.g. cfkeys.PublicKey.Key) and the hash algorithm the
// URL or cookies name. It does not check times or the resource.
func (s *Signed) Verify(pub crypto.PublicKey) error {
	if s.PolicyJSON == nil {
		return errorf(ErrNeedURL, "canned-policy cookies (CloudFront-Expires) sign the requested URL itself: give the URL they are used for (BindURL) to verify them")
	}
	return verifySignature(pub, s.HashAlgorithm, s.PolicyJSON, s.Signature)
}

// MatchURL checks that rawURL (normalized, CloudFront parameters removed) is
// covered by the policy: equal to a canned policy's resource, or matching a
// custom policy's pattern, where '*' matches any run of characters (including
// '/' and '?') and '?' exactly one. It returns a *ResourceMismatchError
// showing both when not.
func (s *Signed) MatchURL(rawURL string) error {
	u, err := parseURL(rawURL, false)
	if err != nil {
		return err
	}
	base, _, err := splitSigned(u)
	if err != nil {
		return err
	}
	got := base.String()
	switch {
	case s.Canned && s.Resource == "":
		return errorf(ErrNeedURL, "canned-policy cookies (CloudFront-Expires) sign the requested URL itself: give the URL they are used for (BindURL)")
	case s.Canned:
		if got != s.Resource {
			return &ResourceMismatchError{Resource: s.Resource, URL: got, Canned: true}
		}
	case s.Resource == "":
		// No Resource: CloudFront reads it as every file.
	case !glob.Match(s.Resource, got):
		return &ResourceMismatchError{Resource: s.Resource, URL: got}
	}
	return nil
}

// CheckTime checks the time conditions at the given time, at whole-second
// precision as CloudFront does: valid when NotBefore < at < Expires. It returns a
// *NotYetValidError or an *ExpiredError.
func (s *Signed) CheckTime(at time.Time) error {
	at = at.Truncate(time.Second)
	if !s.NotBefore.IsZero() && at.Unix() <= s.NotBefore.Unix() {
		return &NotYetValidError{NotBefore: s.NotBefore, At: at}
	}
	if at.Unix() >= s.Expires.Unix() {
		return &ExpiredError{Expires: s.Expires, At: at}
	}
	return nil
}

// CheckIP checks a client address against the IpAddress condition, if any.
// CloudFront compares the viewer's IPv4 address; an IPv6 client never
// matches an IP condition.
func (s *Signed) CheckIP(client netip.Addr) error {
	if s.IPAddress == "" {
		return nil
	}
	p, err := netip.ParsePrefix(s.IPAddress)
	if err != nil {
		return errorf(ErrMalformedPolicy, "malformed IpAddress %q", s.IPAddress)
	}
	if !p.Contains(client.Unmap()) {
		return errorf(ErrIPNotAllowed, "source IP %s is not in the policy's IpAddress range %s", client, s.IPAddress)
	}
	return nil
}

// Check runs every offline check CloudFront would: the signature with pub,
// the time conditions at at, and the resource against requestURL. An empty
// requestURL means the signed URL itself (and skips the resource check for
// custom-policy cookies); canned-policy cookies need it (ErrNeedURL). All
// failures are returned, joined (errors.Is finds each).
func (s *Signed) Check(pub crypto.PublicKey, requestURL string, at time.Time) error {
	if s.Canned && s.FromCookies {
		switch {
		case requestURL != "":
			if err := s.BindURL(requestURL); err != nil {
				return err
			}
		case s.Resource == "":
			return errorf(ErrNeedURL, "canned-policy cookies (CloudFront-Expires) sign the requested URL itself: give the URL they are used for")
		default:
			requestURL = s.Resource
		}
	}
	var errs []error
	if err := s.Verify(pub); err != nil {
		errs = append(errs, err)
	}
	if err := s.CheckTime(at); err != nil {
		errs = append(errs, err)
	}
	if requestURL == "" {
		requestURL = s.BaseURL
	}
	if requestURL != "" {
		if err := s.MatchURL(requestURL); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
