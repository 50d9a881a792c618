package hls

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// Rewrite returns data with the URI of each reference Parse finds (resolved
// against base) replaced by what replace returns for it; every other byte,
// line endings, comments and unknown tags included, is kept. replace
// returning ok=false leaves that URI as written. A URI held in an unquoted
// attribute gets quotes, so that a replacement containing a comma stays one
// value. The returned Playlist is Parse's result for data.
//
//	out, p, err := hls.Rewrite(data, base, func(r hls.Ref) (string, bool) {
//		return r.URL.String(), true // make every URI absolute
//	})
//
// A replacement that could change the playlist's structure (empty, with a
// line break, a double quote, leading or trailing space, a URI line starting
// with '#', not a URL, or a scheme other than http(s)) is an error, and
// nothing is returned: the output always holds the same references.
func Rewrite(data []byte, base *url.URL, replace func(Ref) (string, bool)) ([]byte, *Playlist, error) {
	p, err := Parse(data, base)
	if err != nil {
		return nil, nil, err
	}
	out := make([]byte, 0, len(data)+len(data)/2)
	next := 0 // index in p.Refs of the next reference to place
	grown, done := 0, 0
	var checker replacementChecker
	n := 0 // 1-based line number, counted as Parse's splitLines does
	for rest := data; len(rest) > 0; {
		n++
		line, eol := cutLine(rest)
		rest = rest[len(line)+len(eol):]
		if next >= len(p.Refs) || p.Refs[next].Line != n {
			out = append(append(out, line...), eol...)
			continue
		}
		ref := p.Refs[next]
		next++
		repl, ok := replace(ref)
		if !ok {
			out = append(append(out, line...), eol...)
			continue
		}
		if err := checker.check(ref, repl); err != nil {
			return nil, nil, err
		}
		start, end, quoted, found := uriSpan(string(line), ref)
		if !found {
			// Cannot happen for a Ref of this data; refuse rather than guess.
			return nil, nil, fmt.Errorf("hls: line %d: URI %q not found where the parser read it", n, clip(ref.URI))
		}
		// Replacements are usually longer (a signed URL is ~600 bytes longer
		// than a relative one): grow once for all of them, from the growth
		// so far, rather than by repeated doubling.
		grown += len(repl) - (end - start)
		done++
		if need := len(out) + len(line) + len(eol) + len(rest) + (grown/done+2)*(len(p.Refs)-next+1); grown > 0 && need > cap(out) {
			out = slices.Grow(out, need-len(out))
		}
		out = append(out, line[:start]...)
		if !quoted && isAttrTag(ref.Tag) {
			out = append(append(append(out, '"'), repl...), '"')
		} else {
			out = append(out, repl...)
		}
		out = append(append(out, line[end:]...), eol...)
	}
	return out, p, nil
}

// cutLine splits off the first line of data and its terminator, which is
// "\r\n", "\n", "\r" or nothing at the end, the same terminators splitLines
// honours, so line numbers agree with Parse.
func cutLine(data []byte) (line, eol []byte) {
	i := bytes.IndexAny(data, "\r\n")
	if i < 0 {
		return data, nil
	}
	if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
		return data[:i], data[i : i+2]
	}
	return data[:i], data[i : i+1]
}

func isAttrTag(tag string) bool {
	_, ok := uriTags[tag]
	return ok
}

// replacementChecker refuses a value that would not read back as one URI.
// It runs for every URI of a playlist, and signed URIs share a long query
// (~600 bytes): the query part of the last value it accepted is remembered,
// and a value ending with it has only its head read.
type replacementChecker struct {
	tail string // a query tail already accepted: no control character, '"' or '#'
}

func (c *replacementChecker) check(ref Ref, repl string) error {
	if t := c.tail; t != "" && len(repl) > len(t) && strings.HasSuffix(repl, t) {
		head := repl[:len(repl)-len(t)]
		if q := strings.IndexByte(head, '?'); q >= 0 && strings.IndexByte(head, '#') < 0 {
			// The tail is inside the query, which url.Parse does not read.
			return checkReplacement(ref, head, head[:q], repl)
		}
	}
	if err := checkReplacement(ref, repl, urlHead(repl), repl); err != nil {
		return err
	}
	if q := strings.IndexByte(repl, '?'); q >= 0 && !strings.ContainsAny(repl, "#\"") {
		c.tail = repl[q+1:]
	}
	return nil
}

