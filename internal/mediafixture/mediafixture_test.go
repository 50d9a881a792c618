package mediafixture

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	s, err := Generate(context.Background(), dir)
	if errors.Is(err, ErrNoFFmpeg) && os.Getenv("MEDIACDN_REQUIRE_BROWSER") == "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Images) != jpegImages+pngImages {
		t.Errorf("%d images, want %d", len(s.Images), jpegImages+pngImages)
	}
	for _, key := range s.Images {
		raw, err := os.ReadFile(filepath.Join(dir, key))
		if err != nil {
			t.Fatal(err)
		}
		jpeg := strings.HasPrefix(string(raw), "\xff\xd8\xff")
		png := strings.HasPrefix(string(raw), "\x89PNG\r\n\x1a\n")
		if !(jpeg && strings.HasSuffix(key, ".jpg") || png && strings.HasSuffix(key, ".png")) {
			t.Errorf("%s: content is not what its extension says", key)
		}
	}
	master := read(t, dir, TSMaster)
	for _, want := range []string{"#EXT-X-STREAM-INF:", "v0/index.m3u8", "v1/index.m3u8",
		`#EXT-X-I-FRAME-STREAM-INF:`, `URI="iframes.m3u8"`, `#EXT-X-IMAGE-STREAM-INF:`, `URI="thumbs.m3u8"`} {
		if !strings.Contains(master, want) {
			t.Errorf("TS master lacks %q:\n%s", want, master)
		}
	}
	if fm := read(t, dir, "video/fmp4/v0/index.m3u8"); !strings.Contains(fm, "#EXT-X-MAP:URI=") || !strings.Contains(fm, ".m4s") {
		t.Errorf("fMP4 media playlist has no EXT-X-MAP or .m4s:\n%s", fm)
	}
	// Every URI of the I-frame and image playlists names a file.
	for _, pl := range []string{IFrames, Thumbnails} {
		text := read(t, dir, pl)
		n := 0
		for _, line := range strings.Split(text, "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			n++
			if _, err := os.Stat(filepath.Join(dir, "video/ts", line)); err != nil {
				t.Errorf("%s: %v", pl, err)
			}
		}
		if n < 4 {
			t.Errorf("%s lists %d URIs, want one per second of video:\n%s", pl, n, text)
		}
	}
	if len(s.Segments) < 4*int(Duration.Seconds()) {
		t.Errorf("%d segments, want one per second per variant per format", len(s.Segments))
	}
}

func TestKeyFrameEnd(t *testing.T) {
	for _, tc := range []struct {
		csv  string
		want int64
		err  bool
	}{
		{"video,564,K__\naudio,30000,K__\nvideo,31000,___\n", 30000, false},
		{"audio,376,K__\nvideo,564,K__\nvideo,9000,___\n", 9000, false},
		{"video,564,___\n", 0, true},
		{"video,564,K__\n", 0, true},
		{"garbage\n", 0, true},
	} {
		got, err := keyFrameEnd(tc.csv)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("keyFrameEnd(%q) = %d, %v; want %d, error %v", tc.csv, got, err, tc.want, tc.err)
		}
	}
}

func read(t *testing.T, dir, key string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, key))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
