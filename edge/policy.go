package edge

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/cfconfig"
)

// notRemovable are headers a response headers policy cannot remove (DG23
// understanding-response-headers-policies.md).
var notRemovable = map[string]bool{"connection": true, "content-encoding": true, "content-length": true, "expect": true, "host": true,
	"keep-alive": true, "proxy-authenticate": true, "proxy-authorization": true, "proxy-connection": true, "trailer": true,
	"transfer-encoding": true, "upgrade": true, "via": true, "warning": true, "x-cache": true, "x-forwarded-proto": true, "x-real-ip": true}

var notRemovablePrefixes = []string{"x-accel-", "x-amz-cf-", "x-amzn-", "x-edge-"}

// applyPolicy applies the behavior's response headers policy
// (DG understanding-response-headers-policies.html): CORS headers for CORS
// requests (Expose-Headers; preflights also Allow-Methods, -Headers,
// Max-Age), with OriginOverride deciding whether the origin's value
// is replaced; security and custom headers with their own Override; then the
// removed headers.
// It returns the names of the headers it set.
func (e *Edge) applyPolicy(b *cfconfig.Behavior, req *viewerRequest, resp *response) []string {
	p := b.ResponseHeadersPolicy
	if p == nil {
		return nil
	}
	var wrote []string
	if c := p.CORS; c != nil {
		wrote = e.applyCORS(c, req, resp.header)
	}
	for _, hs := range [][]cfconfig.Header{p.SecurityHeaders, p.CustomHeaders} {
		for _, h := range hs {
			if h.Override || resp.header.Get(h.Name) == "" {
				resp.header.Set(h.Name, h.Value)
			}
		}
	}
	for _, name := range p.RemoveHeaders {
		if removable(name) {
			resp.header.Del(name)
		}
	}
	return wrote
}

func removable(name string) bool {
	l := strings.ToLower(name)
	if notRemovable[l] {
		return false
	}
	for _, pre := range notRemovablePrefixes {
		if strings.HasPrefix(l, pre) {
			return false
		}
	}
	return true
}

func (e *Edge) applyCORS(c *cfconfig.CORSConfig, req *viewerRequest, h http.Header) []string {
	var wrote []string
	set := func(name, value string) {
		if value != "" && (c.OriginOverride || h.Get(name) == "") {
			h.Set(name, value)
			wrote = append(wrote, name)
		}
	}
	origin := req.header.Get("Origin")
	star := slices.Contains(c.AllowOrigins, "*")
	switch {
	case origin != "" && originAllowed(c.AllowOrigins, origin):
		acao := origin
		if star && !c.AllowCredentials {
			acao = "*"
		}
		set("Access-Control-Allow-Origin", acao)
		if c.AllowCredentials {
			set("Access-Control-Allow-Credentials", "true")
		}
		if req.method == http.MethodOptions && req.header.Get("Access-Control-Request-Method") != "" {
			set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ", "))
			set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ", "))
			if c.HasMaxAge {
				set("Access-Control-Max-Age", strconv.Itoa(c.MaxAgeSec))
			}
		}
		// "in responses to CORS requests", preflights included (DG23
		// understanding-response-headers-policies.md; CORS-With-Preflight
		// adds all three of its headers to a preflight).
		set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ", "))
	case origin == "" && star && e.opts.PolicyCORSWithoutOrigin:
		set("Access-Control-Allow-Origin", "*")
		set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ", "))
	}
	if e.opts.PolicyAddsVaryOrigin && !varyHas(h, "origin") {
		h.Add("Vary", "Origin")
		wrote = append(wrote, "Vary")
	}
	return wrote
}

// originAllowed matches an Origin against AllowOrigins: "*", an exact
// origin, or a wildcard as the leftmost label only ("https://*.example.com"
// matches one label, no dot).
func originAllowed(allowed []string, origin string) bool {
	for _, a := range allowed {
		if a == "*" || strings.EqualFold(a, origin) {
			return true
		}
		if i := strings.Index(a, "*."); i >= 0 && strings.Count(a, "*") == 1 {
			pre, suf := a[:i], a[i+1:]
			if len(origin) > len(pre)+len(suf) && strings.HasPrefix(strings.ToLower(origin), strings.ToLower(pre)) &&
				strings.HasSuffix(strings.ToLower(origin), strings.ToLower(suf)) {
				label := origin[len(pre) : len(origin)-len(suf)]
				if !strings.ContainsAny(label, "./:") {
					return true
				}
			}
		}
	}
	return false
}

func varyHas(h http.Header, token string) bool {
	for _, v := range h.Values("Vary") {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if strings.EqualFold(t, token) || t == "*" {
				return true
			}
		}
	}
	return false
}

// isCORSHeader reports whether a header is one the request log attributes to
// a layer.
func isCORSHeader(k string) bool {
	l := strings.ToLower(k)
	return strings.HasPrefix(l, "access-control-") || l == "vary"
}

// trackLayers updates layers (CORS header -> layer that set it) after a
// stage turned before into after; a nil before means every CORS header of
// after comes from layer.
func trackLayers(layers map[string]Layer, before, after http.Header, layer Layer) map[string]Layer {
	if layers == nil {
		layers = map[string]Layer{}
	}
	for k, v := range after {
		if !isCORSHeader(k) {
			continue
		}
		if before == nil || strings.Join(before[k], ",") != strings.Join(v, ",") {
			layers[k] = layer
		}
	}
	for k := range layers {
		if len(after[k]) == 0 {
			delete(layers, k)
		}
	}
	return layers
}
