package glob

import "testing"

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"https://h/a/*", "https://h/a/b.ts", true},
		{"https://h/a/*", "https://h/a/720p/b.ts", true},         // * spans '/'
		{"https://h/a/*", "https://h/a/b.ts?x=1&y=2", true},      // and '?'
		{"https://h/a/*", "https://h/a/", true},                  // zero characters
		{"https://h/a/*", "https://h/a", false},                  // the slash is literal
		{"https://h/a/*", "https://h/ab/c.ts", false},            // a sibling directory
		{"https://h/a/*", "https://h/b/a/c.ts", false},           // anchored at the start
		{"https://h/a/*", "http://h/a/b.ts", false},              // scheme is literal
		{"http*://h/a/*", "https://h/a/b.ts", true},              // wildcard scheme
		{"https://*/a.jpg", "https://h.example.com/a.jpg", true}, // wildcard host
		{"https://h/*game.zip*", "https://h/test_game.zip?license=temp", true},
		{"https://h/a?.ts", "https://h/a1.ts", true},
		{"https://h/a?.ts", "https://h/a.ts", false}, // ? is exactly one
		{"https://h/a?.ts", "https://h/a12.ts", false},
		{"https://h/*/*.ts", "https://h/x/y/z.ts", true},
		{"https://h/*.ts", "https://h/a.ts.bak", false},
		{"https://h/a*b*c", "https://h/aXbYbZc", true},
		{"https://h/exact", "https://h/exact", true},
		{"https://h/exact", "https://h/exact2", false},
		{"*", "anything", true},
		{"*.jpg", "a/b/c.jpg", true},                  // path pattern
		{"*.jpg", "a/b/c.JPG", false},                 // path pattern
		{"images/*", "images/x/y.png", true},          // path pattern
		{"images/*", "img/x.png", false},              // path pattern
		{"?.ts", "a.ts", true},                        // path pattern
		{"?.ts", "ab.ts", false},                      // path pattern
		{"*", "", true},                               // path pattern
		{"a*b*c", "aXXbYYc", true},                    // path pattern
		{"a*b*c", "aXXbYY", false},                    // path pattern
		{"https://h/v/*", "https://h/v/a/b.ts", true}, // path pattern
		// A '*' in the input is an ordinary character; the old matcher took
		// it as the pattern's star matched literally and answered false.
		{"https://h/a/*", "https://h/a/*x", true},
		{"*.ts", "a*.ts", true},
		{"?*", "b*a", true},
	}
	for _, tc := range tests {
		if got := Match(tc.pattern, tc.s); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
