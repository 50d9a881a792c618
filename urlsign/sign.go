package urlsign

import (
	"github.com/mediacdn/mediacdn/internal/glob"

	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strconv"
	"time"
)

// Signer signs CloudFront URLs and cookies with one private key. It is
// immutable and safe for concurrent use.
type Signer struct {
	keyPairID string
	key       crypto.Signer
	hash      HashAlgorithm
	now       func() time.Time
}

// Option configures a Signer.
type Option func(*Signer) error

// WithHash selects the hash applied to the policy: SHA1 (the default, what
// CloudFront assumes when nothing is said) or SHA256 (adds Hash-Algorithm=SHA256
// to URLs and CloudFront-Hash-Algorithm=SHA256 to cookies).
func WithHash(h HashAlgorithm) Option {
	return func(s *Signer) error {
		switch h {
		case SHA1, SHA256:
			s.hash = h
			return nil
		case "":
			s.hash = SHA1
			return nil
		}
		return errorf(ErrUnknownHashAlgorithm, "unknown hash algorithm %q: CloudFront accepts %q (the default) or %q", string(h), SHA1, SHA256)
	}
}

// WithClock sets the clock used to refuse expiry times in the past (the
// default is time.Now). Tests use it to sign with fixed times.
func WithClock(now func() time.Time) Option {
	return func(s *Signer) error {
		if now == nil {
			return fmt.Errorf("urlsign: WithClock(nil)")
		}
		s.now = now
		return nil
	}
}

// New returns a Signer for the CloudFront public key keyPairID (the id
// CloudFront gave the public key, e.g. "K2JCJMDEHXQW5F"; the stack outputs it)
// and the matching private key, whose public half must be RSA 2048 or ECDSA
// P-256. Any crypto.Signer works, so the key can live in an HSM or KMS
// (KMS cannot sign a SHA-1 digest: use WithHash(SHA256) there).
func New(keyPairID string, key crypto.Signer, opts ...Option) (*Signer, error) {
	if keyPairID == "" {
		return nil, errorf(ErrInvalidKey, "empty Key-Pair-Id: give the CloudFront public key id (e.g. K2JCJMDEHXQW5F) of the key group entry matching this private key")
	}
	for k := 0; k < len(keyPairID); k++ {
		c := keyPairID[k]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return nil, errorf(ErrInvalidKey, "Key-Pair-Id %q contains %q: CloudFront public key ids are letters and digits (e.g. K2JCJMDEHXQW5F)", keyPairID, string(c))
		}
	}
	if key == nil {
		return nil, errorf(ErrInvalidKey, "no private key")
	}
	switch pub := key.Public().(type) {
	case *rsa.PublicKey:
		if bits := pub.N.BitLen(); bits != 2048 {
			return nil, errorf(ErrInvalidKey, "the private key is RSA %d-bit: CloudFront accepts RSA 2048 or ECDSA P-256 keys only", bits)
		}
	case *ecdsa.PublicKey:
		if pub.Curve != elliptic.P256() {
			return nil, errorf(ErrInvalidKey, "the private key is ECDSA on %s: CloudFront accepts RSA 2048 or ECDSA P-256 keys only", pub.Curve.Params().Name)
		}
	default:
		return nil, errorf(ErrInvalidKey, "the private key's public half is %T: CloudFront accepts RSA 2048 or ECDSA P-256 keys only", pub)
	}
	s := &Signer{keyPairID: keyPairID, key: key, hash: SHA1, now: time.Now}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// KeyPairID returns the Key-Pair-Id the signer puts in URLs and cookies.
func (s *Signer) KeyPairID() string { return s.keyPairID }

// Hash returns the hash algorithm the signer uses.
func (s *Signer) Hash() HashAlgorithm { return s.hash }

// signPolicy hashes and signs the policy bytes and returns the signature in
// CloudFront's base64.
func (s *Signer) signPolicy(policy []byte) (string, error) {
	d, h := digest(s.hash, policy)
	sig, err := s.key.Sign(rand.Reader, d, h)
	if err != nil {
		return "", fmt.Errorf("urlsign: signing the policy: %w", err)
	}
	return encodeB64(sig), nil
}

