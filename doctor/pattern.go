package doctor

import "strings"

// globMatch reports whether s matches pattern, where * matches any run of
// characters (including /) and ? exactly one: the rules of CloudFront path
// patterns and of policy Resource wildcards. Matching is case-sensitive.
func globMatch(pattern, s string) bool {
	// Iterative matcher with backtracking to the last star.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// pathMatches reports whether a URL path matches a cache behavior path
// pattern (leading slash optional on both sides).
func pathMatches(pattern, urlPath string) bool {
	return globMatch(strings.TrimPrefix(pattern, "/"), strings.TrimPrefix(urlPath, "/"))
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
