// Package glob matches CloudFront wildcard patterns: '*' matches any run of
// characters (including '/' and '?'), '?' exactly one character, everything
// else itself, case-sensitively. Cache behavior path patterns and signed-URL
// policy resources both follow these rules.
//
//	glob.Match("https://media.example.com/video/a1/*", "https://media.example.com/video/a1/720p/s1.ts") // true
package glob

import "strings"

// Match reports whether s matches pattern.
func Match(pattern, s string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return pattern == s
	}
	// Iterative matcher that backtracks to the last star: linear memory,
	// no recursion on hostile patterns.
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
