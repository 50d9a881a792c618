// Package mediafixture generates small, real test media with ffmpeg: images
// and HLS assets laid out as a bucket (one directory per key prefix), for
// tests that serve them through the local edge or an S3-compatible server.
// Media is made at test time, never committed.
//
//	set, err := mediafixture.Shared() // once per test binary
//	if errors.Is(err, mediafixture.ErrNoFFmpeg) {
//		t.Skip(err)
//	}
//	h := http.FileServer(http.Dir(set.Dir)) // or s3origin.NewDir(set.Dir, ...)
//	_ = set.TSMaster                         // "video/ts/master.m3u8"
//
// Layout (keys relative to Set.Dir):
//
//	images/img01.jpg ... images/img20.jpg, images/img21.png ... images/img24.png
//	video/ts/master.m3u8     two variants (320x180, 160x90), H.264/AAC in MPEG-TS,
//	                         an I-frame playlist and an image (thumbnail) playlist,
//	                         as MediaConvert writes them (seed 002)
//	video/ts/v0/index.m3u8, video/ts/v0/seg_000.ts ...
//	video/ts/iframes.m3u8    EXT-X-I-FRAMES-ONLY, byte ranges of the v0 segments
//	video/ts/thumbs.m3u8     EXT-X-IMAGES-ONLY, video/ts/thumbs/thumb_001.jpg ...
//	video/fmp4/master.m3u8   the same in fragmented MP4 (EXT-X-MAP init_N.mp4, .m4s)
package mediafixture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/internal/chromium"
)

// ErrNoFFmpeg is returned when ffmpeg or ffprobe is not on PATH.
var ErrNoFFmpeg = errors.New("ffmpeg and ffprobe are needed to generate test media: install them (Debian: apt-get install ffmpeg)")

// Duration of every generated video, long enough to play past 2 s.
const Duration = 5 * time.Second

// Keys of the generated objects, relative to Set.Dir.
const (
	TSMaster      = "video/ts/master.m3u8"
	FMP4Master    = "video/fmp4/master.m3u8"
	IFrames       = "video/ts/iframes.m3u8"
	Thumbnails    = "video/ts/thumbs.m3u8"
	jpegImages    = 20
	pngImages     = 4
	segmentSecond = 1
)

// Set is one generated bucket of media.
type Set struct {
	// Dir is the bucket root; keys are paths below it.
	Dir string
	// Images are the image keys, JPEGs first, then PNGs.
	Images []string
	// TSMaster and FMP4Master are the master playlists' keys.
	TSMaster, FMP4Master string
	// Segments are the TS and fMP4 media segment keys (.ts, .m4s).
	Segments []string
}

// Generate writes a fresh Set into dir (created if needed).
func Generate(ctx context.Context, dir string) (*Set, error) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return nil, ErrNoFFmpeg
	}
	if _, err := exec.LookPath("ffprobe"); err != nil {
		return nil, ErrNoFFmpeg
	}
	s := &Set{Dir: dir, TSMaster: TSMaster, FMP4Master: FMP4Master}
	// Three independent jobs, concurrently: the suite waits for them.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := []func() error{
		func() error { return s.images(ctx) },
		func() error {
			if err := s.hls(ctx, "ts"); err != nil {
				return err
			}
			if err := s.iframePlaylist(ctx); err != nil {
				return err
			}
			return s.thumbnailPlaylist(ctx)
		},
		func() error { return s.hls(ctx, "fmp4") },
	}
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = job(); errs[i] != nil {
				cancel() // the others stop too
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, kind := range []string{"ts", "fmp4"} {
		for _, ext := range []string{"*.ts", "*.m4s"} {
			m, _ := filepath.Glob(filepath.Join(dir, "video", kind, "v*", ext))
			for _, p := range m {
				rel, _ := filepath.Rel(dir, p)
				s.Segments = append(s.Segments, filepath.ToSlash(rel))
			}
		}
	}
	sort.Strings(s.Segments)
	return s, nil
}

var shared struct {
	once sync.Once
	dir  string
	set  *Set
	err  error
}

