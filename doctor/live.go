package doctor

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mediacdn/mediacdn/hls"
	"github.com/mediacdn/mediacdn/internal/safetext"
)

// LiveOptions configures CheckURL.
type LiveOptions struct {
	// URL to check: an image, a segment, or an HLS playlist (.m3u8), which is
	// then walked.
	URL string
	// Origin is the web app's origin, sent in the Origin header in the form
	// a browser sends it (CanonicalOrigin; the report shows it).
	Origin string
	// Client sends every request; nil means a client whose transport keeps
	// Concurrency connections per host alive and never dials a link-local
	// address. Tests inject one. Redirects are followed by the walker
	// itself, hop by hop, for GET only (as a browser does), whatever the
	// client's CheckRedirect says.
	Client *http.Client
	// Timeout bounds each request, body included (default 10s).
	Timeout time.Duration
	// MaxTime bounds the whole walk (default 5m): URLs not checked by then
	// are counted and the report is Incomplete.
	MaxTime time.Duration
	// Concurrency bounds the number of requests in flight (default 8).
	Concurrency int
	// Sample, when > 0, checks only that many segments (spread over the
	// playlist, first and last included) of each media playlist.
	Sample int
	// PropagateQuery carries a playlist URL's query string (a signature) to
	// the URLs it references, as a player given a signed playlist must.
	PropagateQuery bool
	// AllowHosts lists hosts (host or host:port), besides the starting URL's
	// host and port, that referenced URLs and redirects may go to; "*"
	// allows any. Link-local and cloud metadata addresses are never allowed
	// (see NewTransport).
	AllowHosts []string
	// Header holds extra request headers (e.g. Cookie for signed cookies).
	// They are sent only to the starting URL's origin (scheme, host, port),
	// never to another host, port or scheme a playlist or redirect leads
	// to. Cookie and Authorization are not sent with the preflight, as
	// browsers never send them there.
	Header http.Header
	// PreflightMethod is the Access-Control-Request-Method (default GET).
	PreflightMethod string
	// PreflightHeaders are the Access-Control-Request-Headers (default
	// ["range"]; an empty non-nil slice sends none).
	PreflightHeaders []string
	// Credentials checks as for a credentialed request (cookies with
	// withCredentials): ACAO must echo the origin and
	// Access-Control-Allow-Credentials be true.
	Credentials bool
	// UserAgent (default "mediacdn-doctor/dev").
	UserAgent string
	// MaxPlaylistBytes caps a playlist body, after decompression (default
	// 5 MiB).
	MaxPlaylistBytes int64
	// MaxTotalBytes caps the body bytes read over the whole walk (default
	// 64 MiB), whatever the concurrency: bodies are read only while it
	// lasts, and a URL it cuts short or never starts is not checked, making
	// the report Incomplete.
	MaxTotalBytes int64
	// MaxURLs caps the number of URLs checked (default 2000); a walk that
	// finds more is Incomplete.
	MaxURLs int
	// Template, when set, maps each URL to the cache behavior it matches
	// (for the pattern in findings, and for causes naming its policies).
	Template *Template
	// Progress, when set, is called after each URL with the counts so far.
	// It is called from one goroutine at a time.
	Progress func(done, total int)
	// Now returns the current time (default time.Now), for signature expiry.
	Now func() time.Time
}

// Defaults and bounds of live mode. With the defaults the doctor keeps at
// most MaxURLs probes (each URL at most maxURLLength bytes, each header value
// at most maxHeaderValue), Concurrency bodies of at most MaxPlaylistBytes at
// a time, and a report of at most maxFindings findings.
const (
	DefaultTimeout       = 10 * time.Second
	DefaultMaxTime       = 5 * time.Minute
	DefaultConcurrency   = 8
	DefaultMaxPlaylist   = 5 << 20
	DefaultMaxTotalBytes = 64 << 20
	DefaultMaxURLs       = 2000

	// maxErrorBody bounds what is read of any body but a playlist's.
	maxErrorBody = 64 << 10
	// maxURLLength is CloudFront's limit on a request URL; longer URIs in a
	// playlist are reported, not fetched.
	maxURLLength = 8192
	// maxResponseHeaderBytes bounds the response header block.
	maxResponseHeaderBytes = 64 << 10
	// maxHeaderValue and maxHeaderValues bound what is kept of each
	// response header (values are clipped with a visible mark).
	maxHeaderValue  = 512
	maxHeaderValues = 8
	// maxRedirects is the number of redirects followed for one request.
	maxRedirects = 10
	// maxDepth bounds playlist nesting (a master, its media playlists and
	// their rendition reports need 3).
	maxDepth = 8
	// maxNotesPerPlaylist and maxNotes bound the parse notes listed one by
	// one; the others are counted.
	maxNotesPerPlaylist = 100
	maxNotes            = 1000
	// maxRefused bounds the not-fetched references listed one by one.
	maxRefused = maxURLsPerFinding
	// minCapCount is the least number of distinct URLs past MaxURLs counted
	// exactly (8 bytes each; MaxURLs when that is more).
	minCapCount = 10000
)

