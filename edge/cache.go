package edge

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/internal/httplist"
)

// defaultErrorTTL is how long CloudFront caches an error response when no
// ErrorCachingMinTTL is configured (DG HTTPStatusCodes.html: 10 seconds).
const defaultErrorTTL = 10 * time.Second

// cachedStatus are the statuses CloudFront caches with the behavior's TTLs.
// Of the errors, it always caches alwaysCachedError, and
// maxAgeCachedError only when the origin sends Cache-Control max-age or
// s-maxage (an S3 403 or 400 carries neither: not cached); both for the
// longer of the error caching minimum TTL and that max-age (DG23
// HTTPStatusCodes.md, "HTTP 4xx and 5xx status codes that CloudFront caches").
var (
	cachedStatus      = map[int]bool{200: true, 203: true, 206: true, 300: true, 301: true, 410: true}
	alwaysCachedError = map[int]bool{404: true, 414: true, 500: true, 501: true, 502: true, 503: true, 504: true}
	maxAgeCachedError = map[int]bool{400: true, 403: true, 405: true, 412: true, 415: true}
)

// fetchCached answers from the cache or the origin. It returns the stored
// (shared, read-only) response, the outcome (Hit or Miss) and the entry's age
// in seconds.
func (e *Edge) fetchCached(ctx context.Context, b *cfconfig.Behavior, req *viewerRequest) (*response, string, int) {
	now := e.now()
	cacheable := (req.method == http.MethodGet || req.method == http.MethodHead ||
		req.method == http.MethodOptions && b.Caches(http.MethodOptions)) && !b.CacheDisabled()
	coding := chooseEncoding(b, req.header)
	encoding := ""
	if coding != nil {
		encoding = coding.name
	}
	key := e.cacheKey(b, req, encoding)
	if cacheable {
		if ent := e.cache.get(key, now); ent != nil {
			return e.conditional(req, ent.resp), "Hit", int(now.Sub(ent.stored) / time.Second)
		}
	}
	// The viewer's context: a remote origin request ends when the viewer
	// goes away or the server shuts down.
	or, err := e.originRequest(ctx, b, req, req.method, !cacheable)
	if err != nil {
		return cloudFrontPage(http.StatusBadGateway, "The request could not be satisfied.", "The request to the origin could not be built."), "Miss", 0
	}
	resp := e.callOrigin(or)
	e.filterVary(b, resp.header)
	if !cacheable || req.method == http.MethodHead || ctx.Err() != nil { // an aborted fetch is never stored
		return resp, "Miss", 0
	}
	ttl := e.ttl(b, resp)
	if ttl <= 0 {
		return e.conditional(req, resp), "Miss", 0
	}
	if coding != nil {
		compress(coding, resp)
	}
	resp.body = trimCapacity(resp.body)
	e.cache.put(key, req.uri, resp, now, now.Add(ttl))
	return e.conditional(req, resp), "Miss", 0
}

// conditional serves Range and If-* requests of a cacheable 200 response at
// the edge, as CloudFront does for an object it holds, with net/http's
// implementation of RFC 9110.
func (e *Edge) conditional(req *viewerRequest, resp *response) *response {
	if resp.status != http.StatusOK || (req.method != http.MethodGet && req.method != http.MethodHead) {
		return resp
	}
	wants := req.header.Get("Range") != ""
	for k := range req.header {
		if strings.HasPrefix(strings.ToLower(k), "if-") {
			wants = true
		}
	}
	if !wants {
		return resp
	}
	r, err := http.NewRequest(req.method, "http://edge"+req.uri, nil)
	if err != nil {
		return resp
	}
	for k, v := range req.header {
		if strings.EqualFold(k, "range") || strings.HasPrefix(strings.ToLower(k), "if-") {
			r.Header[k] = v
		}
	}
	rec := &recorder{header: resp.header.Clone(), limit: int64(len(resp.body)) + 1<<20}
	var modtime time.Time
	if lm := resp.header.Get("Last-Modified"); lm != "" {
		modtime, _ = http.ParseTime(lm)
	}
	if rec.header.Get("Content-Type") == "" {
		rec.header["Content-Type"] = nil // no sniffing: S3 sent none
	}
	http.ServeContent(rec, r, "", modtime, bytes.NewReader(resp.body))
	h := rec.header
	h.Del("Content-Length")
	return &response{status: rec.status, header: h, body: rec.buf.Bytes()}
}

