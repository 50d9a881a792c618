package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/internal/readlimit"
	"github.com/mediacdn/mediacdn/internal/safetext"
	"github.com/mediacdn/mediacdn/urlsign"
	"github.com/spf13/cobra"
)

// playlistFlags are the flags of `mediacdn sign --playlist`.
type playlistFlags struct {
	source           string
	relativeChildren bool
	fetchTimeout     time.Duration
	maxURIs          int
}

func addPlaylistFlags(cmd *cobra.Command, f *playlistFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.source, "playlist", "", "sign an HLS playlist: a file, '-' for standard input, or an http(s) URL to fetch (with the asset's signature when --resource covers it); prints it with every URI under --resource made absolute and signed with one policy. --url is the playlist's own URL, --resource the asset, e.g. 'https://media.example.com/videos/abc/*'")
	fl.BoolVar(&f.relativeChildren, "relative-children", false, "with --playlist: write child playlists (variants, renditions, I-frame and image streams, rendition reports) as relative, unsigned URIs, for a back end that serves each of them signed at the same relative path")
	fl.DurationVar(&f.fetchTimeout, "fetch-timeout", 20*time.Second, "with --playlist URL: time allowed to fetch it")
	fl.IntVar(&f.maxURIs, "max-uris", urlsign.DefaultMaxPlaylistURIs, "with --playlist: refuse a playlist referencing more URIs than this (24 hours of 2-second segments are 43,200); each signed URI takes 300 to 600 bytes of memory and output")
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if f.source == "" && (cmd.Flags().Changed("relative-children") || cmd.Flags().Changed("fetch-timeout") || cmd.Flags().Changed("max-uris")) {
			return usageError("--relative-children, --fetch-timeout and --max-uris need --playlist")
		}
		if f.maxURIs < 1 {
			return usageError("--max-uris %d: give the most URIs the playlist may reference, at least 1 (default %d)", f.maxURIs, urlsign.DefaultMaxPlaylistURIs)
		}
		return nil
	}
	cmd.Example += `

  # A signed copy of a playlist: every variant, segment, key and map URI
  # absolute, carrying one signature for the asset
  mediacdn sign --playlist index.m3u8 --url https://media.example.com/videos/abc/index.m3u8 \
      --resource 'https://media.example.com/videos/abc/*' --key-pair-id K2JCJMDEHXQW5F \
      --private-key keys/private_key.pem --expires 2h > signed.m3u8`
}

func runSignPlaylist(cmd *cobra.Command, f signFlags, signer *urlsign.Signer, p urlsign.Policy, t0 time.Time) error {
	if f.cookies {
		return usageError("--playlist prints a signed playlist; it cannot be combined with --cookies")
	}
	if strings.TrimSpace(f.resource) == "" {
		return usageError("--playlist needs --resource, the asset the playlist belongs to: its directory followed by *, e.g. 'https://media.example.com/videos/abc/*' (one signature covers every file below it)")
	}
	if cmd.Flags().Changed("fetch-timeout") && !isHTTPURL(f.playlist.source) {
		return usageError("--fetch-timeout applies to a --playlist URL only")
	}
	assetURL := f.resource
	p.Resource = "" // SignAsset derives it from the asset URL
	asset, err := signer.SignAsset(assetURL, p)
	if err != nil {
		return signingValueError(err)
	}
	data, err := readPlaylist(cmd, f.playlist, asset)
	if err != nil {
		return err
	}
	signed, err := asset.SignPlaylist(data, f.url, urlsign.PlaylistOptions{RelativeChildren: f.playlist.relativeChildren, MaxURIs: f.playlist.maxURIs})
	if err != nil {
		if errors.Is(err, urlsign.ErrTooManyURIs) {
			return &exitError{code: exitFail, err: fmt.Errorf("--playlist %s references more than %d URIs, the limit set by --max-uris; nothing was signed (each signed URI takes 300 to 600 bytes of memory and output: raise --max-uris if the playlist is genuine)", safetext.Clip(f.playlist.source, 200), f.playlist.maxURIs)}
		}
		if errors.Is(err, urlsign.ErrNotPlaylist) {
			return &exitError{code: exitFail, err: fmt.Errorf("--playlist %s is not an HLS playlist: its first line is not #EXTM3U; nothing was signed", safetext.Clip(f.playlist.source, 200))}
		}
		return signingValueError(err)
	}
	if err := writePlaylist(cmd.OutOrStdout(), signed.Playlist); err != nil {
		return &exitError{code: exitFail, err: err}
	}
	stderr := cmd.ErrOrStderr()
	fmt.Fprintf(stderr, "signed %s playlist: %d URIs carry one custom policy for %s, expires %s (in %s), Key-Pair-Id %s, %s\n",
		signed.Type, signed.Signed, asset.Resource, asset.Expires.Format(time.RFC3339), humanDuration(asset.Expires.Sub(t0)), signer.KeyPairID(), signer.Hash())
	if signed.Children > 0 {
		fmt.Fprintf(stderr, "%d child playlists written relative and unsigned (--relative-children): serve each of them signed too\n", signed.Children)
	}
	for _, u := range signed.Unsigned {
		fmt.Fprintf(stderr, "warning: %s\n", safetext.Clip(u.String(), 400))
	}
	for _, n := range signed.Notes {
		fmt.Fprintf(stderr, "note: line %d: %s\n", n.Line, safetext.Clip(n.Text, 300))
	}
	return nil
}

func isHTTPURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// readPlaylist reads --playlist from a file, standard input or a URL, at
// most readlimit.PlaylistSize bytes.
func readPlaylist(cmd *cobra.Command, f playlistFlags, asset *urlsign.SignedAsset) ([]byte, error) {
	fail := func(err error) error {
		return &exitError{code: exitFail, err: fmt.Errorf("--playlist: %s; nothing was signed", safetext.Clip(err.Error(), 400))}
	}
	switch {
	case f.source == "-":
		data, err := readlimit.Reader(cmd.InOrStdin(), "standard input", readlimit.PlaylistSize)
		if err != nil {
			return nil, fail(err)
		}
		return data, nil
	case isHTTPURL(f.source):
		data, err := fetchPlaylist(cmd.Context(), f.source, asset, f.fetchTimeout)
		if err != nil {
			return nil, fail(err)
		}
		return data, nil
	}
	data, err := readlimit.File(f.source, readlimit.PlaylistSize)
	if err != nil {
		return nil, fail(err)
	}
	return data, nil
}

// fetchPlaylist GETs a playlist, with the asset's signature when the asset
// covers its URL (a signed distribution refuses it otherwise).
func fetchPlaylist(ctx context.Context, src string, asset *urlsign.SignedAsset, timeout time.Duration) ([]byte, error) {
	target := src
	if signed, err := asset.URL(src); err == nil {
		target = signed
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{CheckRedirect: sameOriginRedirects(req.URL)}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message would repeat the URL with the signature
		}
		return nil, fmt.Errorf("fetching %s: %w", src, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return nil, fmt.Errorf("fetching %s: %s: %s", src, resp.Status, strings.TrimSpace(string(body)))
	}
	return readlimit.Reader(resp.Body, src, readlimit.PlaylistSize)
}

// sameOriginRedirects follows a redirect only to the scheme, host and port
// the user named (at most 10): a playlist URL from outside must not lead the
// signer to another host, such as a cloud metadata address.
func sameOriginRedirects(start *url.URL) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if req.URL.Scheme != start.Scheme || req.URL.Host != start.Host {
			return fmt.Errorf("redirected to another origin (%s), not followed: only redirects within %s://%s are; pass the final URL to --playlist if you trust it",
				safetext.Quote(req.URL.Scheme+"://"+req.URL.Host, 200), start.Scheme, start.Host)
		}
		return nil
	}
}

// writePlaylist writes the playlist exactly; on a terminal, each line goes
// through safetext.Escape, since the playlist came from outside.
func writePlaylist(w io.Writer, data []byte) error {
	if !isTerminal(w) {
		_, err := w.Write(data)
		return err
	}
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if _, err := io.WriteString(w, safetext.Escape(strings.TrimRight(string(line), "\r\n"))+"\n"); err != nil {
			return err
		}
	}
	return nil
}
