// Package hls walks HLS playlists: it lists every URI a master or media
// playlist references, resolved against the playlist's own URL and tagged with
// what it is (variant playlist, I-frame playlist, image stream, rendition,
// init segment, key, media segment, partial segment, preload hint...).
//
// It is a small line parser written for that one job rather than a wrapper of
// github.com/grafov/m3u8 (v0.12.1, already a dependency of this module). That
// library decodes playlists into typed structures for playback and packaging,
// and for a reference walker it drops too much: EXT-X-IMAGE-STREAM-INF (the
// thumbnail streams MediaConvert writes, seen in the recorded playlists this
// project was built from), EXT-X-SESSION-KEY, EXT-X-PART, EXT-X-PRELOAD-HINT
// and EXT-X-RENDITION-REPORT are skipped without a trace, and its custom-tag
// hook keeps only one value per tag name. Here every URI-bearing tag of
// RFC 8216 and its low-latency extensions is read, unknown tags are ignored,
// and malformed lines become notes instead of errors, because a diagnostic tool
// must report on broken playlists rather than refuse them.
//
//	p, err := hls.Parse(body, playlistURL) // every reference and note
//	_, err = hls.Scan(ctx, string(body), playlistURL, // the same, streamed: nothing kept
//		func(r hls.Ref) { fmt.Println(r.Kind, r.URL) },
//		func(n hls.Note) { fmt.Printf("%d %q\n", n.Line, n.Text) }) // Text is raw: escape it for a terminal
package hls

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mediacdn/mediacdn/internal/safetext"
)

// Kind says what a referenced URI is.
type Kind string

// The kinds of reference a playlist can hold.
const (
	KindVariant         Kind = "variant"          // EXT-X-STREAM-INF, the URI on the next line
	KindIFrame          Kind = "iframe"           // EXT-X-I-FRAME-STREAM-INF URI
	KindImage           Kind = "image"            // EXT-X-IMAGE-STREAM-INF URI (thumbnail stream)
	KindRendition       Kind = "rendition"        // EXT-X-MEDIA URI (alternative audio, subtitles...)
	KindSessionKey      Kind = "session-key"      // EXT-X-SESSION-KEY URI
	KindSessionData     Kind = "session-data"     // EXT-X-SESSION-DATA URI
	KindInit            Kind = "init"             // EXT-X-MAP URI (fMP4 init segment)
	KindKey             Kind = "key"              // EXT-X-KEY URI
	KindSegment         Kind = "segment"          // media segment (URI line after EXTINF)
	KindPart            Kind = "part"             // EXT-X-PART URI (low-latency partial segment)
	KindPreloadHint     Kind = "preload-hint"     // EXT-X-PRELOAD-HINT URI
	KindRenditionReport Kind = "rendition-report" // EXT-X-RENDITION-REPORT URI (another media playlist)
)

// IsPlaylist reports whether a reference of this kind points at another
// playlist (as opposed to a segment, key or data file).
func (k Kind) IsPlaylist() bool {
	switch k {
	case KindVariant, KindIFrame, KindImage, KindRendition, KindRenditionReport:
		return true
	}
	return false
}

// Type is the type of a playlist.
type Type string

// Playlist types. A playlist with neither master nor media tags is Unknown.
const (
	Master  Type = "master"
	Media   Type = "media"
	Unknown Type = "unknown"
)

// Ref is one URI referenced by a playlist.
type Ref struct {
	Kind Kind
	// Tag is the tag that carried the URI (for a segment, EXTINF).
	Tag string
	// URI is the value as written in the playlist.
	URI string
	// URL is URI resolved against the playlist URL given to Parse (or just
	// parsed, when no base was given).
	URL *url.URL
	// Line is the 1-based line number of the URI in the playlist.
	Line int
}

// Note records a line the parser skipped or found malformed.
type Note struct {
	Line int
	// Text says what is wrong, quoting the playlist's values raw (cut to 80
	// bytes): they may hold control characters, so escape Text before
	// printing it on a terminal, and once only.
	Text string
	// URI is set when the note is about a URI that is not among the
	// references: it does not parse, or is not fetched over HTTP.
	URI string
	// Malformed marks a line that breaks the syntax (a URI that does not
	// parse, an empty URI), as opposed to one that is only skipped.
	Malformed bool
}

// Playlist is the result of Parse.
type Playlist struct {
	Type  Type
	Refs  []Ref
	Notes []Note
}

// ErrNotPlaylist is returned when the data does not start with #EXTM3U.
var ErrNotPlaylist = errors.New("not an HLS playlist: first line is not #EXTM3U")