// cacheKey is the cache key the behavior's cache policy (or legacy
// ForwardedValues) defines: method class, path, and the named headers,
// query strings and cookies, plus the normalized Accept-Encoding when
// compression is on.
func (e *Edge) cacheKey(b *cfconfig.Behavior, req *viewerRequest, encoding string) string {
	var k strings.Builder
	if req.method == http.MethodOptions {
		k.WriteString("OPTIONS ")
	} else {
		k.WriteString("GET ")
	}
	k.WriteString(req.uri)
	k.WriteString("\x00q:")
	for _, p := range req.query {
		if e.queryInKey(b, p.name) {
			k.WriteString(p.name + "=" + p.value + "&")
		}
	}
	k.WriteString("\x00h:")
	var hs []string
	for name, vs := range req.header {
		if b.InCacheKey(strings.ToLower(name)) {
			hs = append(hs, strings.ToLower(name)+"="+strings.Join(vs, ","))
		}
	}
	sort.Strings(hs)
	k.WriteString(strings.Join(hs, "\x01"))
	k.WriteString("\x00c:")
	var cs []string
	for _, c := range req.cookies {
		if e.cookieInKey(b, c.Name) {
			cs = append(cs, c.Name+"="+c.Value)
		}
	}
	sort.Strings(cs)
	k.WriteString(strings.Join(cs, "\x01"))
	k.WriteString("\x00e:" + encoding)
	return k.String()
}

func (e *Edge) queryInKey(b *cfconfig.Behavior, name string) bool {
	if b.Legacy != nil {
		if !b.Legacy.QueryString {
			return false
		}
		if len(b.Legacy.QueryKeys) == 0 {
			return true
		}
		return slices.Contains(b.Legacy.QueryKeys, name)
	}
	return b.CachePolicy.KeyQuery(name)
}

func (e *Edge) cookieInKey(b *cfconfig.Behavior, name string) bool {
	if b.Legacy != nil {
		return e.forwardsCookie(b, name)
	}
	return b.CachePolicy.KeyCookie(name)
}

// ttl is how long to cache resp (DG Expiration.html): for errors, see
// alwaysCachedError; otherwise s-maxage, max-age or Expires clamped to
// [min, max], the default TTL (at least min) without them, and
// no-store/no-cache/private honored only when min is 0.
func (e *Edge) ttl(b *cfconfig.Behavior, resp *response) time.Duration {
	cc := parseCacheControl(resp.header.Values("Cache-Control"))
	if alwaysCachedError[resp.status] || maxAgeCachedError[resp.status] {
		age, hasAge := cc.sMaxAge, cc.hasSMaxAge
		if !hasAge {
			age, hasAge = cc.maxAge, cc.hasMaxAge
		}
		if !hasAge && !alwaysCachedError[resp.status] {
			return 0
		}
		minTTL := defaultErrorTTL
		for _, er := range e.dist.ErrorResponses {
			if er.ErrorCode == resp.status && er.HasCachingMinTTL {
				minTTL = seconds(er.CachingMinTTL)
			}
		}
		return max(minTTL, seconds(age))
	}
	if !cachedStatus[resp.status] {
		return 0
	}
	minTTL, defTTL, maxTTL := b.TTLs()
	if cc.noStore {
		if minTTL == 0 {
			return 0
		}
		return seconds(minTTL)
	}
	age, hasAge := cc.sMaxAge, cc.hasSMaxAge
	if !hasAge {
		age, hasAge = cc.maxAge, cc.hasMaxAge
	}
	if !hasAge {
		if exp := resp.header.Get("Expires"); exp != "" {
			if t, err := http.ParseTime(exp); err == nil {
				age, hasAge = t.Sub(e.now()).Seconds(), true
			} else {
				age, hasAge = 0, true // an invalid Expires means already expired
			}
		}
	}
	if !hasAge {
		return seconds(maxF(minTTL, defTTL))
	}
	return seconds(minF(maxF(age, minTTL), maxTTL))
}

