package mediacdn

import (
	"fmt"
	"strings"

	"github.com/mediacdn/mediacdn/internal/safetext"
	"github.com/mediacdn/mediacdn/internal/weborigin"
)

// corsOrigins is the parsed form of Props.AllowedOrigins: the one list from
// which the bucket CORS rules, the response-headers policy and the
// viewer-response function are all derived.
type corsOrigins struct {
	all     bool     // "*": every origin
	origins []string // normalized scheme://host[:port], possibly with a leading "*." host label
}

// parseAllowedOrigins validates each origin as a browser would send it in an
// Origin header (scheme://host[:port], nothing else), converts spellings a
// browser rewrites (IDN, IPv4 shorthand, IPv6, port zeros) to the form it
// sends, and reports every entry CloudFront or S3 would refuse or never match.
func parseAllowedOrigins(list []string) (corsOrigins, problems) {
	var errs problems
	if len(list) == 0 {
		errs.add(`AllowedOrigins is empty: list the origins of the web apps that load this media, e.g. ["https://app.example.com", "http://localhost:3000"], or ["*"] to allow every origin`)
		return corsOrigins{}, errs
	}
	var out corsOrigins
	seen := map[string]int{}
	for i, raw := range list {
		where := fmt.Sprintf("AllowedOrigins[%d] %s", i, safetext.Quote(raw, 80))
		if raw == "*" {
			if len(list) > 1 {
				errs.add(`AllowedOrigins[%d] is "*" but other origins are listed too: "*" already allows every origin; give either ["*"] alone or only specific origins`, i)
			}
			out.all = true
			continue
		}
		o, err := weborigin.ParsePattern(raw)
		if err != nil {
			errs.add("%s: %v", where, err)
			continue
		}
		canonical := o.String()
		if j, dup := seen[canonical]; dup {
			errs.add("%s repeats AllowedOrigins[%d] (both are %s as browsers send it): list each origin once", where, j, canonical)
			continue
		}
		seen[canonical] = i
		out.origins = append(out.origins, canonical)
	}
	if out.all {
		out.origins = nil
	}
	return out, errs
}

// match reports whether an Origin header value is allowed: exact match,
// or a "*." pattern matching one or more leading labels, as S3 does.
func (c corsOrigins) match(origin string) bool {
	if c.all {
		return true
	}
	for _, o := range c.origins {
		if o == origin {
			return true
		}
		scheme, host, ok := strings.Cut(o, "://*.")
		if ok && strings.HasPrefix(origin, scheme+"://") && strings.HasSuffix(origin, "."+host) &&
			len(origin) > len(scheme)+3+len(host)+1 {
			return true
		}
	}
	return false
}

// list returns the origins in the form the bucket CORS rule and the
// response-headers policy take.
func (c corsOrigins) list() []string {
	if c.all {
		return []string{"*"}
	}
	return append([]string(nil), c.origins...)
}

// exampleOrigin picks an origin to show in outputs and docs.
func (c corsOrigins) example() string {
	if c.all || len(c.origins) == 0 {
		return "https://app.example.com"
	}
	return strings.Replace(c.origins[0], "://*.", "://www.", 1)
}
