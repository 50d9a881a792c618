package urlsign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// HashAlgorithm is the hash applied to the policy before signing.
type HashAlgorithm string

const (
	// SHA1 is CloudFront's default: no Hash-Algorithm parameter is sent.
	SHA1 HashAlgorithm = "SHA1"
	// SHA256 is sent as Hash-Algorithm=SHA256 (URL) or the cookie
	// CloudFront-Hash-Algorithm=SHA256.
	SHA256 HashAlgorithm = "SHA256"
)

// MaxEpoch is the latest expiry CloudFront accepts, in epoch seconds
// (2038-01-19T03:14:07Z): the CloudFront Developer Guide asks for "a 32-bit
// integer for a date which can be no later than 2147483647" (canned policy,
// Expires). Policies' DateLessThan and DateGreaterThan use the same bound.
const MaxEpoch = 2147483647

// Policy is a custom policy: one statement with a resource and conditions.
type Policy struct {
	// Resource is the URL or pattern the policy covers: an absolute http(s)
	// URL where * matches any run of characters (including '/' and '?') and ?
	// exactly one character, e.g. "https://media.example.com/videos/abc/*".
	// When signing a URL with SignURLWithPolicy, an empty Resource means the
	// URL itself. It is normalized like a URL (see the package doc).
	Resource string
	// Expires (DateLessThan) is required: the policy is valid strictly before
	// it. It is sent in whole epoch seconds and must be in the future and no
	// later than 2038-01-19T03:14:07Z (epoch 2147483647).
	Expires time.Time
	// NotBefore (DateGreaterThan) is optional: the policy is valid only after it.
	NotBefore time.Time
	// IPAddress (IpAddress AWS:SourceIp) is optional: one IPv4 address
	// ("192.0.2.7", meaning 192.0.2.7/32) or IPv4 CIDR ("192.0.2.0/24").
	// CloudFront does not support IPv6 here; a distribution that uses IP
	// conditions must not have IPv6 enabled.
	IPAddress string
}

// statement is a validated, normalized policy ready to serialize.
type statement struct {
	resource  string
	expires   int64
	notBefore int64 // 0: absent
	ip        string
}

// cannedJSON is the policy CloudFront rebuilds for a canned-policy request.
func cannedJSON(resource string, expires int64) []byte {
	return statement{resource: resource, expires: expires}.json()
}

// json writes the policy exactly as CloudFront expects: compact, no HTML
// escaping, Statement as an array, conditions in the order
// IpAddress, DateGreaterThan, DateLessThan (the order of the AWS examples and
// of aws-sdk-go-v2; CloudFront does not care about the order).
func (s statement) json() []byte {
	b := make([]byte, 0, 96+len(s.resource))
	b = append(b, `{"Statement":[{"Resource":`...)
	b = appendJSONString(b, s.resource)
	b = append(b, `,"Condition":{`...)
	if s.ip != "" {
		b = append(b, `"IpAddress":{"AWS:SourceIp":`...)
		b = appendJSONString(b, s.ip)
		b = append(b, `},`...)
	}
	if s.notBefore != 0 {
		b = append(b, `"DateGreaterThan":{"AWS:EpochTime":`...)
		b = strconv.AppendInt(b, s.notBefore, 10)
		b = append(b, `},`...)
	}
	b = append(b, `"DateLessThan":{"AWS:EpochTime":`...)
	b = strconv.AppendInt(b, s.expires, 10)
	b = append(b, `}}}]}`...)
	return b
}

// appendJSONString quotes s as a JSON string, escaping only what JSON
// requires (never '&', '<' or '>', which json.Marshal would turn into
// \u0026 and so on, making the policy differ from what CloudFront rebuilds).
// Normalized URLs contain none of the escaped characters anyway.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for k := 0; k < len(s); k++ {
		switch c := s[k]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// cfReplacer turns standard base64 into CloudFront's URL-safe alphabet.
var (
	cfReplacer  = strings.NewReplacer("+", "-", "=", "_", "/", "~")
	stdReplacer = strings.NewReplacer("-", "+", "_", "=", "~", "/")
)

// encodeB64 returns b in CloudFront's URL-safe base64 alphabet: standard
// base64 (with padding), then '+' to '-', '=' to '_' and '/' to '~'.
func encodeB64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	return cfReplacer.Replace(s)
}

