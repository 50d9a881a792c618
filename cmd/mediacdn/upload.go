package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/mediacdn/mediacdn/internal/s3client"
	"github.com/mediacdn/mediacdn/internal/safetext"
	"github.com/mediacdn/mediacdn/upload"
)

func init() { subcommands = append(subcommands, newUploadCmd) }

type uploadFlags struct {
	concurrency      int
	dryRun           bool
	endpoint, region string
	profile          string
	progress         string
}

func newUploadCmd() *cobra.Command {
	var f uploadFlags
	cmd := &cobra.Command{
		Use:   "upload DIR s3://BUCKET[/PREFIX]",
		Short: "Upload media to the bucket with the Content-Type and Cache-Control players need",
		Long: `Upload every regular file under DIR to s3://BUCKET/PREFIX/, keeping the
relative paths. Each object gets the Content-Type of its extension
(application/vnd.apple.mpegurl for .m3u8, video/mp2t for .ts, ...: the same
table the doctor checks) and a Cache-Control matching the stack's cache TTLs
(max-age=86400 for images, segments and captions; max-age=2 for playlists and
anything else).

Objects whose size, MD5, Content-Type and Cache-Control already match are
skipped, so running it again after an interruption finishes the job, and it
repairs objects uploaded earlier with guessed types. Nothing is ever deleted.
Symbolic links are not followed and special files (FIFOs, sockets, devices)
are not read: both are reported as skipped.

Credentials and region come from the standard AWS sources (environment,
~/.aws/config and credentials, --profile, SSO, instance roles).
--endpoint-url sends path-style requests to an S3-compatible server instead.

Exit status: 0 all files uploaded or unchanged, 1 a file failed (each is
listed) or the upload was interrupted, 2 usage error.`,
		Example: `  mediacdn upload ./video s3://mediacdn-mediabucket-abc123/video
  mediacdn upload --dry-run ./video s3://BUCKET/video
  mediacdn upload --endpoint-url http://127.0.0.1:7070 ./video s3://media/video`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUpload(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f, args[0], args[1])
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.concurrency, "concurrency", 4, "files uploaded at once (1-64)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "compare with the bucket and print what would be uploaded, without uploading")
	fl.StringVar(&f.endpoint, "endpoint-url", "", "S3-compatible server to use instead of AWS, e.g. http://127.0.0.1:7070 (path-style requests)")
	fl.StringVar(&f.region, "region", "", "AWS region of the bucket (default: AWS_REGION or the profile's region)")
	fl.StringVar(&f.profile, "profile", "", "AWS shared config profile (default: AWS_PROFILE or default)")
	fl.StringVar(&f.progress, "progress", "auto", "auto (a bar when stderr is a terminal), bar, or lines (one line per file on stdout)")
	return cmd
}

// parseS3URL splits s3://BUCKET[/PREFIX].
func parseS3URL(s string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return "", "", usageError("destination %q must be s3://BUCKET[/PREFIX]", s)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", usageError("destination %q has no bucket name: s3://BUCKET[/PREFIX]", s)
	}
	if err := upload.CheckDestination(bucket, prefix); err != nil {
		return "", "", usageError("destination %q: %v", s, err)
	}
	return bucket, prefix, nil
}

func runUpload(ctx context.Context, stdout, stderr io.Writer, f uploadFlags, dir, dest string) error {
	bucket, prefix, err := parseS3URL(dest)
	if err != nil {
		return err
	}
	if f.concurrency < 1 || f.concurrency > 64 {
		return usageError("--concurrency %d: use 1 to 64", f.concurrency)
	}
	if f.endpoint != "" {
		if _, err := s3client.ParseEndpoint(f.endpoint); err != nil {
			return usageError("--endpoint-url: %v", err)
		}
	}
	bar := false
	switch f.progress {
	case "auto":
		bar = isTerminal(stderr)
	case "bar":
		bar = true
	case "lines":
	default:
		return usageError("--progress %q: use auto, bar or lines", f.progress)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usageError("%s is not a directory", safetext.Escape(dir))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	var loadOpts []func(*config.LoadOptions) error
	if f.region != "" {
		loadOpts = append(loadOpts, config.WithRegion(f.region))
	}
	if f.profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(f.profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return &exitError{code: exitFail, err: fmt.Errorf("AWS configuration: %w", err)}
	}
	if cfg.Region == "" {
		if f.endpoint == "" {
			return usageError("no AWS region: pass --region (the stack's region) or set AWS_REGION")
		}
		cfg.Region = "us-east-1" // what S3-compatible servers sign for unless told otherwise
	}
	// Without credentials every file would fail with the same long SDK
	// error; say it once, before the walk.
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return &exitError{code: exitFail, err: fmt.Errorf("no usable AWS credentials (environment, --profile or AWS_PROFILE, ~/.aws/credentials, SSO, instance role); nothing was uploaded: %w", err)}
	}

	p := newUploadPrinter(stdout, stderr, bar, f.dryRun)
	sum, runErr := upload.Run(ctx, dir, upload.Options{
		Client:      s3client.New(cfg, f.endpoint),
		Bucket:      bucket,
		Prefix:      prefix,
		Concurrency: f.concurrency,
		DryRun:      f.dryRun,
		Progress:    p.event,
	})
	p.finish()
	dst := "s3://" + bucket + "/" + strings.TrimSuffix(prefix, "/")
	if f.dryRun {
		fmt.Fprintf(stdout, "Dry run: %d to upload, %d unchanged, %d skipped, %d failed (%s)\n", sum.WouldUpload, sum.Unchanged, sum.Skipped, len(sum.Failed), safetext.Escape(dst))
	} else {
		fmt.Fprintf(stdout, "%d uploaded (%s), %d unchanged, %d skipped, %d failed (%s)\n", sum.Uploaded, humanBytes(sum.Bytes), sum.Unchanged, sum.Skipped, len(sum.Failed), safetext.Escape(dst))
	}
	if errors.Is(runErr, context.Canceled) {
		return &exitError{code: exitFail, err: errors.New("interrupted; run the same command again to upload the rest (finished files are skipped)")}
	}
	if runErr != nil {
		return &exitError{code: exitFail, err: runErr}
	}
	if len(sum.Failed) > 0 {
		fmt.Fprintf(stderr, "Failed:\n")
		for _, e := range sum.Failed {
			fmt.Fprintf(stderr, "  %s: %s\n", safetext.Escape(e.Path), safetext.Escape(e.Err.Error()))
		}
		return &exitError{code: exitFail, err: fmt.Errorf("%d file(s) failed", len(sum.Failed))}
	}
	return nil
}

