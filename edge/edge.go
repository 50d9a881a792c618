// Package edge is a local CloudFront edge: an http.Handler that serves a
// distribution read from a synthesized template (package cfconfig) in front
// of an origin http.Handler, as CloudFront documents it: behavior selection,
// allowed and cached methods, CloudFront Functions (viewer-request and
// viewer-response, run in goja), trusted key groups (signed URLs and
// cookies), origin request policies, a bounded cache keyed by the cache
// policy with CloudFront's TTL rules, response headers policies (CORS,
// security and custom headers) and compression. docs/edge.md lists every
// rule with its source, and every reading of undocumented behavior, each a
// field of Options.
//
// The origin receives requests as CloudFront sends them to S3: the URL path
// is the object key (with the origin path), only the forwarded headers,
// query strings and cookies are present, and Host is the origin's domain
// name. s3origin.Dir (a directory answering like S3) or s3origin.Remote (an
// S3-compatible server reached with SigV4) are the usual origins.
//
// Usage in a Go test:
//
//	dists, err := cfconfig.Load("cdk.out")
//	if err != nil { ... }
//	e, err := edge.New(dists[0], origin, edge.Options{})
//	if err != nil { ... } // something the template uses is not emulated
//	srv := httptest.NewServer(e)
//	defer srv.Close()
//	ids := e.KeyPairIDs() // logical id of each public key -> local Key-Pair-Id
//	e.Invalidate("/videos/*")
//
// Not emulated: TLS and viewer protocol redirects (the edge serves what it is
// given, plain HTTP in serve), Lambda@Edge, custom (non-S3) origins, origin
// groups, KeyValueStores, geo restriction, WAF and field-level encryption.
// New refuses a distribution that needs any of them,
// naming it.
package edge

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/internal/glob"
)

// Options tunes the edge. The zero value is the documented CloudFront
// behavior with, where AWS documents nothing, the less forgiving reading.
type Options struct {
	// CacheBytes bounds the cache (bodies and headers); default 64 MiB.
	CacheBytes int64
	// MaxObjectBytes bounds one origin response body read into memory;
	// default 256 MiB. A larger object gets 502.
	MaxObjectBytes int64
	// FunctionTimeout stops a CloudFront Function run; default 1 s, which
	// only catches runaway code (a loaded machine must not turn a slow run
	// into a 503).
	FunctionTimeout time.Duration
	// InvalidationPath is the local path that takes POST invalidations
	// (body: one path per line, or ?path=... repeated); default
	// "/.mediacdn/invalidate". "-" disables it.
	InvalidationPath string
	// Log, when set, receives one RequestInfo per request, after the
	// response is written. The edge never prints.
	Log func(RequestInfo)
	// Now returns the current time (default time.Now): signature expiry,
	// TTLs and Age.
	Now func() time.Time

	// IgnoreWAF serves a distribution that has an AWS WAF web ACL as if the
	// ACL allowed every request; without it New refuses the distribution.
	IgnoreWAF bool
	// IgnoreGeoRestriction likewise for geographic restriction (every
	// viewer is local).
	IgnoreGeoRestriction bool

	// Readings of behavior AWS does not document (UNCONF). Each false value
	// is the less forgiving reading; docs/edge.md lists them.

	// PolicyCORSWithoutOrigin: a response headers policy whose CORS config
	// allows "*" also adds Access-Control-Allow-Origin: * (and
	// Expose-Headers) to a response to a request without Origin. Default:
	// CORS headers only for requests with Origin, as the doc wording implies.
	PolicyCORSWithoutOrigin bool
	// PolicyAddsVaryOrigin: a response headers policy with a CORS config
	// adds Origin to Vary (one third-party observation). Default: it does not.
	PolicyAddsVaryOrigin bool
	// FunctionSeesPolicyHeaders: the response headers policy is applied
	// before the viewer-response function, which then sees (and can change)
	// its headers. Default: the function runs first, and the policy is
	// applied to what the function returned.
	FunctionSeesPolicyHeaders bool
	// PolicyOnEdgeErrors: the response headers policy also decorates errors
	// the edge generates itself (403 for a method or a signature). Default:
	// those carry no policy headers.
	PolicyOnEdgeErrors bool
}

