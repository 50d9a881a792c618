// Package browser is the doctor's real-browser check: it runs headless
// Chromium, makes it believe a page is served from the web app's origin (the
// page request is answered over DevTools request interception; nothing is
// sent to that origin), and from that page loads the media from the real
// network as the app would. For an image it runs seed 000's sequence (a
// CORS fetch alone, then <img> followed by the download button's CORS fetch
// of the same URL); for a playlist it plays it with hls.js in a
// <video crossorigin="anonymous">. It reports what Chromium saw: played
// seconds, and each failed request with Chromium's CORS error reason and
// whether the failing response came from the browser cache.
//
//	report, err := browser.Check(ctx, browser.Options{
//		URL:    "https://media.example.com/video/abc/master.m3u8",
//		Origin: "https://app.example.com",
//	})
//	if errors.Is(err, chromium.ErrNotFound) { ... }
//	report.WriteText(os.Stdout) // a doctor.Report: same text, JSON and exit rules
package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/mediacdn/mediacdn/doctor"
	"github.com/mediacdn/mediacdn/internal/chromium"
	"github.com/mediacdn/mediacdn/internal/hlsjs"
	"github.com/mediacdn/mediacdn/internal/safetext"
)

// Options configures Check.
type Options struct {
	// URL is an image (or any non-playlist object), or an HLS playlist
	// (.m3u8): what the check does depends on it.
	URL string
	// Origin is the web app's origin, scheme://host[:port].
	Origin string
	// Chrome is the Chromium executable; empty finds one on PATH.
	Chrome string
	// Credentials sends cookies (fetch credentials "include", hls.js
	// withCredentials), as an app using signed cookies does.
	Credentials bool
	// PropagateQuery carries a playlist URL's query (a signed URL's
	// Policy, Signature and Key-Pair-Id) to every request hls.js makes
	// under the playlist's directory, as a player of signed assets does.
	PropagateQuery bool
	// PlaySeconds is how far the video must play; 0 means 2.
	PlaySeconds float64
	// Timeout bounds the whole check; 0 means 60 s.
	Timeout time.Duration
}

// maxURL bounds a URL from the media (a playlist's URI) in the report.
const maxURL = 2048

// pagePath is where the check page pretends to live on Origin.
const pagePath = "/__mediacdn_doctor__/"

// Check runs the browser check and returns its report. An error means the
// check could not run (bad options, no Chromium, Chromium did not start);
// failures of the media are findings in the report.
func Check(ctx context.Context, o Options) (*doctor.Report, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	path, err := chromium.Find(o.Chrome)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	b, stop, err := chromium.Start(ctx, path)
	if err != nil {
		return nil, err
	}
	defer stop()
	return checkIn(ctx, b, o)
}

// withDefaults validates o and fills in the defaults.
func (o Options) withDefaults() (Options, error) {
	origin, err := doctor.CanonicalOrigin(o.Origin)
	if err != nil {
		return o, fmt.Errorf("--origin: %v", err)
	}
	o.Origin = origin
	if _, err := doctor.ValidateURL(o.URL); err != nil {
		return o, err
	}
	if o.PlaySeconds <= 0 {
		o.PlaySeconds = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	return o, nil
}

// checkIn runs the check of o (validated) in the running browser b, each
// step in a tab of its own browser context; ctx bounds the check.
func checkIn(ctx context.Context, b context.Context, o Options) (*doctor.Report, error) {
	target, err := url.Parse(o.URL)
	if err != nil {
		return nil, err
	}
	version := "Chromium"
	if v, err := chromedp.CallBrowser(b, cdpbrowser.GetVersion, cdp.Empty{}); err == nil {
		version = v.Product
	}
	c := &checker{o: o, ctx: ctx, browser: b, version: version}
	if p := strings.ToLower(target.Path); strings.HasSuffix(p, ".m3u8") || strings.HasSuffix(p, ".m3u") {
		err = c.playback()
	} else {
		err = c.download()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("browser check timed out after %s (--timeout): %v", o.Timeout, err)
		}
		return nil, err
	}
	sort.SliceStable(c.findings, func(i, j int) bool { return rank[c.findings[i].Severity] < rank[c.findings[j].Severity] })
	return &doctor.Report{Mode: "live", Target: o.URL, Origin: o.Origin, Findings: c.findings}, nil
}

