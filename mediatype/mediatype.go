// Package mediatype is the project's one table from file extension to
// Content-Type and media kind. The upload command stores objects with these
// types, the local S3 origin serves files with them, and the doctor checks
// live responses against them, so the three cannot disagree.
//
//	mediatype.ContentType("video/index.m3u8")        // "application/vnd.apple.mpegurl"
//	ok, want := mediatype.Accepts("a.ts", "text/vnd.trolltech.linguist") // false, ["video/mp2t"]
//	mediatype.CacheControl(mediatype.KindOf("a.ts")) // "max-age=86400"
package mediatype

import (
	"mime"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Kind is what a file is to a player; it picks the Cache-Control.
type Kind int

// The kinds. Other is everything the table does not list.
const (
	Other Kind = iota
	Image
	Playlist
	Segment
	Caption
)

func (k Kind) String() string {
	switch k {
	case Image:
		return "image"
	case Playlist:
		return "playlist"
	case Segment:
		return "segment"
	case Caption:
		return "caption"
	}
	return "other"
}

// entry lists the types players accept for one extension; the first is the
// canonical one, stored on upload and served locally.
type entry struct {
	kind  Kind
	types []string
}

var playlistTypes = []string{"application/vnd.apple.mpegurl", "application/x-mpegurl", "audio/mpegurl", "audio/x-mpegurl"}

// table is keyed by the lower-case extension with its dot.
var table = map[string]entry{
	".m3u8":   {Playlist, playlistTypes},
	".m3u":    {Playlist, playlistTypes},
	".mpd":    {Playlist, []string{"application/dash+xml"}},
	".ts":     {Segment, []string{"video/mp2t"}},
	".m4s":    {Segment, []string{"video/iso.segment", "video/mp4", "audio/mp4"}},
	".mp4":    {Segment, []string{"video/mp4"}},
	".m4v":    {Segment, []string{"video/mp4", "video/x-m4v"}},
	".m4a":    {Segment, []string{"audio/mp4"}},
	".cmfv":   {Segment, []string{"video/mp4"}},
	".cmfa":   {Segment, []string{"audio/mp4"}},
	".aac":    {Segment, []string{"audio/aac", "audio/x-aac"}},
	".mp3":    {Segment, []string{"audio/mpeg"}},
	".ac3":    {Segment, []string{"audio/ac3"}},
	".ec3":    {Segment, []string{"audio/eac3"}},
	".webm":   {Segment, []string{"video/webm"}},
	".vtt":    {Caption, []string{"text/vtt"}},
	".webvtt": {Caption, []string{"text/vtt"}},
	".jpg":    {Image, []string{"image/jpeg"}},
	".jpeg":   {Image, []string{"image/jpeg"}},
	".png":    {Image, []string{"image/png"}},
	".gif":    {Image, []string{"image/gif"}},
	".webp":   {Image, []string{"image/webp"}},
	".avif":   {Image, []string{"image/avif"}},
	".svg":    {Image, []string{"image/svg+xml"}},
}

// DefaultType is what an extension outside the table is stored and served
// as: S3's own type for objects of unknown content.
const DefaultType = "application/octet-stream"

// Ext returns the lower-case extension of name ("" when it has none).
func Ext(name string) string { return strings.ToLower(path.Ext(name)) }

// Known reports whether name's extension is in the table.
func Known(name string) bool {
	_, ok := table[Ext(name)]
	return ok
}

// ContentType returns the type to store and serve name with: the canonical
// type of its extension, or DefaultType.
func ContentType(name string) string {
	if e, ok := table[Ext(name)]; ok {
		return e.types[0]
	}
	return DefaultType
}

// KindOf returns the media kind of name, by extension.
func KindOf(name string) Kind { return table[Ext(name)].kind }

// Accepts reports whether contentType (a header value, parameters allowed)
// suits name's extension, and the types that would. An extension outside
// the table accepts anything (ok true, expected nil).
func Accepts(name, contentType string) (ok bool, expected []string) {
	e, known := table[Ext(name)]
	if !known {
		return true, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	// A copy: the caller may append to or sort what it gets; the table,
	// whose slices some extensions share, must not change.
	for _, t := range e.types {
		if mt == t {
			return true, slices.Clone(e.types)
		}
	}
	return false, slices.Clone(e.types)
}

// Extensions returns the table's extensions of kind k (with dots), for the
// callers that need sets (the doctor's playlist and segment checks).
func Extensions(k Kind) map[string]bool {
	m := map[string]bool{}
	for ext, e := range table {
		if e.kind == k {
			m[ext] = true
		}
	}
	return m
}

// HLSPlaylists returns the extensions of HLS playlists (served as
// application/vnd.apple.mpegurl), the files a player parses for URIs.
func HLSPlaylists() map[string]bool {
	m := map[string]bool{}
	for ext, e := range table {
		if e.types[0] == playlistTypes[0] {
			m[ext] = true
		}
	}
	return m
}

// Cache-Control max-ages per kind. They sit inside the construct's TTL
// presets (images and segments: min 0, default 86400, max 31536000 s;
// playlists: min 0, default 2, max 60 s) and equal each preset's default,
// so a browser keeps an object exactly as long as CloudFront would by
// default: a re-uploaded image or segment is picked up within a day, a live
// playlist within 2 s. Captions ride the segment behavior (vtt is a default
// segment extension); unknown kinds land on the default behavior, which has
// the playlist TTL.
const (
	mediaMaxAge    = 86400
	playlistMaxAge = 2
)

// CacheControl returns the Cache-Control to store with objects of kind k.
func CacheControl(k Kind) string { return "max-age=" + strconv.Itoa(MaxAge(k)) }

// MaxAge returns the max-age CacheControl(k) carries, in seconds.
func MaxAge(k Kind) int {
	switch k {
	case Image, Segment, Caption:
		return mediaMaxAge
	}
	return playlistMaxAge
}
