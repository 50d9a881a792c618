package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"time"

	"github.com/mediacdn/mediacdn/doctor"
	"github.com/mediacdn/mediacdn/internal/safetext"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newDoctorCmd) }

type doctorFlags struct {
	origin, template    string
	json                bool
	concurrency, sample int
	maxURLs             int
	timeout, maxTime    time.Duration
	propagateQuery      bool
	allowHosts          []string
	headers             []string
	preflightMethod     string
	preflightHeaders    []string
	credentials         bool
	browser             browserFlags // doctor_browser.go
}

func newDoctorCmd() *cobra.Command {
	var f doctorFlags
	cmd := &cobra.Command{
		Use:   "doctor [URL] [--origin ORIGIN] [--template FILE_OR_CDK_OUT_DIR] [flags]",
		Short: "Find CORS, caching and signing failures in a live URL or a template",
		Long: `Live mode (a URL and --origin): request the URL as a browser on ORIGIN
would: GET with Origin (Range: bytes=0-0 for media, so nothing big is
downloaded), GET without Origin as an <img> or <video> tag sends it, an
OPTIONS preflight, and the GET again to see the cached answer. A .m3u8 is
parsed and every playlist, key, init segment and segment it references is
checked the same way (or a sample of the segments, --sample N), concurrently.

Template mode (--template alone): audit a CloudFormation template (JSON), a
cdk.out directory, or the JSON of 'aws cloudfront get-distribution-config'
for the same failure modes, statically. Given with a URL, the template only
tells which cache behavior each URL matches.

Every finding says what failed, where (URL and path pattern), the likely
cause and the fix. Exit status: 0 all checks pass (warnings allowed), 1 a
check failed or the walk did not check every URL it found (--max-urls,
--max-time, the byte budget, a reference or redirect not followed, e.g.
to a host not in --allow-hosts), 2 usage error.

Bounds of live mode, so that any URL can be pointed at safely:
  --max-urls (2000) URLs checked, --max-time (5m) for the whole walk,
  --timeout (10s) per request (redirects and body included);
  5 MiB per playlist and 64 KiB per other body (after decompression),
  64 MiB of bodies read in all, 64 KiB of response headers, 8192-byte URLs,
  10 redirects per request, 8 levels of playlist nesting; the report
  lists at most 500 findings, 50 URLs per finding and 100 parse notes per
  playlist (1000 in all), and counts the rest. Measured peak memory for
  the worst playlists within these bounds: about 180 MiB RSS at the default
  --concurrency, 210 MiB at 64 (docs/doctor.md, "Bounds").
Requests go only to the URL's host and port and to --allow-hosts, never
to a link-local or cloud metadata address; each redirect is checked the same way; --header
values go only to the URL's own origin. Text output escapes control
characters; --json is exact.`,
		Example: `  mediacdn doctor https://media.example.com/videos/abc/index.m3u8 --origin https://app.example.com
  mediacdn doctor 'https://media.example.com/videos/abc/index.m3u8?Policy=...&Signature=...&Key-Pair-Id=K2JCJMDEHXQW5F' \
      --origin https://app.example.com --propagate-query --sample 5
  mediacdn doctor https://media.example.com/a.jpg --origin https://app.example.com \
      --header 'Cookie: CloudFront-Policy=...; CloudFront-Signature=...; CloudFront-Key-Pair-Id=K2JCJMDEHXQW5F'
  cdk synth && mediacdn doctor --template cdk.out --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDoctor(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.origin, "origin", "", "the web app's origin as a browser sends it: scheme://host[:port], no path, e.g. https://app.example.com (required with a URL)")
	fl.StringVar(&f.template, "template", "", "CloudFormation template JSON, cdk.out directory, or 'aws cloudfront get-distribution-config' JSON to audit (alone) or to match URLs to behaviors (with a URL)")
	fl.BoolVar(&f.json, "json", false, "print one JSON document instead of text (for CI)")
	fl.IntVar(&f.concurrency, "concurrency", doctor.DefaultConcurrency, "maximum requests in flight (and connections kept open per host), at most 64")
	fl.DurationVar(&f.timeout, "timeout", doctor.DefaultTimeout, "timeout of each request (redirects and body included), e.g. 5s")
	fl.DurationVar(&f.maxTime, "max-time", doctor.DefaultMaxTime, "deadline of the whole walk; URLs not checked by then make the result incomplete (exit 1)")
	fl.IntVar(&f.sample, "sample", 0, "check only N segments of each media playlist (first, last and evenly spaced); 0 = all")
	fl.IntVar(&f.maxURLs, "max-urls", doctor.DefaultMaxURLs, "check at most this many URLs; a walk that finds more is incomplete (exit 1)")
	fl.BoolVar(&f.propagateQuery, "propagate-query", false, "carry a playlist URL's query string (a signed URL's Policy/Signature/Key-Pair-Id) to the URLs it references")
	fl.StringSliceVar(&f.allowHosts, "allow-hosts", nil, "other hosts (host or host:port) referenced URLs and redirects may go to (comma-separated, * = any but link-local); by default only the URL's host and port")
	fl.StringArrayVar(&f.headers, "header", nil, "extra request header 'Name: value', repeatable, e.g. a Cookie with signed cookies; sent only to the URL's own origin, and never on the preflight")
	fl.StringVar(&f.preflightMethod, "preflight-method", "GET", "Access-Control-Request-Method of the preflight")
	fl.StringSliceVar(&f.preflightHeaders, "preflight-headers", []string{"range"}, "Access-Control-Request-Headers of the preflight, comma-separated; '' for none")
	fl.BoolVar(&f.credentials, "credentials", false, "check as for credentialed requests (cookies with withCredentials): Access-Control-Allow-Origin must echo the origin, with Allow-Credentials true")
	addBrowserFlags(fl, &f.browser)
	return cmd
}

func runDoctor(cmd *cobra.Command, args []string, f doctorFlags) error {
	if f.browser.on {
		return runBrowserDoctor(cmd, args, f)
	}
	stderr := cmd.ErrOrStderr()
	if len(args) == 0 && f.template == "" {
		return usageError("doctor needs a URL (with --origin) or --template FILE_OR_CDK_OUT_DIR (see 'mediacdn doctor --help')")
	}
	var tmpl *doctor.Template
	if f.template != "" {
		t, err := doctor.LoadTemplate(f.template)
		if err != nil {
			return usageError("--template: %w", err) // errorLine escapes what it prints
		}
		tmpl = t
	}
	var report *doctor.Report
	if len(args) == 0 {
		if f.origin != "" {
			return usageError("--origin is for live mode: give the URL to check too")
		}
		report = tmpl.Check()
	} else {
		opts, err := liveOptions(args[0], f)
		if err != nil {
			return err
		}
		opts.Template = tmpl
		if !f.json && isTerminal(stderr) {
			opts.Progress = func(done, total int) {
				fmt.Fprintf(stderr, "\rchecking %d/%d URLs", done, total)
			}
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
		report, err = doctor.CheckURL(ctx, opts)
		if opts.Progress != nil {
			fmt.Fprint(stderr, "\r\033[K")
		}
		if err != nil {
			return usageError("%s", safetext.Escape(err.Error()))
		}
	}
	return writeReport(cmd, report, f.json)
}

// writeReport prints the report as text or JSON; a failed check, or a walk
// cut short, exits 1.
func writeReport(cmd *cobra.Command, report *doctor.Report, asJSON bool) error {
	var err error
	if asJSON {
		err = report.WriteJSON(cmd.OutOrStdout())
	} else {
		err = report.WriteText(cmd.OutOrStdout())
	}
	if err != nil {
		return &exitError{code: exitFail, err: err}
	}
	if report.Failed() || report.Incomplete {
		return &exitError{code: exitFail}
	}
	return nil
}

// maxDoctorConcurrency bounds --concurrency, and with it the playlist
// bodies in memory at once.
const maxDoctorConcurrency = 64

// liveOptions validates the live-mode arguments; every error is a usage
// error (exit 2).
func liveOptions(rawURL string, f doctorFlags) (doctor.LiveOptions, error) {
	var o doctor.LiveOptions
	if f.origin == "" {
		return o, usageError("--origin is required with a URL: the origin of the web app, e.g. --origin https://app.example.com")
	}
	// Sent as a browser would send it (127.1 -> 127.0.0.1, IDN -> punycode);
	// the report's "Origin sent" line shows it.
	origin, err := doctor.CanonicalOrigin(f.origin)
	if err != nil {
		return o, usageError("--origin: %s", safetext.Escape(err.Error()))
	}
	if _, err := doctor.ValidateURL(rawURL); err != nil {
		return o, usageError("%s", safetext.Escape(err.Error()))
	}
	if f.concurrency < 1 || f.concurrency > maxDoctorConcurrency {
		// Memory grows with it: one playlist body (up to 5 MiB) per request in flight.
		return o, usageError("--concurrency must be between 1 and %d, got %d", maxDoctorConcurrency, f.concurrency)
	}
	if f.timeout <= 0 {
		return o, usageError("--timeout must be positive, got %s", f.timeout)
	}
	if f.maxTime <= 0 {
		return o, usageError("--max-time must be positive, got %s (it bounds the whole walk)", f.maxTime)
	}
	if f.sample < 0 {
		return o, usageError("--sample must be 0 (all) or more, got %d", f.sample)
	}
	if f.maxURLs < 1 {
		return o, usageError("--max-urls must be at least 1, got %d", f.maxURLs)
	}
	h := http.Header{}
	for _, line := range f.headers {
		name, value, ok := strings.Cut(line, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
			return o, usageError("--header %q: want 'Name: value' on one line", line) // %q escapes
		}
		switch strings.ToLower(name) {
		case "origin":
			return o, usageError("--header %q: set the Origin with --origin", line)
		case "range", "access-control-request-method", "access-control-request-headers":
			return o, usageError("--header %q: the doctor sets %s itself", line, name)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	var pre []string
	for _, p := range f.preflightHeaders {
		if p = strings.TrimSpace(p); p != "" {
			pre = append(pre, p)
		}
	}
	if pre == nil {
		pre = []string{} // none, not the default
	}
	m := strings.ToUpper(strings.TrimSpace(f.preflightMethod))
	if m == "" || strings.ContainsAny(m, " \t,") {
		return o, usageError("--preflight-method %q: want one method, e.g. GET", f.preflightMethod)
	}
	return doctor.LiveOptions{
		URL:              rawURL,
		Origin:           origin,
		Timeout:          f.timeout,
		MaxTime:          f.maxTime,
		Concurrency:      f.concurrency,
		Sample:           f.sample,
		MaxURLs:          f.maxURLs,
		PropagateQuery:   f.propagateQuery,
		AllowHosts:       f.allowHosts,
		Header:           h,
		PreflightMethod:  m,
		PreflightHeaders: pre,
		Credentials:      f.credentials,
		UserAgent:        "mediacdn-doctor/" + doctorVersion(),
	}, nil
}

// isTerminal reports whether w is a character device (a terminal), the only
// place a progress line belongs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func doctorVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
