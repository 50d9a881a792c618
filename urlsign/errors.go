package urlsign

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned when signing. Each error returned by this package wraps
// one of the Err* sentinels (directly or through one of the *Error types), so
// callers can tell the cases apart with errors.Is.
var (
	// ErrInvalidURL: the URL is relative, not http/https, has no host, has a
	// fragment or a character CloudFront cannot match.
	ErrInvalidURL = errors.New("invalid URL")
	// ErrReservedParameter: the URL to sign already carries a CloudFront
	// signing parameter (Expires, Policy, Signature, Key-Pair-Id, Hash-Algorithm).
	ErrReservedParameter = errors.New("URL already carries a CloudFront signing parameter")
	// ErrInvalidResource: a custom policy's resource pattern is empty or malformed.
	ErrInvalidResource = errors.New("invalid policy resource")
	// ErrInvalidExpiry: the expiry is missing, in the past, after 2038-01-19
	// (epoch 2147483647), or not after the not-before time.
	ErrInvalidExpiry = errors.New("invalid expiry")
	// ErrInvalidIP: the IpAddress condition is not one IPv4 address or CIDR.
	ErrInvalidIP = errors.New("invalid IP address condition")
	// ErrInvalidKey: the signing key is not RSA 2048 or ECDSA P-256, or the
	// Key-Pair-Id is empty or malformed.
	ErrInvalidKey = errors.New("invalid signing key")
	// ErrCookieDomain: the cookie Domain is a cloudfront.net name, or does not
	// cover the host of the signed resource.
	ErrCookieDomain = errors.New("invalid cookie domain")
	// ErrTooManyURIs: a playlist to sign references more URIs than
	// PlaylistOptions.MaxURIs (PlaylistHandlerConfig.MaxPlaylistURIs).
	ErrTooManyURIs = errors.New("playlist references too many URIs to sign")
	// ErrCookiePath: the cookie Path is not an absolute path written as the
	// browser sends it, or does not cover the signed resource's path.
	ErrCookiePath = errors.New("invalid cookie path")
)

// Errors returned when decoding or verifying.
var (
	// ErrMissingParameter: a signed URL or cookie set lacks Signature,
	// Key-Pair-Id, or both Expires and Policy.
	ErrMissingParameter = errors.New("missing CloudFront signing parameter")
	// ErrMalformedPolicy: the Policy does not decode (base64 or JSON), or
	// Expires is not an epoch time, or the policy has no single statement
	// with a DateLessThan, or a key appears twice in one of its objects.
	ErrMalformedPolicy = errors.New("malformed policy")
	// ErrMalformedSignature: the Signature is not CloudFront URL-safe base64.
	ErrMalformedSignature = errors.New("malformed signature")
	// ErrUnknownHashAlgorithm: Hash-Algorithm is neither absent, SHA1 nor SHA256.
	ErrUnknownHashAlgorithm = errors.New("unknown hash algorithm")
	// ErrBadSignature: the signature does not verify with the given public key.
	ErrBadSignature = errors.New("bad signature")
	// ErrExpired: the time checked is at or after DateLessThan. See *ExpiredError.
	ErrExpired = errors.New("expired")
	// ErrNotYetValid: the time checked is at or before DateGreaterThan. See *NotYetValidError.
	ErrNotYetValid = errors.New("not yet valid")
	// ErrResourceMismatch: the URL does not match the policy resource. See *ResourceMismatchError.
	ErrResourceMismatch = errors.New("resource mismatch")
	// ErrIPNotAllowed: the client address is outside the policy's IpAddress range.
	ErrIPNotAllowed = errors.New("source IP not allowed")
	// ErrNeedURL: a canned-policy cookie set (CloudFront-Expires) signs the
	// requested URL itself, so it can only be verified for a given URL (BindURL).
	ErrNeedURL = errors.New("canned-policy cookies need the requested URL")
)

// sigErr wraps a sentinel with a self-contained message.
type sigErr struct {
	sentinel error
	msg      string
}

func (e *sigErr) Error() string { return e.msg }
func (e *sigErr) Unwrap() error { return e.sentinel }

func errorf(sentinel error, format string, args ...any) error {
	return &sigErr{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}
}

// ExpiredError reports a policy checked at or after its expiry. It wraps ErrExpired.
type ExpiredError struct {
	Expires time.Time // the policy's DateLessThan
	At      time.Time // the time checked
}

func (e *ExpiredError) Error() string {
	return fmt.Sprintf("expired %s ago: the policy expired at %s (DateLessThan %d), checked at %s",
		roundDuration(e.At.Sub(e.Expires)), e.Expires.UTC().Format(time.RFC3339), e.Expires.Unix(), e.At.UTC().Format(time.RFC3339))
}

// Unwrap returns ErrExpired.
func (e *ExpiredError) Unwrap() error { return ErrExpired }

// NotYetValidError reports a policy checked before its not-before time. It wraps ErrNotYetValid.
type NotYetValidError struct {
	NotBefore time.Time // the policy's DateGreaterThan
	At        time.Time // the time checked
}

func (e *NotYetValidError) Error() string {
	return fmt.Sprintf("not yet valid: the policy starts at %s (DateGreaterThan %d), %s after the time checked, %s",
		e.NotBefore.UTC().Format(time.RFC3339), e.NotBefore.Unix(), roundDuration(e.NotBefore.Sub(e.At)), e.At.UTC().Format(time.RFC3339))
}

// Unwrap returns ErrNotYetValid.
func (e *NotYetValidError) Unwrap() error { return ErrNotYetValid }

// ResourceMismatchError reports a URL that the policy's resource does not
// cover. It wraps ErrResourceMismatch.
type ResourceMismatchError struct {
	Resource string // the policy's resource (pattern for a custom policy)
	URL      string // the URL checked, normalized, without CloudFront parameters
	Canned   bool   // a canned policy needs an exact match
}

func (e *ResourceMismatchError) Error() string {
	how := "does not match the custom policy's resource pattern (* matches any run of characters, ? exactly one)"
	if e.Canned {
		how = "is not exactly the canned policy's resource"
	}
	return fmt.Sprintf("resource mismatch: URL %q %s %q", e.URL, how, e.Resource)
}

// Unwrap returns ErrResourceMismatch.
func (e *ResourceMismatchError) Unwrap() error { return ErrResourceMismatch }

// roundDuration rounds to seconds and, past an hour, to minutes, for messages.
func roundDuration(d time.Duration) time.Duration {
	if d < 0 {
		d = -d
	}
	if d >= time.Hour {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}
