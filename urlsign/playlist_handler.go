package urlsign

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/internal/readlimit"
)

// Defaults of PlaylistHandlerConfig.
const (
	DefaultPlaylistExpiry   = time.Hour
	DefaultMaxPlaylistSize  = 4 << 20 // a 10,000-segment playlist is about 0.5 MiB
	DefaultPlaylistFetchTTL = 10 * time.Second
)

// PlaylistHandlerConfig configures NewPlaylistHandler.
type PlaylistHandlerConfig struct {
	// Signer signs each asset, once per playlist served. Required.
	Signer *Signer
	// AssetPrefix is the CDN URL below which the assets live, ending in '/',
	// e.g. "https://media.example.com/videos/". The handler fetches and
	// signs nothing else. Required.
	AssetPrefix string
	// AssetDepth is how many directory levels below AssetPrefix name one
	// asset: 1 (the default) for ".../videos/abc/index.m3u8", 2 for
	// ".../videos/2026/abc/index.m3u8". The signature covers that directory.
	AssetDepth int
	// Authorize decides whether the viewer making r may watch the asset
	// (its directory URL, e.g. "https://media.example.com/videos/abc/").
	// It runs before anything is fetched; an error gives 403. Required: a
	// handler that signs for anyone would hand out every asset under
	// AssetPrefix. Return nil for every viewer only for public assets.
	Authorize func(r *http.Request, assetURL string) error
	// Expiry is the lifetime of each signature (default DefaultPlaylistExpiry).
	// It bounds how long a copied segment URL works; a long video needs a
	// lifetime longer than its running time, as the player keeps the URLs of
	// the playlist it loaded first. A signature is reused for the asset while
	// at least half of Expiry remains, so every playlist served carries at
	// least Expiry/2.
	Expiry time.Duration
	// Transport fetches the playlists (default http.DefaultTransport): the
	// CDN itself, or any RoundTripper that answers for AssetPrefix.
	Transport http.RoundTripper
	// MaxPlaylistSize bounds a fetched playlist (default DefaultMaxPlaylistSize).
	MaxPlaylistSize int64
	// MaxPlaylistURIs bounds the URIs a fetched playlist may reference
	// (default DefaultMaxPlaylistURIs): the size of the signed copy, and so
	// the memory a request takes, follows the URI count. A playlist with
	// more is answered 502, before it is parsed into memory.
	MaxPlaylistURIs int
	// FetchTimeout bounds each fetch (default DefaultPlaylistFetchTTL).
	FetchTimeout time.Duration
	// OnSigned, when set, is called with every playlist served, for logging
	// the URIs left unsigned (SignedPlaylist.Unsigned), which the CDN will
	// refuse if their path requires signing.
	OnSigned func(r *http.Request, upstreamURL string, p *SignedPlaylist)
}

// PlaylistHandler serves signed copies of the HLS playlists below an asset
// prefix, so that players with no hook (Safari and iOS native HLS, a plain
// <video src>) play signed assets: a request for PATH fetches
// AssetPrefix+PATH from the CDN (signed), rewrites every segment, key and
// init-segment URI to the CDN with the asset's signed query, and points every
// child playlist back at the handler, by a relative URI, so it is signed the
// same way when the player asks for it. Mount it with http.StripPrefix:
//
//	h, err := urlsign.NewPlaylistHandler(urlsign.PlaylistHandlerConfig{
//		Signer:      signer,
//		AssetPrefix: "https://media.example.com/videos/",
//		Authorize: func(r *http.Request, asset string) error {
//			return mayWatch(r, asset) // your session check
//		},
//	})
//	mux.Handle("/hls/", http.StripPrefix("/hls", h))
//	// player: <video src="/hls/abc/index.m3u8">
//
// It answers GET and HEAD for paths ending in .m3u8 only, refuses "..", ".",
// empty segments, encoded slashes, dots and backslashes, and a query carrying
// CloudFront parameters; it follows no redirect and sends the CDN no header
// of the viewer (no cookies). A playlist over MaxPlaylistSize bytes or
// MaxPlaylistURIs URIs is answered 502. Every response, refusals included, carries
// Cache-Control: private, no-store: a playlist holds a signature, and an
// answer depends on the viewer (Authorize).
type PlaylistHandler struct {
	cfg    PlaylistHandlerConfig
	prefix string // AssetPrefix, normalized
	client *http.Client

	mu     sync.Mutex
	assets map[string]*SignedAsset // by asset URL: see signAsset
}

