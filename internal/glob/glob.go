// Package glob matches CloudFront wildcard patterns: '*' matches any run of
// characters (including '/' and '?'), '?' exactly one character, everything
// else itself, case-sensitively. Cache behavior path patterns and signed-URL
// policy resources both follow these rules.
//
//	glob.Match("https://media.example.com/video/a1/*", "https://media.example.com/video/a1/720p/s1.ts") // true
//
// Patterns and inputs may both come from outside (a policy decoded from a
// URL, the URL it is checked against), so the matcher takes time linear in
// the input whatever the pattern: see Match.
package glob

import "strings"

// Match reports whether s matches pattern.
//
// The pattern is cut at its stars into pieces of fixed length (a '?' is one
// byte). The first piece must match at the start of s, the last at the end,
// and each piece between at its leftmost place after the previous one:
// taking the leftmost place never loses a match, because the star that
// follows can absorb anything a later place would have skipped. Each search
// reads the bytes of s once from where the last one ended: a bit-parallel
// scan (Shift-And) for pieces of up to 64 bytes or holding '?', and
// Knuth-Morris-Pratt for longer literal pieces. The work is
// O(len(s) * ceil(Q/64) + len(pattern)), Q the longest piece that holds a
// '?' (at least 64): linear in s, with no backtracking.
func Match(pattern, s string) bool {
	ok, _ := match(pattern, s)
	return ok
}

// match is Match that also counts its steps (bytes compared, and machine
// words updated per byte of s while searching), for the tests that prove the
// bound.
func match(pattern, s string) (ok bool, steps int) {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return len(pattern) == len(s) && fixedAt(pattern, s, &steps), steps
	}
	lastStar := strings.LastIndexByte(pattern, '*')
	first, last := pattern[:star], pattern[lastStar+1:]
	if len(first)+len(last) > len(s) || !fixedAt(first, s[:len(first)], &steps) || !fixedAt(last, s[len(s)-len(last):], &steps) {
		return false, steps
	}
	pos, end := len(first), len(s)-len(last)
	var sc scanner
	for rest := pattern[star+1 : lastStar+1]; rest != ""; {
		k := strings.IndexByte(rest, '*')
		piece := rest[:k]
		rest = rest[k+1:]
		if piece == "" {
			continue
		}
		i := sc.index(piece, s[pos:end], &steps)
		if i < 0 {
			return false, steps
		}
		pos += i + len(piece)
	}
	return true, steps
}

// fixedAt reports whether the star-free piece p matches t (same length).
func fixedAt(p, t string, steps *int) bool {
	for i := 0; i < len(p); i++ {
		*steps++
		if p[i] != '?' && p[i] != t[i] {
			return false
		}
	}
	return true
}

// scanner finds star-free pieces with the Shift-And algorithm: bit j of the
// state is set when the last j+1 bytes read match the first j+1 bytes of the
// piece. Its tables are reused from piece to piece and cleared per piece
// byte, so a pattern of many short pieces costs no 256-entry reset each.
type scanner struct {
	masks []uint64 // 256 rows of words: the piece positions each byte can fill
	any   []uint64 // the positions holding '?'
	state []uint64
	fail  []int // the KMP table of a long literal piece
}

// index returns the offset of the leftmost match of piece in t, or -1.
func (sc *scanner) index(piece, t string, steps *int) int {
	n := len(piece)
	if n > len(t) {
		return -1
	}
	if n == 1 && piece[0] != '?' {
		// One literal byte: IndexByte reads exactly the bytes up to the match.
		i := strings.IndexByte(t, piece[0])
		if i < 0 {
			*steps += len(t)
		} else {
			*steps += i + 1
		}
		return i
	}
	if n > 64 && strings.IndexByte(piece, '?') < 0 {
		return sc.kmp(piece, t, steps)
	}
	words := (n + 63) / 64
	if len(sc.any) < words {
		sc.masks = make([]uint64, 256*words)
		sc.any = make([]uint64, words)
		sc.state = make([]uint64, words)
	}
	masks, anyb, state := sc.masks, sc.any[:words], sc.state[:words]
	for j := 0; j < n; j++ {
		*steps++
		if c := piece[j]; c == '?' {
			anyb[j/64] |= 1 << (j % 64)
		} else {
			masks[int(c)*words+j/64] |= 1 << (j % 64)
		}
	}
	found := sc.scan(n, words, t, steps)
	for j := 0; j < n; j++ {
		masks[int(piece[j])*words+j/64] = 0
	}
	clear(anyb)
	clear(state)
	return found
}

// kmp finds a long literal piece with Knuth-Morris-Pratt: at most 2*len(t)
// comparisons after an O(len(piece)) table, however long the piece.
func (sc *scanner) kmp(piece, t string, steps *int) int {
	n := len(piece)
	if cap(sc.fail) < n {
		sc.fail = make([]int, n)
	}
	fail := sc.fail[:n]
	fail[0] = 0
	for i, k := 1, 0; i < n; i++ {
		for k > 0 && piece[i] != piece[k] {
			*steps++
			k = fail[k-1]
		}
		*steps++
		if piece[i] == piece[k] {
			k++
		}
		fail[i] = k
	}
	for i, k := 0, 0; i < len(t); i++ {
		for k > 0 && t[i] != piece[k] {
			*steps++
			k = fail[k-1]
		}
		*steps++
		if t[i] == piece[k] {
			k++
		}
		if k == n {
			return i - n + 1
		}
	}
	return -1
}

// scan runs the Shift-And automaton of a piece of n bytes over t.
func (sc *scanner) scan(n, words int, t string, steps *int) int {
	masks, anyb, state := sc.masks, sc.any[:words], sc.state[:words]
	hitWord, hitBit := (n-1)/64, uint64(1)<<((n-1)%64)
	if words == 1 {
		var d uint64
		q := anyb[0]
		for i := 0; i < len(t); i++ {
			*steps++
			d = (d<<1 | 1) & (masks[int(t[i])] | q)
			if d&hitBit != 0 {
				return i - n + 1
			}
		}
		return -1
	}
	for i := 0; i < len(t); i++ {
		row := masks[int(t[i])*words : int(t[i])*words+words]
		carry := uint64(1)
		for w := range state {
			*steps++
			next := state[w] >> 63
			state[w] = (state[w]<<1 | carry) & (row[w] | anyb[w])
			carry = next
		}
		if state[hitWord]&hitBit != 0 {
			return i - n + 1
		}
	}
	return -1
}