// CheckURL checks a live URL as a browser on opts.Origin would load it and,
// for a playlist, every URL it references. It returns an error only for bad
// options; failed checks are findings.
func CheckURL(ctx context.Context, opts LiveOptions) (*Report, error) {
	origin, err := CanonicalOrigin(opts.Origin)
	if err != nil {
		return nil, err
	}
	opts.Origin = origin
	start, err := ValidateURL(opts.URL)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxTime <= 0 {
		opts.MaxTime = DefaultMaxTime
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.MaxPlaylistBytes <= 0 {
		opts.MaxPlaylistBytes = DefaultMaxPlaylist
	}
	if opts.MaxTotalBytes <= 0 {
		opts.MaxTotalBytes = DefaultMaxTotalBytes
	}
	if opts.MaxURLs <= 0 {
		opts.MaxURLs = DefaultMaxURLs
	}
	if opts.PreflightMethod == "" {
		opts.PreflightMethod = http.MethodGet
	}
	if opts.PreflightHeaders == nil {
		opts.PreflightHeaders = []string{"range"}
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "mediacdn-doctor/dev"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ctx, cancel := context.WithTimeout(ctx, opts.MaxTime)
	defer cancel()
	w := &walker{opts: opts, ctx: ctx, start: start, sem: make(chan struct{}, opts.Concurrency), seen: map[string]*task{}}
	w.capped = capCounter{seed: maphash.MakeSeed(), seen: map[uint64]struct{}{}, limit: max(opts.MaxURLs, minCapCount)}
	w.allow = newAllowList(start, opts.AllowHosts)
	client := opts.Client
	if client == nil {
		client = &http.Client{Transport: NewTransport(opts.Concurrency, w.allow.linkLocalOK)}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 0 // each exchange has its own deadline
	w.client = &c
	w.enqueue(&task{u: start, key: start.String(), kind: "start", path: []int{0}})
	w.wg.Wait()
	return w.report(), nil
}

// NewTransport returns the transport the doctor uses: it keeps up to
// concurrency connections per host alive (Go's default keeps 2, so a walk
// at concurrency 8 would open a connection, and a TLS handshake, for most
// requests), bounds the response header size, and refuses to connect to a
// link-local or cloud metadata address (see isLinkLocal) unless linkLocalOK
// allows that address, whatever name resolved to it.
func NewTransport(concurrency int, linkLocalOK func(netip.Addr) bool) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 0 // no global cap: the per-host caps bound it
	t.MaxIdleConnsPerHost = concurrency
	t.MaxConnsPerHost = concurrency
	t.MaxResponseHeaderBytes = maxResponseHeaderBytes
	t.Proxy = nil // the allow-list is about where requests go
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	d.Control = func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return nil
		}
		if a := ap.Addr().Unmap(); isLinkLocal(a) && (linkLocalOK == nil || !linkLocalOK(a)) {
			return fmt.Errorf("refusing to connect to %s: a link-local or cloud metadata address", a)
		}
		return nil
	}
	t.DialContext = d.DialContext
	return t
}

// isLinkLocal reports whether a is where cloud metadata services answer or
// an address no request should go to: link-local (169.254.0.0/16, fe80::/10,
// multicast too), unspecified, AWS's IPv6 metadata endpoint (fd00:ec2::254)
// and Alibaba Cloud's (100.100.100.200), and each IPv4 one of these written
// as an IPv6 address a host may route to it: IPv4-mapped (::ffff:a.b.c.d),
// IPv4-compatible (::a.b.c.d) or through a NAT64 prefix (64:ff9b::/96, and
// the local-use 64:ff9b:1::/48 with the address in its last 32 bits).
func isLinkLocal(a netip.Addr) bool {
	a = a.Unmap()
	if a.Is6() {
		b := a.As16()
		if embedsIPv4(b) {
			a = netip.AddrFrom4([4]byte(b[12:]))
		}
	}
	return a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsUnspecified() || metadataAddrs[a.WithZone("")]
}

// metadataAddrs are cloud metadata endpoints outside the link-local ranges.
var metadataAddrs = map[netip.Addr]bool{
	netip.MustParseAddr("fd00:ec2::254"):   true, // AWS IMDS over IPv6
	netip.MustParseAddr("100.100.100.200"): true, // Alibaba Cloud ECS metadata
}

// nat64WellKnown and nat64Local are the NAT64 prefixes of RFC 6052 and
// RFC 8215; ipv4Compatible is the deprecated ::a.b.c.d form.
var (
	nat64WellKnown = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local     = netip.MustParsePrefix("64:ff9b:1::/48")
	ipv4Compatible = netip.MustParsePrefix("::/96")
)

// embedsIPv4 reports whether the IPv6 address b carries an IPv4 address in
// its last 32 bits that a NAT64 gateway (or an old stack) would reach.
func embedsIPv4(b [16]byte) bool {
	a := netip.AddrFrom16(b)
	return nat64WellKnown.Contains(a) || nat64Local.Contains(a) || (ipv4Compatible.Contains(a) && !a.IsUnspecified() && !a.IsLoopback())
}

