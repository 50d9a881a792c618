package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mediacdn/mediacdn/hls"
)

// LiveOptions configures CheckURL.
type LiveOptions struct {
	// URL to check: an image, a segment, or an HLS playlist (.m3u8), which is
	// then walked.
	URL string
	// Origin is the Origin header a browser on the web app would send,
	// validated with ValidateOrigin.
	Origin string
	// Client sends every request; nil means a new client with Timeout.
	// Tests inject one; redirects are followed for GET as a browser does,
	// never for the preflight.
	Client *http.Client
	// Timeout bounds each request (default 10s).
	Timeout time.Duration
	// Concurrency bounds the number of requests in flight (default 8).
	Concurrency int
	// Sample, when > 0, checks only that many segments (spread over the
	// playlist, first and last included) of each media playlist.
	Sample int
	// PropagateQuery carries a playlist URL's query string (a signature) to
	// the URLs it references, as a player given a signed playlist must.
	PropagateQuery bool
	// AllowHosts lists hosts, besides the starting URL's, that referenced
	// URLs may be fetched from; "*" allows any.
	AllowHosts []string
	// Header holds extra request headers (e.g. Cookie for signed cookies).
	// Cookie and Authorization are not sent with the preflight, as browsers
	// never send them there.
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
	// MaxPlaylistBytes caps a playlist body (default 5 MiB).
	MaxPlaylistBytes int64
	// MaxURLs caps the number of URLs checked (default 2000).
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

const (
	defaultTimeout     = 10 * time.Second
	defaultConcurrency = 8
	defaultMaxPlaylist = 5 << 20
	defaultMaxURLs     = 2000
	maxErrorBody       = 64 << 10
)

// CheckURL checks a live URL as a browser on opts.Origin would load it and,
// for a playlist, every URL it references. It returns an error only for bad
// options; failed checks are findings.
func CheckURL(ctx context.Context, opts LiveOptions) (*Report, error) {
	if err := ValidateOrigin(opts.Origin); err != nil {
		return nil, err
	}
	start, err := ValidateURL(opts.URL)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = defaultConcurrency
	}
	if opts.MaxPlaylistBytes <= 0 {
		opts.MaxPlaylistBytes = defaultMaxPlaylist
	}
	if opts.MaxURLs <= 0 {
		opts.MaxURLs = defaultMaxURLs
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
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Timeout}
	}
	w := &walker{opts: opts, ctx: ctx, start: start, sem: make(chan struct{}, opts.Concurrency), seen: map[string]*task{}}
	w.allowed = map[string]bool{strings.ToLower(start.Host): true}
	for _, h := range opts.AllowHosts {
		w.allowed[strings.ToLower(strings.TrimSpace(h))] = true
	}
	w.enqueue(&task{u: start, kind: "start", key: []int{0}})
	w.wg.Wait()

	sort.Slice(w.results, func(i, j int) bool { return lessKey(w.results[i].t.key, w.results[j].t.key) })
	r := &Report{Mode: "live", Target: start.String(), Origin: opts.Origin}
	a := &analyzer{opts: opts}
	a.out = append(a.out, w.extra...)
	for _, res := range w.results {
		a.analyze(res)
		r.Probes = append(r.Probes, res.probe())
	}
	a.out = append(a.out, passFindings(a.out, a.ran, liveFamilies, map[string]string{"signed": "http", "s3": "http"})...)
	r.Findings = merge(a.out)
	return r, nil
}

type task struct {
	u       *url.URL
	kind    string // "start" or an hls.Kind
	key     []int  // sort key: discovery path
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
	header  http.Header
	body    []byte
	err     error
	elapsed time.Duration
	final   *url.URL
	bodyCut bool
}

type result struct {
	t        *task
	playlist bool
	get      *exchange // GET with Origin
	noOrigin *exchange // GET without Origin
	pre      *exchange // OPTIONS preflight
	repeat   *exchange // GET with Origin again
	parsed   *hls.Playlist
	parseErr error
}

