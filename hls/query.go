package hls

import (
	"net/url"
	"strings"

	"github.com/mediacdn/mediacdn/internal/httplist"
)

// QueryPropagator carries one playlist URL's query to every URL the playlist
// references, as PropagateQuery does, with the query split once: a playlist
// of n references under a query of m parameters costs n appends, not n
// splits of m parameters.
//
//	p := hls.NewQueryPropagator(playlistURL.RawQuery)
//	for _, r := range refs { u := p.Propagate(r.URL) ... }
type QueryPropagator struct {
	parts []string       // the query's parameters, the first of each name, in order
	names map[string]int // parameter name -> index in parts
	all   string         // parts joined with "&": what most references get
}

// NewQueryPropagator prepares query (a raw query string, as in
// url.URL.RawQuery) for Propagate.
func NewQueryPropagator(query string) *QueryPropagator {
	p := &QueryPropagator{names: map[string]int{}}
	for rest := query; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "&")
		if part == "" {
			continue
		}
		name := httplist.ParamName(part)
		if _, dup := p.names[name]; dup {
			continue
		}
		p.names[name] = len(p.parts)
		p.parts = append(p.parts, part)
	}
	p.all = strings.Join(p.parts, "&")
	return p
}

// Propagate returns a copy of u whose query also holds the prepared
// parameters u does not already have, byte for byte (see PropagateQuery).
func (p *QueryPropagator) Propagate(u *url.URL) *url.URL {
	out := *u
	if len(p.parts) == 0 {
		return &out
	}
	var have map[int]bool // indexes of prepared parameters u already names
	for rest := u.RawQuery; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "&")
		if i, ok := p.names[httplist.ParamName(part)]; ok && part != "" {
			if have == nil {
				have = map[int]bool{}
			}
			have[i] = true
		}
	}
	add := p.all
	if have != nil {
		if len(have) == len(p.parts) {
			return &out
		}
		var b strings.Builder
		for i, part := range p.parts {
			if have[i] {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(part)
		}
		add = b.String()
	}
	if out.RawQuery == "" {
		out.RawQuery = add
	} else {
		out.RawQuery = strings.TrimSuffix(out.RawQuery, "&") + "&" + add
	}
	out.ForceQuery = false
	return &out
}
