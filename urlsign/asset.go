package urlsign

import (
	"github.com/mediacdn/mediacdn/internal/glob"

	"net/http"
	"strings"
	"time"
)

// AssetResource returns the custom-policy resource that covers a whole HLS
// (or any multi-file) asset: assetURL is the asset's directory URL, ending in
// "/" (e.g. "https://media.example.com/videos/abc/"), and the result is that
// URL followed by "*", which matches every playlist, variant and segment below
// it, with or without a query string. A URL ending in "/*" is accepted as is.
func AssetResource(assetURL string) (string, error) {
	u, err := parseURL(assetURL, false)
	if err != nil {
		return "", err
	}
	if u.query != "" {
		return "", errorf(ErrInvalidResource, "asset URL %q has a query string: give the asset's directory URL, e.g. https://media.example.com/videos/abc/", assetURL)
	}
	p := u.path
	switch {
	case strings.HasSuffix(p, "/*"):
		p = strings.TrimSuffix(p, "*")
	case strings.HasSuffix(p, "/"):
	default:
		return "", errorf(ErrInvalidResource, "asset URL %q does not end in '/': give the asset's directory (e.g. https://media.example.com/videos/abc/ for .../videos/abc/index.m3u8), so the signature covers its playlists and segments and nothing beside it", assetURL)
	}
	if p == "/" {
		return "", errorf(ErrInvalidResource, "asset URL %q is the root of the host: that would sign every file on it; give the asset's own directory", assetURL)
	}
	if strings.ContainsAny(p[:len(p)-1], "*?") {
		return "", errorf(ErrInvalidResource, "asset URL %q contains a wildcard before its end; use Cookies or SignURLWithPolicy for arbitrary patterns", assetURL)
	}
	return u.prefix + p + "*", nil
}

// SignedAsset is one custom-policy signature for a whole asset. Its Query
// can be appended to the URL of any file of the asset.
type SignedAsset struct {
	// Resource is the policy's resource, e.g. "https://media.example.com/videos/abc/*".
	Resource string
	// Expires is the policy's expiry (whole seconds).
	Expires time.Time
	// Query is "Policy=P&Signature=S&Key-Pair-Id=K" (plus "&Hash-Algorithm=SHA256"
	// with SHA-256), the same for every file of the asset. A player must send
	// it with every playlist, variant and segment request: a playlist's
	// relative URIs are resolved without the playlist's query string.
	Query string
}

// SignAsset signs a whole asset directory (see AssetResource) with one custom
// policy. p.Resource must be empty (it is set from assetURL); p.Expires is
// required, p.NotBefore and p.IPAddress are optional.
//
//	a, err := signer.SignAsset("https://media.example.com/videos/abc/", urlsign.Policy{Expires: time.Now().Add(2 * time.Hour)})
//	playlist, err := a.URL("https://media.example.com/videos/abc/index.m3u8")
//	// hand playlist and a.Query to the player
func (s *Signer) SignAsset(assetURL string, p Policy) (*SignedAsset, error) {
	res, err := assetPolicyResource(assetURL, p)
	if err != nil {
		return nil, err
	}
	p.Resource = res
	policy, st, err := s.customPolicy(p, "")
	if err != nil {
		return nil, err
	}
	q, err := s.signCustom(policy)
	if err != nil {
		return nil, err
	}
	return &SignedAsset{Resource: st.resource, Expires: time.Unix(st.expires, 0).UTC(), Query: q}, nil
}

func assetPolicyResource(assetURL string, p Policy) (string, error) {
	if p.Resource != "" {
		return "", errorf(ErrInvalidResource, "Policy.Resource %q is set: for an asset the resource is derived from the asset URL; leave it empty", p.Resource)
	}
	return AssetResource(assetURL)
}

// URL returns rawURL, a file of the asset, with the asset's signed query
// appended (after the URL's own query, if any). It refuses a URL outside the
// asset or one that already carries CloudFront parameters.
func (a *SignedAsset) URL(rawURL string) (string, error) {
	u, err := parseURL(rawURL, false)
	if err != nil {
		return "", err
	}
	if err := checkNoReserved(rawURL, u.query); err != nil {
		return "", err
	}
	plain := u.String() // once: SignPlaylist calls this for every URI
	if !glob.Match(a.Resource, plain) {
		return "", &ResourceMismatchError{Resource: a.Resource, URL: plain}
	}
	return appendParams(plain, u.query != "", a.Query), nil
}

// AssetCookies returns custom-policy signed cookies covering a whole asset
// directory (see AssetResource): one call gives a player every playlist,
// variant and segment of the asset, with no query string to carry. p.Resource
// must be empty. See CookieOptions for Domain, Path and SameSite.
func (s *Signer) AssetCookies(assetURL string, p Policy, o CookieOptions) ([]*http.Cookie, error) {
	res, err := assetPolicyResource(assetURL, p)
	if err != nil {
		return nil, err
	}
	p.Resource = res
	return s.Cookies(p, o)
}
