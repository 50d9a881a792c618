// Command signed-player is an example back end for signed HLS, with a player
// page for each of the three methods of docs/signed-hls.md:
//
//   - /cookies.html: the back end sets the asset's signed cookies; hls.js
//     sends them (withCredentials);
//   - /query.html: the back end hands the page the asset's signed query;
//     an hls.js hook appends it to every request under the asset;
//   - /native.html: the back end serves signed playlists (/hls/...);
//     <video src> plays them natively, or hls.js with no hook.
//
// Run it against a signed distribution, or locally against `mediacdn serve`
// with a template that has a key group:
//
//	go run ./examples/signed-player --media https://media.example.com/videos/ \
//	    --key-pair-id K2JCJMDEHXQW5F --private-key keys/private_key.pem
//	# open http://127.0.0.1:3000/native.html?asset=abc
//
// The media must allow the page's origin in allowedOrigins (and, for
// cookies, allowCredentials with that specific origin).
package main

import (
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/internal/hlsjs"
	"github.com/mediacdn/mediacdn/internal/readlimit"
	"github.com/mediacdn/mediacdn/urlsign"
)

//go:embed static
var static embed.FS

// assetName is what the pages may ask for: one directory below --media, and
// the name of its master playlist in it.
var (
	assetName    = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)
	playlistName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}\.m3u8$`)
)

type server struct {
	signer       *urlsign.Signer
	media        string // --media, ending in '/'
	cookieDomain string
	expiry       time.Duration
}

func main() {
	addr := flag.String("addr", "127.0.0.1:3000", "address to listen on (the page origin)")
	media := flag.String("media", "", "URL of the directory holding the assets, ending in '/', e.g. https://media.example.com/videos/ (required)")
	keyPairID := flag.String("key-pair-id", "", "CloudFront public key id (required)")
	privateKey := flag.String("private-key", "", "PEM private key file (required)")
	hlsJSFile := flag.String("hlsjs", "", "hls.js file served to the pages as /hls.js (default: the hls.js "+hlsjs.Version+" embedded in this module)")
	cookieDomain := flag.String("cookie-domain", "", "Domain of the signed cookies, shared by this site and the media host (default: host-only)")
	expiry := flag.Duration("expiry", 2*time.Hour, "lifetime of each signature")
	flag.Parse()
	var hlsJS http.Handler = http.HandlerFunc(hlsjs.ServeHTTP)
	if *hlsJSFile != "" {
		hlsJS = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, *hlsJSFile) })
	}
	if err := run(*addr, *media, *keyPairID, *privateKey, hlsJS, *cookieDomain, *expiry); err != nil {
		fmt.Fprintln(os.Stderr, "signed-player:", err)
		os.Exit(2)
	}
}

func run(addr, media, keyPairID, privateKey string, hlsJS http.Handler, cookieDomain string, expiry time.Duration) error {
	if media == "" || keyPairID == "" || privateKey == "" {
		return errors.New("--media, --key-pair-id and --private-key are required")
	}
	if !strings.HasSuffix(media, "/") {
		media += "/"
	}
	pemBytes, err := readlimit.File(privateKey, readlimit.KeySize)
	if err != nil {
		return err
	}
	key, err := cfkeys.ParsePrivateKey(pemBytes)
	if err != nil {
		return err
	}
	signer, err := urlsign.New(keyPairID, key)
	if err != nil {
		return err
	}
	h, err := newHandler(signer, media, hlsJS, cookieDomain, expiry)
	if err != nil {
		return err
	}
	log.Printf("serving http://%s/ (media %s)", addr, media)
	return http.ListenAndServe(addr, h)
}

// newHandler wires the three methods and the pages.
func newHandler(signer *urlsign.Signer, media string, hlsJS http.Handler, cookieDomain string, expiry time.Duration) (http.Handler, error) {
	s := &server{signer: signer, media: media, cookieDomain: cookieDomain, expiry: expiry}
	playlists, err := urlsign.NewPlaylistHandler(urlsign.PlaylistHandlerConfig{
		Signer:      signer,
		AssetPrefix: media,
		Authorize:   s.authorize,
		Expiry:      expiry,
		OnSigned: func(r *http.Request, upstream string, p *urlsign.SignedPlaylist) {
			for _, u := range p.Unsigned {
				log.Printf("%s: %v", upstream, u)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	pages, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(pages))
	mux.Handle("GET /hls.js", hlsJS)
	mux.HandleFunc("GET /api/asset-cookies", s.assetCookies)
	mux.HandleFunc("GET /api/asset-query", s.assetQuery)
	mux.Handle("GET /hls/", http.StripPrefix("/hls", playlists)) // method 3 (GET and HEAD)
	return mux, nil
}

// authorize is where a real back end checks the viewer's session: may this
// viewer watch this asset? The example admits everyone.
func (s *server) authorize(r *http.Request, assetURL string) error {
	return nil
}

// asset reads ?asset=NAME (and ?playlist=, default index.m3u8), authorizes
// it and returns its directory URL and its master playlist's name.
func (s *server) asset(w http.ResponseWriter, r *http.Request) (assetURL, playlist string, ok bool) {
	name, playlist := r.URL.Query().Get("asset"), r.URL.Query().Get("playlist")
	if playlist == "" {
		playlist = "index.m3u8"
	}
	if !assetName.MatchString(name) || !playlistName.MatchString(playlist) {
		http.Error(w, "asset: one directory name below the media prefix; playlist: NAME.m3u8", http.StatusBadRequest)
		return "", "", false
	}
	assetURL = s.media + name + "/"
	if err := s.authorize(r, assetURL); err != nil {
		http.Error(w, "forbidden", http.StatusForbidden)
		return "", "", false
	}
	return assetURL, playlist, true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-store")
	json.NewEncoder(w).Encode(v)
}

// assetCookies is method 1: the asset's signed cookies on this response.
func (s *server) assetCookies(w http.ResponseWriter, r *http.Request) {
	assetURL, playlist, ok := s.asset(w, r)
	if !ok {
		return
	}
	cookies, err := s.signer.AssetCookies(assetURL, urlsign.Policy{Expires: time.Now().Add(s.expiry)},
		urlsign.CookieOptions{Domain: s.cookieDomain})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	for _, c := range cookies {
		http.SetCookie(w, c)
	}
	writeJSON(w, map[string]string{"playlist": assetURL + playlist})
}

// assetQuery is method 2: the signed playlist URL and the query the player
// appends to every request under the asset.
func (s *server) assetQuery(w http.ResponseWriter, r *http.Request) {
	assetURL, playlist, ok := s.asset(w, r)
	if !ok {
		return
	}
	a, err := s.signer.SignAsset(assetURL, urlsign.Policy{Expires: time.Now().Add(s.expiry)})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	signedPlaylist, err := a.URL(assetURL + playlist)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]string{"playlist": signedPlaylist, "assetPrefix": a.Resource[:len(a.Resource)-1], "query": a.Query})
}