// decodeB64 reverses encodeB64. It refuses characters outside CloudFront's
// alphabet, naming the first one found ('+', '/' and '=' are standard base64,
// which CloudFront does not accept in a URL). The error wraps sentinel.
func decodeB64(s string, sentinel error) ([]byte, error) {
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '~' {
			continue
		}
		hint := ""
		switch c {
		case '+', '/', '=':
			hint = " (standard base64: CloudFront's URL-safe alphabet uses '-' for '+', '~' for '/' and '_' for '=')"
		case ' ':
			hint = " (a '+' turned into a space by form decoding? CloudFront's alphabet has no '+')"
		case '%':
			hint = " (still percent-encoded)"
		}
		return nil, errorf(sentinel, "character %q at offset %d is not in CloudFront's URL-safe base64 alphabet%s", string(c), k, hint)
	}
	b, err := base64.StdEncoding.DecodeString(stdReplacer.Replace(s))
	if err != nil {
		return nil, errorf(sentinel, "not valid base64: %v", err)
	}
	return b, nil
}

// digest hashes the policy bytes with h.
func digest(h HashAlgorithm, policy []byte) ([]byte, crypto.Hash) {
	if h == SHA256 {
		sum := sha256.Sum256(policy)
		return sum[:], crypto.SHA256
	}
	sum := sha1.Sum(policy)
	return sum[:], crypto.SHA1
}

// verifySignature checks sig over policy with pub.
func verifySignature(pub crypto.PublicKey, h HashAlgorithm, policy, sig []byte) error {
	d, ch := digest(h, policy)
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(k, ch, d, sig); err != nil {
			return errorf(ErrBadSignature, "bad signature: the RSA %s signature does not verify with this public key (wrong key, a policy or URL changed after signing, or the wrong hash algorithm)", h)
		}
		return nil
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, d, sig) {
			return errorf(ErrBadSignature, "bad signature: the ECDSA %s signature does not verify with this public key (wrong key, a policy or URL changed after signing, or the wrong hash algorithm)", h)
		}
		return nil
	}
	return errorf(ErrInvalidKey, "cannot verify with a %T public key: CloudFront keys are RSA 2048 or ECDSA P-256", pub)
}

// parseIP validates an IpAddress condition and returns it in CIDR form.
func parseIP(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return "", errorf(ErrInvalidIP, "IP address %q is not an IPv4 address or CIDR (e.g. 192.0.2.7 or 192.0.2.0/24)", s)
		}
		if !a.Is4() {
			return "", ipv6Error(s)
		}
		return a.String() + "/32", nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return "", errorf(ErrInvalidIP, "IP range %q is not an IPv4 CIDR (e.g. 192.0.2.0/24): %v", s, err)
	}
	if !p.Addr().Is4() {
		return "", ipv6Error(s)
	}
	if p.Masked() != p {
		return "", errorf(ErrInvalidIP, "IP range %q has bits set after the /%d prefix: did you mean %s?", s, p.Bits(), p.Masked())
	}
	return p.String(), nil
}

func ipv6Error(s string) error {
	return errorf(ErrInvalidIP, "IP condition %q is IPv6: CloudFront policies accept one IPv4 address or CIDR only (and a distribution using IP conditions must not have IPv6 enabled, or IPv6 viewers will be refused)", s)
}

// checkExpiry validates expires (and notBefore) against now.
func checkExpiry(expires, notBefore, now time.Time) (int64, int64, error) {
	if expires.IsZero() {
		return 0, 0, errorf(ErrInvalidExpiry, "no expiry: CloudFront requires DateLessThan; set Expires")
	}
	exp := expires.Unix()
	if exp <= now.Unix() {
		return 0, 0, errorf(ErrInvalidExpiry, "expiry %s is in the past (%s ago): a signed URL or cookie must expire in the future",
			expires.UTC().Format(time.RFC3339), roundDuration(now.Sub(expires)))
	}
	if exp > MaxEpoch {
		return 0, 0, errorf(ErrInvalidExpiry, "expiry %s is after 2038-01-19T03:14:07Z: CloudFront epoch times are 32-bit, at most 2147483647", expires.UTC().Format(time.RFC3339))
	}
	var nb int64
	if !notBefore.IsZero() {
		nb = notBefore.Unix()
		if nb <= 0 || nb > MaxEpoch {
			return 0, 0, errorf(ErrInvalidExpiry, "not-before time %s is not between 1970 and 2038-01-19T03:14:07Z (CloudFront epoch times are 32-bit)", notBefore.UTC().Format(time.RFC3339))
		}
		if nb >= exp {
			return 0, 0, errorf(ErrInvalidExpiry, "not-before time %s is not before the expiry %s: the policy would never be valid",
				notBefore.UTC().Format(time.RFC3339), expires.UTC().Format(time.RFC3339))
		}
	}
	return exp, nb, nil
}