// Shared generates a Set once per process in a temporary directory and
// returns it on every call (tests must not modify it). Call RemoveShared
// from TestMain to delete it.
func Shared() (*Set, error) {
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "mediafixture-")
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = dir
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		shared.set, shared.err = Generate(ctx, dir)
	})
	return shared.set, shared.err
}

// RemoveShared deletes the directory Shared made, if any.
func RemoveShared() {
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
}

func (s *Set) path(key string) string { return filepath.Join(s.Dir, filepath.FromSlash(key)) }

func run(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func ffmpeg(ctx context.Context, dir string, args ...string) error {
	_, err := run(ctx, dir, "ffmpeg", append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...)...)
	return err
}

// images writes distinct frames of a test pattern as JPEG and PNG.
func (s *Set) images(ctx context.Context) error {
	dir := s.path("images")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := fmt.Sprintf("testsrc2=size=160x90:rate=1:duration=%d", jpegImages+pngImages)
	if err := ffmpeg(ctx, dir, "-f", "lavfi", "-i", src, "-frames:v", strconv.Itoa(jpegImages), "-q:v", "5", "img%02d.jpg"); err != nil {
		return err
	}
	// The PNGs continue the numbering after the JPEGs.
	if err := ffmpeg(ctx, dir, "-f", "lavfi", "-i", src, "-vf", fmt.Sprintf("select=gte(n\\,%d)", jpegImages),
		"-fps_mode", "vfr", "-start_number", strconv.Itoa(jpegImages+1), "-frames:v", strconv.Itoa(pngImages), "img%02d.png"); err != nil {
		return err
	}
	for i := 1; i <= jpegImages+pngImages; i++ {
		ext := "jpg"
		if i > jpegImages {
			ext = "png"
		}
		key := fmt.Sprintf("images/img%02d.%s", i, ext)
		if _, err := os.Stat(s.path(key)); err != nil {
			return fmt.Errorf("ffmpeg did not write %s: %v", key, err)
		}
		s.Images = append(s.Images, key)
	}
	return nil
}

// hls encodes a two-variant asset (H.264 baseline + AAC, one-second
// segments starting with a key frame) in MPEG-TS or fMP4.
func (s *Set) hls(ctx context.Context, kind string) error {
	dir := s.path("video/" + kind)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	secs := strconv.Itoa(int(Duration / time.Second))
	args := []string{
		"-f", "lavfi", "-i", "testsrc=size=320x180:rate=25:duration=" + secs,
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=" + secs,
		"-filter_complex", "[0:v]split=2[v0][big];[big]scale=160:90[v1]",
		"-map", "[v0]", "-map", "1:a", "-map", "[v1]", "-map", "1:a",
		"-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "baseline", "-pix_fmt", "yuv420p",
		"-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-b:v:0", "300k", "-b:v:1", "100k",
		"-c:a", "aac", "-b:a", "64k", "-ac", "1",
		"-f", "hls", "-hls_time", strconv.Itoa(segmentSecond), "-hls_playlist_type", "vod",
		"-master_pl_name", "master.m3u8", "-var_stream_map", "v:0,a:0 v:1,a:1",
	}
	if kind == "fmp4" {
		args = append(args, "-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4",
			"-hls_segment_filename", "v%v/seg_%03d.m4s")
	} else {
		args = append(args, "-hls_segment_type", "mpegts", "-hls_segment_filename", "v%v/seg_%03d.ts")
	}
	args = append(args, "v%v/index.m3u8")
	return ffmpeg(ctx, dir, args...)
}

