// Package safetext makes untrusted text safe to print on a terminal. URLs,
// playlist lines, header values and error bodies come from servers and files
// the user does not control; printed raw, an escape sequence in them can move
// the cursor, rewrite earlier lines or fake a verdict.
//
//	fmt.Fprintf(w, "  GET %s\n", safetext.Escape(u))
//
// JSON output needs no escaping (encoding/json escapes control characters)
// and must stay exact, so only text output goes through Escape.
package safetext

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape returns s with every character that could act on a terminal
// written as a visible escape: C0 and C1 controls and DEL as \xNN (\t, \n,
// \r as themselves escaped), Unicode format characters (bidi overrides such
// as U+202E, zero-width joiners) as \u{XXXX}, invalid UTF-8 bytes as \xNN,
// and the backslash as \\ so an escape cannot be forged. Printable text,
// including non-ASCII letters, is kept.
func Escape(s string) string {
	if isSafe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, `\u{%04x}`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Clip escapes s and shortens the result to about max bytes, marking the cut,
// so one hostile value cannot flood a report.
func Clip(s string, max int) string {
	return Cut(Escape(s), max)
}

// Cut shortens s to about max bytes on a character boundary, marking the
// cut, and does not escape: for values kept raw in JSON and escaped only when
// printed as text.
func Cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d more bytes)", s[:cut], len(s)-cut)
}

// Quote returns s as a Go-quoted string (control characters escaped, so it
// is safe on a terminal and in a log line), cut to about max bytes of s with
// the cut marked: for naming a bad setting value in an error message.
func Quote(s string, max int) string {
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes in all)", strconv.Quote(s[:cut]), len(s))
}

func isSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}