// Readings lists the names of the UNCONF reading options, in bit order
// for WithReadings.
var Readings = []string{"PolicyCORSWithoutOrigin", "PolicyAddsVaryOrigin", "FunctionSeesPolicyHeaders", "PolicyOnEdgeErrors"}

// WithReading returns o with the named reading (one of Readings, case
// insensitive) turned on, and false when the name is unknown.
func (o Options) WithReading(name string) (Options, bool) {
	switch strings.ToLower(name) {
	case "policycorswithoutorigin":
		o.PolicyCORSWithoutOrigin = true
	case "policyaddsvaryorigin":
		o.PolicyAddsVaryOrigin = true
	case "functionseespolicyheaders":
		o.FunctionSeesPolicyHeaders = true
	case "policyonedgeerrors":
		o.PolicyOnEdgeErrors = true
	default:
		return o, false
	}
	return o, true
}

// WithReadings returns o with the readings whose bit is set in mask (bit i
// is Readings[i]) turned on: tests run under every combination.
func (o Options) WithReadings(mask int) Options {
	for i, name := range Readings {
		if mask&(1<<i) != 0 {
			o, _ = o.WithReading(name)
		}
	}
	return o
}

// Layer says which part of the edge set a response header.
type Layer string

// The layers a CORS header can come from.
const (
	LayerOrigin   Layer = "origin"
	LayerPolicy   Layer = "policy"
	LayerFunction Layer = "function"
)

// RequestInfo describes one request, for a log line.
type RequestInfo struct {
	Method string
	// Path is the request URI as received (path and query).
	Path string
	// Behavior is the matched behavior's label ("Default (*)", "*.ts").
	Behavior string
	// Cache is the X-Cache outcome: Hit, Miss, Error (any status of 400 or
	// more, the edge's own refusals included) or FunctionGeneratedResponse;
	// "" for the invalidation path.
	Cache  string
	Status int
	// CORS maps each Access-Control-* and Vary header of the response to
	// the layer that set it last.
	CORS map[string]Layer
	// Reason explains an edge refusal (signature, method, function error).
	Reason   string
	Duration time.Duration
}

// Edge is a running local distribution. It is safe for concurrent use.
type Edge struct {
	dist   *cfconfig.Distribution
	origin http.Handler
	opts   Options
	keys   map[string]*localKey                // by local Key-Pair-Id
	funcs  map[*cfconfig.Behavior][2]*function // viewer-request, viewer-response
	cache  *cache
	reqSeq atomic.Uint64
}

