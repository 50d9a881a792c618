package edge

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/internal/httplist"
)

// notRemovable are the headers CloudFront refuses in a policy's
// RemoveHeadersConfig ("you receive an error", DG23
// understanding-response-headers-policies.md, "Headers that you can't
// remove"); New refuses such a policy, as the deploy would fail.
var notRemovable = map[string]bool{}

// notRemovablePrefixes are the names listed there as "X-Amz-Cf-.*" and
// "X-Edge-.*".
var notRemovablePrefixes = []string{"x-amz-cf-", "x-edge-"}

func init() {
	for _, n := range strings.Fields(`Connection Content-Encoding Content-Length Expect Host Keep-Alive
		Proxy-Authenticate Proxy-Authorization Proxy-Connection Trailer Transfer-Encoding Upgrade Via Warning
		X-Accel-Buffering X-Accel-Charset X-Accel-Limit-Rate X-Accel-Redirect X-Amzn-Auth X-Amzn-Cf-Billing
		X-Amzn-Cf-Id X-Amzn-Cf-Xff X-Amzn-ErrorType X-Amzn-Fle-Profile X-Amzn-Header-Count X-Amzn-Header-Order
		X-Amzn-Lambda-Integration-Tag X-Amzn-RequestId X-Cache X-Forwarded-Proto X-Real-Ip`) {
		notRemovable[strings.ToLower(n)] = true
	}
}

// applyPolicy applies the behavior's response headers policy
// (DG understanding-response-headers-policies.html): first the removed
// headers ("CloudFront removes the headers first and then adds" the others,
// so a header both removed and added is sent with the policy's value), then
// CORS headers for CORS requests (Expose-Headers; preflights also
// Allow-Methods, -Headers, Max-Age), with OriginOverride deciding whether
// the origin's value is replaced, then security and custom headers with
// their own Override.
// It returns the names of the headers it set.
func (e *Edge) applyPolicy(b *cfconfig.Behavior, req *viewerRequest, resp *response) []string {
	p := b.ResponseHeadersPolicy
	if p == nil {
		return nil
	}
	for _, name := range p.RemoveHeaders {
		resp.header.Del(name)
		if strings.EqualFold(name, "Server") { // "CloudFront adds its own version", valued CloudFront
			resp.header.Set("Server", "CloudFront")
		}
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
	return wrote
}

// removable reports whether a response headers policy may remove the header.
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
		preflight := req.method == http.MethodOptions && req.header.Get("Access-Control-Request-Method") != ""
		if preflight {
			set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ", "))
			set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ", "))
			if c.HasMaxAge {
				set("Access-Control-Max-Age", strconv.Itoa(c.MaxAgeSec))
			}
		}
		// "in responses to CORS requests", preflights included (DG23
		// understanding-response-headers-policies.md); the managed
		// CORS-With-Preflight policies on preflights only.
		if preflight || !c.ExposeOnPreflightsOnly {
			set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ", "))
		}
	case origin == "" && star && e.opts.PolicyCORSWithoutOrigin:
		set("Access-Control-Allow-Origin", "*")
		if !c.ExposeOnPreflightsOnly {
			set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ", "))
		}
	}
	if e.opts.PolicyAddsVaryOrigin && !httplist.VaryHas(h, "origin") {
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