// tags whose URI attribute is a reference, and the kind it has.
var uriTags = map[string]Kind{
	"EXT-X-I-FRAME-STREAM-INF": KindIFrame,
	"EXT-X-IMAGE-STREAM-INF":   KindImage,
	"EXT-X-MEDIA":              KindRendition,
	"EXT-X-SESSION-KEY":        KindSessionKey,
	"EXT-X-SESSION-DATA":       KindSessionData,
	"EXT-X-MAP":                KindInit,
	"EXT-X-KEY":                KindKey,
	"EXT-X-PART":               KindPart,
	"EXT-X-PRELOAD-HINT":       KindPreloadHint,
	"EXT-X-RENDITION-REPORT":   KindRenditionReport,
}

var masterTags = map[string]bool{
	"EXT-X-STREAM-INF": true, "EXT-X-I-FRAME-STREAM-INF": true, "EXT-X-IMAGE-STREAM-INF": true,
	"EXT-X-MEDIA": true, "EXT-X-SESSION-KEY": true, "EXT-X-SESSION-DATA": true,
}

var mediaTags = map[string]bool{
	"EXTINF": true, "EXT-X-TARGETDURATION": true, "EXT-X-MEDIA-SEQUENCE": true,
	"EXT-X-ENDLIST": true, "EXT-X-PLAYLIST-TYPE": true, "EXT-X-MAP": true, "EXT-X-PART": true,
}

// Parse reads a master or media playlist and returns every URI it references,
// in playlist order, resolved against base (which may be nil). The caller
// bounds the size of data. Only a missing #EXTM3U header is an error; other
// problems are reported as Notes.
func Parse(data []byte, base *url.URL) (*Playlist, error) {
	p := &Playlist{}
	t, err := Scan(context.Background(), string(data), base, func(r Ref) { p.Refs = append(p.Refs, r) }, func(n Note) { p.Notes = append(p.Notes, n) })
	if err != nil {
		return nil, err
	}
	p.Type = t
	return p, nil
}

// Scan is Parse without keeping anything: it calls ref for every reference
// and note for every note, in playlist order, and returns the playlist's
// type. It allocates nothing per line beyond what a call needs, so a caller
// that keeps only what it can afford stays bounded whatever data holds
// (a 5 MiB playlist can hold 2.6 million one-character URI lines, about a
// second of work each). It stops when ctx is done, returning ctx.Err().
func Scan(ctx context.Context, data string, base *url.URL, ref func(Ref), note func(Note)) (Type, error) {
	data = strings.TrimPrefix(data, "\xef\xbb\xbf") // UTF-8 BOM
	lines := &lineReader{rest: data}
	first, ok := lines.next()
	if !ok || strings.TrimSpace(first) != "#EXTM3U" {
		return "", ErrNotPlaylist
	}
	s := scanner{base: base, ref: ref, note: note}
	var master, media bool
	// pending is the tag waiting for a URI line: EXT-X-STREAM-INF or EXTINF.
	pending, pendingLine := "", 0
	for n := 2; ; n++ {
		if n%scanCheckEvery == 0 && ctx.Err() != nil {
			return "", ctx.Err()
		}
		raw, ok := lines.next()
		if !ok {
			break
		}
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			switch pending {
			case "EXT-X-STREAM-INF":
				s.add(KindVariant, pending, line, n)
			case "EXTINF":
				s.add(KindSegment, pending, line, n)
			default:
				// A URI line with no EXTINF before it: RFC 8216 requires one,
				// but players still fetch it, so report and keep it.
				s.notef(n, "", false, `URI "%s" without a preceding #EXTINF or #EXT-X-STREAM-INF`, clip(line))
				s.add(KindSegment, "", line, n)
				media = true
			}
			pending = ""
			continue
		}
		if !strings.HasPrefix(line, "#EXT") {
			continue // a comment
		}
		name, attrs, _ := strings.Cut(line[1:], ":")
		if masterTags[name] {
			master = true
		}
		if mediaTags[name] {
			media = true
		}
		switch name {
		case "EXT-X-STREAM-INF", "EXTINF":
			if pending != "" {
				s.notef(pendingLine, "", false, "#%s has no URI line after it", pending)
			}
			pending, pendingLine = name, n
			continue
		case "EXT-X-BYTERANGE", "EXT-X-DISCONTINUITY", "EXT-X-PROGRAM-DATE-TIME", "EXT-X-GAP",
			"EXT-X-BITRATE", "EXT-X-CUE-OUT", "EXT-X-CUE-IN", "EXT-X-CUE-OUT-CONT":
			// Tags that may sit between EXTINF and its URI.
			continue
		}
		kind, ok := uriTags[name]
		if !ok {
			continue
		}
		a := ParseAttributes(attrs)
		uri, has := a["URI"]
		if !has {
			// EXT-X-KEY:METHOD=NONE, EXT-X-SESSION-DATA with VALUE, EXT-X-MEDIA
			// of a muxed rendition: no reference, and nothing wrong.
			if name == "EXT-X-KEY" && a["METHOD"] != "NONE" && a["METHOD"] != "" {
				s.notef(n, "", false, "#EXT-X-KEY with METHOD=%s has no URI", clip(a["METHOD"]))
			}
			continue
		}
		if uri == "" {
			s.notef(n, "", true, "#%s has an empty URI", name)
			continue
		}
		s.add(kind, name, uri, n)
	}
	if pending != "" {
		s.notef(pendingLine, "", false, "#%s has no URI line after it", pending)
	}
	switch {
	case master && !media:
		return Master, nil
	case media && !master:
		return Media, nil
	case master && media:
		s.notef(1, "", false, "the playlist mixes master and media playlist tags")
	}
	return Unknown, nil
}