// allowList says which hosts and ports requests may go to.
type allowList struct {
	start     *url.URL
	any       bool
	hostPorts map[string]bool // "host:port", the start URL's among them
	hosts     map[string]bool // hosts allowed on any port
}

func newAllowList(start *url.URL, extra []string) *allowList {
	a := &allowList{start: start, hostPorts: map[string]bool{hostPort(start): true}, hosts: map[string]bool{}}
	for _, h := range extra {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "*":
			a.any = true
		case h == "":
		default:
			if host, port, err := net.SplitHostPort(h); err == nil {
				a.hostPorts[net.JoinHostPort(host, port)] = true
			} else {
				a.hosts[strings.Trim(h, "[]")] = true
			}
		}
	}
	return a
}

// hostPort is u's lower-case host name and port, the scheme's default port
// when u names none.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// refusal says why u may not be requested, or "" when it may.
func (a *allowList) refusal(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return fmt.Sprintf("scheme %q is not http or https", u.Scheme)
	}
	if a.linkLocalTarget(u) {
		return fmt.Sprintf("%s is a link-local, unspecified or cloud metadata address (where cloud metadata services answer), never requested", u.Hostname())
	}
	if !a.any && !a.hostPorts[hostPort(u)] && !a.hosts[strings.ToLower(u.Hostname())] {
		return fmt.Sprintf("%s is another host or port than %s", hostPort(u), hostPort(a.start))
	}
	return ""
}

// linkLocalTarget reports whether u's host is a link-local (or
// unspecified) address literal the user did not start from.
func (a *allowList) linkLocalTarget(u *url.URL) bool {
	ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]"))
	return err == nil && isLinkLocal(ip) && !a.linkLocalOK(ip)
}

// linkLocalOK allows a link-local address only when the user asked for it:
// the starting URL's host itself.
func (a *allowList) linkLocalOK(ip netip.Addr) bool {
	s, err := netip.ParseAddr(strings.Trim(a.start.Hostname(), "[]"))
	return err == nil && s.Unmap() == ip.Unmap()
}

// sameOrigin reports whether u has the starting URL's scheme, host and port:
// the only place the user's headers go.
func (a *allowList) sameOrigin(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, a.start.Scheme) && hostPort(u) == hostPort(a.start)
}

type task struct {
	u       *url.URL
	key     string // u.String(), computed once and shared by every finding
	kind    string // "start" or an hls.Kind
	path    []int  // sort key: discovery path
	parent  string
	line    int
	pattern string
}