func seconds(s float64) time.Duration {
	if s <= 0 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

func minF(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}

func maxF(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

type cacheControl struct {
	noStore               bool // no-store, no-cache or private
	maxAge, sMaxAge       float64
	hasMaxAge, hasSMaxAge bool
}

func parseCacheControl(vs []string) cacheControl {
	var cc cacheControl
	for _, v := range vs {
		for _, d := range strings.Split(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			val = strings.Trim(val, `"`)
			switch strings.ToLower(name) {
			case "no-store", "no-cache", "private":
				cc.noStore = true
			case "max-age":
				if n, err := strconv.ParseFloat(val, 64); err == nil {
					cc.maxAge, cc.hasMaxAge = n, true
				}
			case "s-maxage":
				if n, err := strconv.ParseFloat(val, 64); err == nil {
					cc.sMaxAge, cc.hasSMaxAge = n, true
				}
			}
		}
	}
	return cc
}

// filterVary keeps only the Vary values CloudFront passes on: headers it
// forwards to the origin, Accept-Encoding and Cookie (DG23
// RequestAndResponseBehaviorCustomOrigin.md).
func (e *Edge) filterVary(b *cfconfig.Behavior, h http.Header) {
	vs := h.Values("Vary")
	if len(vs) == 0 {
		return
	}
	var keep []string
	for _, v := range vs {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			l := strings.ToLower(t)
			if t != "" && (l == "accept-encoding" || l == "cookie" || b.Forwards(l)) {
				keep = append(keep, t)
			}
		}
	}
	h.Del("Vary")
	if len(keep) > 0 {
		h.Set("Vary", strings.Join(keep, ", "))
	}
}

// --- compression (DG ServingCompressedFiles.html) ---

// contentCoding is one encoding the edge compresses with.
type contentCoding struct {
	name      string
	enabled   func(*cfconfig.CachePolicy) bool
	newWriter func(io.Writer) io.WriteCloser
}

// contentCodings in CloudFront's order of preference: Brotli when the viewer
// accepts both and the cache policy enables both.
var contentCodings = []contentCoding{
	{"br", func(p *cfconfig.CachePolicy) bool { return p.EnableBrotli },
		func(w io.Writer) io.WriteCloser { return brotli.NewWriterLevel(w, brotli.DefaultCompression) }},
	{"gzip", func(p *cfconfig.CachePolicy) bool { return p.EnableGzip },
		func(w io.Writer) io.WriteCloser { return gzip.NewWriter(w) }},
}

// chooseEncoding is the normalized Accept-Encoding of the request: the first
// coding of contentCodings that the behavior enables and the viewer accepts,
// or "" (no compression). Brotli needs a cache policy; legacy cache settings
// compress with gzip only. Listing Accept-Encoding in the cache key turns
// compression off.
func chooseEncoding(b *cfconfig.Behavior, h http.Header) *contentCoding {
	if !b.Compress {
		return nil
	}
	for i := range contentCodings {
		c := &contentCodings[i]
		if b.CachePolicy == nil && c.name != "gzip" {
			continue
		}
		if b.CachePolicy != nil && (!c.enabled(b.CachePolicy) || b.InCacheKey("accept-encoding")) {
			continue
		}
		if accepts(h, c.name) {
			return c
		}
	}
	return nil
}

// accepts reports whether Accept-Encoding lists the coding without q=0.
func accepts(h http.Header, coding string) bool {
	for _, v := range h.Values("Accept-Encoding") {
		for _, t := range strings.Split(v, ",") {
			name, q, _ := strings.Cut(strings.TrimSpace(t), ";")
			if strings.EqualFold(strings.TrimSpace(name), coding) && strings.ReplaceAll(q, " ", "") != "q=0" {
				return true
			}
		}
	}
	return false
}

var compressibleTypes = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`application/dash+xml application/eot application/font application/font-sfnt
		application/javascript application/json application/opentype application/otf application/pdf
		application/pkcs7-mime application/protobuf application/rss+xml application/truetype application/ttf
		application/vnd.apple.mpegurl application/vnd.mapbox-vector-tile application/vnd.ms-fontobject
		application/wasm application/xhtml+xml application/xml application/x-font-opentype
		application/x-font-truetype application/x-font-ttf application/x-httpd-cgi application/x-javascript
		application/x-mpegurl application/x-opentype application/x-otf application/x-perl application/x-ttf
		font/eot font/opentype font/otf font/ttf image/svg+xml text/css text/csv text/html text/javascript
		text/js text/plain text/richtext text/tab-separated-values text/xml text/x-script text/x-component
		text/x-java-source`) {
		compressibleTypes[t] = true
	}
}

