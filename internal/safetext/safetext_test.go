package safetext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://media.example.com/a.jpg", "https://media.example.com/a.jpg"},
		{"café/日本.ts", "café/日本.ts"},
		{"a\x1b[2J\x1b[HPASS", `a\x1b[2J\x1b[HPASS`},
		{"line\nFAKE: ok\r", `line\nFAKE: ok\r`},
		{"tab\there", `tab\there`},
		{"del\x7f", `del\x7f`},
		{"c1\u009bcsi", `c1\x9bcsi`},
		{"bidi \u202egnp.exe", `bidi \u{202e}gnp.exe`},
		{"zero\u200bwidth", `zero\u{200b}width`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{`already \x1b`, `already \\x1b`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	if got := Clip("short", 10); got != "short" {
		t.Errorf("Clip = %q", got)
	}
	got := Clip(strings.Repeat("é", 100), 11)
	if !strings.HasPrefix(got, "ééééé... (") || !utf8.ValidString(got) {
		t.Errorf("Clip cut badly: %q", got)
	}
	if got := Clip("\x1b\x1b\x1b\x1b", 8); got != `\x1b\x1b... (8 more bytes)` {
		t.Errorf("Clip = %q", got)
	}
}

func TestCut(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"\x1b[2J", 10, "\x1b[2J"}, // kept raw
		{strings.Repeat("é", 100), 11, "ééééé... (190 more bytes)"},
		{"ab\x1bcd", 3, "ab\x1b... (2 more bytes)"},
	} {
		if got := Cut(c.in, c.max); got != c.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

// FuzzEscape: whatever the input, the output has no byte a terminal acts on,
// is valid UTF-8, and distinct inputs stay distinct (nothing can be forged).
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a\x1b[31m", "\u202e", "\\x1b", "\xff", "ok\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Escape(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Escape(%q) = %q is not valid UTF-8", s, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("Escape(%q) = %q keeps control %U", s, out, r)
			}
		}
		if !strings.Contains(s, "\\") && strings.Count(out, "\\") == 0 && out != s {
			t.Fatalf("Escape changed a safe string %q to %q", s, out)
		}
	})
}

func TestQuote(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"abc", 10, `"abc"`},
		{"a\x1b[2Jb\n", 20, `"a\x1b[2Jb\n"`},
		{"abcdefghij", 4, `"abcd"... (10 bytes in all)`},
		{"ééé", 3, `"é"... (6 bytes in all)`}, // never cuts inside a character
	} {
		if got := Quote(c.in, c.max); got != c.want {
			t.Errorf("Quote(%q, %d) = %s, want %s", c.in, c.max, got, c.want)
		}
	}
}
