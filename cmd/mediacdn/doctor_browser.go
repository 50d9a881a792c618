package main

import (
	"context"
	"errors"
	"os"
	"os/signal"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mediacdn/mediacdn/doctor/browser"
	"github.com/mediacdn/mediacdn/internal/chromium"
)

// browserFlags are the doctor's --browser mode flags.
type browserFlags struct {
	on     bool
	chrome string
}

func addBrowserFlags(fl *pflag.FlagSet, f *browserFlags) {
	fl.BoolVar(&f.on, "browser", false, "check in headless Chromium instead: a page on --origin (answered by the doctor itself, nothing is sent to the origin) fetches an image as <img> then as a download button does, or plays a playlist with hls.js; reports Chromium's CORS errors; with --propagate-query a signed playlist URL's query goes with every request of the asset; the whole check is bounded by 6 x --timeout")
	fl.StringVar(&f.chrome, "chrome", "", "Chromium executable for --browser (default: chromium, chromium-headless-shell or google-chrome on PATH)")
}

// runBrowserDoctor is `mediacdn doctor --browser URL --origin ORIGIN`.
func runBrowserDoctor(cmd *cobra.Command, args []string, f doctorFlags) error {
	if len(args) != 1 {
		return usageError("--browser needs the URL of an image or an HLS playlist, and --origin")
	}
	if f.origin == "" {
		return usageError("--origin is required with --browser: the origin of the web app, e.g. --origin https://app.example.com")
	}
	if f.template != "" {
		return usageError("--template cannot be used with --browser")
	}
	// These shape the HTTP checks; the browser makes its own requests, so
	// accepting them would silently check something else than asked.
	for _, name := range []string{"header", "sample", "max-urls", "concurrency", "allow-hosts", "preflight-method", "preflight-headers"} {
		if cmd.Flags().Changed(name) {
			return usageError("--%s is not used by --browser (the browser sends its own requests); drop it, or run the doctor without --browser", name)
		}
	}
	if f.timeout <= 0 {
		return usageError("--timeout must be positive, got %s", f.timeout)
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	timeout := 6 * f.timeout // the whole browser check, not one request
	report, err := browser.Check(ctx, browser.Options{
		URL: args[0], Origin: f.origin, Chrome: f.browser.chrome, Credentials: f.credentials, PropagateQuery: f.propagateQuery, Timeout: timeout,
	})
	if errors.Is(err, chromium.ErrNotFound) {
		return usageError("--browser: %v, or pass --chrome PATH", err)
	}
	if err != nil && f.browser.chrome != "" && errors.Is(err, chromium.ErrNotExecutable) {
		return usageError("--chrome: %v", err)
	}
	if err != nil {
		return usageError("--browser: %v", err)
	}
	return writeReport(cmd, report, f.json)
}