// New checks that everything dist uses can be emulated and prepares the
// edge. origin receives the requests CloudFront would send to the S3 origin.
func New(dist *cfconfig.Distribution, origin http.Handler, opts Options) (*Edge, error) {
	if dist == nil || origin == nil {
		return nil, fmt.Errorf("edge.New needs a distribution and an origin handler")
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 64 << 20
	}
	if opts.MaxObjectBytes <= 0 {
		opts.MaxObjectBytes = 256 << 20
	}
	if opts.FunctionTimeout <= 0 {
		opts.FunctionTimeout = time.Second
	}
	if opts.InvalidationPath == "" {
		opts.InvalidationPath = "/.mediacdn/invalidate"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := checkEmulated(dist, opts); err != nil {
		return nil, fmt.Errorf("%s: %w", dist.Label, err)
	}
	e := &Edge{dist: dist, origin: origin, opts: opts, funcs: map[*cfconfig.Behavior][2]*function{}, cache: newCache(opts.CacheBytes)}
	var err error
	if e.keys, err = loadKeys(dist); err != nil {
		return nil, fmt.Errorf("%s: %w", dist.Label, err)
	}
	compiled := map[string]*function{}
	for _, b := range dist.Behaviors {
		var pair [2]*function
		for _, f := range b.Functions {
			fn := compiled[f.Name+"\x00"+f.EventType]
			if fn == nil {
				if fn, err = compileFunction(f, opts.FunctionTimeout); err != nil {
					return nil, fmt.Errorf("%s behavior %s: %w", dist.Label, b.Label(), err)
				}
				compiled[f.Name+"\x00"+f.EventType] = fn
			}
			if f.EventType == "viewer-request" {
				pair[0] = fn
			} else {
				pair[1] = fn
			}
		}
		e.funcs[b] = pair
	}
	return e, nil
}

// checkEmulated refuses what the edge cannot reproduce.
func checkEmulated(d *cfconfig.Distribution, opts Options) error {
	if d.Empty {
		return fmt.Errorf("the distribution has no DistributionConfig")
	}
	if d.DefaultBehavior() == nil {
		return fmt.Errorf("the distribution has no default cache behavior")
	}
	for _, u := range d.Unresolved {
		return fmt.Errorf("%s %s is neither managed nor defined in the template: its contents are unknown, so the edge cannot apply it", u.Kind, u.Ref)
	}
	switch {
	case d.WebACLID != "" && !opts.IgnoreWAF:
		return fmt.Errorf("WebACLId %s: AWS WAF is not emulated (serve every request as if allowed with Options.IgnoreWAF, serve --ignore-waf)", d.WebACLID)
	case d.GeoRestriction != "" && !opts.IgnoreGeoRestriction:
		return fmt.Errorf("geographic restriction (%s) is not emulated (serve every viewer with Options.IgnoreGeoRestriction, serve --ignore-geo-restriction)", d.GeoRestriction)
	case d.OriginGroups > 0:
		return fmt.Errorf("OriginGroups (origin failover) are not emulated")
	}
	for _, er := range d.ErrorResponses {
		if er.ResponsePagePath != "" || er.ResponseCode != 0 {
			return fmt.Errorf("CustomErrorResponses for %d replace the error with %q (code %d): custom error pages are not emulated, only ErrorCachingMinTTL",
				er.ErrorCode, er.ResponsePagePath, er.ResponseCode)
		}
	}
	for _, b := range d.Behaviors {
		o := d.Origins[b.TargetOrigin]
		switch {
		case o == nil:
			return fmt.Errorf("behavior %s targets origin %q, which is not in the distribution", b.Label(), b.TargetOrigin)
		case o.Website:
			return fmt.Errorf("behavior %s targets S3 website endpoint %s: a custom origin, not emulated (only S3 REST origins are)", b.Label(), o.Domain)
		case o.Custom:
			return fmt.Errorf("behavior %s targets custom origin %s: not emulated (only S3 origins are)", b.Label(), o.Domain)
		}
		if b.FieldLevelEncryptionID != "" {
			return fmt.Errorf("behavior %s uses field-level encryption: not emulated", b.Label())
		}
		if b.CachePolicy == nil && b.Legacy == nil {
			return fmt.Errorf("behavior %s has neither a cache policy nor ForwardedValues", b.Label())
		}
		if p := b.ResponseHeadersPolicy; p != nil {
			for _, name := range p.RemoveHeaders {
				if !removable(name) {
					return fmt.Errorf("response headers policy %s (behavior %s) removes %s, which CloudFront does not allow: the deploy fails; delete it from RemoveHeadersConfig",
						p.Name, b.Label(), name)
				}
			}
		}
	}
	return nil
}

// KeyPairIDs maps the logical id of each public key of the template to the
// local Key-Pair-Id the edge accepts for it.
func (e *Edge) KeyPairIDs() map[string]string {
	out := map[string]string{}
	for _, k := range e.keys {
		for _, l := range k.logicalIDs {
			out[l] = k.id
		}
	}
	return out
}

// Invalidate removes cached responses whose path matches one of paths, as a
// CloudFront invalidation does: exact paths, or a trailing "*" for a prefix
// ("/*" is everything). It returns how many entries were removed.
func (e *Edge) Invalidate(paths ...string) int {
	return e.cache.invalidate(paths)
}

func (e *Edge) now() time.Time { return e.opts.Now() }

// match returns the first behavior whose pattern matches path, in order;
// the default matches everything.
func (e *Edge) match(path string) *cfconfig.Behavior {
	p := strings.TrimPrefix(path, "/")
	for _, b := range e.dist.Behaviors {
		if b.IsDefault || glob.Match(strings.TrimPrefix(b.PathPattern, "/"), p) {
			return b
		}
	}
	return e.dist.DefaultBehavior()
}

// queryParam is one query parameter, raw (as encoded in the URL).
type queryParam struct{ name, value string }

func parseQuery(raw string) []queryParam {
	if raw == "" {
		return nil
	}
	var out []queryParam
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		n, v, _ := strings.Cut(part, "=")
		out = append(out, queryParam{n, v})
	}
	return out
}

