package urlsign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mediacdn/mediacdn/hls"
)

// PlaylistOptions say how SignPlaylist writes the URIs it signs.
type PlaylistOptions struct {
	// ChildPlaylistURI, when set, gives the URI written for a child playlist
	// the policy covers (variant, rendition, I-frame, image stream and
	// rendition-report playlists) instead of its signed URL. childURL is the
	// child's absolute URL, normalized, without the signature. The
	// signed-playlist handler uses it to point players back at itself, so that
	// child playlists are signed too.
	ChildPlaylistURI func(childURL string) string
	// RelativeChildren writes each child playlist the policy covers as a URI
	// relative to the playlist, without the signature: for a back end that
	// serves every playlist of the asset signed, at the same relative paths
	// (as PlaylistHandler does). A child on another host than the playlist
	// is signed as usual. It cannot be combined with ChildPlaylistURI.
	RelativeChildren bool
	// ResolveUncovered writes the URIs left unsigned as absolute URLs rather
	// than as written, so the playlist keeps its meaning when it is served
	// from another URL than the one it was fetched from.
	ResolveUncovered bool
	// MaxURIs bounds the URIs the playlist may reference (default
	// DefaultMaxPlaylistURIs; it must not be negative). A playlist with more
	// is refused, before anything is parsed into memory or rewritten, with
	// an error wrapping ErrTooManyURIs. A signed URI is the URI made
	// absolute followed by the asset's signed query (about 310 bytes with an
	// ECDSA P-256 key, 560 with RSA 2048), so the URI count, more than the
	// playlist's size, decides the memory signing takes.
	MaxURIs int
}

// DefaultMaxPlaylistURIs is the default of PlaylistOptions.MaxURIs and
// PlaylistHandlerConfig.MaxPlaylistURIs. A 24-hour VOD in 2-second segments
// has 43,200 segment URIs; 100,000 also holds a key per segment (86,400
// URIs), or 48 hours of 2-second segments, or low-latency parts (a live
// playlist lists parts for its last few segments only). The signed copy of
// a playlist at the limit holds 100,000 signed queries: 35 MB (ECDSA) to
// 60 MB (RSA) for one-character URIs below a short URL, about 200 to 260 MB
// allocated in all. Without a limit, a 1 MiB playlist of such URIs (524,288)
// made a copy of 185 to 315 MB, 0.9 to 1.2 GB allocated.
const DefaultMaxPlaylistURIs = 100_000

// SignedPlaylist is a playlist whose URIs carry the asset's signed query.
type SignedPlaylist struct {
	// Playlist is the rewritten playlist. Every byte other than the
	// rewritten URIs is as it was: comments, unknown tags, line endings.
	Playlist []byte
	// Type is the playlist's type (master, media or unknown).
	Type hls.Type
	// Signed counts the URIs rewritten to absolute URLs with the signed query.
	Signed int
	// Children counts the child playlist URIs written by
	// PlaylistOptions.ChildPlaylistURI.
	Children int
	// Unsigned lists the URIs left unsigned: outside the policy's resource,
	// already carrying CloudFront parameters, or not a URL CloudFront can
	// match. A player gets 403 for them from a distribution that requires
	// signing on their path.
	Unsigned []UnsignedURI
	// Notes are the parser's remarks, including URIs that are not fetched
	// over HTTP (skd:, data:), which are kept as they are.
	Notes []hls.Note
}

// UnsignedURI is a URI SignPlaylist left as it was, and why.
type UnsignedURI struct {
	Line int      // 1-based line number in the playlist
	Kind hls.Kind // what it references
	URI  string   // as written
	URL  string   // resolved against the playlist URL
	Err  error    // why: wraps ErrResourceMismatch, ErrReservedParameter or ErrInvalidURL
}

func (u UnsignedURI) String() string {
	return fmt.Sprintf("line %d: %s URI %q left unsigned: %v", u.Line, u.Kind, u.URI, u.Err)
}

// ErrNotPlaylist wraps hls.ErrNotPlaylist: the data to sign is not an HLS
// playlist (its first line is not #EXTM3U).
var ErrNotPlaylist = hls.ErrNotPlaylist

// SignPlaylist signs the whole asset once (one custom policy whose resource
// is assetURL followed by "*", as SignAsset) and returns playlist with every
// URI the policy covers rewritten to an absolute URL carrying that signed
// query. playlistURL is the URL the playlist was fetched from: its relative
// URIs resolve against it.
//
//	out, err := signer.SignPlaylist(data, "https://media.example.com/videos/abc/index.m3u8",
//		"https://media.example.com/videos/abc/", urlsign.Policy{Expires: time.Now().Add(2 * time.Hour)}, urlsign.PlaylistOptions{})
//	// serve out.Playlist; report out.Unsigned
func (s *Signer) SignPlaylist(playlist []byte, playlistURL, assetURL string, p Policy, o PlaylistOptions) (*SignedPlaylist, error) {
	if _, err := NormalizeURL(playlistURL); err != nil {
		return nil, err
	}
	a, err := s.SignAsset(assetURL, p)
	if err != nil {
		return nil, err
	}
	return a.SignPlaylist(playlist, playlistURL, o)
}