var rank = map[doctor.Severity]int{doctor.SeverityFail: 0, doctor.SeverityWarn: 1, doctor.SeverityInfo: 2, doctor.SeverityPass: 3}

type checker struct {
	o Options
	// ctx bounds the check; browser is Chromium's context, tabs come from it.
	ctx      context.Context
	browser  context.Context
	version  string
	findings []doctor.Finding
	// notedGrant is set once the local network grant is reported.
	notedGrant bool
}

func (c *checker) add(f doctor.Finding) { c.findings = append(c.findings, f) }

// openPage opens a tab with its own cache, serves the check page on Origin
// by interception, and records the tab's network requests.
func (c *checker) openPage() (context.Context, context.CancelFunc, *chromium.NetLog, error) {
	tab, cancelTab := chromium.NewTab(c.browser)
	// The tab ends with the check, also in a browser that outlives it.
	stopWatching := context.AfterFunc(c.ctx, cancelTab)
	cancel := func() { stopWatching(); cancelTab() }
	netlog, err := chromium.Record(tab)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	grantedPublic, err := c.allowLoopback(tab)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	if grantedPublic && !c.notedGrant {
		c.notedGrant = true
		c.add(doctor.Finding{Severity: doctor.SeverityInfo, ID: "browser.local-network", URL: c.o.URL,
			What: "the media is on a loopback address: the check granted " + c.o.Origin + " Chromium's local network access permission, as a user accepting its prompt would; the deployed CDN needs no such permission"})
	}
	page := c.o.Origin + pagePath
	answers := map[string]answer{
		page:                        {"text/html; charset=utf-8", []byte(checkPage)},
		page + "hls.min.js":         {"text/javascript; charset=utf-8", hlsjs.Script},
		c.o.Origin + "/favicon.ico": {"", nil},
	}
	if err := intercept(tab, answers); err != nil {
		cancel()
		return nil, nil, nil, err
	}
	if err := chromedp.Do(tab, chromedp.Navigate(page)); err != nil {
		cancel()
		return nil, nil, nil, fmt.Errorf("opening the check page as %s: %v", page, err)
	}
	return tab, cancel, netlog, nil
}

// allowLoopback grants the page Chromium's local network permission when
// the origin or the media is on loopback. A page really served from a
// loopback origin has it implicitly, but Chromium does not count the
// intercepted page as loopback; and a user checking a local edge (mediacdn
// serve) with the app's public origin is testing CORS, not that prompt. It
// returns whether it granted the permission to a non-loopback origin, which
// the report says.
func (c *checker) allowLoopback(tab context.Context) (grantedPublic bool, err error) {
	origin, err := url.Parse(c.o.Origin)
	if err != nil {
		return false, err
	}
	media, err := url.Parse(c.o.URL)
	if err != nil {
		return false, err
	}
	if !isLoopback(origin.Hostname()) && !isLoopback(media.Hostname()) {
		return false, nil
	}
	if err := chromedp.Do(tab); err != nil { // creates the tab and its browser context
		return false, err
	}
	id := chromedp.FromContext(tab).BrowserContextID
	granted := false
	// Chromium has named the permission differently across versions.
	for _, name := range []string{"local-network-access", "loopback-network", "local-network"} {
		_, err := chromedp.CallBrowser(tab, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted,
			Origin: c.o.Origin, BrowserContextID: id,
		})
		granted = granted || err == nil
	}
	if !granted {
		return false, errors.New("could not grant the page Chromium's local network permission")
	}
	return !isLoopback(origin.Hostname()), nil
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// answer is a response the check fakes for a URL on Origin; no body means 404.
type answer struct {
	contentType string
	body        []byte
}