func encodeQuery(q []queryParam) string {
	var b strings.Builder
	for i, p := range q {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		if p.value != "" {
			b.WriteByte('=')
			b.WriteString(p.value)
		}
	}
	return b.String()
}

// viewerRequest is the request as the edge's stages see and change it.
type viewerRequest struct {
	method  string
	uri     string // escaped path
	query   []queryParam
	header  http.Header // without Cookie
	cookies []*http.Cookie
	ip      string
}

// response is a complete response held in memory.
type response struct {
	status int
	header http.Header
	body   []byte
}

// ServeHTTP serves one viewer request.
func (e *Edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := RequestInfo{Method: r.Method, Path: r.URL.RequestURI()}
	if e.opts.InvalidationPath != "-" && r.URL.Path == e.opts.InvalidationPath {
		e.serveInvalidation(w, r, &info)
		e.finish(&info, start)
		return
	}
	resp := e.handle(r, &info)
	writeResponse(w, r, resp)
	info.Status = resp.status
	e.finish(&info, start)
}

func (e *Edge) finish(info *RequestInfo, start time.Time) {
	info.Duration = time.Since(start)
	if e.opts.Log != nil {
		e.opts.Log(*info)
	}
}

// maxInvalidationBody bounds the paths one invalidation request may list.
const maxInvalidationBody = 64 << 10

func (e *Edge) serveInvalidation(w http.ResponseWriter, r *http.Request, info *RequestInfo) {
	info.Behavior = "(invalidation)"
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST the paths to invalidate, one per line, or as ?path=...", http.StatusMethodNotAllowed)
		info.Status = http.StatusMethodNotAllowed
		return
	}
	paths := r.URL.Query()["path"]
	body, err := io.ReadAll(io.LimitReader(r.Body, maxInvalidationBody+1))
	if err != nil {
		http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
		info.Status = http.StatusBadRequest
		return
	}
	if len(body) > maxInvalidationBody {
		// Applying the first 64 KiB of paths and dropping the rest would
		// leave stale entries without a word.
		http.Error(w, fmt.Sprintf("invalidation body over %d KiB: nothing was invalidated; send the paths in several requests", maxInvalidationBody>>10), http.StatusRequestEntityTooLarge)
		info.Status = http.StatusRequestEntityTooLarge
		return
	}
	for _, l := range strings.Split(string(body), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			paths = append(paths, l)
		}
	}
	for _, p := range paths {
		if !strings.HasPrefix(p, "/") || strings.Contains(strings.TrimSuffix(p, "*"), "*") {
			http.Error(w, fmt.Sprintf("invalid invalidation path %q: it must start with / and may only end in *", p), http.StatusBadRequest)
			info.Status = http.StatusBadRequest
			return
		}
	}
	if len(paths) == 0 {
		http.Error(w, "no path given", http.StatusBadRequest)
		info.Status = http.StatusBadRequest
		return
	}
	n := e.Invalidate(paths...)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "invalidated %d cached responses\n", n)
	info.Status = http.StatusOK
	info.Reason = strings.Join(paths, " ")
}

