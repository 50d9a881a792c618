// Package urlsign makes and checks CloudFront signed URLs and signed cookies
// for a Go back end that serves private images and HLS video.
//
// A Signer holds the private key (RSA 2048 or ECDSA P-256, any crypto.Signer)
// and the Key-Pair-Id, which is the id of the matching CloudFront public key
// in the distribution's key group. It signs:
//
//   - one object with a canned policy (SignURL, CannedCookies): the URL
//     itself is the resource, and the URL carries only Expires;
//   - anything matching a resource pattern with a custom policy
//     (SignURLWithPolicy, Cookies), which can also carry a not-before time
//     and one IPv4 source range;
//   - a whole HLS asset with one signature (SignAsset, AssetCookies): a
//     custom policy whose resource is "https://host/path/asset/*", which
//     covers the playlists and every segment below that directory.
//
// Usage:
//
//	key, err := cfkeys.ParsePrivateKey(pemBytes) // from a secrets manager
//	if err != nil { ... }
//	signer, err := urlsign.New("K2JCJMDEHXQW5F", key)
//	if err != nil { ... }
//
//	// One image, valid for 10 minutes.
//	imgURL, err := signer.SignURL("https://media.example.com/photos/a.jpg", time.Now().Add(10*time.Minute))
//
//	// A whole HLS asset, as cookies for a player on app.example.com.
//	cookies, err := signer.AssetCookies("https://media.example.com/videos/abc/",
//		urlsign.Policy{Expires: time.Now().Add(2 * time.Hour)},
//		urlsign.CookieOptions{Domain: "example.com"})
//	for _, c := range cookies {
//		http.SetCookie(w, c)
//	}
//
// # Hash algorithm
//
// By default the policy is hashed with SHA-1 (RSA PKCS#1 v1.5, or ECDSA with
// an ASN.1 DER signature): that is what CloudFront assumes when a request does
// not say otherwise, for ECDSA keys too. WithHash(SHA256) hashes with SHA-256
// and adds "Hash-Algorithm=SHA256" as the last query parameter of a signed URL,
// or the cookie "CloudFront-Hash-Algorithm=SHA256".
//
// # What is signed
//
// The policy is the compact JSON CloudFront rebuilds, byte for byte:
//
//	{"Statement":[{"Resource":"https://media.example.com/a.jpg?w=1&h=2","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400}}}]}
//
// with no whitespace and no HTML escaping ("&" stays "&"), encoded in
// CloudFront's URL-safe base64 ('+' becomes '-', '=' becomes '_', '/' becomes
// '~'). A URL's own query parameters are kept, in order, before the CloudFront
// parameters and, for a canned policy, are part of the signed resource. A URL
// that already carries Expires, Policy, Signature, Key-Pair-Id or
// Hash-Algorithm is refused.
//
// URLs are signed in the form a browser sends them (the WHATWG URL
// standard): the scheme and host are lowercased, an IPv6 host is compressed,
// leading zeros and a default port (:443, :80) are dropped, an empty path
// becomes "/", "." and ".." path segments (also as %2e) are resolved, and
// spaces and non-ASCII characters are percent-encoded as UTF-8 (existing %XX
// escapes are kept as they are). SignURL returns that form, so what is
// requested is what was signed. Hosts and ports are parsed strictly: user
// information, a second ':' outside brackets (https://a:b:443), ports past
// 65535 or 0, empty or over-long DNS labels and numeric hosts that browsers
// would rewrite (127.1) are refused. A resource pattern with a "." or ".."
// segment is refused, since no browser sends one. A tab or line break inside
// a URL is refused too: browsers delete them, so no encoded form of them is
// what a browser requests. MatchURL, Check and verify apply a pattern to the
// same normalised URL.
//
// # HLS
//
// A playlist refers to its variants and segments by relative URL, and a
// player resolves those against the playlist URL without its query string,
// so a signed playlist URL alone gives 403 on the first segment. Either:
//
//   - sign the asset once with SignAsset and make the player append the same
//     signed query (SignedAsset.Query) to every playlist, variant and segment
//     request: with hls.js, an xhrSetup or a custom loader that appends it to
//     every URL under the asset (see docs/signed-urls.md); or
//   - set the asset's cookies (AssetCookies) on a domain shared by the page and
//     the media (app.example.com and media.example.com with Domain=example.com).
//     Cookies cannot be shared with a *.cloudfront.net host: the media must be
//     on the user's own domain, an alternate domain name of the distribution.
//
// # Cookies across sites
//
// Cookies default to Secure, HttpOnly, Path "/" and SameSite=Lax, which is
// right when the player page and the media domain are the same site (same
// registrable domain). A player on another site needs SameSite=None (which
// requires Secure), requests made with credentials (hls.js: xhr.withCredentials
// = true in xhrSetup; fetch: credentials: 'include'; <video crossorigin=
// "use-credentials">), and responses with Access-Control-Allow-Origin set to
// the page's exact origin (never "*") and Access-Control-Allow-Credentials:
// true.
//
// # Verification
//
// Parse and ParseCookies decode a signed URL or cookie set into a Signed
// value exposing its policy, resource, times, key pair id and hash algorithm;
// Signed.Verify checks the signature with a public key, Signed.MatchURL checks
// a URL against the resource with CloudFront's wildcards, and
// Signed.CheckTime checks the time conditions. Each failure is a distinct
// error (see the Err* variables and the *Error types).
package urlsign
