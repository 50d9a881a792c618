package mediatype_test

import (
	"slices"
	"testing"
	"time"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
	"github.com/mediacdn/mediacdn/mediatype"
)

func TestContentType(t *testing.T) {
	cases := []struct{ name, want string }{
		{"video/index.m3u8", "application/vnd.apple.mpegurl"},
		{"v/SEG001.TS", "video/mp2t"}, // extension case does not matter
		{"a.ts", "video/mp2t"},        // not text/vnd.trolltech.linguist (issue 10)
		{"a.m4s", "video/iso.segment"},
		{"subs/en.vtt", "text/vtt"},
		{"manifest.mpd", "application/dash+xml"},
		{"img/cat.JPG", "image/jpeg"},
		{"logo.svg", "image/svg+xml"},
		{"keys/k.key", "application/octet-stream"},
		{"README", "application/octet-stream"},
		{"dir.m3u8/file", "application/octet-stream"}, // only the last element's extension counts
	}
	for _, c := range cases {
		if got := mediatype.ContentType(c.name); got != c.want {
			t.Errorf("ContentType(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestAccepts(t *testing.T) {
	cases := []struct {
		name, ct string
		ok       bool
	}{
		{"a.m3u8", "application/vnd.apple.mpegurl", true},
		{"a.m3u8", "application/x-mpegURL", true},
		{"a.m3u8", "application/vnd.apple.mpegurl; charset=utf-8", true},
		{"a.m3u8", "text/plain", false},
		{"a.m3u8", "", false},
		{"a.ts", "text/vnd.trolltech.linguist", false},
		{"a.ts", "binary/octet-stream", false},
		{"a.ts", "VIDEO/MP2T", true},
		{"a.unknown", "anything/at-all", true},
		{"a.vtt", "text/vtt", true},
	}
	for _, c := range cases {
		ok, want := mediatype.Accepts(c.name, c.ct)
		if ok != c.ok {
			t.Errorf("Accepts(%q, %q) = %v, want %v", c.name, c.ct, ok, c.ok)
		}
		if mediatype.Known(c.name) && !slices.Contains(want, mediatype.ContentType(c.name)) {
			t.Errorf("Accepts(%q) expected %v lacks the canonical type", c.name, want)
		}
	}
}

func TestKindOf(t *testing.T) {
	cases := map[string]mediatype.Kind{
		"a.jpg": mediatype.Image, "a.m3u8": mediatype.Playlist, "a.mpd": mediatype.Playlist,
		"a.ts": mediatype.Segment, "a.mp4": mediatype.Segment, "a.vtt": mediatype.Caption,
		"a.key": mediatype.Other, "a": mediatype.Other,
	}
	for name, want := range cases {
		if got := mediatype.KindOf(name); got != want {
			t.Errorf("KindOf(%q) = %v, want %v", name, got, want)
		}
	}
}

// The construct's default extensions must be in the table with the kind whose
// Cache-Control fits the behavior they land on.
func TestConstructExtensionsKnown(t *testing.T) {
	groups := []struct {
		exts  []string
		kinds []mediatype.Kind
	}{
		{mediacdn.DefaultImageExtensions(), []mediatype.Kind{mediatype.Image}},
		{mediacdn.DefaultPlaylistExtensions(), []mediatype.Kind{mediatype.Playlist}},
		{mediacdn.DefaultSegmentExtensions(), []mediatype.Kind{mediatype.Segment, mediatype.Caption}},
	}
	for _, g := range groups {
		for _, e := range g.exts {
			if k := mediatype.KindOf("x." + e); !slices.Contains(g.kinds, k) {
				t.Errorf("extension %q: kind %v, want one of %v", e, k, g.kinds)
			}
		}
	}
}

// CacheControl must fall inside the TTL preset of the behavior each kind is
// served by, else CloudFront clamps it and browser and edge disagree.
func TestCacheControlWithinConstructTTL(t *testing.T) {
	within := func(k mediatype.Kind, ttl mediacdn.CacheTtl) {
		age := time.Duration(mediatype.MaxAge(k)) * time.Second
		if age < ttl.Min || age > ttl.Max {
			t.Errorf("%v: max-age %v outside [%v, %v]", k, age, ttl.Min, ttl.Max)
		}
		if age != ttl.Default {
			t.Errorf("%v: max-age %v differs from the preset default %v", k, age, ttl.Default)
		}
	}
	within(mediatype.Image, mediacdn.DefaultMediaTtl())
	within(mediatype.Segment, mediacdn.DefaultMediaTtl())
	within(mediatype.Caption, mediacdn.DefaultMediaTtl())
	within(mediatype.Playlist, mediacdn.DefaultPlaylistTtl())
	within(mediatype.Other, mediacdn.DefaultPlaylistTtl())
	if got := mediatype.CacheControl(mediatype.Playlist); got != "max-age=2" {
		t.Errorf("CacheControl(Playlist) = %q", got)
	}
	if got := mediatype.CacheControl(mediatype.Segment); got != "max-age=86400" {
		t.Errorf("CacheControl(Segment) = %q", got)
	}
}

// Accepts returned the table's own slice, shared by .m3u8 and .m3u: a
// caller writing to it changed the type every later upload stored.
func TestAcceptsReturnsACopy(t *testing.T) {
	_, want := mediatype.Accepts("a.m3u8", "text/plain")
	want[0] = "text/plain"
	_ = append(want[:1], "x/y")
	if got := mediatype.ContentType("b.m3u"); got != "application/vnd.apple.mpegurl" {
		t.Fatalf("ContentType after a caller wrote to Accepts' result: %q", got)
	}
	if ok, _ := mediatype.Accepts("b.m3u8", "audio/mpegurl"); !ok {
		t.Fatal("table changed")
	}
}