// handle runs the request through the edge and returns the response.
func (e *Edge) handle(r *http.Request, info *RequestInfo) *response {
	// The default root object answers a request for "/" only, not for
	// subdirectories (DG DefaultRootObject.html).
	var rootObject string
	if r.URL.Path == "/" && e.dist.DefaultRootObject != "" {
		rootObject = (&url.URL{Path: "/" + strings.TrimPrefix(e.dist.DefaultRootObject, "/")}).EscapedPath()
	}
	b := e.match(r.URL.Path)
	if rootObject != "" {
		b = e.match(rootObject)
	}
	info.Behavior = b.Label()
	if !b.Allows(r.Method) {
		info.Reason = fmt.Sprintf("%s is not in AllowedMethods %s", r.Method, strings.Join(b.AllowedMethods, ","))
		return e.edgeError(b, r, info, methodNotAllowed())
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	viewerURL := scheme + "://" + r.Host + r.URL.RequestURI()
	if b.Signed() {
		if d := e.checkSigned(b, r, viewerURL); d != nil {
			info.Reason = d.code + ": " + d.reason
			return e.edgeError(b, r, info, signedError(d))
		}
	}
	req := newViewerRequest(r)
	if rootObject != "" {
		req.uri = rootObject
	}
	if b.Signed() {
		req.query = stripSigning(req.query)
	}
	fns := e.funcs[b]
	if fns[0] != nil {
		out, err := fns[0].run(e.requestEvent(req, "viewer-request"))
		if err != nil {
			info.Reason = err.Error()
			return e.edgeError(b, r, info, functionError())
		}
		if _, generated := out["statusCode"]; generated {
			resp := responseFromFunction(out)
			info.Cache = "FunctionGeneratedResponse"
			resp.header.Set("X-Cache", "FunctionGeneratedResponse from cloudfront")
			e.edgeHeaders(resp)
			info.CORS = trackLayers(nil, nil, resp.header, LayerFunction)
			return resp
		}
		applyRequestFunction(req, out)
	}

	resp, outcome, age := e.fetchCached(r.Context(), b, req)
	info.Cache = outcome
	layers := trackLayers(nil, nil, resp.header, LayerOrigin)

	// Viewer-side stages on a copy, so the cached response stays as stored.
	resp = &response{status: resp.status, header: resp.header.Clone(), body: resp.body}
	if outcome == "Hit" {
		resp.header.Set("Age", strconv.Itoa(age))
	}
	var wrote []string // headers the policy stage set
	stages := []func() error{
		func() error { return e.viewerResponse(fns[1], req, resp) },
		func() error { wrote = e.applyPolicy(b, req, resp); return nil },
	}
	stageLayers := []Layer{LayerFunction, LayerPolicy}
	if e.opts.FunctionSeesPolicyHeaders {
		stages[0], stages[1] = stages[1], stages[0]
		stageLayers[0], stageLayers[1] = stageLayers[1], stageLayers[0]
	}
	for i, stage := range stages {
		before := resp.header.Clone()
		wrote = nil
		if err := stage(); err != nil {
			info.Reason = err.Error()
			return e.edgeError(b, r, info, functionError())
		}
		layers = trackLayers(layers, before, resp.header, stageLayers[i])
		for _, k := range wrote { // the policy set it, even to the same value
			if resp.header.Get(k) != "" {
				layers[k] = LayerPolicy
			}
		}
	}
	info.CORS = layers
	e.edgeHeaders(resp)
	if resp.status >= 400 {
		info.Cache = "Error"
		resp.header.Set("X-Cache", "Error from cloudfront")
	} else {
		resp.header.Set("X-Cache", outcome+" from cloudfront")
	}
	return resp
}

// viewerResponse runs the viewer-response function, if any: not for a
// status of 400 or more (DG, "CloudFront Functions event types").
func (e *Edge) viewerResponse(fn *function, req *viewerRequest, resp *response) error {
	if fn == nil || resp.status >= 400 {
		return nil
	}
	ev := e.requestEvent(req, "viewer-response")
	ev["response"] = map[string]any{
		"statusCode":        resp.status,
		"statusDescription": http.StatusText(resp.status),
		"headers":           headerObject(resp.header, "set-cookie"),
		"cookies":           responseCookies(resp.header.Values("Set-Cookie")),
	}
	out, err := fn.run(ev)
	if err != nil {
		return err
	}
	if sc, ok := toInt(out["statusCode"]); ok && sc >= 100 && sc <= 599 {
		resp.status = sc
	}
	if h, ok := out["headers"]; ok {
		nh := http.Header(headersFrom(h))
		for _, k := range []string{"Content-Length", "Content-Encoding", "Transfer-Encoding"} {
			if v := resp.header.Values(k); len(v) > 0 { // read-only in functions
				nh[k] = v
			}
		}
		resp.header = nh
	}
	resp.header.Del("Set-Cookie") // the cookies object is the only source
	addSetCookies(resp.header, out["cookies"])
	return nil
}

// responseCookies renders Set-Cookie lines as the event's response cookies
// object: {name: {value, attributes, multiValue?}} (DG
// functions-event-structure.html, "Response cookies").
func responseCookies(lines []string) map[string]any {
	byName := map[string][]any{}
	var order []string
	for _, l := range lines {
		pair, attrs, _ := strings.Cut(l, ";")
		name, value, _ := strings.Cut(strings.TrimSpace(pair), "=")
		if _, seen := byName[name]; !seen {
			order = append(order, name)
		}
		byName[name] = append(byName[name], map[string]any{"value": value, "attributes": strings.TrimSpace(attrs)})
	}
	out := make(map[string]any, len(order))
	for _, n := range order {
		first := byName[n][0].(map[string]any)
		c := map[string]any{"value": first["value"], "attributes": first["attributes"]}
		if len(byName[n]) > 1 {
			c["multiValue"] = byName[n]
		}
		out[n] = c
	}
	return out
}

// addSetCookies writes a function's response cookies object back as
// Set-Cookie lines, attributes kept.
func addSetCookies(h http.Header, cookies any) {
	c, _ := cookies.(map[string]any)
	for _, n := range slices.Sorted(maps.Keys(c)) {
		m, _ := c[n].(map[string]any)
		entries := []any{m}
		if mv, ok := m["multiValue"].([]any); ok && len(mv) > 0 {
			entries = mv
		}
		for _, e := range entries {
			em, _ := e.(map[string]any)
			if em == nil || em["value"] == nil {
				continue
			}
			line := n + "=" + fmt.Sprint(em["value"])
			if a, _ := em["attributes"].(string); a != "" {
				line += "; " + a
			}
			h.Add("Set-Cookie", line)
		}
	}
}

// edgeHeaders adds the headers CloudFront sets on every response.
func (e *Edge) edgeHeaders(resp *response) {
	resp.header.Set("Via", "1.1 local.cloudfront.net (CloudFront)")
	resp.header.Set("X-Amz-Cf-Pop", "LOCAL")
	resp.header.Set("X-Amz-Cf-Id", e.requestID())
}

func (e *Edge) requestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:]) + strconv.FormatUint(e.reqSeq.Add(1), 36)
}

