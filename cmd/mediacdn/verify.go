package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/urlsign"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newVerifyCmd) }

type verifyFlags struct {
	publicKey, url, at, cookieHeader string
	cookies                          []string
}

func newVerifyCmd() *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify --public-key FILE [--url URL] [--at RFC3339] (SIGNED_URL | --cookie NAME=VALUE... | --cookie-header 'Cookie: ...')",
		Short: "Decode a CloudFront signed URL or cookie set and check it offline",
		Long: `Decode a CloudFront signed URL, or a signed cookie set, and check it the way
CloudFront would, without a request: the signature against the public key, the
expiry and not-before times, and the policy's resource against a URL.

It prints the resource, the policy JSON, the expiry, the key pair id, the hash
algorithm and the verdict. Exit status: 0 valid, 1 invalid or expired, 2 usage
error.

For a signed URL the URL itself is checked against the policy; --url checks
another URL (e.g. a segment of an HLS asset signed with a wildcard policy).
Cookies signed with a canned policy (CloudFront-Expires) sign the requested
URL itself, so they need --url. The IP condition, if any, is shown but not
checked.`,
		Example: `  mediacdn verify --public-key keys/public_key.pem 'https://media.example.com/a.jpg?Expires=1767229200&Signature=...&Key-Pair-Id=K2JCJMDEHXQW5F'

  # Does the playlist's wildcard signature cover a segment?
  mediacdn verify --public-key keys/public_key.pem --url https://media.example.com/videos/abc/720p/seg_001.ts \
      'https://media.example.com/videos/abc/index.m3u8?Policy=...&Signature=...&Key-Pair-Id=K2JCJMDEHXQW5F'

  # Cookies, one per flag (Set-Cookie lines from 'mediacdn sign --cookies' work too), at a given time
  mediacdn verify --public-key keys/public_key.pem --at 2026-06-01T12:00:00Z --url https://media.example.com/videos/abc/index.m3u8 \
      --cookie 'CloudFront-Policy=...' --cookie 'CloudFront-Signature=...' --cookie 'CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F'

  # Or a whole Cookie request header copied from the browser's developer tools
  mediacdn verify --public-key keys/public_key.pem --url https://media.example.com/videos/abc/index.m3u8 \
      --cookie-header 'Cookie: CloudFront-Policy=...; CloudFront-Signature=...; CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runVerify(cmd.OutOrStdout(), f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.publicKey, "public-key", "", "PEM public key file (public_key.pem, as in the key group): RSA 2048 or ECDSA P-256 (required)")
	fl.StringVar(&f.url, "url", "", "URL to check against the policy's resource, e.g. a segment URL (default: the signed URL itself; required for canned-policy cookies)")
	fl.StringVar(&f.at, "at", "", "check the times at this moment: RFC 3339 (2026-06-01T12:00:00Z) or a duration from now (10m); default now")
	fl.StringArrayVar(&f.cookies, "cookie", nil, "a signed cookie as NAME=VALUE, or a whole 'Set-Cookie: ...' line; repeat for each cookie")
	fl.StringVar(&f.cookieHeader, "cookie-header", "", "a Cookie request header: 'Cookie: a=b; c=d' (the 'Cookie:' prefix is optional)")
	return cmd
}

// parseCookieFlags turns --cookie and --cookie-header values into cookies.
func parseCookieFlags(values []string, header string) ([]*http.Cookie, error) {
	var out []*http.Cookie
	for _, v := range values {
		line := strings.TrimSpace(v)
		if rest, ok := cutPrefixFold(line, "Set-Cookie:"); ok {
			line = strings.TrimSpace(rest)
		}
		c, err := http.ParseSetCookie(line)
		if err != nil {
			return nil, usageError("--cookie %q is not NAME=VALUE: %v", v, err)
		}
		out = append(out, c)
	}
	if header != "" {
		h := strings.TrimSpace(header)
		if rest, ok := cutPrefixFold(h, "Cookie:"); ok {
			h = strings.TrimSpace(rest)
		}
		cs, err := http.ParseCookie(h)
		if err != nil {
			return nil, usageError("--cookie-header %q is not a Cookie header (a=b; c=d): %v", header, err)
		}
		out = append(out, cs...)
	}
	return out, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

func runVerify(stdout io.Writer, f verifyFlags, args []string) error {
	if f.publicKey == "" {
		return usageError("--public-key is required: the public_key.pem of the key group entry named by Key-Pair-Id")
	}
	hasCookies := len(f.cookies) > 0 || f.cookieHeader != ""
	switch {
	case len(args) == 0 && !hasCookies:
		return usageError("give a SIGNED_URL argument, or the cookies with --cookie / --cookie-header (see 'mediacdn verify --help')")
	case len(args) == 1 && hasCookies:
		return usageError("give either a SIGNED_URL or cookies, not both")
	}
	t0 := now()
	at := t0
	if f.at != "" {
		var err error
		if at, err = parseTimeArg("--at", f.at, t0); err != nil {
			return err
		}
	}
	var cookies []*http.Cookie
	if hasCookies {
		var err error
		if cookies, err = parseCookieFlags(f.cookies, f.cookieHeader); err != nil {
			return err
		}
	}
	if f.url != "" {
		if _, err := urlsign.NormalizeURL(f.url); err != nil && errors.Is(err, urlsign.ErrInvalidURL) {
			return usageError("--url: %v", err)
		}
	}

	pemBytes, err := readKeyFile("--public-key", f.publicKey)
	if err != nil {
		return &exitError{code: exitFail, err: err}
	}
	pub, err := cfkeys.ParsePublicKey(pemBytes)
	if err != nil {
		if errors.Is(err, cfkeys.ErrPrivateKeyGiven) {
			return &exitError{code: exitFail, err: fmt.Errorf("--public-key %s holds a PRIVATE key; nothing was printed. Verification needs only the public key (public_key.pem, or `openssl pkey -in %s -pubout`); keep the private key out of places where it is passed around", f.publicKey, f.publicKey)}
		}
		return &exitError{code: exitFail, err: fmt.Errorf("--public-key %s: %v", f.publicKey, err)}
	}

	var d *urlsign.Signed
	if hasCookies {
		d, err = urlsign.ParseCookies(cookies)
	} else {
		d, err = urlsign.Parse(args[0])
	}
	if err != nil {
		if errors.Is(err, urlsign.ErrInvalidURL) {
			return usageError("SIGNED_URL: %v", err)
		}
		fmt.Fprintf(stdout, "Verdict:        INVALID\n  - %v\n", err)
		return &exitError{code: exitFail, err: fmt.Errorf("invalid: %v", err)}
	}
	if d.Canned && d.FromCookies && f.url == "" {
		return usageError("these are canned-policy cookies (CloudFront-Expires): they sign the requested URL itself, so give it with --url")
	}
	checkErr := d.Check(pub.Key, f.url, at)
	printSigned(stdout, d, pub, f.url, at, t0, checkErr)
	if checkErr != nil {
		return &exitError{code: exitFail, err: fmt.Errorf("invalid: %v", strings.ReplaceAll(checkErr.Error(), "\n", "; "))}
	}
	return nil
}

func printSigned(w io.Writer, d *urlsign.Signed, pub *cfkeys.PublicKey, checkURL string, at, t0 time.Time, checkErr error) {
	kind := "signed URL"
	if d.FromCookies {
		kind = "signed cookies"
	}
	if d.Canned {
		kind += ", canned policy"
	} else {
		kind += ", custom policy"
	}
	field := func(name, format string, args ...any) {
		fmt.Fprintf(w, "%-16s"+format+"\n", append([]any{name + ":"}, args...)...)
	}
	field("Kind", "%s", kind)
	switch {
	case d.Resource != "":
		field("Resource", "%s", d.Resource)
	case !d.Canned:
		field("Resource", "(none: every file of every distribution that trusts this key)")
	}
	if d.PolicyJSON != nil {
		field("Policy", "%s", d.PolicyJSON)
	}
	rel := "in " + humanDuration(d.Expires.Sub(at))
	if !at.Before(d.Expires) {
		rel = "expired " + humanDuration(at.Sub(d.Expires)) + " ago"
	}
	field("Expires", "%s (%s)", d.Expires.UTC().Format(time.RFC3339), rel)
	if !d.NotBefore.IsZero() {
		field("Not before", "%s", d.NotBefore.UTC().Format(time.RFC3339))
	}
	if d.IPAddress != "" {
		field("IP address", "%s (not checked here)", d.IPAddress)
	}
	field("Key-Pair-Id", "%s", d.KeyPairID)
	hash := string(d.HashAlgorithm)
	if d.HashAlgorithm == urlsign.SHA1 {
		hash += " (no Hash-Algorithm: CloudFront's default)"
	}
	field("Hash algorithm", "%s", hash)
	field("Public key", "%s %d, SHA-256 fingerprint %s", strings.ToUpper(string(pub.Type)), pub.Bits, pub.Fingerprint())
	if checkURL != "" {
		field("Checked URL", "%s", checkURL)
	}
	if !at.Equal(t0) {
		field("Checked at", "%s", at.UTC().Format(time.RFC3339))
	}
	if checkErr == nil {
		field("Verdict", "VALID")
		return
	}
	field("Verdict", "INVALID")
	for _, line := range strings.Split(checkErr.Error(), "\n") {
		fmt.Fprintf(w, "  - %s\n", line)
	}
}