// scanCheckEvery is how many lines Scan reads between two looks at its
// context: often enough to stop within milliseconds, rarely enough to cost
// nothing.
const scanCheckEvery = 4096

// scanner hands references and notes to Scan's callbacks.
type scanner struct {
	base *url.URL
	ref  func(Ref)
	note func(Note)
}

func (s *scanner) notef(line int, uri string, malformed bool, format string, args ...any) {
	if s.note != nil {
		s.note(Note{Line: line, Text: fmt.Sprintf(format, args...), URI: uri, Malformed: malformed})
	}
}

// add records a reference, or a note when the URI is not something an HTTP
// client can fetch (skd:// FairPlay keys, data: URIs, other schemes) or does
// not parse.
func (s *scanner) add(kind Kind, tag, uri string, line int) {
	u, err := url.Parse(uri)
	if err != nil {
		s.notef(line, uri, true, `%s URI "%s" does not parse: %s`, kind, clip(uri), clipErr(err))
		return
	}
	if s.base != nil {
		u = s.base.ResolveReference(u)
	}
	// Checked after resolution: a relative URI takes the base's scheme.
	if u.Scheme != "" && !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https") {
		s.notef(line, uri, false, `%s URI "%s" skipped: scheme "%s" is not fetched over HTTP`, kind, clip(uri), clip(u.Scheme))
		return
	}
	if s.ref != nil {
		s.ref(Ref{Kind: kind, Tag: tag, URI: uri, URL: u, Line: line})
	}
}

// clipErr shortens an error that quotes the whole value it failed on.
func clipErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return clip(ue.Err.Error())
	}
	return clip(err.Error())
}

// clip shortens a value quoted in a note (data: URIs can be long). Notes
// carry values raw, as the playlist has them: a text report escapes them
// when it prints them (safetext), and JSON stays exact.
func clip(s string) string { return safetext.Cut(s, 80) }

// lineReader yields the lines of a string (split at \n, \r\n or \r) as
// substrings of it, so iterating allocates nothing per line.
type lineReader struct{ rest string }

func (l *lineReader) next() (string, bool) {
	if l.rest == "" {
		return "", false
	}
	i := strings.IndexAny(l.rest, "\r\n")
	if i < 0 {
		line := l.rest
		l.rest = ""
		return line, true
	}
	line := l.rest[:i]
	if l.rest[i] == '\r' && i+1 < len(l.rest) && l.rest[i+1] == '\n' {
		i++
	}
	l.rest = l.rest[i+1:]
	return line, true
}

// ParseAttributes parses an attribute list (NAME=VALUE,NAME="quoted, value")
// into a map. Quoted values lose their quotes; names are kept as written. It
// is tolerant: a malformed pair is skipped and parsing goes on after the next
// comma.
func ParseAttributes(s string) map[string]string {
	out := map[string]string{}
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == ',') {
			i++
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ',' {
			i++
		}
		name := strings.TrimSpace(s[start:i])
		if i >= len(s) || s[i] == ',' {
			continue // a name without a value
		}
		i++ // '='
		var val string
		if i < len(s) && s[i] == '"' {
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				val = s[i+1:]
				i = len(s)
			} else {
				val = s[i+1 : i+1+end]
				i += end + 2
			}
			// skip anything up to the next comma
			for i < len(s) && s[i] != ',' {
				i++
			}
		} else {
			vs := i
			for i < len(s) && s[i] != ',' {
				i++
			}
			val = strings.TrimSpace(s[vs:i])
		}
		if name != "" {
			if _, dup := out[name]; !dup {
				out[name] = val
			}
		}
	}
	return out
}

// PropagateQuery returns a copy of u whose query also holds the parameters of
// query (a raw query string, as in url.URL.RawQuery) that u does not already
// have. Parameters are copied byte for byte, so a signature keeps its exact
// encoding; a parameter u already carries is never duplicated or replaced.
// This is what a player must do to load the relative URIs of a playlist whose
// own URL was signed with a query-string policy. For many URLs under one
// query, NewQueryPropagator splits the query once.
func PropagateQuery(u *url.URL, query string) *url.URL {
	return NewQueryPropagator(query).Propagate(u)
}