func newViewerRequest(r *http.Request) *viewerRequest {
	h := r.Header.Clone()
	h.Del("Cookie")
	if r.Host != "" {
		h.Set("Host", r.Host)
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	return &viewerRequest{method: r.Method, uri: r.URL.EscapedPath(), query: parseQuery(r.URL.RawQuery), header: h, cookies: r.Cookies(), ip: ip}
}

// requestEvent builds the cloudfront-js event for req.
func (e *Edge) requestEvent(req *viewerRequest, eventType string) map[string]any {
	qs := map[string]any{}
	byName := map[string][]string{}
	var order []string
	for _, p := range req.query {
		if _, ok := byName[p.name]; !ok {
			order = append(order, p.name)
		}
		byName[p.name] = append(byName[p.name], p.value)
	}
	for _, n := range order {
		qs[n] = valueObject(byName[n])
	}
	cookies := map[string]any{}
	for _, c := range req.cookies {
		cookies[c.Name] = map[string]any{"value": c.Value}
	}
	return map[string]any{
		"version": "1.0",
		"context": map[string]any{"distributionDomainName": "local.cloudfront.net", "distributionId": "LOCAL", "eventType": eventType, "requestId": e.requestID()},
		"viewer":  map[string]any{"ip": req.ip},
		"request": map[string]any{
			"method":      req.method,
			"uri":         req.uri,
			"querystring": qs,
			"headers":     headerObject(req.header, "cookie"),
			"cookies":     cookies,
		},
	}
}

// applyRequestFunction takes a viewer-request function's returned request.
func applyRequestFunction(req *viewerRequest, out map[string]any) {
	if u, ok := out["uri"].(string); ok && strings.HasPrefix(u, "/") {
		req.uri = u
	}
	if q, ok := out["querystring"].(map[string]any); ok {
		req.query = nil
		for _, n := range slices.Sorted(maps.Keys(q)) {
			for _, v := range values(q[n]) {
				req.query = append(req.query, queryParam{n, v})
			}
		}
	}
	if h, ok := out["headers"]; ok {
		req.header = headersFrom(h)
	}
	if c, ok := out["cookies"].(map[string]any); ok {
		req.cookies = nil
		for _, n := range slices.Sorted(maps.Keys(c)) {
			for _, v := range values(c[n]) {
				req.cookies = append(req.cookies, &http.Cookie{Name: n, Value: v})
			}
		}
	}
}

func responseFromFunction(out map[string]any) *response {
	status, ok := toInt(out["statusCode"])
	if !ok || status < 100 || status > 599 {
		status = http.StatusOK
	}
	resp := &response{status: status, header: headersFrom(out["headers"])}
	addSetCookies(resp.header, out["cookies"])
	switch body := out["body"].(type) {
	case string:
		resp.body = []byte(body)
	case map[string]any:
		if s, ok := body["data"].(string); ok {
			resp.body = []byte(s)
		}
	}
	return resp
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		return int(x), true
	case int:
		return x, true
	case float64:
		return int(x), true
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil
	}
	return 0, false
}

