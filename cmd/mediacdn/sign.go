package main

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/internal/safetext"
	"github.com/mediacdn/mediacdn/urlsign"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newSignCmd) }

// now is the CLI's clock; tests replace it.
var now = time.Now

type signFlags struct {
	url, keyPairID, privateKey, expires, resource, notBefore, ip string
	cookies                                                      bool
	cookieDomain, cookiePath, cookieSameSite, hash               string
	playlist                                                     playlistFlags // sign_playlist.go
}

func newSignCmd() *cobra.Command {
	var f signFlags
	cmd := &cobra.Command{
		Use:   "sign --url URL --key-pair-id ID --private-key FILE --expires DURATION_OR_RFC3339 [flags]",
		Short: "Sign a CloudFront URL, or make signed cookies",
		Long: `Sign a URL for CloudFront with the private key whose public key is in the
distribution's key group, and print the signed URL (or, with --cookies, the
cookies as Set-Cookie lines).

Without --resource, --not-before or --ip the URL gets a canned policy
(Expires=...): valid for exactly that URL, query string included. Any of them
makes a custom policy (Policy=...): --resource 'https://host/videos/abc/*'
makes one signature valid for every file of an HLS asset.

The URL is signed in the form a browser sends (lowercase host, no default
port, "." and ".." segments resolved, spaces and non-ASCII characters
percent-encoded); the printed URL is that form. Malformed hosts and ports
(https://a:b:443, port 99999, user@host, 127.1) are refused.

The private key file is read up to 64 KiB (a FIFO or pipe such as
<(vault read ...) works; /dev/zero is refused at once). Times end at
2038-01-19T03:14:07Z, CloudFront's 32-bit limit.`,
		Example: `  # One image for 10 minutes
  mediacdn sign --url https://media.example.com/photos/a.jpg --key-pair-id K2JCJMDEHXQW5F \
      --private-key keys/private_key.pem --expires 10m

  # A whole HLS asset until a fixed time, SHA-256, as a URL for the playlist
  mediacdn sign --url https://media.example.com/videos/abc/index.m3u8 \
      --resource 'https://media.example.com/videos/abc/*' --key-pair-id K2JCJMDEHXQW5F \
      --private-key keys/private_key.pem --expires 2026-06-01T00:00:00Z --hash sha256

  # The same as cookies for a player on app.example.com
  mediacdn sign --cookies --cookie-domain example.com --url https://media.example.com/videos/abc/index.m3u8 \
      --resource 'https://media.example.com/videos/abc/*' --key-pair-id K2JCJMDEHXQW5F \
      --private-key keys/private_key.pem --expires 2h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSign(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "absolute http(s) URL to sign, with its own query if any, e.g. https://media.example.com/a.jpg?w=640 (required)")
	fl.StringVar(&f.keyPairID, "key-pair-id", "", "CloudFront public key id of the key group entry matching the private key, e.g. K2JCJMDEHXQW5F (the stack outputs it) (required)")
	fl.StringVar(&f.privateKey, "private-key", "", "PEM private key file: RSA 2048 or ECDSA P-256, PKCS#8, PKCS#1 or SEC1, unencrypted (required)")
	fl.StringVar(&f.expires, "expires", "", "expiry: a duration from now (90m, 24h, 7d) or an RFC 3339 time (2026-06-01T00:00:00Z); at most 2038-01-19T03:14:07Z (required)")
	fl.StringVar(&f.resource, "resource", "", "custom-policy resource pattern, * = any run of characters, ? = one character, e.g. 'https://media.example.com/videos/abc/*'; --url must match it")
	fl.StringVar(&f.notBefore, "not-before", "", "custom policy: not valid before this time (duration from now or RFC 3339), e.g. 2026-06-01T00:00:00Z")
	fl.StringVar(&f.ip, "ip", "", "custom policy: only this IPv4 address or CIDR may use it, e.g. 192.0.2.7 (= /32) or 192.0.2.0/24; IPv6 is not supported by CloudFront")
	fl.BoolVar(&f.cookies, "cookies", false, "print signed cookies as Set-Cookie lines instead of a URL (canned policy: CloudFront-Expires; custom: CloudFront-Policy)")
	fl.StringVar(&f.cookieDomain, "cookie-domain", "", "cookie Domain shared by the page and the media host, e.g. example.com for app.example.com + media.example.com (default: host-only); *.cloudfront.net is refused")
	fl.StringVar(&f.cookiePath, "cookie-path", "/", "cookie Path, e.g. /videos/abc/")
	fl.StringVar(&f.cookieSameSite, "cookie-samesite", "lax", "cookie SameSite: lax (page and media on the same site), strict, or none (player on another site; needs credentialed requests and CORS with credentials)")
	fl.StringVar(&f.hash, "hash", "sha1", "hash algorithm: sha1 (CloudFront's default) or sha256 (adds Hash-Algorithm=SHA256, or the CloudFront-Hash-Algorithm cookie)")
	addPlaylistFlags(cmd, &f.playlist)
	return cmd
}

// parseTimeArg reads a duration from now (90m, 24h, 7d) or an RFC 3339 time.
// A duration too long for time.Duration (about 292 years) is an error, never
// a wrapped-around value: `213504d` once came out as about 25 minutes.
func parseTimeArg(flag, v string, from time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	tooFar := func() error {
		return usageError("%s %q is too far from now to compute (more than 292 years); CloudFront times end at %s", flag, v, maxExpiry.Format(time.RFC3339))
	}
	if d, err := time.ParseDuration(v); err == nil {
		return from.Add(d), nil
	} else if durationSyntax.MatchString(v) {
		return time.Time{}, tooFar() // well-formed, so the number overflowed
	}
	if n, ok := strings.CutSuffix(v, "d"); ok && daySyntax.MatchString(n) {
		days, err := strconv.ParseInt(n, 10, 64)
		if err != nil || days > maxDays || days < -maxDays {
			return time.Time{}, tooFar()
		}
		return from.Add(time.Duration(days) * 24 * time.Hour), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, usageError("%s %q is neither a duration from now (90m, 24h, 7d) nor an RFC 3339 time (2026-06-01T00:00:00Z)", flag, v)
}

var (
	// durationSyntax is what time.ParseDuration accepts, whatever the size.
	durationSyntax = regexp.MustCompile(`^[-+]?([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+$`)
	daySyntax      = regexp.MustCompile(`^[-+]?[0-9]+$`)
	// maxExpiry is the latest time CloudFront accepts in a policy.
	maxExpiry = time.Unix(urlsign.MaxEpoch, 0).UTC()
)

// maxDays is the most days a time.Duration holds.
const maxDays = int64(math.MaxInt64 / int64(24*time.Hour))

// checkPolicyTime refuses a time past CloudFront's 32-bit epoch limit, naming
// the flag (urlsign refuses it too, in its own words).
func checkPolicyTime(flag, v string, t time.Time) error {
	if t.After(maxExpiry) {
		return usageError("%s %s is %s, after %s, the latest time CloudFront accepts (policy times are 32-bit epoch seconds, at most %d); nothing was signed",
			flag, v, t.UTC().Format(time.RFC3339), maxExpiry.Format(time.RFC3339), int64(urlsign.MaxEpoch))
	}
	return nil
}

func parseHash(v string) (urlsign.HashAlgorithm, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "sha1", "sha-1", "":
		return urlsign.SHA1, nil
	case "sha256", "sha-256":
		return urlsign.SHA256, nil
	}
	return "", usageError("unknown --hash %q: use sha1 (CloudFront's default) or sha256", v)
}

func parseSameSite(v string) (http.SameSite, error) {
	switch strings.ToLower(v) {
	case "lax", "":
		return http.SameSiteLaxMode, nil
	case "strict":
		return http.SameSiteStrictMode, nil
	case "none":
		return http.SameSiteNoneMode, nil
	}
	return 0, usageError("unknown --cookie-samesite %q: use lax, strict or none", v)
}

// signingValueError turns urlsign's errors about flag values into usage
// errors (exit 2) and anything else into a failure (exit 1).
func signingValueError(err error) error {
	for _, s := range []error{urlsign.ErrInvalidURL, urlsign.ErrReservedParameter, urlsign.ErrInvalidResource, urlsign.ErrInvalidExpiry,
		urlsign.ErrInvalidIP, urlsign.ErrCookieDomain, urlsign.ErrCookiePath, urlsign.ErrResourceMismatch} {
		if errors.Is(err, s) {
			return usageError("%v; nothing was signed", err)
		}
	}
	return &exitError{code: exitFail, err: fmt.Errorf("%v; nothing was signed", err)}
}

func runSign(cmd *cobra.Command, f signFlags) error {
	var missing []string
	for _, m := range []struct{ name, v string }{{"--url", f.url}, {"--key-pair-id", f.keyPairID}, {"--private-key", f.privateKey}, {"--expires", f.expires}} {
		if strings.TrimSpace(m.v) == "" {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return usageError("missing required flag(s): %s (see 'mediacdn sign --help')", strings.Join(missing, ", "))
	}
	t0 := now()
	expires, err := parseTimeArg("--expires", f.expires, t0)
	if err != nil {
		return err
	}
	if err := checkPolicyTime("--expires", f.expires, expires); err != nil {
		return err
	}
	switch {
	case !expires.After(t0):
		return usageError("--expires %s is in the past (%s): a signed URL or cookie must expire in the future; nothing was signed",
			f.expires, expires.UTC().Format(time.RFC3339))
	case expires.Unix() <= t0.Unix():
		return usageError("--expires %s is not in the future in CloudFront's whole seconds (it would expire at %s, this very second); nothing was signed",
			f.expires, expires.UTC().Format(time.RFC3339))
	}
	var notBefore time.Time
	if f.notBefore != "" {
		if notBefore, err = parseTimeArg("--not-before", f.notBefore, t0); err != nil {
			return err
		}
		if err := checkPolicyTime("--not-before", f.notBefore, notBefore); err != nil {
			return err
		}
	}
	hash, err := parseHash(f.hash)
	if err != nil {
		return err
	}
	sameSite, err := parseSameSite(f.cookieSameSite)
	if err != nil {
		return err
	}
	if !f.cookies && (f.cookieDomain != "" || cmd.Flags().Changed("cookie-path") || cmd.Flags().Changed("cookie-samesite")) {
		return usageError("--cookie-domain, --cookie-path and --cookie-samesite need --cookies")
	}
	target, err := urlsign.NormalizeURL(f.url)
	if err != nil {
		return usageError("--url: %v", err)
	}

	pemBytes, err := readKeyFile("--private-key", f.privateKey)
	if err != nil {
		return &exitError{code: exitFail, err: fmt.Errorf("%v; nothing was signed", err)}
	}
	key, err := cfkeys.ParsePrivateKey(pemBytes)
	if err != nil {
		if errors.Is(err, cfkeys.ErrPublicKeyGiven) {
			return &exitError{code: exitFail, err: fmt.Errorf("--private-key %s is a public key; signing needs the private key (private_key.pem from mediacdn keygen); nothing was signed", f.privateKey)}
		}
		return &exitError{code: exitFail, err: fmt.Errorf("--private-key %s: %v; nothing was signed", f.privateKey, err)}
	}
	signer, err := urlsign.New(f.keyPairID, key, urlsign.WithHash(hash), urlsign.WithClock(func() time.Time { return t0 }))
	if err != nil {
		if errors.Is(err, urlsign.ErrInvalidKey) && strings.Contains(err.Error(), "Key-Pair-Id") {
			return usageError("--key-pair-id: %v", err)
		}
		return &exitError{code: exitFail, err: err}
	}

	custom := f.resource != "" || f.notBefore != "" || f.ip != ""
	policy := urlsign.Policy{Resource: f.resource, Expires: expires, NotBefore: notBefore, IPAddress: f.ip}
	if f.playlist.source != "" {
		return runSignPlaylist(cmd, f, signer, policy, t0)
	}
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	kind := "canned policy for " + target
	if custom {
		res := f.resource
		if res == "" {
			res = target
		}
		kind = "custom policy for " + safetext.Escape(res)
	}

	if !f.cookies {
		var signed string
		if custom {
			signed, err = signer.SignURLWithPolicy(f.url, policy)
		} else {
			signed, err = signer.SignURL(f.url, expires)
		}
		if err != nil {
			return signingValueError(err)
		}
		fmt.Fprintln(stdout, signed)
		fmt.Fprintf(stderr, "signed URL: %s, expires %s (in %s), Key-Pair-Id %s, %s\n",
			kind, expires.UTC().Format(time.RFC3339), humanDuration(expires.Sub(t0)), f.keyPairID, hash)
		return nil
	}

	opts := urlsign.CookieOptions{Domain: f.cookieDomain, Path: f.cookiePath, SameSite: sameSite}
	var cookies []*http.Cookie
	if custom {
		if policy.Resource == "" {
			policy.Resource = target
		}
		cookies, err = signer.Cookies(policy, opts)
		if err == nil {
			// The cookies must cover --url, or the page would get 403.
			var d *urlsign.Signed
			if d, err = urlsign.ParseCookies(cookies); err == nil {
				err = d.MatchURL(target)
			}
		}
	} else {
		cookies, err = signer.CannedCookies(f.url, expires, opts)
	}
	if err != nil {
		return signingValueError(err)
	}
	for _, c := range cookies {
		fmt.Fprintf(stdout, "Set-Cookie: %s\n", c.String())
	}
	fmt.Fprintf(stderr, "signed cookies: %s, expires %s (in %s), Key-Pair-Id %s, %s\n",
		kind, expires.UTC().Format(time.RFC3339), humanDuration(expires.Sub(t0)), f.keyPairID, hash)
	return nil
}

// humanDuration prints a duration the way people read an expiry: "45s",
// "59m", "2h5m", "3d4h".
func humanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d = d.Round(time.Second); d < time.Minute {
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
	if d = d.Round(time.Minute); d < time.Hour {
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	if d < 48*time.Hour {
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%dm", h, m)
	}
	d = d.Round(time.Hour)
	days, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}
