package glob

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// backtrackMatch is the matcher this package used before: iterative, going
// back to the last star on a mismatch, with one fix (the old code tested a
// literal match before the star, so a '*' in the input was taken as the
// pattern's '*' matched literally: "https://h/*" did not match
// "https://h/*x"). Fixed, it is correct and serves as the oracle here, but it
// re-reads the input after every star position: pattern "*aaaa...ab*"
// against "aaaa..." costs len(s) * len(piece) steps. It counts its steps like
// match does.
func backtrackMatch(pattern, s string) (bool, int) {
	steps := 0
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		steps++
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false, steps
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern), steps
}

// hostile are the pattern shapes that make a backtracking matcher slow, as
// functions of the input size n.
var hostile = []struct {
	name    string
	pattern func(n int) string
	input   func(n int) string
}{
	{"long piece after a star", func(int) string { return "*" + strings.Repeat("a", 60) + "b*" }, func(n int) string { return strings.Repeat("a", n) }},
	{"many stars", func(n int) string { return strings.Repeat("*a", n/4) + "*b*" }, func(n int) string { return strings.Repeat("a", n) }},
	{"question marks", func(int) string { return "*" + strings.Repeat("?", 30) + "b" + strings.Repeat("?", 29) + "*" }, func(n int) string { return strings.Repeat("a", n) }},
	{"piece longer than a word", func(int) string { return "*" + strings.Repeat("a", 200) + "b*" }, func(n int) string { return strings.Repeat("a", n) }},
	{"piece growing with the input", func(n int) string { return "*" + strings.Repeat("a", n/8) + "b*" }, func(n int) string { return strings.Repeat("a", n) }},
	{"? piece longer than a word", func(int) string { return "*" + strings.Repeat("a?", 100) + "b*" }, func(n int) string { return strings.Repeat("a", n) }},
	{"URL shaped", func(int) string { return "https://h/*" + strings.Repeat("/a", 30) + "/b*" }, func(n int) string { return "https://h" + strings.Repeat("/a", n/2) }},
}

// stepBound is the generous bound the tests hold match to:
// 4 * (len(s) + len(pattern)) * ceil(Q/64) + 4, Q the longest piece holding
// a '?' (64 at least; literal pieces are searched in linear time whatever
// their length).
func stepBound(pattern, s string) int {
	q := 64
	for _, piece := range strings.Split(pattern, "*") {
		if strings.Contains(piece, "?") {
			q = max(q, len(piece))
		}
	}
	return 4*(len(s)+len(pattern))*((q+63)/64) + 4
}

// The step count grows linearly with the input, within stepBound.
// The same inputs cost the old backtracking matcher hundreds of times more
// at the largest size (asserted too, as the negative control).
func TestMatchIsLinear(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			for _, n := range []int{1 << 10, 1 << 12, 1 << 14} {
				pattern, s := h.pattern(n), h.input(n)
				ok, steps := match(pattern, s)
				want, oldSteps := backtrackMatch(pattern, s)
				if ok != want {
					t.Fatalf("n=%d: match = %v, backtracking matcher says %v", n, ok, want)
				}
				bound := stepBound(pattern, s)
				if steps > bound {
					t.Errorf("n=%d: %d steps, bound %d", n, steps, bound)
				}
				t.Logf("n=%6d: %8d steps (bound %8d); backtracking matcher %10d steps", n, steps, bound, oldSteps)
				if n == 1<<14 && h.name != "many stars" && h.name != "URL shaped" && h.name != "? piece longer than a word" && oldSteps < 20*steps {
					t.Errorf("negative control: the backtracking matcher took only %d steps against %d", oldSteps, steps)
				}
			}
		})
	}
}

// Random patterns agree with the backtracking matcher.
func TestMatchAgreesWithBacktracking(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	alphabet := "ab?*/"
	for i := 0; i < 200000; i++ {
		p := make([]byte, r.Intn(10))
		for j := range p {
			p[j] = alphabet[r.Intn(len(alphabet))]
		}
		s := make([]byte, r.Intn(12))
		for j := range s {
			s[j] = "ab/?*"[r.Intn(5)]
		}
		got, _ := match(string(p), string(s))
		want, _ := backtrackMatch(string(p), string(s))
		if got != want {
			t.Fatalf("Match(%q, %q) = %v, backtracking says %v", p, s, got, want)
		}
	}
	// Pieces longer than a word (Knuth-Morris-Pratt, multi-word Shift-And)
	// over a two-letter alphabet, so that partial matches abound.
	randAB := func(n int, q bool) string {
		b := make([]byte, n)
		for j := range b {
			b[j] = "ab"[r.Intn(2)]
			if q && r.Intn(8) == 0 {
				b[j] = '?'
			}
		}
		return string(b)
	}
	for i := 0; i < 3000; i++ {
		q := i%2 == 1
		p := randAB(r.Intn(3), false) + "*" + randAB(65+r.Intn(70), q) + "*" + randAB(r.Intn(3), false)
		s := randAB(r.Intn(400), false)
		if r.Intn(2) == 0 { // plant the piece so that matches occur
			piece := strings.Split(p, "*")[1]
			at := r.Intn(len(s) + 1)
			s = s[:at] + strings.ReplaceAll(piece, "?", "b") + s[at:]
		}
		got, _ := match(p, s)
		want, _ := backtrackMatch(p, s)
		if got != want {
			t.Fatalf("Match(%q, %q) = %v, backtracking says %v", p, s, got, want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("https://h/a/*", "https://h/a/b.ts")
	f.Add("*a*a*a*b", "aaaaaaaaaa")
	f.Add("*"+strings.Repeat("?", 70)+"b*", strings.Repeat("a", 100)+"b")
	f.Add("http*://*.example.com/*?.ts", "https://x.example.com/v/1.ts")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 512 || len(s) > 2048 {
			return // the oracle is quadratic
		}
		got, steps := match(pattern, s)
		want, _ := backtrackMatch(pattern, s)
		if got != want {
			t.Fatalf("Match(%q, %q) = %v, backtracking says %v", pattern, s, got, want)
		}
		if bound := stepBound(pattern, s); steps > bound {
			t.Fatalf("Match(%q, %q): %d steps, bound %d", pattern, s, steps, bound)
		}
	})
}

// BenchmarkHostile prints time and steps per match for growing inputs, this
// matcher beside the old backtracking one:
//
//	go test ./internal/glob -run '^$' -bench Hostile -count 5
func BenchmarkHostile(b *testing.B) {
	for _, h := range hostile {
		if h.name == "URL shaped" || h.name == "piece longer than a word" {
			continue
		}
		for _, n := range []int{1 << 10, 1 << 12, 1 << 14, 1 << 16} {
			pattern, s := h.pattern(n), h.input(n)
			for _, m := range []struct {
				name string
				fn   func(string, string) (bool, int)
			}{{"linear", match}, {"backtracking", backtrackMatch}} {
				b.Run(fmt.Sprintf("%s/n=%d/%s", strings.ReplaceAll(h.name, " ", "_"), n, m.name), func(b *testing.B) {
					var steps int
					for b.Loop() {
						_, steps = m.fn(pattern, s)
					}
					b.ReportMetric(float64(steps), "steps/op")
					b.ReportMetric(float64(steps)/float64(n), "steps/byte")
				})
			}
		}
	}
}