func (r *result) probe() Probe {
	p := Probe{URL: r.t.u.String(), Kind: r.t.kind, Pattern: r.t.pattern, Parent: r.t.parent}
	for _, e := range []*exchange{r.get, r.noOrigin, r.pre, r.repeat} {
		if e == nil {
			continue
		}
		x := Exchange{Name: e.name, Method: e.method, Status: e.status}
		if e.err != nil {
			x.Error = e.err.Error()
		}
		if e.header != nil {
			x.XCache = e.header.Get("X-Cache")
			x.ContentType = e.header.Get("Content-Type")
			x.ACAO = strings.Join(e.header.Values("Access-Control-Allow-Origin"), ", ")
			x.Vary = strings.Join(e.header.Values("Vary"), ", ")
		}
		p.Exchanges = append(p.Exchanges, x)
	}
	return p
}

type walker struct {
	opts    LiveOptions
	ctx     context.Context
	start   *url.URL
	sem     chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	seen    map[string]*task
	allowed map[string]bool
	results []*result
	extra   []Finding
	total   int
	done    int
	capped  bool
}

func (w *walker) enqueue(t *task) {
	w.mu.Lock()
	k := t.u.String()
	if prev, ok := w.seen[k]; ok {
		// Keep the earliest discovery path, whichever goroutine came first,
		// so the report order does not depend on timing.
		if lessKey(t.key, prev.key) {
			prev.key, prev.parent, prev.line = t.key, t.parent, t.line
		}
		w.mu.Unlock()
		return
	}
	if w.total >= w.opts.MaxURLs {
		if !w.capped {
			w.capped = true
			w.extra = append(w.extra, Finding{Severity: SeverityInfo, ID: "walk.truncated", URL: k,
				What: fmt.Sprintf("stopped after %d URLs; the rest were not checked", w.opts.MaxURLs),
				Fix:  "Use --sample N to check a sample of each playlist's segments."})
		}
		w.mu.Unlock()
		return
	}
	w.seen[k] = t
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
		select {
		case w.sem <- struct{}{}:
		case <-w.ctx.Done():
			return
		}
		res := w.probe(t)
		<-w.sem
		w.mu.Lock()
		w.results = append(w.results, res)
		w.done++
		if w.opts.Progress != nil {
			w.opts.Progress(w.done, w.total)
		}
		w.mu.Unlock()
		w.children(res)
	}()
}

func isPlaylistURL(u *url.URL, kind string) bool {
	if playlistExts[strings.ToLower(path.Ext(u.Path))] {
		return true
	}
	return hls.Kind(kind).IsPlaylist()
}

// probe sends the four requests of one URL, one after the other, holding one
// concurrency slot: GET with Origin, GET without, preflight, GET with Origin
// again (to see the cached answer).
func (w *walker) probe(t *task) *result {
	res := &result{t: t, playlist: isPlaylistURL(t.u, t.kind)}
	res.get = w.send(t.u, "get-origin", http.MethodGet, true, res.playlist)
	if res.get.err != nil && res.get.status == 0 {
		return res // unreachable or timed out: the other requests would only wait too
	}
	res.noOrigin = w.send(t.u, "get-no-origin", http.MethodGet, false, res.playlist)
	res.pre = w.send(t.u, "preflight", http.MethodOptions, true, false)
	res.repeat = w.send(t.u, "get-origin-repeat", http.MethodGet, true, res.playlist)
	if res.playlist && res.get.err == nil && res.get.status/100 == 2 {
		base := res.get.final
		if base == nil {
			base = t.u
		}
		res.parsed, res.parseErr = hls.Parse(res.get.body, base)
	}
	return res
}

var errBodyTooLarge = errors.New("body larger than the limit")

