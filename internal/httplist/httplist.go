// Package httplist reads the comma-separated lists that HTTP headers and
// query strings carry, the same way in the doctor, the edge, the signer and
// the playlist rewriter.
//
//	httplist.VaryHas(resp.Header, "Origin")             // Vary: Accept-Encoding, Origin -> true
//	httplist.Has("GET, HEAD", "head")                   // true
//	httplist.ParamName("Key%2DPair-Id=K2JCJMDEHXQW5F") // "Key-Pair-Id"
package httplist

import (
	"net/http"
	"net/url"
	"strings"
)

// Has reports whether the comma-separated list holds name, compared without
// case as header tokens are.
func Has(list, name string) bool {
	for _, p := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(p), name) {
			return true
		}
	}
	return false
}

// VaryHas reports whether the response's Vary headers list name, or "*",
// which varies on everything.
func VaryHas(h http.Header, name string) bool {
	for _, v := range h.Values("Vary") {
		if Has(v, name) || Has(v, "*") {
			return true
		}
	}
	return false
}

// ParamName returns the decoded name of one raw "name=value" query part; a
// name that does not decode is returned as written.
func ParamName(part string) string {
	name, _, _ := strings.Cut(part, "=")
	if dec, err := url.QueryUnescape(name); err == nil {
		return dec
	}
	return name
}