// compress encodes resp in place with c when CloudFront would: status 200,
// 403 or 404, 1,000 to 10,000,000 bytes, not already encoded, a listed type.
func compress(c *contentCoding, resp *response) {
	if resp.status != 200 && resp.status != 403 && resp.status != 404 {
		return
	}
	if n := len(resp.body); n < 1000 || n > 10_000_000 || resp.header.Get("Content-Encoding") != "" {
		return
	}
	ct, _, _ := strings.Cut(resp.header.Get("Content-Type"), ";")
	if !compressibleTypes[strings.ToLower(strings.TrimSpace(ct))] {
		return
	}
	var buf bytes.Buffer
	zw := c.newWriter(&buf)
	_, _ = zw.Write(resp.body) // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	resp.body = buf.Bytes()
	resp.header.Set("Content-Encoding", c.name)
	if !httplist.VaryHas(resp.header, "accept-encoding") {
		resp.header.Add("Vary", "Accept-Encoding")
	}
	if et := resp.header.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
		resp.header.Set("ETag", "W/"+et) // a compressed body is not byte-equal
	}
}

// --- the bounded cache ---

type entry struct {
	key, path string
	resp      *response
	stored    time.Time
	expires   time.Time
	size      int64
	elem      *list.Element
}

// cache is an LRU bounded by the bytes of its bodies and headers.
type cache struct {
	mu      sync.Mutex
	limit   int64
	size    int64
	entries map[string]*entry
	lru     *list.List // front: most recent
}

func newCache(limit int64) *cache {
	return &cache{limit: limit, entries: map[string]*entry{}, lru: list.New()}
}

func (c *cache) get(key string, now time.Time) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	ent := c.entries[key]
	if ent == nil {
		return nil
	}
	if !now.Before(ent.expires) {
		c.remove(ent)
		return nil
	}
	c.lru.MoveToFront(ent.elem)
	return ent
}

// trimCapacity returns body without a large spare capacity: a cached body
// keeps its whole backing array alive, and a buffer grown by doubling can be
// twice its content.
func trimCapacity(body []byte) []byte {
	if cap(body)-len(body) > len(body)/8 {
		return bytes.Clone(body)
	}
	return body
}

// entrySize is what an entry keeps alive: key, body capacity, headers.
func entrySize(key string, resp *response) int64 {
	n := int64(len(key) + cap(resp.body) + 256)
	for k, vs := range resp.header {
		n += int64(len(k) + 32)
		for _, v := range vs {
			n += int64(len(v) + 16)
		}
	}
	return n
}

func (c *cache) put(key, path string, resp *response, now, expires time.Time) {
	size := entrySize(key, resp)
	if size > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[key]; old != nil {
		c.remove(old)
	}
	for c.size+size > c.limit {
		c.remove(c.lru.Back().Value.(*entry))
	}
	ent := &entry{key: key, path: path, resp: resp, stored: now, expires: expires, size: size}
	ent.elem = c.lru.PushFront(ent)
	c.entries[key] = ent
	c.size += size
}

func (c *cache) remove(ent *entry) {
	c.lru.Remove(ent.elem)
	delete(c.entries, ent.key)
	c.size -= ent.size
}

// bytes reports the cache's accounted size.
func (c *cache) bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

func (c *cache) invalidate(paths []string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, ent := range c.entries {
		for _, p := range paths {
			prefix, wild := strings.CutSuffix(p, "*")
			if ent.path == p || wild && strings.HasPrefix(ent.path, prefix) {
				c.remove(ent)
				n++
				break
			}
		}
	}
	return n
}