// canonical is the canonical form of a header name.
func canonical(k string) string { return http.CanonicalHeaderKey(k) }

// writeResponse sends resp; HEAD gets the headers only.
func writeResponse(w http.ResponseWriter, r *http.Request, resp *response) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	headOnly := r.Method == http.MethodHead && len(resp.body) == 0 && h.Get("Content-Length") != ""
	if resp.status != http.StatusNotModified && resp.status != http.StatusNoContent && !headOnly {
		h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	}
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.body)
	}
}

// edgeError builds an error the edge generates itself. Viewer-response
// functions do not run (status >= 400); the response headers policy only
// under Options.PolicyOnEdgeErrors.
func (e *Edge) edgeError(b *cfconfig.Behavior, r *http.Request, info *RequestInfo, resp *response) *response {
	info.Cache = "Error"
	if e.opts.PolicyOnEdgeErrors {
		e.applyPolicy(b, newViewerRequest(r), resp)
		info.CORS = trackLayers(nil, nil, resp.header, LayerPolicy)
	}
	e.edgeHeaders(resp)
	resp.header.Set("X-Cache", "Error from cloudfront")
	return resp
}

func signedError(d *denial) *response {
	body := fmt.Sprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code><Message>%s</Message></Error>", d.code, d.message)
	return &response{status: http.StatusForbidden, header: http.Header{"Content-Type": {"text/xml"}, "Server": {"CloudFront"}}, body: []byte(body)}
}