// maxCachedAssets bounds the signatures kept for reuse.
const maxCachedAssets = 4096

// signAsset returns the asset's signature, reusing one made earlier while
// at least half of Expiry remains: a player loads several playlists per
// asset, and a live playlist every few seconds, and one RSA signature costs
// about as much CPU as rewriting a 1,000-segment playlist. The signature
// names no viewer, so it can be shared.
func (h *PlaylistHandler) signAsset(assetURL string) (*SignedAsset, error) {
	now := h.cfg.Signer.now()
	fresh := func(a *SignedAsset) bool { return a.Expires.Sub(now) >= h.cfg.Expiry/2 }
	h.mu.Lock()
	a, ok := h.assets[assetURL]
	h.mu.Unlock()
	if ok && fresh(a) {
		return a, nil
	}
	a, err := h.cfg.Signer.SignAsset(assetURL, Policy{Expires: now.Add(h.cfg.Expiry)})
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.assets) >= maxCachedAssets {
		for k, v := range h.assets {
			if !fresh(v) {
				delete(h.assets, k)
			}
		}
		if len(h.assets) >= maxCachedAssets {
			clear(h.assets)
		}
	}
	h.assets[assetURL] = a
	return a, nil
}

// NewPlaylistHandler checks cfg and returns the handler.
func NewPlaylistHandler(cfg PlaylistHandlerConfig) (*PlaylistHandler, error) {
	if cfg.Signer == nil {
		return nil, errors.New("urlsign: PlaylistHandlerConfig.Signer is nil: give the Signer made by urlsign.New")
	}
	if cfg.Authorize == nil {
		return nil, errors.New("urlsign: PlaylistHandlerConfig.Authorize is nil: without it the handler would sign every asset under the prefix for anyone; check the viewer's session there (return nil for every viewer only for public assets)")
	}
	u, err := parseURL(cfg.AssetPrefix, false)
	if err != nil {
		return nil, fmt.Errorf("urlsign: PlaylistHandlerConfig.AssetPrefix: %w", err)
	}
	if u.query != "" || !strings.HasSuffix(u.path, "/") {
		return nil, errorf(ErrInvalidResource, "urlsign: PlaylistHandlerConfig.AssetPrefix %q must be a directory URL ending in '/' with no query, e.g. https://media.example.com/videos/", cfg.AssetPrefix)
	}
	if cfg.AssetDepth == 0 {
		cfg.AssetDepth = 1
	}
	if cfg.AssetDepth < 0 || cfg.AssetDepth > 16 {
		return nil, fmt.Errorf("urlsign: PlaylistHandlerConfig.AssetDepth %d: give the number of directory levels below AssetPrefix that name an asset (1 to 16)", cfg.AssetDepth)
	}
	if cfg.Expiry == 0 {
		cfg.Expiry = DefaultPlaylistExpiry
	}
	if cfg.Expiry < 0 {
		return nil, fmt.Errorf("urlsign: PlaylistHandlerConfig.Expiry %s is negative", cfg.Expiry)
	}
	if cfg.MaxPlaylistSize == 0 {
		cfg.MaxPlaylistSize = DefaultMaxPlaylistSize
	}
	if cfg.FetchTimeout == 0 {
		cfg.FetchTimeout = DefaultPlaylistFetchTTL
	}
	if cfg.MaxPlaylistURIs == 0 {
		cfg.MaxPlaylistURIs = DefaultMaxPlaylistURIs
	}
	if cfg.MaxPlaylistSize < 0 || cfg.FetchTimeout < 0 || cfg.MaxPlaylistURIs < 0 {
		return nil, errors.New("urlsign: PlaylistHandlerConfig.MaxPlaylistSize, MaxPlaylistURIs and FetchTimeout must not be negative")
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	client := &http.Client{
		Transport: cfg.Transport,
		// A redirect could lead outside the prefix: never follow one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &PlaylistHandler{cfg: cfg, prefix: u.String(), client: client, assets: map[string]*SignedAsset{}}, nil
}

// Limits on the request, far above any real playlist path.
const (
	maxHandlerPath  = 2048
	maxHandlerQuery = 2048
)

func (h *PlaylistHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Every answer, refusals included: a shared cache must not keep one
	// viewer's answer (a signed playlist, or a 403 from Authorize) for another.
	w.Header().Set("Cache-Control", "private, no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: GET or HEAD", http.StatusMethodNotAllowed)
		return
	}
	rel, dirs, ok := h.checkPath(r.URL.EscapedPath())
	if !ok {
		http.Error(w, "not a playlist of this asset prefix", http.StatusNotFound)
		return
	}
	if len(r.URL.RawQuery) > maxHandlerQuery {
		http.Error(w, "query too long", http.StatusRequestURITooLong)
		return
	}
	upstream := h.prefix + rel
	if r.URL.RawQuery != "" {
		upstream += "?" + r.URL.RawQuery
	}
	if _, err := NormalizeURL(upstream); err != nil {
		http.Error(w, "bad playlist request: the query must not carry CloudFront signing parameters", http.StatusBadRequest)
		return
	}
	assetURL := h.prefix + strings.Join(dirs[:h.cfg.AssetDepth], "/") + "/"
	if err := h.cfg.Authorize(r, assetURL); err != nil {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	asset, err := h.signAsset(assetURL)
	if err != nil {
		http.Error(w, "cannot sign this asset", http.StatusInternalServerError)
		return
	}
	fetchURL, err := asset.URL(upstream)
	if err != nil {
		http.Error(w, "bad playlist request", http.StatusBadRequest)
		return
	}
	data, status := h.fetch(r.Context(), fetchURL)
	if status != http.StatusOK {
		http.Error(w, http.StatusText(status), status)
		return
	}
	signed, err := asset.SignPlaylist(data, upstream, PlaylistOptions{
		ResolveUncovered: true,
		RelativeChildren: true,
		MaxURIs:          h.cfg.MaxPlaylistURIs,
	})
	switch {
	case errors.Is(err, ErrTooManyURIs):
		http.Error(w, fmt.Sprintf("upstream playlist too large to sign: it references more than %d URIs (the handler's MaxPlaylistURIs)", h.cfg.MaxPlaylistURIs), http.StatusBadGateway)
		return
	case err != nil:
		http.Error(w, "the CDN's answer is not an HLS playlist", http.StatusBadGateway)
		return
	}
	if h.cfg.OnSigned != nil {
		h.cfg.OnSigned(r, upstream, signed)
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/vnd.apple.mpegurl")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Length", strconv.Itoa(len(signed.Playlist)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(signed.Playlist)
}

// checkPath validates the escaped request path (relative to the mount
// point) and returns it without its leading '/', and its directories. It
// refuses anything that could name a file outside the prefix or that a
// server could read differently: dot segments, empty segments, encoded '/',
// '\' or '.', control characters, and paths not ending in .m3u8.
func (h *PlaylistHandler) checkPath(p string) (rel string, dirs []string, ok bool) {
	if len(p) > maxHandlerPath {
		return "", nil, false
	}
	rel = strings.TrimPrefix(p, "/")
	lower := strings.ToLower(rel)
	if !strings.HasSuffix(lower, ".m3u8") {
		return "", nil, false
	}
	for _, bad := range []string{"%2f", "%5c", "%2e", "%00", "\\"} {
		if strings.Contains(lower, bad) {
			return "", nil, false
		}
	}
	for k := 0; k < len(rel); k++ {
		if c := rel[k]; c <= 0x20 || c >= 0x7f {
			return "", nil, false
		}
	}
	segs := strings.Split(rel, "/")
	for _, s := range segs {
		if s == "" || s == "." || s == ".." {
			return "", nil, false
		}
	}
	if len(segs) <= h.cfg.AssetDepth {
		return "", nil, false // a playlist beside the assets, not in one
	}
	return rel, segs[:len(segs)-1], true
}

// fetch gets one playlist from the CDN and returns its body, or the status
// to answer the viewer with.
func (h *PlaylistHandler) fetch(ctx context.Context, signedURL string) ([]byte, int) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, signedURL, nil)
	if err != nil {
		return nil, http.StatusBadRequest
	}
	resp, err := h.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, http.StatusGatewayTimeout
		}
		return nil, http.StatusBadGateway
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, http.StatusNotFound
	case resp.StatusCode != http.StatusOK:
		// Includes 403: the CDN refused our own signature (wrong key id,
		// clock, or the key is not in the key group): the viewer cannot fix it.
		return nil, http.StatusBadGateway
	}
	data, err := readlimit.Reader(resp.Body, "playlist", h.cfg.MaxPlaylistSize)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return nil, http.StatusGatewayTimeout
		}
		return nil, http.StatusBadGateway
	}
	return data, http.StatusOK
}