func lessKey(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// exchange is one request and its answer.
type exchange struct {
	name    string
	method  string
	status  int
	header  http.Header // bounded with boundHeader
	body    string      // a non-2xx body, or the playlist of the first GET, until analysed
	err     error
	elapsed time.Duration
	final   *url.URL // the URL that answered, after redirects
	bodyCut bool
	// refused is set when a redirect was not followed, with the reason;
	// location is where it pointed.
	refused  string
	location string
}

// result is what one URL's probe left after analysis: no bodies.
type result struct {
	t        *task
	findings []Finding
	ran      map[string]bool
	probe    Probe
	// checked is false when the walk's deadline or byte budget stopped the
	// probe: the URL counts as not checked and nothing is reported on it.
	checked bool
	// overBudget says the byte budget, not the deadline, stopped it.
	overBudget bool
}

// probeState is a probe in progress: the exchanges, with bodies, until the
// analysis is done.
type probeState struct {
	t        *task
	playlist bool
	get      *exchange // GET with Origin
	noOrigin *exchange // GET without Origin
	pre      *exchange // OPTIONS preflight
	repeat   *exchange // GET with Origin again
	// playlist scan results
	scanErr  error
	head     string // the body's start, when it is not a playlist
	refs     int
	notes    []Finding
	notesCut int
}

func (r *probeState) probe() Probe {
	// Parent is filled in by report: another playlist may still change it
	// (the earliest discovery wins) while this probe is being analysed.
	p := Probe{URL: r.t.key, Kind: r.t.kind, Pattern: r.t.pattern}
	// One string per distinct final URL, shared by the exchanges and the
	// probe: the four requests of a redirected URL usually end at the same
	// place, and a URL may be 8 KiB long.
	var finals []string
	final := func(u *url.URL) string {
		if u == nil || u == r.t.u {
			return "" // not redirected: send starts from t.u itself
		}
		s := u.String()
		if s == r.t.key {
			return ""
		}
		for _, f := range finals {
			if f == s {
				return f
			}
		}
		finals = append(finals, s)
		return s
	}
	for _, e := range []*exchange{r.get, r.noOrigin, r.pre, r.repeat} {
		if e == nil {
			continue
		}
		x := Exchange{Name: e.name, Method: e.method, Status: e.status}
		if e.err != nil {
			x.Error = safetext.Cut(e.err.Error(), maxHeaderValue)
		}
		x.FinalURL = final(e.final)
		if e.header != nil {
			x.XCache = e.header.Get("X-Cache")
			x.ContentType = e.header.Get("Content-Type")
			x.ACAO = strings.Join(e.header.Values("Access-Control-Allow-Origin"), ", ")
			x.Vary = strings.Join(e.header.Values("Vary"), ", ")
		}
		p.Exchanges = append(p.Exchanges, x)
	}
	if r.get != nil {
		p.FinalURL = final(r.get.final)
	}
	return p
}

type walker struct {
	opts   LiveOptions
	ctx    context.Context
	start  *url.URL
	client *http.Client
	allow  *allowList
	sem    chan struct{}
	wg     sync.WaitGroup
	bytes  atomic.Int64 // body bytes read so far
	notes  atomic.Int64 // notes listed so far

	mu      sync.Mutex
	seen    map[string]*task
	results []*result
	total   int
	done    int
	// not checked, by reason
	capped    capCounter // distinct URLs past MaxURLs
	stopped   int        // URLs enqueued but stopped by the deadline
	overBytes int        // URLs not started: byte budget spent
	tooDeep   int
	refused   []Finding // references not fetched (off-host, link-local, too long), the first maxRefused
	offHost   int       // references not fetched, by reason
	badAddr   int
	tooLong   int
	// full is set once both MaxURLs and the capped count are full: no
	// reference can be enqueued any more, and further references are only
	// counted (unexamined), not resolved.
	full       atomic.Bool
	unexamined atomic.Int64
}

// capCounter counts the distinct URLs found past MaxURLs without keeping
// them: it keeps a 64-bit hash of each, up to limit hashes (8 bytes each:
// max(MaxURLs, minCapCount)), and says "at least" past that. Two URLs
// sharing a hash would be counted once: with a random seed and at most a
// few hundred thousand URLs, a chance under 1e-8.
type capCounter struct {
	seed  maphash.Seed
	seen  map[uint64]struct{}
	limit int
	more  bool // a distinct URL came when the table was full
}

// add counts key and reports whether the table is full.
func (c *capCounter) add(key string) bool {
	h := maphash.String(c.seed, key)
	if _, ok := c.seen[h]; !ok {
		if len(c.seen) < c.limit {
			c.seen[h] = struct{}{}
		} else {
			c.more = true
		}
	}
	return len(c.seen) >= c.limit
}

// String is the count for a sentence: "N", or "at least N" when the table
// was full (or, unexamined, references may have named more).
func (c *capCounter) String(unexamined bool) string {
	if c.more || unexamined {
		return fmt.Sprintf("at least %d", len(c.seen))
	}
	return fmt.Sprint(len(c.seen))
}

func (w *walker) enqueue(t *task) {
	w.mu.Lock()
	if prev, ok := w.seen[t.key]; ok {
		// Keep the earliest discovery path, whichever goroutine came first,
		// so the report order does not depend on timing.
		if lessKey(t.path, prev.path) {
			prev.path, prev.parent, prev.line = t.path, t.parent, t.line
		}
		w.mu.Unlock()
		return
	}
	if w.total >= w.opts.MaxURLs {
		if w.capped.add(t.key) {
			w.full.Store(true)
		}
		w.mu.Unlock()
		return
	}
	w.seen[t.key] = t
	w.total++
	w.mu.Unlock()
	if w.opts.Template != nil {
		t.pattern, _ = w.opts.Template.match(t.u)
	} else {
		t.pattern = extPattern(t.u.Path)
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if w.ctx.Err() != nil {
			w.count(&w.stopped)
			return
		}
		select {
		case w.sem <- struct{}{}:
		case <-w.ctx.Done():
			w.count(&w.stopped)
			return
		}
		if w.bytes.Load() >= w.opts.MaxTotalBytes {
			<-w.sem
			w.count(&w.overBytes)
			return
		}
		st := w.probe(t)
		<-w.sem
		res := w.finish(st)
		w.mu.Lock()
		w.results = append(w.results, res)
		switch {
		case res.overBudget:
			w.overBytes++
		case !res.checked:
			w.stopped++
		}
		w.done++
		if w.opts.Progress != nil {
			w.opts.Progress(w.done, w.total)
		}
		w.mu.Unlock()
	}()
}

func (w *walker) count(n *int) {
	w.mu.Lock()
	*n++
	w.mu.Unlock()
}

func isPlaylistURL(u *url.URL, kind string) bool {
	if playlistExts[strings.ToLower(path.Ext(u.Path))] {
		return true
	}
	return hls.Kind(kind).IsPlaylist()
}

// probe sends the four requests of one URL, one after the other, holding one
// concurrency slot: GET with Origin, GET without, preflight, GET with Origin
// again (to see the cached answer). After a request that timed out or was
// redirected where it may not go, the others are not sent: they would only
// wait or be refused too, and their checks are not reported as passed.
func (w *walker) probe(t *task) *probeState {
	st := &probeState{t: t, playlist: isPlaylistURL(t.u, t.kind)}
	st.get = w.send(t.u, "get-origin", http.MethodGet, true, st.playlist, st.playlist)
	if st.playlist && st.get.err == nil && st.get.status/100 == 2 {
		w.scan(st) // now, so that only one playlist body per slot is in memory
	}
	if stops(st.get) {
		return st
	}
	// The same playlist again: read (as a player would) but not kept.
	st.noOrigin = w.send(t.u, "get-no-origin", http.MethodGet, false, st.playlist, false)
	if stops(st.noOrigin) {
		return st
	}
	st.pre = w.send(t.u, "preflight", http.MethodOptions, true, false, false)
	if stops(st.pre) {
		return st
	}
	st.repeat = w.send(t.u, "get-origin-repeat", http.MethodGet, true, st.playlist, false)
	return st
}

// stops reports whether an exchange means the URL's other requests are not
// worth sending.
func stops(e *exchange) bool {
	return e.refused != "" || (e.err != nil && (e.status == 0 || isTimeout(e.err) || errors.Is(e.err, errByteBudget)))
}

var (
	errBodyTooLarge = errors.New("body larger than the limit")
	errByteBudget   = errors.New("the walk's byte budget is spent")
)

// budgetReader reads a body only while the walk's byte budget lasts. Each
// Read reserves its bytes before reading, so all readers together never
// read more than MaxTotalBytes, however many are in flight.
type budgetReader struct {
	r io.Reader
	w *walker
}

func (b budgetReader) Read(p []byte) (int, error) {
	for {
		used := b.w.bytes.Load()
		left := b.w.opts.MaxTotalBytes - used
		if left <= 0 {
			return 0, errByteBudget
		}
		want := min(int64(len(p)), left)
		if b.w.bytes.CompareAndSwap(used, used+want) {
			n, err := b.r.Read(p[:want])
			b.w.bytes.Add(int64(n) - want) // give back what was not read
			return n, err
		}
	}
}

// send makes one exchange, following redirects of a GET hop by hop: every
// hop must pass the allow-list, and the user's headers go only to the
// starting origin.
func (w *walker) send(u *url.URL, name, method string, withOrigin, whole, keep bool) *exchange {
	e := &exchange{name: name, method: method}
	ctx, cancel := context.WithTimeout(w.ctx, w.opts.Timeout)
	defer cancel()
	cur := u
	t0 := time.Now()
	defer func() { e.elapsed = time.Since(t0) }()
	for hop := 0; ; hop++ {
		// What a failed hop leaves is that hop's: no status or headers of
		// the redirect before it, and the URL that failed.
		e.status, e.header, e.final = 0, nil, cur
		resp, err := w.client.Do(w.request(ctx, cur, method, withOrigin, whole))
		if err != nil {
			e.err = err
			return e
		}
		e.status = resp.StatusCode
		e.header = boundHeader(resp.Header)
		loc := resp.Header.Get("Location")
		if method == http.MethodOptions || !isRedirect(resp.StatusCode) || loc == "" {
			w.readBody(e, resp, whole, keep)
			return e
		}
		w.drain(resp)
		next, err := cur.Parse(loc)
		switch {
		case err != nil:
			e.refused, e.location = "its Location does not parse", safetext.Cut(loc, maxURLLength)
		case hop+1 > maxRedirects:
			e.refused, e.location = fmt.Sprintf("more than %d redirects (a loop?)", maxRedirects), next.String()
		case strings.EqualFold(cur.Scheme, "https") && strings.EqualFold(next.Scheme, "http"):
			e.refused, e.location = "it leaves https for plain http", next.String()
		case len(next.String()) > maxURLLength:
			e.refused, e.location = fmt.Sprintf("the URL is longer than %d bytes", maxURLLength), safetext.Cut(next.String(), 200)
		default:
			if r := w.allow.refusal(next); r != "" {
				e.refused, e.location = r, next.String()
			}
		}
		if e.refused != "" {
			e.err = fmt.Errorf("redirect (HTTP %d) to %s not followed: %s", resp.StatusCode, e.location, e.refused)
			return e
		}
		cur = next
	}
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

func (w *walker) request(ctx context.Context, u *url.URL, method string, withOrigin, whole bool) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, method, "http://placeholder/", nil)
	req.URL, req.Host = u, u.Host // u as parsed and resolved, not re-parsed
	preflight := method == http.MethodOptions
	if w.allow.sameOrigin(u) {
		for k, vs := range w.opts.Header {
			if preflight && (strings.EqualFold(k, "Cookie") || strings.EqualFold(k, "Authorization")) {
				continue
			}
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
	}
	req.Header.Set("User-Agent", w.opts.UserAgent)
	if withOrigin {
		req.Header.Set("Origin", w.opts.Origin)
	}
	if preflight {
		req.Header.Set("Access-Control-Request-Method", w.opts.PreflightMethod)
		if len(w.opts.PreflightHeaders) > 0 {
			req.Header.Set("Access-Control-Request-Headers", strings.ToLower(strings.Join(w.opts.PreflightHeaders, ",")))
		}
	} else if !whole {
		req.Header.Set("Range", "bytes=0-0")
	}
	return req
}

// readBody keeps what the analysis needs: the playlist body of the first
// GET (keep, up to MaxPlaylistBytes) and error bodies (up to maxErrorBody).
// Other bodies are read (so the connection can be reused; a whole playlist
// up to MaxPlaylistBytes, anything else up to maxErrorBody) and dropped.
// Everything is read through the byte budget: a playlist it cuts short is
// not parsed (errByteBudget); a body that is only read and dropped, or an
// error body, is just cut, its headers having been checked. Go's transport
// decompresses the gzip it asked for, so the limits apply to the
// decompressed bytes.
func (w *walker) readBody(e *exchange, resp *http.Response, whole, keep bool) {
	defer resp.Body.Close()
	ok := resp.StatusCode/100 == 2
	limit := int64(maxErrorBody)
	if whole && ok {
		limit = w.opts.MaxPlaylistBytes
	}
	body := budgetReader{resp.Body, w}
	if ok && !keep {
		if _, err := io.Copy(io.Discard, io.LimitReader(body, limit)); err != nil && !errors.Is(err, errByteBudget) {
			e.err = err
		}
		return
	}
	var b strings.Builder
	if resp.ContentLength > 0 && resp.ContentLength <= limit {
		b.Grow(int(resp.ContentLength))
	}
	n, err := io.Copy(&b, io.LimitReader(body, limit+1))
	e.body = b.String()
	if errors.Is(err, errByteBudget) {
		if ok && keep {
			e.err, e.body = err, ""
		}
		return
	}
	if n > limit {
		e.body = e.body[:limit]
		e.bodyCut = true
		if whole && ok {
			e.err = fmt.Errorf("%w (%d bytes)", errBodyTooLarge, limit)
			e.body = ""
		}
	} else if err != nil {
		e.err = err
	}
}

func (w *walker) drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(budgetReader{resp.Body, w}, maxErrorBody))
	resp.Body.Close()
}