// cloudFrontPage is the shape of CloudFront's generated HTML error pages.
func cloudFrontPage(status int, title, detail string) *response {
	body := fmt.Sprintf(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">
<TITLE>ERROR: The request could not be satisfied</TITLE>
</HEAD><BODY>
<H1>%d ERROR</H1>
<H2>%s</H2>
<HR noshade size="1px">
%s
<BR clear="all">
<HR noshade size="1px">
<PRE>
Generated by cloudfront (CloudFront)
</PRE>
</BODY></HTML>
`, status, title, detail)
	return &response{status: status, header: http.Header{"Content-Type": {"text/html"}, "Server": {"CloudFront"}}, body: []byte(body)}
}

func methodNotAllowed() *response {
	return cloudFrontPage(http.StatusForbidden, "The request could not be satisfied.",
		"This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.")
}

func functionError() *response {
	return cloudFrontPage(http.StatusServiceUnavailable, "The request could not be satisfied.",
		"The CloudFront function associated with the CloudFront distribution is invalid or could not run.")
}

// originRequest builds the request CloudFront sends to the S3 origin:
// only forwarded headers, query strings and cookies.
func (e *Edge) originRequest(ctx context.Context, b *cfconfig.Behavior, req *viewerRequest, method string, keepRange bool) (*http.Request, error) {
	o := e.dist.Origins[b.TargetOrigin]
	path := strings.TrimSuffix(o.OriginPath, "/") + req.uri
	var q []queryParam
	for _, p := range req.query {
		if e.forwardsQuery(b, p.name) {
			q = append(q, p)
		}
	}
	target := "http://" + originHost(o) + path
	if len(q) > 0 {
		target += "?" + encodeQuery(q)
	}
	or, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return nil, err
	}
	or.Host = originHost(o)
	or.RequestURI = or.URL.RequestURI()
	for k, vs := range req.header {
		lk := strings.ToLower(k)
		if lk == "host" || hopByHop[lk] {
			continue
		}
		if (lk == "range" || strings.HasPrefix(lk, "if-")) && !keepRange {
			continue
		}
		if b.Forwards(lk) || lk == "range" || strings.HasPrefix(lk, "if-") {
			or.Header[k] = vs
		}
	}
	var cookies []string
	for _, c := range req.cookies {
		if e.forwardsCookie(b, c.Name) {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
	}
	if len(cookies) > 0 {
		or.Header.Set("Cookie", strings.Join(cookies, "; "))
	}
	if !b.Forwards("user-agent") {
		or.Header.Set("User-Agent", "Amazon CloudFront")
	}
	if req.ip != "" {
		or.Header.Set("X-Forwarded-For", req.ip)
	}
	or.Header.Set("Via", "1.1 local.cloudfront.net (CloudFront)")
	for _, h := range o.CustomHeaders {
		or.Header.Set(h.Name, h.Value)
	}
	return or, nil
}

func originHost(o *cfconfig.Origin) string {
	d := o.Domain
	if d == "" || strings.ContainsAny(d, " /(){}\"") {
		return "origin.invalid"
	}
	return d
}

var hopByHop = map[string]bool{"connection": true, "keep-alive": true, "proxy-connection": true, "te": true, "trailer": true,
	"transfer-encoding": true, "upgrade": true, "proxy-authorization": true, "proxy-authenticate": true}

func (e *Edge) forwardsQuery(b *cfconfig.Behavior, name string) bool {
	if b.Legacy != nil {
		return b.Legacy.QueryString
	}
	return b.CachePolicy.KeyQuery(name) || b.OriginRequestPolicy.ForwardsQuery(name)
}

func (e *Edge) forwardsCookie(b *cfconfig.Behavior, name string) bool {
	if b.Legacy != nil {
		switch b.Legacy.CookieForward {
		case "all":
			return true
		case "whitelist":
			for _, n := range b.Legacy.CookieNames {
				if glob.Match(n, name) {
					return true
				}
			}
		}
		return false
	}
	return b.CachePolicy.KeyCookie(name) || b.OriginRequestPolicy.ForwardsCookie(name)
}

// callOrigin sends or to the origin handler and reads the whole response.
func (e *Edge) callOrigin(or *http.Request) *response {
	rec := &recorder{header: http.Header{}, limit: e.opts.MaxObjectBytes}
	e.origin.ServeHTTP(rec, or)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.over {
		return cloudFrontPage(http.StatusBadGateway, "The request could not be satisfied.",
			fmt.Sprintf("The origin's response is larger than the local edge's MaxObjectBytes (%d bytes).", e.opts.MaxObjectBytes))
	}
	h := rec.header
	for k := range h {
		if hopByHop[strings.ToLower(k)] {
			delete(h, k)
		}
	}
	if or.Method != http.MethodHead { // a HEAD answer's length is the object's
		h.Del("Content-Length")
	}
	return &response{status: rec.status, header: h, body: rec.buf.Bytes()}
}

// recorder is a bounded in-memory http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
	limit  int64
	over   bool
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if int64(r.buf.Len()+len(p)) > r.limit {
		r.over = true
		return 0, fmt.Errorf("response larger than %d bytes", r.limit)
	}
	if r.buf.Cap() == 0 { // size the buffer once from the announced length
		if n, err := strconv.ParseInt(r.header.Get("Content-Length"), 10, 64); err == nil && n > int64(len(p)) && n <= r.limit {
			r.buf.Grow(int(n))
		}
	}
	return r.buf.Write(p)
}
