// Package edgefixture runs the local edge for tests: a synthesized template
// served over an s3origin.Dir of a media directory that has the template's
// bucket CORS rules, on 127.0.0.1. Test pages run on a random port, so one
// origin the template allows can be replaced by the page's origin.
//
//	srv, e := edgefixture.Start(t, edgefixture.Template{
//		Path: "../testdata/default.template.json", Origin: "http://localhost:3000",
//	}, page.URL, set.Dir, edge.Options{})
//	// srv.URL serves the media; e.KeyPairIDs() gives the local key ids
//	signer := edgefixture.Signer(t, e, "testdata/keys/test_only_rsa_private.pem")
package edgefixture

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/s3origin"
	"github.com/mediacdn/mediacdn/urlsign"
)

// Template is a template file and the allowed origin in it that stands for
// the test page's origin.
type Template struct {
	// Name describes it in test names.
	Name string
	Path string
	// Origin is replaced by the page origin everywhere it appears (bucket
	// CORS rules, response headers policy, viewer-response function code);
	// empty for a template allowing every origin.
	Origin string
}

// Start serves tpl, with tpl.Origin replaced by pageOrigin, over
// s3origin.Dir(dir); both stop when the test ends. opts.FunctionTimeout
// defaults to 5 s here.
func Start(tb testing.TB, tpl Template, pageOrigin, dir string, opts edge.Options) (*httptest.Server, *edge.Edge) {
	tb.Helper()
	raw, err := os.ReadFile(tpl.Path)
	if err != nil {
		tb.Fatal(err)
	}
	text := string(raw)
	if tpl.Origin != "" {
		if !strings.Contains(text, tpl.Origin) {
			tb.Fatalf("%s does not allow %s", tpl.Path, tpl.Origin)
		}
		text = strings.ReplaceAll(text, tpl.Origin, pageOrigin)
	}
	dists, err := cfconfig.Parse(tpl.Path, []byte(text))
	if err != nil {
		tb.Fatal(err)
	}
	if len(dists) != 1 {
		tb.Fatalf("%s has %d distributions, want 1", tpl.Path, len(dists))
	}
	var rules []s3origin.CORSRule
	for _, o := range dists[0].Origins {
		if o.Bucket != nil {
			for _, r := range o.Bucket.CORS {
				rules = append(rules, s3origin.CORSRule(r))
			}
		}
	}
	bucket, err := s3origin.NewDir(dir, s3origin.DirOptions{CORS: rules})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { bucket.Close() })
	if opts.FunctionTimeout == 0 {
		// The edge's default (1 s) is wall-clock time: on a loaded machine a
		// function run waiting for a CPU can exceed it and the edge answers
		// 503. These tests are not about that limit, which only catches
		// runaway code.
		opts.FunctionTimeout = 5 * time.Second
	}
	e, err := edge.New(dists[0], bucket, opts)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(e)
	tb.Cleanup(srv.Close)
	return srv, e
}

// Signer signs with the private key at keyPath under the local Key-Pair-Id
// the edge gave the template's only public key; opts are passed to urlsign.New.
func Signer(tb testing.TB, e *edge.Edge, keyPath string, opts ...urlsign.Option) *urlsign.Signer {
	tb.Helper()
	pemBytes, err := os.ReadFile(keyPath)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := cfkeys.ParsePrivateKey(pemBytes)
	if err != nil {
		tb.Fatal(err)
	}
	ids := e.KeyPairIDs()
	if len(ids) != 1 {
		tb.Fatalf("the template has %d public keys, want 1", len(ids))
	}
	var id string
	for _, v := range ids {
		id = v
	}
	s, err := urlsign.New(id, key, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// ChromiumAcceptEncoding is what Chromium 156 sends to 127.0.0.1: a cache
// that keys on the normalized Accept-Encoding stores its answer under br.
const ChromiumAcceptEncoding = "gzip, deflate, br, zstd"

// GetAsImage requests url without Origin, as an <img> without crossorigin
// does, with Chromium's Accept-Encoding, so the edge caches the answer under
// the key a later browser request uses. The body is drained and closed.
func GetAsImage(tb testing.TB, url string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", ChromiumAcceptEncoding)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}