// boundHeader copies h keeping at most maxHeaderValues values of each
// header, each clipped to maxHeaderValue bytes, so what the report keeps of
// a hostile answer stays small. (The header block itself is capped by the
// transport at maxResponseHeaderBytes.)
func boundHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		if len(vs) > maxHeaderValues {
			vs = vs[:maxHeaderValues]
		}
		c := make([]string, len(vs))
		for i, v := range vs {
			c[i] = safetext.Cut(v, maxHeaderValue)
		}
		out[k] = c
	}
	return out
}

// finish scans a playlist (enqueuing what it references), analyses the
// exchanges and keeps only the findings and the probe summary.
func (w *walker) finish(st *probeState) *result {
	res := &result{t: st.t, checked: true}
	if errors.Is(st.get.err, errByteBudget) {
		res.checked, res.overBudget = false, true
		return res
	}
	if w.ctx.Err() != nil && interrupted(st) {
		res.checked = false
		return res
	}
	a := &analyzer{opts: w.opts}
	a.analyze(st)
	res.findings, res.ran, res.probe = a.out, a.ran, st.probe()
	return res
}

// interrupted reports whether an exchange of the probe failed, or the scan
// of its playlist stopped (and so was possibly cut by the walk's deadline
// rather than by the server).
func interrupted(st *probeState) bool {
	if st.scanErr != nil {
		return true
	}
	for _, e := range []*exchange{st.get, st.noOrigin, st.pre, st.repeat} {
		if e != nil && e.err != nil {
			return true
		}
	}
	return st.repeat == nil
}

