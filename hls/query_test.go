package hls

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/mediacdn/mediacdn/internal/httplist"
)

// propagateOneByOne is the rule PropagateQuery states, written the plain
// way (split both queries for every URL): the model QueryPropagator must
// match byte for byte.
func propagateOneByOne(u *url.URL, query string) *url.URL {
	out := *u
	have := map[string]bool{}
	for _, part := range strings.Split(u.RawQuery, "&") {
		if part != "" {
			have[httplist.ParamName(part)] = true
		}
	}
	var add []string
	for _, part := range strings.Split(query, "&") {
		if name := httplist.ParamName(part); part != "" && !have[name] {
			have[name] = true
			add = append(add, part)
		}
	}
	if len(add) == 0 {
		return &out
	}
	if out.RawQuery == "" {
		out.RawQuery = strings.Join(add, "&")
	} else {
		out.RawQuery = strings.TrimSuffix(out.RawQuery, "&") + "&" + strings.Join(add, "&")
	}
	out.ForceQuery = false
	return &out
}

// One propagator serves many URLs, each getting what the one-by-one rule
// gives it, whatever parameters it already has.
func TestQueryPropagatorManyURLs(t *testing.T) {
	const query = "Policy=p&Signature=s~1&Key-Pair-Id=K&Signature=dup&&x"
	p := NewQueryPropagator(query)
	for _, ref := range []string{"https://h/a.ts", "https://h/a.ts?v=2", "https://h/a.ts?Signature=own", "https://h/a.ts?Policy=a&Signature=b&Key-Pair-Id=c&x",
		"https://h/a.ts?", "https://h/a.ts?v=1&", "https://h/a.ts#f", "/rel?Key%2DPair%2DId=z"} {
		u := mustURL(t, ref)
		got, want := p.Propagate(u).String(), propagateOneByOne(u, query).String()
		if got != want {
			t.Errorf("%s: got %s, want %s", ref, got, want)
		}
		if u.String() != ref {
			t.Errorf("%s: input modified to %s", ref, u)
		}
	}
}

func FuzzQueryPropagator(f *testing.F) {
	f.Add("https://h/a/seg.ts?v=1", "Expires=1&Signature=a~b&Key-Pair-Id=K")
	f.Add("https://h/a/seg.ts?Signature=own&", "Signature=x&Signature=y&%zz=1")
	f.Add("/rel?a=1&&b", "&&a=2&b&c")
	f.Fuzz(func(t *testing.T, ref, query string) {
		if len(ref) > 4096 || len(query) > 4096 {
			t.Skip()
		}
		u, err := url.Parse(ref)
		if err != nil {
			return
		}
		got, want := NewQueryPropagator(query).Propagate(u), propagateOneByOne(u, query)
		if *got != *want {
			t.Fatalf("Propagate(%q, %q) = %#v, want %#v", ref, query, got, want)
		}
	})
}

// BenchmarkPropagateQueryPerReference prints the cost per reference of
// carrying a 2,069-parameter query (8 KiB) to segment URIs: PropagateQuery
// (the query split again for each reference, as the doctor did) against one
// QueryPropagator for the whole playlist.
//
//	go test ./hls -run '^$' -bench PropagateQueryPerReference
func BenchmarkPropagateQueryPerReference(b *testing.B) {
	var parts []string
	for i := 0; len(strings.Join(parts, "&")) < 8000; i++ {
		parts = append(parts, fmt.Sprintf("%x", i))
	}
	query := strings.Join(parts, "&")
	refs := make([]*url.URL, 1000)
	for i := range refs {
		refs[i], _ = url.Parse(fmt.Sprintf("https://h/v/seg%d.ts", i))
	}
	b.Logf("%d parameters, %d bytes", len(parts), len(query))
	b.Run("split-per-reference", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_ = PropagateQuery(refs[i%len(refs)], query)
		}
	})
	b.Run("prepared-once", func(b *testing.B) {
		p := NewQueryPropagator(query)
		for i := 0; i < b.N; i++ {
			_ = p.Propagate(refs[i%len(refs)])
		}
	})
}
