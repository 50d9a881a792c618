// Package chromium starts headless Chromium for the browser checks (the
// doctor's --browser mode and the browser tests) and records what its network
// stack reports over DevTools: each request's status, whether it came from the
// browser cache, and the CORS error Chromium gave when it blocked one.
//
//	path, err := chromium.Find("") // or an explicit path
//	browser, stop, err := chromium.Start(ctx, path)
//	defer stop()
//	tab, closeTab := chromium.NewTab(browser) // own cache and cookies
//	defer closeTab()
//	netlog, err := chromium.Record(tab)
//	... chromedp.Do(tab, chromedp.Navigate(url)) ...
//	for _, r := range netlog.Requests() { ... r.CORSError ... }
//
// The flags keep every web security check on: only --no-sandbox is added,
// when running as root, where Chromium's sandbox cannot start.
package chromium

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ErrNotFound is returned by Find when no Chromium is installed.
var ErrNotFound = errors.New("no Chromium found on PATH (looked for " + strings.Join(candidates, ", ") + "): install it (Debian: apt-get install chromium)")

// ErrNotExecutable is returned by Find for an explicit path that is not an
// executable file.
var ErrNotExecutable = errors.New("not an executable file")

// candidates are the executable names Find looks for, in order.
var candidates = []string{"chromium", "chromium-headless-shell", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"}

// Find returns explicit when it names an executable file, otherwise the first
// Chromium on PATH.
func Find(explicit string) (string, error) {
	if explicit != "" {
		p, err := exec.LookPath(explicit)
		if err != nil {
			return "", fmt.Errorf("Chromium %q: %w (%v)", explicit, ErrNotExecutable, err)
		}
		return p, nil
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Start runs headless Chromium at path with a fresh, temporary profile. The
// returned context is the browser's; stop ends the browser and removes the
// profile.
func Start(ctx context.Context, path string) (browser context.Context, stop func(), err error) {
	profile, err := os.MkdirTemp("", "mediacdn-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	stop = func() {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(profile)
	}
	// The first Run starts the process; its errors say why Chromium did not start.
	if err := chromedp.Do(browserCtx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("starting Chromium %s: %v", path, err)
	}
	return browserCtx, stop, nil
}

// Shared is one browser started on first use and shared by its callers,
// such as the tests of a package (starting Chromium costs seconds). The
// zero value is ready; the executable is Find(os.Getenv("MEDIACDN_CHROME")).
type Shared struct {
	once sync.Once
	ctx  context.Context
	stop func()
	err  error
}

// Start starts the browser on the first call and returns it; later calls
// wait for that start and return the same browser or error.
func (s *Shared) Start() (context.Context, error) {
	s.once.Do(func() {
		path, err := Find(os.Getenv("MEDIACDN_CHROME"))
		if err != nil {
			s.err = err
			return
		}
		s.ctx, s.stop, s.err = Start(context.Background(), path)
	})
	return s.ctx, s.err
}

// Stop ends the browser if it was started (waiting for a start under way);
// Start after Stop returns an error.
func (s *Shared) Stop() {
	s.once.Do(func() { s.err = errors.New("the shared browser was stopped") })
	if s.stop != nil {
		s.stop()
	}
}

// NewTab opens a tab in a new browser context of the browser: its HTTP
// cache, cookies and storage are its own, so tabs do not see each other's
// cached responses.
func NewTab(browser context.Context) (context.Context, context.CancelFunc) {
	return chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
}

// Request is one network request as Chromium reported it.
type Request struct {
	URL    string `json:"url"`
	Method string `json:"method"`
	// Type is Chromium's resource type: Document, Image, XHR, Fetch, Media...
	Type string `json:"type"`
	// Status is the HTTP status, 0 when no response was received.
	Status int `json:"status,omitempty"`
	// FromCache is "disk" (the HTTP cache), "memory" (the renderer's
	// memory cache), "revalidated" (the HTTP cache's copy, after the server
	// answered 304 Not Modified) or "" (the network).
	FromCache string `json:"from_cache,omitempty"`
	// Failed is set when Chromium did not deliver the response to the page;
	// ErrorText is its net error (net::ERR_FAILED for CORS).
	Failed    bool   `json:"failed,omitempty"`
	ErrorText string `json:"error_text,omitempty"`
	Canceled  bool   `json:"canceled,omitempty"`
	// CORSError is Chromium's CORS error reason, e.g.
	// MissingAllowOriginHeader, with the failed parameter.
	CORSError     string `json:"cors_error,omitempty"`
	CORSParameter string `json:"cors_parameter,omitempty"`
	BlockedReason string `json:"blocked_reason,omitempty"`
	// ACAO is the Access-Control-Allow-Origin response header, if any.
	ACAO string `json:"access_control_allow_origin,omitempty"`
	// XCache is the X-Cache response header (CloudFront and the local edge
	// say Hit or Miss there), read from the network even when CORS blocked
	// the response.
	XCache string `json:"x_cache,omitempty"`
	// Cookies are the names of the cookies Chromium sent with the request.
	Cookies []string `json:"cookies,omitempty"`

	// fromNetwork is set when a response came over the network
	// (Network.responseReceivedExtraInfo): a cache hit has none.
	fromNetwork bool
}

// NetLog collects the requests of one tab, in the order they started.
type NetLog struct {
	mu    sync.Mutex
	order []network.RequestID
	byID  map[network.RequestID]*Request
}

// Record starts recording the requests of tab (a chromedp context).
func Record(tab context.Context) (*NetLog, error) {
	l := &NetLog{byID: map[network.RequestID]*Request{}}
	err := chromedp.Listen(tab, l.event)
	return l, err
}

func (l *NetLog) get(id network.RequestID) *Request {
	r := l.byID[id]
	if r == nil {
		r = &Request{}
		l.byID[id] = r
		l.order = append(l.order, id)
	}
	return r
}

// event runs on chromedp's reader goroutine: it only copies fields.
func (l *NetLog) event(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		r := l.get(e.RequestID)
		r.URL, r.Method, r.Type = e.Request.URL, e.Request.Method, string(e.Type)
	case *network.EventResponseReceived:
		r := l.get(e.RequestID)
		r.Status = int(e.Response.Status)
		if e.Response.FromDiskCache {
			r.FromCache = "disk"
		}
		if r.URL == "" {
			r.URL = e.Response.URL
		}
		if acao := headerValue(e.Response.Headers, "access-control-allow-origin"); acao != "" {
			r.ACAO = acao
		}
	case *network.EventRequestWillBeSentExtraInfo:
		r := l.get(e.RequestID)
		for _, c := range e.AssociatedCookies {
			if len(c.BlockedReasons) == 0 && c.Cookie != nil {
				r.Cookies = append(r.Cookies, c.Cookie.Name)
			}
		}
	case *network.EventResponseReceivedExtraInfo:
		r := l.get(e.RequestID)
		r.fromNetwork = true
		if r.Status == 0 {
			r.Status = int(e.StatusCode)
		}
		r.ACAO = headerValue(e.Headers, "access-control-allow-origin")
		r.XCache = headerValue(e.Headers, "x-cache")
	case *network.EventRequestServedFromCache:
		r := l.get(e.RequestID)
		if r.FromCache == "" {
			r.FromCache = "memory"
		}
	case *network.EventLoadingFailed:
		r := l.get(e.RequestID)
		r.Failed, r.ErrorText, r.Canceled = true, e.ErrorText, e.Canceled
		r.BlockedReason = string(e.BlockedReason)
		if e.CorsErrorStatus != nil {
			r.CORSError = string(e.CorsErrorStatus.CorsError)
			r.CORSParameter = e.CorsErrorStatus.FailedParameter
		}
	}
}

// judgesResponse reports whether a CORS error is about the response's
// Access-Control-Allow-* headers, so that a response must have existed;
// errors such as InsecureLocalNetwork refuse the request before it is sent.
func judgesResponse(corsError string) bool {
	for _, s := range []string{"AllowOrigin", "WildcardOrigin", "AllowCredentials"} {
		if strings.Contains(corsError, s) {
			return true
		}
	}
	return false
}

func headerValue(h network.Headers, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return fmt.Sprint(v)
		}
	}
	return ""
}