// intercept pauses only the requests for the answers' URLs and fulfills
// them; every other request goes to the network untouched.
func intercept(tab context.Context, answers map[string]answer) error {
	var patterns []*fetch.RequestPattern
	for u := range answers {
		patterns = append(patterns, &fetch.RequestPattern{URLPattern: escapePattern(u)})
	}
	var wg sync.WaitGroup
	err := chromedp.Listen(tab, func(ev any) {
		e, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		// Commands cannot run on the listener's goroutine.
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := e.Request.URL
			if i := strings.IndexAny(u, "?#"); i >= 0 {
				u = u[:i]
			}
			a, ok := answers[u]
			if !ok {
				chromedp.Call(tab, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
				return
			}
			p := fetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: 404}
			if a.body != nil {
				p.ResponseCode, p.Body = 200, a.body
				p.ResponseHeaders = []*fetch.HeaderEntry{{Name: "Content-Type", Value: a.contentType}, {Name: "Cache-Control", Value: "no-store"}}
			}
			chromedp.Call(tab, fetch.FulfillRequest, p)
		}()
	})
	if err != nil {
		return err
	}
	_, err = chromedp.Call(tab, fetch.Enable, fetch.EnableParams{Patterns: patterns})
	return err
}

// escapePattern makes u a literal DevTools URL pattern (which treats * and
// ? as wildcards and \ as escape), with any query allowed after it.
func escapePattern(u string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`)
	return r.Replace(u) + "*"
}

func (c *checker) credentials() string {
	if c.o.Credentials {
		return "include"
	}
	return "same-origin"
}

// download runs seed 000's sequence on an image URL.
func (c *checker) download() error {
	u := c.o.URL
	// 1. The download button's fetch alone, in a fresh cache: does the
	// edge answer CORS requests at all?
	fresh, err := c.runFetch(u, false)
	if err != nil {
		return err
	}
	// 2. The gallery: <img> first (no Origin), then the download's fetch,
	// which a browser may serve from what the <img> cached.
	after, err := c.runFetch(u, true)
	if err != nil {
		return err
	}
	c.reportFetch("browser.fetch", "a CORS fetch() of the URL, as a download button does, in a fresh browser profile", fresh)
	if after.Img != nil && !*after.Img {
		c.add(doctor.Finding{Severity: doctor.SeverityFail, ID: "browser.img", URL: u,
			What: "<img> did not load the URL", Cause: c.failureCause(after.requests, "Image"),
			Fix: "check that the URL exists and is readable through the distribution (signed URLs need their query or cookies)"})
	} else {
		c.add(doctor.Finding{Severity: doctor.SeverityPass, ID: "browser.img", URL: u, What: "<img> (no Origin, as a gallery shows it) loaded the URL"})
	}
	c.reportFetch("browser.fetch-after-img", "the download button's fetch() after an <img> of the same URL (seed 000, F1)", after)
	return nil
}

// fetchOutcome is what one run of the fetch sequence saw.
type fetchOutcome struct {
	Img   *bool  `json:"img"`
	OK    bool   `json:"ok"`
	Size  int64  `json:"size"`
	Error string `json:"error"`

	requests []chromium.Request
}

func (c *checker) runFetch(u string, imgFirst bool) (fetchOutcome, error) {
	tab, cancel, netlog, err := c.openPage()
	if err != nil {
		return fetchOutcome{}, err
	}
	defer cancel()
	arg, _ := json.Marshal(map[string]any{"url": u, "img": imgFirst, "credentials": c.credentials()})
	out, err := chromedp.Run(tab, chromedp.Evaluate[fetchOutcome]("mediacdnFetch("+string(arg)+")", chromedp.EvalAwaitPromise))
	if err != nil {
		return fetchOutcome{}, fmt.Errorf("running the fetch in Chromium: %v", err)
	}
	settle()
	out.requests = netlog.Requests()
	return out, nil
}

func (c *checker) reportFetch(id, what string, out fetchOutcome) {
	u := c.o.URL
	if out.OK {
		c.add(doctor.Finding{Severity: doctor.SeverityPass, ID: id, URL: u, What: fmt.Sprintf("%s: got the blob (%d bytes)", what, out.Size)})
		return
	}
	f := doctor.Finding{Severity: doctor.SeverityFail, ID: id, URL: u,
		What: fmt.Sprintf("%s failed in %s: %s", what, c.version, out.Error), Cause: c.failureCause(out.requests, "Fetch")}
	fromCache, edgeHit := false, false
	for _, r := range out.requests {
		if r.Type == "Fetch" && r.Failed {
			fromCache = fromCache || r.FromCache != ""
			edgeHit = edgeHit || strings.HasPrefix(r.XCache, "Hit")
		}
	}
	for _, r := range out.requests {
		if r.Type == "Fetch" && r.Failed {
			if cause := causeOf(r); cause != "" && f.Cause != "" {
				f.Cause += "; " + cause
			}
			break
		}
	}
	switch {
	case edgeHit && !fromCache:
		f.Fix = "make the edge add the CORS headers to every response, cached or not: one response headers policy with CORS (mediacdn also adds a viewer-response function) on every behavior; then invalidate the distribution's cache"
	case fromCache:
		f.Fix = "make every response safe to reuse for a CORS request: Vary: Origin on responses to requests without Origin too (and Access-Control-Allow-Origin: * when all origins are allowed); mediacdn's viewer-response function does this. Then invalidate the distribution's cache."
	default:
		f.Fix = "the edge must answer CORS requests from this origin with Access-Control-Allow-Origin: forward Origin to S3 (CORS-S3Origin), list the origin in the bucket's CORS rules and the response headers policy (mediacdn derives both from allowedOrigins), then invalidate"
	}
	c.add(f)
}

// failureCause describes the failed requests of one resource type as
// Chromium reported them over DevTools.
func (c *checker) failureCause(requests []chromium.Request, typ string) string {
	var parts []string
	for _, r := range requests {
		if !r.Failed || r.Canceled || (typ != "" && r.Type != typ) {
			continue
		}
		parts = append(parts, describe(r))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Chromium reported: " + strings.Join(parts, "; ")
}

// describe says why Chromium failed one request.
func describe(r chromium.Request) string {
	s := r.ErrorText
	if r.CORSError != "" {
		s = "CORS error " + r.CORSError
		if r.CORSParameter != "" {
			s += " (" + safetext.Clip(r.CORSParameter, 200) + ")"
		}
	}
	if r.BlockedReason != "" {
		s += ", blocked: " + r.BlockedReason
	}
	if r.Status != 0 && r.FromCache != "revalidated" {
		s += fmt.Sprintf(", HTTP %d", r.Status)
	}
	if r.XCache != "" {
		s += ", X-Cache: " + safetext.Clip(r.XCache, 100)
	}
	switch r.FromCache {
	case "":
	case "revalidated":
		s += ", the response was the browser's cached copy, revalidated (304)"
	default:
		s += ", the response came from the browser's " + r.FromCache + " cache, not the network"
	}
	return s
}

// playResult is what the playback script reports.
type playResult struct {
	Supported   bool    `json:"supported"`
	CurrentTime float64 `json:"currentTime"`
	Errors      []struct {
		Type    string `json:"type"`
		Details string `json:"details"`
		Fatal   bool   `json:"fatal"`
		URL     string `json:"url"`
		Status  int    `json:"status"`
	} `json:"errors"`
}

// playWait is how long the page lets hls.js try to play: what is left of
// the check's Timeout, less a margin to collect the result (at least 5 s).
// A fixed wait made a slow or loaded machine report a short playback as a
// failure while the check still had time.
func playWait(ctx context.Context) time.Duration {
	wait := 20 * time.Second
	if deadline, ok := ctx.Deadline(); ok {
		wait = time.Until(deadline) - 5*time.Second
	}
	return max(wait, 5*time.Second)
}

// playback plays the playlist with hls.js.
func (c *checker) playback() error {
	tab, cancel, netlog, err := c.openPage()
	if err != nil {
		return err
	}
	defer cancel()
	play := map[string]any{"url": c.o.URL, "seconds": c.o.PlaySeconds, "credentials": c.o.Credentials, "waitMs": playWait(c.ctx).Milliseconds()}
	if u, err := url.Parse(c.o.URL); err == nil && c.o.PropagateQuery && u.RawQuery != "" {
		// The signature covers the asset's directory (a wildcard policy).
		play["query"] = u.RawQuery
		u.RawQuery, u.Fragment = "", ""
		play["prefix"] = u.String()[:strings.LastIndex(u.String(), "/")+1]
	}
	arg, _ := json.Marshal(play)
	res, err := chromedp.Run(tab, chromedp.Evaluate[playResult]("mediacdnPlay("+string(arg)+")", chromedp.EvalAwaitPromise))
	if err != nil {
		return fmt.Errorf("running hls.js in Chromium: %v", err)
	}
	if !res.Supported {
		return errors.New("hls.js reports Media Source Extensions unsupported in this Chromium: cannot check playback")
	}
	settle()
	requests := netlog.Requests()
	for _, r := range requests {
		if !r.Failed || r.Canceled {
			continue
		}
		fix := "give this path the same origin request policy (CORS-S3Origin), response headers policy and viewer-response function as the playlists, allow GET, HEAD and OPTIONS, then invalidate"
		if r.Status == 403 {
			fix = "authorise every request of the asset: a signed playlist URL's query must reach the variant playlists and segments (--propagate-query here, the player's xhrSetup in the app), or use signed cookies; the policy's resource must cover the asset's directory (a wildcard)"
		} else if u, err := url.Parse(r.URL); err == nil && strings.HasSuffix(strings.ToLower(u.Path), ".m3u8") {
			// A playlist failing is not a split configuration (F4) but CORS
			// missing on the playlists' path itself.
			fix = "every media path needs the origin request policy CORS-S3Origin and one response headers policy with CORS for this origin (mediacdn derives both from allowedOrigins), GET, HEAD and OPTIONS allowed; then invalidate"
		}
		c.add(doctor.Finding{Severity: doctor.SeverityFail, ID: "browser.request-failed", URL: safetext.Clip(r.URL, maxURL),
			What:  fmt.Sprintf("Chromium failed the %s request hls.js made: %s", r.Type, describe(r)),
			Cause: causeOf(r),
			Fix:   fix})
	}
	var errs []string
	for _, e := range res.Errors {
		s := e.Type + " " + e.Details
		if e.Status != 0 {
			s += fmt.Sprintf(" (HTTP %d)", e.Status)
		}
		if e.URL != "" {
			s += " " + safetext.Clip(e.URL, maxURL)
		}
		if e.Fatal {
			s += " [fatal]"
		}
		errs = append(errs, s)
	}
	if res.CurrentTime > c.o.PlaySeconds {
		f := doctor.Finding{Severity: doctor.SeverityPass, ID: "browser.playback", URL: c.o.URL,
			What: fmt.Sprintf("hls.js %s played %.1f s in %s, <video crossorigin=\"anonymous\">", hlsjs.Version, res.CurrentTime, c.version)}
		if len(errs) > 0 {
			f.Cause = "recovered hls.js errors: " + strings.Join(errs, "; ")
		}
		c.add(f)
		return nil
	}
	c.add(doctor.Finding{Severity: doctor.SeverityFail, ID: "browser.playback", URL: c.o.URL,
		What:  fmt.Sprintf("hls.js %s played only %.1f s of %.1f s in %s", hlsjs.Version, res.CurrentTime, c.o.PlaySeconds, c.version),
		Cause: strings.Join(errs, "; "),
		Fix:   "see the failed requests above; a playlist that loads while its segments fail CORS is seed 002's split configuration (F4)"})
	return nil
}

// settle gives DevTools events that trail the page's own view (loadingFailed
// after the script saw the error) time to arrive.
func settle() { time.Sleep(300 * time.Millisecond) }

func causeOf(r chromium.Request) string {
	switch {
	case strings.Contains(r.CORSError, "LocalNetwork") || strings.Contains(r.CORSError, "PrivateNetwork"):
		return "Chromium's Local Network Access rules: a page on a public origin may not read a loopback or private address; check a local server with a local --origin, such as http://localhost:3000"
	case r.CORSError != "" && r.FromCache != "":
		return "the browser reused a cached response that has no CORS headers (it was cached for a request without Origin and has no Vary: Origin)"
	case r.Status == 403:
		// Checked before the CORS reasons: an error answer often has no CORS
		// headers, so the page sees a CORS failure whose cause is the refusal.
		return "access denied (403): a signed URL or cookie is missing, expired or does not cover this path, or the bucket does not allow the distribution; the refusal has no CORS headers, so the page sees only a CORS failure"
	case r.CORSError == "MissingAllowOriginHeader" && strings.HasPrefix(r.XCache, "Hit"):
		return "the edge served a cached answer without CORS headers: it was cached for a request without Origin, and Origin is not in the cache key, with no response headers policy to add the headers (F4)"
	case r.CORSError == "MissingAllowOriginHeader":
		return "the response has no Access-Control-Allow-Origin: Origin was not forwarded to S3, no response headers policy adds it on this path, or the edge cached an answer to a request without Origin (Origin not in the cache key)"
	case r.CORSError != "":
		return "the CORS headers do not allow this origin or request"
	}
	return ""
}