// scan reads a playlist once (twice with Sample: to count its segments
// first), enqueuing every reference that may be fetched and keeping the
// first notes. Nothing per reference is kept beyond what enqueue keeps.
func (w *walker) scan(st *probeState) {
	base := st.get.final
	if base == nil {
		base = st.t.u
	}
	isSeg := func(k hls.Kind) bool { return k == hls.KindSegment || k == hls.KindPart || k == hls.KindPreloadHint }
	var keep func(i int) bool
	if w.opts.Sample > 0 {
		segs := 0
		_, _ = hls.Scan(w.ctx, st.get.body, base, func(r hls.Ref) {
			if isSeg(r.Kind) {
				segs++
			}
		}, nil)
		keep = sampler(segs, w.opts.Sample)
	}
	var query *hls.QueryPropagator // the query split once for all references
	if w.opts.PropagateQuery && base.RawQuery != "" {
		query = hls.NewQueryPropagator(base.RawQuery)
	}
	w.mu.Lock()
	parentPath := append([]int{}, st.t.path...)
	w.mu.Unlock()
	seg, idx := 0, 0
	_, st.scanErr = hls.Scan(w.ctx, st.get.body, base, func(r hls.Ref) {
		st.refs++
		if isSeg(r.Kind) {
			seg++
			if keep != nil && !keep(seg-1) {
				return
			}
		}
		idx++
		w.child(st, r, query, append(append(make([]int, 0, len(parentPath)+1), parentPath...), idx))
	}, func(n hls.Note) {
		if len(st.notes) >= maxNotesPerPlaylist || w.notes.Add(1) > maxNotes {
			st.notesCut++
			return
		}
		sev := SeverityInfo
		if n.Malformed {
			sev = SeverityWarn
		}
		st.notes = append(st.notes, Finding{Severity: sev, ID: "playlist.note", URL: st.t.key, Pattern: st.t.pattern,
			What: fmt.Sprintf("line %d: %s", n.Line, n.Text), distinct: true})
	})
	if st.scanErr != nil {
		st.head = safetext.Cut(st.get.body, 60)
	}
	st.get.body = ""
}