// checkReplacement checks the bytes of scan (repl, or its head when the rest
// is known good) and parses head, the part of repl url.Parse validates.
func checkReplacement(ref Ref, scan, head, repl string) error {
	attr := isAttrTag(ref.Tag)
	bad := ""
	switch {
	case repl == "":
		bad = "is empty"
	case strings.TrimSpace(repl) != repl:
		bad = "has leading or trailing space"
	case !attr && repl[0] == '#':
		bad = "starts with '#', which makes a URI line a comment"
	default:
		for i := 0; i < len(scan) && bad == ""; i++ {
			switch c := scan[i]; {
			case c == '\r' || c == '\n':
				bad = "contains a line break"
			case c < 0x20 || c == 0x7f:
				bad = "contains a control character"
			case c == '"' && attr:
				bad = "contains a double quote, which ends a quoted attribute"
			}
		}
		if bad != "" || simpleHTTPURL(head) {
			break
		}
		// Parse would drop it from the references.
		if u, err := url.Parse(head); err != nil {
			bad = "does not parse as a URL"
		} else if u.Scheme != "" && !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https") {
			bad = "is not an http(s) URL"
		}
	}
	if bad != "" {
		return fmt.Errorf("hls: replacement %q for the %s URI on line %d %s", clip(repl), ref.Kind, ref.Line, bad)
	}
	return nil
}

// simpleHTTPURL reports whether s is plainly an absolute http(s) URL that
// url.Parse accepts, without parsing it: "http(s)://", a host of letters,
// digits, '.' and '-', an optional port, and a path of unreserved
// characters, sub-delimiters, ':', '@', '/' and valid %XX escapes. Anything
// else goes through url.Parse (FuzzSimpleHTTPURL compares the two).
func simpleHTTPURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(s, "http://"); !ok {
			return false
		}
	}
	i, hostEnd := 0, -1
	for ; i < len(rest) && rest[i] != '/'; i++ {
		c := rest[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-':
			if hostEnd >= 0 && !(c >= '0' && c <= '9') {
				return false // the port is digits only
			}
		case c == ':' && hostEnd < 0:
			hostEnd = i
		default:
			return false
		}
	}
	if i == 0 || hostEnd == 0 || hostEnd == i-1 || hostEnd > 0 && i-hostEnd > 6 {
		return false
	}
	for ; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0:
		case c == '%' && i+2 < len(rest) && isHex(rest[i+1]) && isHex(rest[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// uriSpan finds, in one raw playlist line, the byte range of the URI that
// Parse read from it: the trimmed line for a URI line, the value of the
// first URI attribute for a tag (quoted reports whether it sits in quotes).
// An unquoted attribute's range starts right after its '=': the value that
// replaces it is quoted, and a quote after a space would be read as part of
// an unquoted value (URI= "x" reads as `"x"`).
func uriSpan(line string, ref Ref) (start, end int, quoted, found bool) {
	lead := len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
	trimmed := strings.TrimSpace(line)
	if !isAttrTag(ref.Tag) {
		if trimmed != ref.URI {
			return 0, 0, false, false
		}
		return lead, lead + len(trimmed), false, true
	}
	colon := strings.IndexByte(trimmed, ':')
	if colon < 0 {
		return 0, 0, false, false
	}
	base := lead + colon + 1
	s, e, q, ok := attributeSpan(trimmed[colon+1:], "URI")
	if !ok {
		return 0, 0, false, false
	}
	if trimmed[colon+1:][s:e] != ref.URI {
		return 0, 0, false, false
	}
	if !q {
		s = strings.LastIndexByte(trimmed[colon+1:][:s], '=') + 1
	}
	return base + s, base + e, q, true
}

// attributeSpan returns the byte range of the value of the first attribute
// called name in an attribute list, scanning exactly as ParseAttributes does
// (its tests compare the two on every input the fuzzer finds).
func attributeSpan(s, name string) (start, end int, quoted, ok bool) {
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == ',') {
			i++
		}
		ns := i
		for i < len(s) && s[i] != '=' && s[i] != ',' {
			i++
		}
		n := strings.TrimSpace(s[ns:i])
		if i >= len(s) || s[i] == ',' {
			continue
		}
		i++ // '='
		var vs, ve int
		q := false
		if i < len(s) && s[i] == '"' {
			q = true
			vs = i + 1
			if j := strings.IndexByte(s[vs:], '"'); j < 0 {
				ve = len(s)
				i = len(s)
			} else {
				ve = vs + j
				i = ve + 1
			}
			for i < len(s) && s[i] != ',' {
				i++
			}
		} else {
			raw := i
			for i < len(s) && s[i] != ',' {
				i++
			}
			v := s[raw:i]
			lt := len(v) - len(strings.TrimLeftFunc(v, unicode.IsSpace))
			vs = raw + lt
			ve = vs + len(strings.TrimSpace(v))
		}
		if n == name {
			return vs, ve, q, true
		}
	}
	return 0, 0, false, false
}

// urlHead returns u without its query when it has no fragment: url.Parse
// checks nothing in a query but control characters (checkReplacement has
// refused those), so parsing the head decides as parsing all of it would,
// without reading a long signed query again.
func urlHead(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 && u[i] == '?' && !strings.Contains(u[i:], "#") {
		return u[:i]
	}
	return u
}
