package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/internal/safetext"
	"github.com/mediacdn/mediacdn/urlsign"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newVerifyCmd) }

type verifyFlags struct {
	publicKey, url, at, cookieHeader string
	cookies                          []string
	json                             bool
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
algorithm and the verdict; with --json, the same as one JSON document. Values
decoded from the URL or cookies come from outside: the text output escapes
control and bidi characters in them (\x1b, \n, \u{202e}), the JSON keeps them
exact. Exit status: 0 valid, 1 invalid or expired, 2 usage error.

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
	fl.BoolVar(&f.json, "json", false, "print one JSON document instead of text (for scripts and CI); exit statuses as without it")
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
		// Only CloudFront's cookies are parsed: a header copied from a
		// browser also carries the site's own cookies, whose values (JSON,
		// spaces) net/http refuses, and one such cookie made the whole
		// header an error.
		for _, pair := range strings.Split(h, ";") {
			pair = strings.TrimSpace(pair)
			if !strings.HasPrefix(pair, "CloudFront-") {
				continue
			}
			cs, err := http.ParseCookie(pair)
			if err != nil {
				return nil, usageError("--cookie-header: the cookie %q is not NAME=VALUE as CloudFront sets it: %v", pair, err)
			}
			out = append(out, cs...)
		}
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
		r := verifyReport{CheckedAt: at.UTC().Format(time.RFC3339), Verdict: "INVALID", Problems: []string{err.Error()}}
		if werr := r.write(stdout, f.json); werr != nil {
			return &exitError{code: exitFail, err: werr}
		}
		return &exitError{code: exitFail, err: fmt.Errorf("invalid: %s", safetext.Escape(err.Error()))}
	}
	if d.Canned && d.FromCookies && f.url == "" {
		return usageError("these are canned-policy cookies (CloudFront-Expires): they sign the requested URL itself, so give it with --url")
	}
	checkErr := d.Check(pub.Key, f.url, at)
	r := newVerifyReport(d, pub, f.url, at, t0, checkErr)
	if err := r.write(stdout, f.json); err != nil {
		return &exitError{code: exitFail, err: err}
	}
	if checkErr != nil {
		return &exitError{code: exitFail, err: fmt.Errorf("invalid: %s", safetext.Escape(strings.Join(r.Problems, "; ")))}
	}
	return nil
}

// verifyReport is what verify prints: as text, with every value decoded from
// the URL or cookies escaped so a crafted value cannot fake a line such as
// the verdict, or with --json as one exact JSON document.
type verifyReport struct {
	Kind          string         `json:"kind,omitempty"`        // "signed URL" or "signed cookies"
	PolicyType    string         `json:"policy_type,omitempty"` // "canned" or "custom"
	Resource      string         `json:"resource,omitempty"`
	Policy        string         `json:"policy,omitempty"`
	Expires       string         `json:"expires,omitempty"`
	ExpiresEpoch  int64          `json:"expires_epoch,omitempty"`
	NotBefore     string         `json:"not_before,omitempty"`
	IPAddress     string         `json:"ip_address,omitempty"`
	KeyPairID     string         `json:"key_pair_id,omitempty"`
	HashAlgorithm string         `json:"hash_algorithm,omitempty"`
	PublicKey     *verifyKeyInfo `json:"public_key,omitempty"`
	CheckedURL    string         `json:"checked_url,omitempty"`
	CheckedAt     string         `json:"checked_at"`
	Verdict       string         `json:"verdict"` // "VALID" or "INVALID"
	Problems      []string       `json:"problems,omitempty"`

	// For the text form only.
	relExpiry  string
	noResource bool
	showAt     bool
}

type verifyKeyInfo struct {
	Type        string `json:"type"`
	Bits        int    `json:"bits"`
	Fingerprint string `json:"sha256_fingerprint"`
}

func newVerifyReport(d *urlsign.Signed, pub *cfkeys.PublicKey, checkURL string, at, t0 time.Time, checkErr error) verifyReport {
	r := verifyReport{
		Kind: "signed URL", PolicyType: "custom", Resource: d.Resource,
		Expires: d.Expires.UTC().Format(time.RFC3339), ExpiresEpoch: d.Expires.Unix(),
		IPAddress: d.IPAddress, KeyPairID: d.KeyPairID, HashAlgorithm: string(d.HashAlgorithm),
		PublicKey:  &verifyKeyInfo{Type: strings.ToUpper(string(pub.Type)), Bits: pub.Bits, Fingerprint: pub.Fingerprint()},
		CheckedURL: checkURL, CheckedAt: at.UTC().Format(time.RFC3339), Verdict: "VALID",
		noResource: d.Resource == "" && !d.Canned,
		showAt:     !at.Equal(t0),
	}
	if d.FromCookies {
		r.Kind = "signed cookies"
	}
	if d.Canned {
		r.PolicyType = "canned"
	}
	if d.PolicyJSON != nil {
		r.Policy = string(d.PolicyJSON)
	}
	if !d.NotBefore.IsZero() {
		r.NotBefore = d.NotBefore.UTC().Format(time.RFC3339)
	}
	r.relExpiry = "in " + humanDuration(d.Expires.Sub(at))
	if !at.Before(d.Expires) {
		r.relExpiry = "expired " + humanDuration(at.Sub(d.Expires)) + " ago"
	}
	if checkErr != nil {
		r.Verdict = "INVALID"
		r.Problems = strings.Split(checkErr.Error(), "\n")
	}
	return r
}

func (r verifyReport) write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	field := func(name, format string, args ...any) {
		fmt.Fprintf(w, "%-16s"+format+"\n", append([]any{name + ":"}, args...)...)
	}
	esc := safetext.Escape
	if r.Kind != "" {
		field("Kind", "%s, %s policy", r.Kind, r.PolicyType)
		switch {
		case r.Resource != "":
			field("Resource", "%s", esc(r.Resource))
		case r.noResource:
			field("Resource", "(none: every file of every distribution that trusts this key)")
		}
		if r.Policy != "" {
			field("Policy", "%s", esc(r.Policy))
		}
		field("Expires", "%s (%s)", r.Expires, r.relExpiry)
		if r.NotBefore != "" {
			field("Not before", "%s", r.NotBefore)
		}
		if r.IPAddress != "" {
			field("IP address", "%s (not checked here)", esc(r.IPAddress))
		}
		field("Key-Pair-Id", "%s", esc(r.KeyPairID))
		hash := r.HashAlgorithm
		if hash == string(urlsign.SHA1) {
			hash += " (no Hash-Algorithm: CloudFront's default)"
		}
		field("Hash algorithm", "%s", hash)
		field("Public key", "%s %d, SHA-256 fingerprint %s", r.PublicKey.Type, r.PublicKey.Bits, r.PublicKey.Fingerprint)
		if r.CheckedURL != "" {
			field("Checked URL", "%s", esc(r.CheckedURL))
		}
		if r.showAt {
			field("Checked at", "%s", r.CheckedAt)
		}
	}
	field("Verdict", "%s", r.Verdict)
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  - %s\n", esc(p))
	}
	return nil
}