// SignPlaylist rewrites playlist with the asset's signed query (see
// Signer.SignPlaylist); it signs nothing itself, so one SignedAsset serves
// every playlist of the asset. Every URI-bearing line is handled: variant
// streams, EXT-X-MEDIA, EXT-X-I-FRAME-STREAM-INF, EXT-X-IMAGE-STREAM-INF,
// EXT-X-SESSION-KEY, EXT-X-SESSION-DATA, EXT-X-MAP, EXT-X-KEY, EXT-X-PART,
// EXT-X-PRELOAD-HINT, EXT-X-RENDITION-REPORT and segment lines. A URI's own
// query is kept before the signed one. URIs outside the policy are left as
// written and listed in Unsigned; skd: and data: URIs are left as written.
// The caller bounds the size of playlist; PlaylistOptions.MaxURIs bounds the
// URIs it may reference, and so the size of the signed copy.
func (a *SignedAsset) SignPlaylist(playlist []byte, playlistURL string, o PlaylistOptions) (*SignedPlaylist, error) {
	norm, err := NormalizeURL(playlistURL)
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(norm)
	if err != nil {
		return nil, errorf(ErrInvalidURL, "playlist URL %q: %v", playlistURL, err)
	}
	if o.RelativeChildren && o.ChildPlaylistURI != nil {
		return nil, errors.New("urlsign: PlaylistOptions: set RelativeChildren or ChildPlaylistURI, not both")
	}
	maxURIs := o.MaxURIs
	if maxURIs == 0 {
		maxURIs = DefaultMaxPlaylistURIs
	}
	if maxURIs < 0 {
		return nil, fmt.Errorf("urlsign: PlaylistOptions.MaxURIs %d is negative: give the most URIs a playlist may reference (0 for DefaultMaxPlaylistURIs, %d)", o.MaxURIs, DefaultMaxPlaylistURIs)
	}
	if refsOver(playlist, base, maxURIs) {
		return nil, errorf(ErrTooManyURIs, "urlsign: %q references more than %d URIs, the limit (PlaylistOptions.MaxURIs): refused before signing, as each signed URI takes 300 to 600 bytes more than a short one; raise the limit for a genuine playlist", playlistURL, maxURIs)
	}
	child := o.ChildPlaylistURI
	if o.RelativeChildren {
		child = func(c string) string { return relativeURI(norm, c) }
	}
	out := &SignedPlaylist{}
	fast := a.fastSigner(norm)
	data, p, err := hls.Rewrite(playlist, base, func(r hls.Ref) (string, bool) {
		if signed, ok := fast(r.URI); ok && !(r.Kind.IsPlaylist() && child != nil) {
			out.Signed++
			return signed, true
		}
		abs := r.URL.String()
		signed, err := a.URL(abs)
		if err != nil {
			out.Unsigned = append(out.Unsigned, UnsignedURI{Line: r.Line, Kind: r.Kind, URI: r.URI, URL: abs, Err: err})
			return abs, o.ResolveUncovered && abs != r.URI && isRewritable(err)
		}
		if r.Kind.IsPlaylist() && child != nil {
			// signed is the normalized URL, "?" or "&", then a.Query.
			if c := child(signed[:len(signed)-len(a.Query)-1]); c != "" {
				out.Children++
				return c, true
			}
		}
		out.Signed++
		return signed, true
	})
	if err != nil {
		if errors.Is(err, hls.ErrNotPlaylist) {
			return nil, fmt.Errorf("urlsign: %s: %w", playlistURL, err)
		}
		return nil, fmt.Errorf("urlsign: %w", err)
	}
	out.Playlist, out.Type, out.Notes = data, p.Type, p.Notes
	return out, nil
}