func (w *walker) send(u *url.URL, name, method string, withOrigin, whole bool) *exchange {
	e := &exchange{name: name, method: method}
	ctx, cancel := context.WithTimeout(w.ctx, w.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		e.err = err
		return e
	}
	preflight := method == http.MethodOptions
	for k, vs := range w.opts.Header {
		if preflight && (strings.EqualFold(k, "Cookie") || strings.EqualFold(k, "Authorization")) {
			continue
		}
		for _, v := range vs {
			req.Header.Add(k, v)
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
	client := w.opts.Client
	if preflight {
		c := *client
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		client = &c
	}
	t0 := time.Now()
	resp, err := client.Do(req)
	e.elapsed = time.Since(t0)
	if err != nil {
		e.err = err
		return e
	}
	defer resp.Body.Close()
	e.status = resp.StatusCode
	e.header = resp.Header
	e.final = resp.Request.URL
	limit := int64(maxErrorBody)
	if whole && resp.StatusCode/100 == 2 {
		limit = w.opts.MaxPlaylistBytes
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if int64(len(body)) > limit {
		body = body[:limit]
		e.bodyCut = true
		if whole && resp.StatusCode/100 == 2 {
			e.err = fmt.Errorf("%w (%d bytes)", errBodyTooLarge, limit)
		}
	} else if err != nil && e.err == nil {
		e.err = err
	}
	e.body = body
	return e
}

// children enqueues what a playlist references, after host filtering,
// query propagation and sampling.
func (w *walker) children(res *result) {
	if res.parsed == nil {
		return
	}
	parentURL := res.t.u
	if res.get.final != nil {
		parentURL = res.get.final
	}
	w.mu.Lock()
	parentKey := append([]int{}, res.t.key...)
	w.mu.Unlock()
	refs := res.parsed.Refs
	if w.opts.Sample > 0 {
		refs = sample(refs, w.opts.Sample)
	}
	for i, ref := range refs {
		u := ref.URL
		if !w.hostAllowed(u.Host) {
			w.mu.Lock()
			w.extra = append(w.extra, Finding{Severity: SeverityInfo, ID: "walk.off-host", URL: u.String(),
				What: fmt.Sprintf("not checked: %s is on host %s, not on the playlist's host", ref.Kind, u.Host),
				Fix:  "Pass --allow-hosts " + u.Host + " to check it too."})
			w.mu.Unlock()
			continue
		}
		if w.opts.PropagateQuery && parentURL.RawQuery != "" {
			u = hls.PropagateQuery(u, parentURL.RawQuery)
		}
		key := append(append([]int{}, parentKey...), i)
		w.enqueue(&task{u: u, kind: string(ref.Kind), key: key, parent: res.t.u.String(), line: ref.Line})
	}
}

func (w *walker) hostAllowed(h string) bool {
	h = strings.ToLower(h)
	return w.allowed["*"] || w.allowed[h] || w.allowed[strings.Split(h, ":")[0]]
}

// sample keeps every non-segment reference and n segments (parts and
// preload hints count as segments) spread evenly, first and last included.
func sample(refs []hls.Ref, n int) []hls.Ref {
	var segIdx []int
	for i, r := range refs {
		if r.Kind == hls.KindSegment || r.Kind == hls.KindPart || r.Kind == hls.KindPreloadHint {
			segIdx = append(segIdx, i)
		}
	}
	if len(segIdx) <= n {
		return refs
	}
	keep := map[int]bool{}
	if n == 1 {
		keep[segIdx[0]] = true
	} else {
		for k := 0; k < n; k++ {
			keep[segIdx[k*(len(segIdx)-1)/(n-1)]] = true
		}
	}
	var out []hls.Ref
	for i, r := range refs {
		isSeg := r.Kind == hls.KindSegment || r.Kind == hls.KindPart || r.Kind == hls.KindPreloadHint
		if !isSeg || keep[i] {
			out = append(out, r)
		}
	}
	return out
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