// sampler keeps n of total segments, spread evenly, first and last included.
func sampler(total, n int) func(i int) bool {
	if total <= n {
		return nil
	}
	keep := map[int]bool{}
	if n == 1 {
		keep[0] = true
	} else {
		for k := 0; k < n; k++ {
			keep[k*(total-1)/(n-1)] = true
		}
	}
	return func(i int) bool { return keep[i] }
}

// child enqueues one reference of a playlist, after the allow-list, the URL
// length and nesting limits, and query propagation.
func (w *walker) child(st *probeState, ref hls.Ref, query *hls.QueryPropagator, path []int) {
	if w.full.Load() {
		w.unexamined.Add(1) // nothing more can be checked or counted exactly
		return
	}
	u := ref.URL
	if query != nil {
		u = query.Propagate(u)
	}
	key := u.String()
	refuse := func(sev Severity, id, what, fix string) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch id {
		case "walk.off-host":
			w.offHost++
		case "walk.url-too-long":
			w.tooLong++
		default:
			w.badAddr++
		}
		if len(w.refused) < maxRefused {
			w.refused = append(w.refused, Finding{Severity: sev, ID: id, URL: safetext.Cut(key, maxURLLength), Pattern: "",
				What: what, Fix: fix, Cause: fmt.Sprintf("Referenced by %s line %d.", st.t.key, ref.Line)})
		}
	}
	switch {
	case len(key) > maxURLLength:
		refuse(SeverityWarn, "walk.url-too-long", fmt.Sprintf("not checked: the %s URL is %d bytes long, more than CloudFront accepts (%d)", ref.Kind, len(key), maxURLLength),
			"Shorten the URI in the playlist.")
		return
	case len(path) > maxDepth:
		w.count(&w.tooDeep)
		return
	}
	if r := w.allow.refusal(u); r != "" {
		if w.allow.linkLocalTarget(u) {
			refuse(SeverityWarn, "walk.refused", "not checked: "+r, "")
		} else {
			refuse(SeverityWarn, "walk.off-host", fmt.Sprintf("not checked: %s is on %s, not on the playlist's host (%s)", ref.Kind, hostPort(u), r),
				"Pass --allow-hosts "+u.Host+" to check it too (the headers given with --header are still sent only to "+w.start.Host+").")
		}
		return
	}
	w.enqueue(&task{u: u, key: key, kind: string(ref.Kind), path: path, parent: st.t.key, line: ref.Line})
}

// report assembles the findings in discovery order and says what was not
// checked.
func (w *walker) report() *Report {
	sort.Slice(w.results, func(i, j int) bool { return lessKey(w.results[i].t.path, w.results[j].t.path) })
	r := &Report{Mode: "live", Target: w.start.String(), Origin: w.opts.Origin}
	var all []Finding
	ran := map[string]int{}
	checked := 0
	for _, res := range w.results {
		if !res.checked {
			continue
		}
		checked++
		for _, f := range res.findings {
			if f.referenced {
				f.Cause += w.referencedBy(res.t, f.ID)
			}
			if f.ID == "walk.redirect-refused" {
				r.Incomplete = true // that URL's checks did not run
			}
			all = append(all, f)
		}
		for fam := range res.ran {
			ran[fam]++
		}
		res.probe.Parent = res.t.parent
		r.Probes = append(r.Probes, res.probe)
	}
	all = append(all, w.refused...)
	if f, ok := w.notFetched(); ok {
		r.Incomplete = true
		all = append(all, f)
	}
	if n := len(w.capped.seen); n > 0 {
		r.Incomplete = true
		all = append(all, Finding{Severity: SeverityWarn, ID: "walk.truncated",
			What: fmt.Sprintf("stopped at --max-urls %d: %s more distinct URLs were found and not checked, and the playlists among them were not walked", w.opts.MaxURLs, w.capped.String(w.unexamined.Load() > 0)),
			Fix:  fmt.Sprintf("Raise the cap (e.g. --max-urls %d), or use --sample N to check N segments of each media playlist.", nextCap(w.opts.MaxURLs, n))})
	}
	if w.stopped > 0 {
		r.Incomplete = true
		all = append(all, Finding{Severity: SeverityWarn, ID: "walk.deadline",
			What: fmt.Sprintf("the walk was stopped (--max-time %s, or interrupted) with %d of %d URLs not checked", w.opts.MaxTime, w.stopped, w.total),
			Fix:  "Raise --max-time, or check fewer URLs with --sample N."})
	}
	if w.overBytes > 0 {
		r.Incomplete = true
		all = append(all, Finding{Severity: SeverityWarn, ID: "walk.byte-budget",
			What: fmt.Sprintf("%d URLs were not checked: the walk had read %d bytes, its limit (%d)", w.overBytes, w.bytes.Load(), w.opts.MaxTotalBytes),
			Fix:  "Check fewer URLs with --sample N, or start from a media playlist instead of the master."})
	}
	if w.tooDeep > 0 {
		r.Incomplete = true
		all = append(all, Finding{Severity: SeverityWarn, ID: "walk.too-deep",
			What: fmt.Sprintf("%d references were not followed: playlists nested more than %d deep (a master and its media playlists need 2)", w.tooDeep, maxDepth),
			Fix:  "Check the playlists that reference playlists: a loop through distinct URLs (a changing query?) looks like this."})
	}
	all = append(all, livePasses(all, ran)...)
	r.Findings = merge(all)
	return r
}