// iframePlaylist writes an I-frame playlist over the v0 TS segments: each
// segment starts with a key frame, whose bytes end where the next packet of
// any stream starts (positions from ffprobe).
func (s *Set) iframePlaylist(ctx context.Context) error {
	segs, _ := filepath.Glob(s.path("video/ts/v0/seg_*.ts"))
	sort.Strings(segs)
	if len(segs) == 0 {
		return errors.New("ffmpeg wrote no TS segments")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-I-FRAMES-ONLY\n", segmentSecond)
	for _, seg := range segs {
		out, err := run(ctx, filepath.Dir(seg), "ffprobe", "-v", "error", "-show_entries", "packet=pos,flags,codec_type",
			"-of", "csv=p=0", filepath.Base(seg))
		if err != nil {
			return err
		}
		end, err := keyFrameEnd(string(out))
		if err != nil {
			return fmt.Errorf("%s: %v", filepath.Base(seg), err)
		}
		fmt.Fprintf(&b, "#EXTINF:%d.000,\n#EXT-X-BYTERANGE:%d@0\nv0/%s\n", segmentSecond, end, filepath.Base(seg))
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	if err := os.WriteFile(s.path(IFrames), []byte(b.String()), 0o644); err != nil {
		return err
	}
	return appendMaster(s.path(TSMaster),
		`#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=120000,CODECS="avc1.42c00d",RESOLUTION=320x180,URI="iframes.m3u8"`)
}

// keyFrameEnd reads ffprobe's "codec_type,pos,flags" lines and returns the
// position of the first packet after the first video key frame.
func keyFrameEnd(csv string) (int64, error) {
	var positions []int64
	key := int64(-1)
	for _, line := range strings.Split(strings.TrimSpace(csv), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 3 {
			continue
		}
		pos, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		if key < 0 && f[0] == "video" && strings.HasPrefix(f[2], "K") {
			key = pos
		}
		positions = append(positions, pos)
	}
	if key < 0 {
		return 0, errors.New("no video key frame")
	}
	sort.Slice(positions, func(i, j int) bool { return positions[i] < positions[j] })
	for _, p := range positions {
		if p > key {
			return p, nil
		}
	}
	return 0, errors.New("the key frame is the last packet")
}

// thumbnailPlaylist writes one JPEG per second and an image media playlist
// for them, as MediaConvert's frame capture does.
func (s *Set) thumbnailPlaylist(ctx context.Context) error {
	dir := s.path("video/ts/thumbs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := ffmpeg(ctx, dir, "-i", "../v1/index.m3u8", "-vf", "fps=1", "-q:v", "6", "thumb_%03d.jpg"); err != nil {
		return err
	}
	thumbs, _ := filepath.Glob(filepath.Join(dir, "thumb_*.jpg"))
	sort.Strings(thumbs)
	if len(thumbs) == 0 {
		return errors.New("ffmpeg wrote no thumbnails")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-IMAGES-ONLY\n")
	for _, th := range thumbs {
		fmt.Fprintf(&b, "#EXTINF:1.000,\n#EXT-X-TILES:RESOLUTION=160x90,LAYOUT=1x1,DURATION=1.000\nthumbs/%s\n", filepath.Base(th))
	}
	b.WriteString("#EXT-X-ENDLIST\n")
	if err := os.WriteFile(s.path(Thumbnails), []byte(b.String()), 0o644); err != nil {
		return err
	}
	return appendMaster(s.path(TSMaster), `#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=16000,CODECS="jpeg",RESOLUTION=160x90,URI="thumbs.m3u8"`)
}

func appendMaster(path, line string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	text := strings.TrimRight(string(raw), "\n") + "\n" + line + "\n"
	// I-frame streams need version 4 (RFC 8216 section 7); MediaConvert writes 4.
	text = strings.Replace(text, "#EXT-X-VERSION:3\n", "#EXT-X-VERSION:4\n", 1)
	return os.WriteFile(path, []byte(text), 0o644)
}

// RequireBrowser returns the Shared set for a browser test, or skips the
// test with one line saying what to install when Chromium (see
// chromium.Find; MEDIACDN_CHROME names another) or ffmpeg is missing.
// Under MEDIACDN_REQUIRE_BROWSER (set by .ci/run) that skip is a failure.
func RequireBrowser(tb testing.TB) *Set {
	tb.Helper()
	_, err := chromium.Find(os.Getenv("MEDIACDN_CHROME"))
	var set *Set
	if err == nil {
		set, err = Shared()
	}
	if err == nil {
		return set
	}
	if os.Getenv("MEDIACDN_REQUIRE_BROWSER") != "" {
		tb.Fatalf("MEDIACDN_REQUIRE_BROWSER is set: %v", err)
	}
	if errors.Is(err, chromium.ErrNotFound) {
		tb.Skipf("browser test skipped: %v, or set MEDIACDN_CHROME to its path", err)
	}
	if errors.Is(err, ErrNoFFmpeg) {
		tb.Skipf("browser test skipped: %v", err)
	}
	tb.Fatal(err)
	return nil
}