// uploadPrinter shows progress: a bar redrawn on stderr (a terminal), or
// one plain line per file on stdout. File names are untrusted and escaped.
type uploadPrinter struct {
	mu               sync.Mutex
	out, err         io.Writer
	bar, dryRun      bool
	files, filesDone int
	total, doneBytes int64
	sending          map[string]int64
	lastDraw         time.Time
	drawn            bool
}

func newUploadPrinter(out, err io.Writer, bar, dryRun bool) *uploadPrinter {
	return &uploadPrinter{out: out, err: err, bar: bar, dryRun: dryRun, sending: map[string]int64{}}
}

func (p *uploadPrinter) event(e upload.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	name := safetext.Escape(e.Key)
	line := ""
	switch e.Action {
	case upload.Planned:
		p.files++
		p.total += e.Size
	case upload.Sending:
		p.sending[e.Key] = e.Sent
	case upload.Uploaded:
		line = fmt.Sprintf("uploaded  %s (%s, %s, %s)", name, e.ContentType, e.CacheControl, humanBytes(e.Size))
		p.done(e)
	case upload.WouldUpload:
		line = fmt.Sprintf("would upload %s (%s, %s, %s)", name, e.ContentType, e.CacheControl, humanBytes(e.Size))
		p.done(e)
	case upload.Unchanged:
		line = fmt.Sprintf("unchanged %s", name)
		p.done(e)
	case upload.Skipped:
		line = fmt.Sprintf("skipped   %s: %s", safetext.Escape(e.Path), e.Reason)
	case upload.Failed:
		line = fmt.Sprintf("FAILED    %s: %s", safetext.Escape(e.Path), safetext.Escape(e.Err.Error()))
		p.done(e)
	}
	if !p.bar {
		if line != "" {
			fmt.Fprintln(p.out, line)
		}
		return
	}
	// On a terminal only what needs attention gets a line; the bar shows the rest.
	if e.Action == upload.Skipped || e.Action == upload.Failed {
		p.clear()
		fmt.Fprintln(p.err, line)
	}
	if time.Since(p.lastDraw) > 100*time.Millisecond || e.Action != upload.Sending {
		p.draw()
	}
}

func (p *uploadPrinter) done(e upload.Event) {
	p.filesDone++
	p.doneBytes += e.Size
	delete(p.sending, e.Key)
}

func (p *uploadPrinter) draw() {
	cur := p.doneBytes
	for _, n := range p.sending {
		cur += n
	}
	const width = 30
	fill := width
	if p.total > 0 {
		fill = int(min(cur, p.total) * width / p.total)
	}
	fmt.Fprintf(p.err, "\r\x1b[K[%s%s] %d/%d files, %s/%s", strings.Repeat("#", fill), strings.Repeat(".", width-fill), p.filesDone, p.files, humanBytes(cur), humanBytes(p.total))
	p.lastDraw = time.Now()
	p.drawn = true
}

func (p *uploadPrinter) clear() {
	if p.drawn {
		fmt.Fprint(p.err, "\r\x1b[K")
	}
}

func (p *uploadPrinter) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar && p.drawn {
		p.draw()
		fmt.Fprintln(p.err)
	}
}

// humanBytes formats a byte count for the progress display.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
