package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/edge"
	"github.com/mediacdn/mediacdn/internal/safetext"
)

// Bounds of the local server: headers, request bodies (only invalidations
// have one) and slow clients.
const (
	serveMaxHeaderBytes = 64 << 10
	serveMaxBodyBytes   = 1 << 20
	serveShutdownGrace  = 5 * time.Second
)

// serveOrigin builds the origin handler the flags name (a directory or an
// S3-compatible server) and a cleanup; serve_origin.go provides it and
// registers the subcommand.
var serveOrigin func(ctx context.Context, f serveFlags, dist *cfconfig.Distribution, out io.Writer) (http.Handler, func(), error)

type serveFlags struct {
	template, dir, addr, distribution string
	endpoint, bucket, region          string
	createBucket                      bool
	ignoreWAF, ignoreGeo              bool
	cacheMiB                          int64
	invalidationPath                  string
	readings                          []string
}

func newServeCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve --template FILE_OR_CDK_OUT (--dir DIR | --s3-endpoint URL --bucket NAME) [--addr 127.0.0.1:8080]",
		Short: "Run the synthesized distribution locally: a CloudFront edge in front of a directory or an S3-compatible server",
		Long: `Serve the distribution of a synthesized template (a CloudFormation template,
a cdk.out directory, or get-distribution-config JSON) on a local address, as
CloudFront and the S3 bucket behind it would: behaviors, allowed methods,
CloudFront Functions, signed URLs and cookies (with local Key-Pair-Ids,
printed at start), origin request policies, the cache (X-Cache, Age),
response headers policies and compression. docs/edge.md lists every rule
and every assumption.

The origin is a directory laid out as the bucket (--dir), answered as S3
does with the template's bucket CORS rules, or an S3-compatible server
(--s3-endpoint, --bucket) reached with SigV4 as Origin Access Control signs
(credentials from the usual AWS environment). --create-bucket creates the
bucket there and replaces its CORS configuration with the template's rules;
it is refused when the template imports an existing bucket, whose rules the
template does not hold (set them on the server yourself).

Not emulated: TLS and HTTPS redirects (the local edge speaks plain HTTP),
Lambda@Edge and custom origins (refused at start, named).

The cache keeps answers until they expire: POST the paths to
INVALIDATION_PATH to drop them, e.g.
  curl -X POST 'http://127.0.0.1:8080/.mediacdn/invalidate?path=/videos/*'

One line per request: method, path, behavior, cache outcome, status, and
which layer (origin, policy, function) set each CORS header.`,
		Example: `  cdk synth && mediacdn serve --template cdk.out --dir ./media
  mediacdn serve --template cdk.out --s3-endpoint http://127.0.0.1:7070 --bucket media --create-bucket
  mediacdn sign --url http://127.0.0.1:8080/photos/a.jpg --key-pair-id KXXXXXXXXXXXXX --private-key keys/private_key.pem --expires 1h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.template, "template", "", "CloudFormation template JSON, cdk.out directory, or get-distribution-config JSON (required)")
	fl.StringVar(&f.dir, "dir", "", "directory holding the bucket's objects (object key = path below it)")
	fl.StringVar(&f.endpoint, "s3-endpoint", "", "URL of an S3-compatible server to use as the origin instead of --dir")
	fl.StringVar(&f.bucket, "bucket", "", "bucket name on --s3-endpoint")
	fl.StringVar(&f.region, "region", "us-east-1", "region used to sign requests to --s3-endpoint")
	fl.BoolVar(&f.createBucket, "create-bucket", false, "create --bucket on --s3-endpoint if needed and replace its CORS configuration with the template's rules (refused for a template that imports an existing bucket)")
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (only this one; loopback by default)")
	fl.StringVar(&f.distribution, "distribution", "", "label of the distribution to serve when the template has several (as listed in the error)")
	fl.Int64Var(&f.cacheMiB, "cache-size", 64, "cache size in MiB")
	fl.StringVar(&f.invalidationPath, "invalidation-path", "/.mediacdn/invalidate", "local path taking POST invalidations ('-' to disable)")
	fl.BoolVar(&f.ignoreWAF, "ignore-waf", false, "serve a distribution with an AWS WAF web ACL as if the ACL allowed every request (WAF is not emulated)")
	fl.BoolVar(&f.ignoreGeo, "ignore-geo-restriction", false, "serve a distribution with geographic restriction to every viewer (not emulated)")
	fl.StringSliceVar(&f.readings, "reading", nil, "turn on a reading of undocumented CloudFront behavior (repeatable): "+strings.Join(edge.Readings, ", "))
	return cmd
}

func runServe(cmd *cobra.Command, f serveFlags) error {
	cfg, err := resolveServe(f)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	origin, cleanup, err := serveOrigin(ctx, f, cfg.dist, cmd.OutOrStdout())
	if err != nil {
		return err
	}
	defer cleanup()
	return serveEdge(ctx, cfg, origin, cmd.OutOrStdout(), nil)
}

// serveConfig is what runServe resolved from the flags.
type serveConfig struct {
	dist   *cfconfig.Distribution
	opts   edge.Options
	addr   string
	source string
}

// resolveServe checks the flags and loads the template; every error is a
// usage error (exit status 2).
func resolveServe(f serveFlags) (*serveConfig, error) {
	if f.template == "" {
		return nil, usageError("--template is required: a synthesized template or cdk.out directory (run cdk synth first)")
	}
	switch {
	case f.dir == "" && f.endpoint == "":
		return nil, usageError("give the origin: --dir DIR (a directory laid out as the bucket) or --s3-endpoint URL --bucket NAME")
	case f.dir != "" && f.endpoint != "":
		return nil, usageError("--dir and --s3-endpoint are exclusive: choose one origin")
	case f.endpoint != "" && f.bucket == "":
		return nil, usageError("--s3-endpoint needs --bucket NAME")
	case f.endpoint == "" && (f.bucket != "" || f.createBucket):
		return nil, usageError("--bucket and --create-bucket go with --s3-endpoint")
	case f.cacheMiB <= 0 || f.cacheMiB > 64<<10:
		return nil, usageError("--cache-size must be between 1 and 65536 MiB, got %d", f.cacheMiB)
	}
	if f.invalidationPath != "-" && !strings.HasPrefix(f.invalidationPath, "/") {
		return nil, usageError("--invalidation-path must start with / (or be - to disable), got %q", f.invalidationPath)
	}
	if f.dir != "" {
		st, err := os.Stat(f.dir)
		if err != nil {
			return nil, usageError("--dir: %v", err)
		}
		if !st.IsDir() {
			return nil, usageError("--dir %s is not a directory", f.dir)
		}
	}
	if _, _, err := net.SplitHostPort(f.addr); err != nil {
		return nil, usageError("--addr %q: %v (want host:port, e.g. 127.0.0.1:8080)", f.addr, err)
	}
	opts := edge.Options{CacheBytes: f.cacheMiB << 20, InvalidationPath: f.invalidationPath, IgnoreWAF: f.ignoreWAF, IgnoreGeoRestriction: f.ignoreGeo}
	for _, r := range f.readings {
		if err := setReading(&opts, r); err != nil {
			return nil, err
		}
	}
	dists, err := cfconfig.Load(f.template)
	if err != nil {
		return nil, usageError("--template: %v", err)
	}
	dist, err := pickDistribution(dists, f.distribution)
	if err != nil {
		return nil, err
	}
	return &serveConfig{dist: dist, opts: opts, addr: f.addr, source: f.template}, nil
}

func setReading(o *edge.Options, name string) error {
	next, ok := o.WithReading(strings.TrimSpace(name))
	if !ok {
		return usageError("--reading %q: unknown, want one of %s", name, strings.Join(edge.Readings, ", "))
	}
	*o = next
	return nil
}

func pickDistribution(dists []*cfconfig.Distribution, label string) (*cfconfig.Distribution, error) {
	var labels []string
	for _, d := range dists {
		if label == "" && len(dists) == 1 || d.Label == label {
			return d, nil
		}
		labels = append(labels, d.Label)
	}
	sort.Strings(labels)
	if label == "" {
		return nil, usageError("the template has %d distributions: choose one with --distribution (%s)", len(dists), strings.Join(labels, ", "))
	}
	return nil, usageError("--distribution %q is not in the template (it has %s)", label, strings.Join(labels, ", "))
}

// serveEdge runs the edge over origin on the configured address until ctx
// ends. ready, when set, gets the listening address.
func serveEdge(ctx context.Context, cfg *serveConfig, origin http.Handler, out io.Writer, ready func(net.Addr)) error {
	var mu sync.Mutex // one request line at a time
	cfg.opts.Log = func(i edge.RequestInfo) {
		line := requestLine(i)
		mu.Lock()
		fmt.Fprintln(out, line)
		mu.Unlock()
	}
	e, err := edge.New(cfg.dist, origin, cfg.opts)
	if err != nil {
		return usageError("%v", err)
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return usageError("--addr: %v", err)
	}
	for _, b := range cfg.dist.Behaviors {
		if b.ViewerProtocol == "redirect-to-https" || b.ViewerProtocol == "https-only" {
			fmt.Fprintf(out, "note: ViewerProtocolPolicy %s is not emulated: the local edge serves plain HTTP\n", b.ViewerProtocol)
			break
		}
	}
	ids := e.KeyPairIDs()
	for _, pk := range cfg.dist.PublicKeys() { // template order
		fmt.Fprintf(out, "key-pair-id %s (%s)\n", ids[pk.LogicalID], safetext.Escape(pk.LogicalID))
	}
	base, everywhere := servedURL(ln.Addr())
	if everywhere {
		fmt.Fprintf(out, "note: --addr %s listens on every interface: other machines can reach this edge\n", safetext.Escape(cfg.addr))
	}
	fmt.Fprintf(out, "serving %s of %s on %s (Ctrl-C to stop)\n", safetext.Escape(cfg.dist.Label), safetext.Escape(cfg.source), base)
	if ready != nil {
		ready(ln.Addr())
	}
	srv := &http.Server{
		Handler:           boundBody(e, serveMaxBodyBytes, cfg.opts.Log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    serveMaxHeaderBytes,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), serveShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(out, "stopped")
	return nil
}

// boundBody refuses with 413 a request that declares a body over max, and
// cuts an undeclared (chunked) one at max; log gets the refusal's line.
// Only invalidations have a body: paths, one per line.
func boundBody(h http.Handler, max int64, log func(edge.RequestInfo)) http.Handler {
	limited := http.MaxBytesHandler(h, max)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			w.Header().Set("Connection", "close") // do not read the body to reuse the connection
			http.Error(w, fmt.Sprintf("request body over %d bytes", max), http.StatusRequestEntityTooLarge)
			if log != nil {
				log(edge.RequestInfo{Method: r.Method, Path: r.URL.RequestURI(), Behavior: "-", Status: http.StatusRequestEntityTooLarge,
					Reason: fmt.Sprintf("request body of %d bytes, over %d", r.ContentLength, max)})
			}
			return
		}
		limited.ServeHTTP(w, r)
	})
}

// servedURL is the URL to print for the listening address: for an
// unspecified address (0.0.0.0, [::]) the loopback one, which a browser and
// "mediacdn sign" can use, rather than "http://[::]:PORT/".
func servedURL(a net.Addr) (base string, everywhere bool) {
	if t, ok := a.(*net.TCPAddr); ok && t.IP.IsUnspecified() {
		return "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(t.Port)) + "/", true
	}
	return "http://" + a.String() + "/", false
}

// requestLine renders one request for the terminal: untrusted parts escaped.
func requestLine(i edge.RequestInfo) string {
	cache := i.Cache
	if cache == "" {
		cache = "-"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s behavior=%s cache=%s status=%d", safetext.Escape(i.Method), safetext.Clip(i.Path, 300), safetext.Escape(i.Behavior), cache, i.Status)
	if len(i.CORS) > 0 {
		names := make([]string, 0, len(i.CORS))
		for k := range i.CORS {
			names = append(names, k)
		}
		sort.Strings(names)
		var parts []string
		for _, k := range names {
			// A header name can come from a template's function: escaped too.
			parts = append(parts, safetext.Escape(strings.ToLower(k))+"="+string(i.CORS[k]))
		}
		b.WriteString(" cors=" + strings.Join(parts, ","))
	}
	if i.Reason != "" {
		b.WriteString(" reason=" + safetext.Clip(i.Reason, 300))
	}
	return b.String()
}