// notFetched sums up the references a playlist named that were not
// fetched (listed one by one above it, up to maxRefused): they were not
// checked, so the walk is incomplete, and the fix says how to check them.
func (w *walker) notFetched() (Finding, bool) {
	n := w.offHost + w.badAddr + w.tooLong
	if n == 0 {
		return Finding{}, false
	}
	var why, fix []string
	if w.offHost > 0 {
		why = append(why, fmt.Sprintf("%d on another host or port", w.offHost))
		fix = append(fix, "pass --allow-hosts HOST[:PORT] for each host named in walk.off-host (or --allow-hosts '*') to check those too; --header values still go only to "+w.start.Host)
	}
	if w.badAddr > 0 {
		why = append(why, fmt.Sprintf("%d to an address or scheme never requested", w.badAddr))
		fix = append(fix, "remove the references to link-local, cloud metadata or non-http(s) addresses from the playlist (walk.refused): they are never fetched")
	}
	if w.tooLong > 0 {
		why = append(why, fmt.Sprintf("%d longer than %d bytes", w.tooLong, maxURLLength))
		fix = append(fix, "shorten the URIs of walk.url-too-long")
	}
	what := fmt.Sprintf("%d references were not fetched (%s), so the URLs named there were not checked", n, strings.Join(why, ", "))
	if n == 1 {
		what = fmt.Sprintf("1 reference was not fetched (%s), so the URL named there was not checked", why[0])
	}
	if len(w.refused) < n {
		what += fmt.Sprintf("; the report lists the first %d", len(w.refused))
	}
	if w.unexamined.Load() > 0 {
		what += " (at least: references found once the count of URLs left unchecked was full were not examined)"
	}
	fixes := strings.Join(fix, "; ")
	return Finding{Severity: SeverityWarn, ID: "walk.not-fetched", What: what, Fix: strings.ToUpper(fixes[:1]) + fixes[1:] + "."}, true
}

// nextCap suggests a --max-urls that would cover what was found.
func nextCap(cur, more int) int {
	n := cur + more
	if n < 2*cur {
		n = 2 * cur
	}
	return n
}

// referencedBy says where a URL was found (its earliest discovery, known
// only once the walk is over) for the cause of a failed request.
func (w *walker) referencedBy(t *task, id string) string {
	if t.parent == "" {
		return ""
	}
	s := fmt.Sprintf(" Referenced by %s line %d.", t.parent, t.line)
	if id == "signed.missing-key" && !w.opts.PropagateQuery && strings.Contains(t.parent, "Signature=") {
		s += " The playlist URL was signed but its query is not carried to referenced URLs: pass --propagate-query to check as a player that does so, or sign with cookies."
	}
	return s
}

// livePasses adds a pass finding for each check family that ran on at least
// one answer and found nothing wrong, saying on how many URLs it ran: a
// family that never got an answer to check is not reported as passed.
func livePasses(all []Finding, ran map[string]int) []Finding {
	ranAny := map[string]bool{}
	for fam, n := range ran {
		ranAny[fam] = n > 0
	}
	out := passFindings(all, ranAny, liveFamilies, map[string]string{"signed": "http", "s3": "http"})
	for i := range out {
		fam := strings.TrimSuffix(out[i].ID, ".ok")
		out[i].What += fmt.Sprintf(" (checked on %d URL%s)", ran[fam], plural(ran[fam]))
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// match returns the path pattern of the cache behavior a URL would use, and
// the behavior. With several distributions, the one whose aliases include
// the host is used, else the first.
func (t *Template) match(u *url.URL) (string, *behavior) {
	if t == nil || len(t.dists) == 0 {
		return extPattern(u.Path), nil
	}
	d := t.dists[0]
	host := strings.ToLower(u.Hostname())
	for _, x := range t.dists {
		for _, a := range x.Aliases {
			if strings.EqualFold(a, host) {
				d = x
			}
		}
	}
	for _, b := range d.Behaviors {
		if b.IsDefault || pathMatches(b.PathPattern, u.Path) {
			return b.Label(), b
		}
	}
	return "*", nil
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