// trailer is what follows Signature: "&Key-Pair-Id=K" and, for SHA-256,
// "&Hash-Algorithm=SHA256" (last, as in the CloudFront documentation).
func (s *Signer) trailer() string {
	if s.hash == SHA256 {
		return "&Key-Pair-Id=" + s.keyPairID + "&Hash-Algorithm=SHA256"
	}
	return "&Key-Pair-Id=" + s.keyPairID
}

// appendParams adds CloudFront's parameters after the URL's own query.
func appendParams(u string, hasQuery bool, params string) string {
	if hasQuery {
		return u + "&" + params
	}
	return u + "?" + params
}

// SignURL signs one URL with a canned policy valid until expires:
// rawURL + "?" (or "&" after its own query) + "Expires=N&Signature=S&Key-Pair-Id=K".
// The signed resource is the normalized URL including its own query. Use it
// for a single object such as an image download.
func (s *Signer) SignURL(rawURL string, expires time.Time) (string, error) {
	u, err := parseURL(rawURL, false)
	if err != nil {
		return "", err
	}
	if err := checkNoReserved(rawURL, u.query); err != nil {
		return "", err
	}
	exp, _, err := checkExpiry(expires, time.Time{}, s.now())
	if err != nil {
		return "", err
	}
	resource := u.String()
	sig, err := s.signPolicy(cannedJSON(resource, exp))
	if err != nil {
		return "", err
	}
	return appendParams(resource, u.query != "", "Expires="+strconv.FormatInt(exp, 10)+"&Signature="+sig+s.trailer()), nil
}

// customPolicy validates p, with defaultResource used when p.Resource is
// empty, and returns the policy JSON and the normalized statement.
func (s *Signer) customPolicy(p Policy, defaultResource string) ([]byte, statement, error) {
	raw := p.Resource
	if raw == "" {
		raw = defaultResource
	}
	if raw == "" {
		return nil, statement{}, errorf(ErrInvalidResource, "the policy has no Resource: without one it would grant every file of every distribution that trusts this key; give a URL or pattern such as https://media.example.com/videos/abc/*")
	}
	r, err := parseURL(raw, true)
	if err != nil {
		return nil, statement{}, err
	}
	exp, nb, err := checkExpiry(p.Expires, p.NotBefore, s.now())
	if err != nil {
		return nil, statement{}, err
	}
	ip, err := parseIP(p.IPAddress)
	if err != nil {
		return nil, statement{}, err
	}
	st := statement{resource: r.String(), expires: exp, notBefore: nb, ip: ip}
	return st.json(), st, nil
}

// signCustom signs a custom policy and returns the CloudFront parameters
// "Policy=P&Signature=S&Key-Pair-Id=K[&Hash-Algorithm=SHA256]".
func (s *Signer) signCustom(policy []byte) (string, error) {
	sig, err := s.signPolicy(policy)
	if err != nil {
		return "", err
	}
	return "Policy=" + encodeB64(policy) + "&Signature=" + sig + s.trailer(), nil
}

// SignURLWithPolicy signs rawURL with a custom policy:
// rawURL + "?" (or "&") + "Policy=P&Signature=S&Key-Pair-Id=K". An empty
// p.Resource means rawURL itself; a pattern such as
// "https://media.example.com/videos/abc/*" makes the same Policy and
// Signature valid for every URL it matches. rawURL must match p.Resource.
func (s *Signer) SignURLWithPolicy(rawURL string, p Policy) (string, error) {
	u, err := parseURL(rawURL, false)
	if err != nil {
		return "", err
	}
	if err := checkNoReserved(rawURL, u.query); err != nil {
		return "", err
	}
	policy, st, err := s.customPolicy(p, u.String())
	if err != nil {
		return "", err
	}
	if !glob.Match(st.resource, u.String()) {
		return "", &ResourceMismatchError{Resource: st.resource, URL: u.String()}
	}
	params, err := s.signCustom(policy)
	if err != nil {
		return "", err
	}
	return appendParams(u.String(), u.query != "", params), nil
}
