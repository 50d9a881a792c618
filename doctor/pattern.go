package doctor

import (
	"strings"

	"github.com/mediacdn/mediacdn/internal/glob"
)

// pathMatches reports whether a URL path matches a cache behavior path
// pattern (leading slash optional on both sides).
func pathMatches(pattern, urlPath string) bool {
	return glob.Match(strings.TrimPrefix(pattern, "/"), strings.TrimPrefix(urlPath, "/"))
}

// patternsOverlap reports whether some path matches both path patterns.
func patternsOverlap(a, b string) bool {
	a, b = strings.TrimPrefix(a, "/"), strings.TrimPrefix(b, "/")
	type key struct{ i, j int }
	memo := map[key]bool{}
	var rec func(i, j int) bool
	rec = func(i, j int) bool {
		k := key{i, j}
		if v, ok := memo[k]; ok {
			return v
		}
		var res bool
		switch {
		case i == len(a) && j == len(b):
			res = true
		case i < len(a) && a[i] == '*':
			// a's star matches nothing, or swallows b's next token.
			res = rec(i+1, j) || (j < len(b) && rec(i, j+1))
		case j < len(b) && b[j] == '*':
			res = rec(i, j+1) || (i < len(a) && rec(i+1, j))
		case i == len(a) || j == len(b):
			res = false
		case a[i] == '?' || b[j] == '?' || a[i] == b[j]:
			res = rec(i+1, j+1)
		}
		memo[k] = res
		return res
	}
	return rec(0, 0)
}

// startsWithWildcard reports whether a path pattern can match in any
// directory: its first character (after an optional /) is * or ?.
func startsWithWildcard(p string) bool {
	p = strings.TrimPrefix(p, "/")
	return p == "" || p[0] == '*' || p[0] == '?'
}