// refsOver reports whether playlist references more than max URIs, keeping
// nothing of it: a hostile playlist is refused in bounded memory, which
// hls.Parse (a Ref per URI) would not give. Each line holds at most one URI,
// on a URI line (not starting with '#') or a tag line naming a URI
// attribute; only a playlist with more such lines than max is parsed to
// count exactly, so a real one is not parsed twice.
func refsOver(playlist []byte, base *url.URL, max int) bool {
	if lines := bytes.Count(playlist, []byte{'\n'}) + bytes.Count(playlist, []byte{'\r'}) + 1; lines <= max {
		return false
	}
	candidates := 0
	for rest := playlist; len(rest) > 0 && candidates <= max; {
		line := rest
		if i := bytes.IndexAny(rest, "\r\n"); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		// Trimmed as hls.Scan trims; a line with "URI" anywhere is counted.
		if line = bytes.TrimSpace(line); len(line) > 0 && (line[0] != '#' || bytes.Contains(line, []byte("URI"))) {
			candidates++
		}
	}
	if candidates <= max {
		return false
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	// Scan stops within a few thousand lines of the cancel. Its error (not
	// a playlist, or the cancel) is Rewrite's to report, or the answer.
	_, _ = hls.Scan(ctx, string(playlist), base, func(hls.Ref) {
		if n++; n > max {
			cancel()
		}
	}, nil)
	return n > max
}

// isRewritable reports whether an unsigned URI may be written in its
// resolved form: not when it is no URL CloudFront can match (a fragment, a
// backslash), where the resolved form could differ from what a player sends.
func isRewritable(err error) bool {
	return !errors.Is(err, ErrInvalidURL)
}

// relativeURI returns target (a normalized absolute URL) as a reference
// relative to from (another): the shortest "../"-prefixed path that
// resolves, against from, to target's path and query. It returns "" when the
// two differ in scheme, host or port.
func relativeURI(from, target string) string {
	f, err1 := parseURL(from, false)
	t, err2 := parseURL(target, false)
	if err1 != nil || err2 != nil || f.prefix != t.prefix {
		return ""
	}
	fromDirs := strings.Split(f.path[:strings.LastIndexByte(f.path, '/')+1], "/")
	fromDirs = fromDirs[1 : len(fromDirs)-1] // drop the empty first and last
	rest := t.path[1:]
	common := 0
	for common < len(fromDirs) && strings.HasPrefix(rest, fromDirs[common]+"/") {
		rest = rest[len(fromDirs[common])+1:]
		common++
	}
	rel := strings.Repeat("../", len(fromDirs)-common) + rest
	if rel == "" || strings.HasPrefix(rel, "/") || strings.Contains(strings.SplitN(rel, "/", 2)[0], ":") {
		// "", "//x" and "a:b" would not read as a relative path: spell it out.
		rel = "./" + rel
	}
	if t.query != "" {
		rel += "?" + t.query
	}
	return rel
}

// fastSigner returns a function that signs a plain relative URI (a segment
// name such as "segment_00042.ts" or "720p/init.mp4") without parsing it,
// as a.URL would: when the playlist's directory lies inside the asset, such
// a URI resolves to that directory followed by the URI, which is already in
// normal form. Anything else reports ok=false and takes the general path.
func (a *SignedAsset) fastSigner(normPlaylistURL string) func(uri string) (string, bool) {
	no := func(string) (string, bool) { return "", false }
	lit := strings.TrimSuffix(a.Resource, "*")
	if lit == a.Resource || strings.ContainsAny(lit, "*?") {
		return no // not the literal "directory/*" of SignAsset
	}
	path, _, _ := strings.Cut(normPlaylistURL, "?")
	dir := path[:strings.LastIndexByte(path, '/')+1]
	_, dirPath, _ := strings.Cut(dir, "://")
	if !strings.HasPrefix(dir, lit) || strings.Contains(dirPath, "/.") || strings.Contains(dirPath, "//") || !plainEscapedPath(dirPath) {
		return no // outside the asset, or dot or empty segments or characters a resolver would rewrite
	}
	return func(uri string) (string, bool) {
		if !plainRelativePath(uri) {
			return "", false
		}
		var b strings.Builder
		b.Grow(len(dir) + len(uri) + 1 + len(a.Query))
		b.WriteString(dir)
		b.WriteString(uri)
		b.WriteByte('?')
		b.WriteString(a.Query)
		return b.String(), true
	}
}

// plainRelativePath reports whether uri is a relative path of unreserved
// characters in non-empty segments other than "." and "..": it resolves by
// plain concatenation and needs no encoding.
func plainRelativePath(uri string) bool {
	if uri == "" || uri[0] == '/' || uri[len(uri)-1] == '/' {
		return false
	}
	segStart := 0
	for i := 0; i <= len(uri); i++ {
		if i == len(uri) || uri[i] == '/' {
			seg := uri[segStart:i]
			if seg == "" || seg == "." || seg == ".." {
				return false
			}
			segStart = i + 1
			continue
		}
		c := uri[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// plainEscapedPath reports whether p holds only unreserved characters, '/',
// ':' (in the host part) and valid %XX escapes: what net/url writes back
// unchanged when it resolves a reference against it.
func plainEscapedPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9', strings.IndexByte("-._~/:", c) >= 0:
		case c == '%' && i+2 < len(p) && isHexDigit(p[i+1]) && isHexDigit(p[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