// Requests returns a copy of the requests seen so far.
func (l *NetLog) Requests() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, 0, len(l.order))
	for _, id := range l.order {
		r := l.byID[id]
		if r == nil || !(strings.HasPrefix(r.URL, "http:") || strings.HasPrefix(r.URL, "https:")) {
			continue
		}
		c := *r
		// A response blocked by CORS gets no responseReceived (so no
		// fromDiskCache); when none came over the network either, the
		// blocked response was the HTTP cache's. (Extra-info events may
		// come after loadingFailed, so this is decided here, not there.)
		if judgesResponse(c.CORSError) && c.FromCache == "" {
			switch {
			case !c.fromNetwork:
				c.FromCache = "disk"
			case c.Status == 304:
				c.FromCache = "revalidated"
			}
		}
		out = append(out, c)
	}
	return out
}

// Failures returns the requests Chromium did not deliver, except those the
// page canceled itself (a player aborting a load it no longer needs).
func (l *NetLog) Failures() []Request {
	var out []Request
	for _, r := range l.Requests() {
		if r.Failed && !r.Canceled {
			out = append(out, r)
		}
	}
	return out
}

// String renders a request on one line, for test logs and reports.
func (r Request) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Method, r.URL)
	if r.Status != 0 {
		fmt.Fprintf(&b, " -> %d", r.Status)
	}
	if r.FromCache != "" {
		fmt.Fprintf(&b, " (from the %s cache)", r.FromCache)
	}
	if r.XCache != "" {
		fmt.Fprintf(&b, " [X-Cache: %s]", r.XCache)
	}
	if r.Failed {
		fmt.Fprintf(&b, " FAILED %s", r.ErrorText)
	}
	if r.CORSError != "" {
		fmt.Fprintf(&b, " CORS %s", r.CORSError)
		if r.CORSParameter != "" {
			fmt.Fprintf(&b, " (%s)", r.CORSParameter)
		}
	}
	return b.String()
}
