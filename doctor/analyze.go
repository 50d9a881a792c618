package doctor

import (
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/mediacdn/mediacdn/internal/httplist"
)

// liveFamilies are the check families of live mode, in report order, with
// what a pass means.
var liveFamilies = []struct{ family, what string }{
	{"http", "every URL answered with success (no signature, S3 or CloudFront error)"},
	{"cors", "every response to a request with Origin carried a matching Access-Control-Allow-Origin"},
	{"preflight", "every OPTIONS preflight succeeded and allowed the method and headers asked for"},
	{"vary", "responses to requests without Origin are safe to reuse for CORS (Vary: Origin or Access-Control-Allow-Origin), and echoed origins come with Vary: Origin"},
	{"expose", "media responses expose Content-Range, Accept-Ranges and ETag to scripts"},
	{"cache", "cached and uncached answers carried the same CORS headers"},
	{"content-type", "playlists and media were served with their proper Content-Type"},
	{"playlist", "every playlist parsed"},
}

type analyzer struct {
	opts LiveOptions
	out  []Finding
	ran  map[string]bool
}

func (a *analyzer) mark(fams ...string) {
	if a.ran == nil {
		a.ran = map[string]bool{}
	}
	for _, f := range fams {
		a.ran[f] = true
	}
}

func (a *analyzer) add(res *probeState, sev Severity, id, what, cause, fix string) {
	a.out = append(a.out, Finding{Severity: sev, ID: id, URL: res.t.key, Pattern: res.t.pattern, What: what, Cause: cause, Fix: fix})
}

// behaviorNote describes the matched behavior's policies, when a template was
// given, to append to a cause.
func (a *analyzer) behaviorNote(res *probeState) string {
	if a.opts.Template == nil {
		return ""
	}
	_, b := a.opts.Template.match(res.t.u)
	if b == nil {
		return ""
	}
	return fmt.Sprintf(" In the template, behavior %s has cache policy %s, origin request policy %s, response headers policy %s, allowed methods %s.",
		b.Label(), cacheName(b), orpName(b), rhpName(b), strings.Join(b.AllowedMethods, ","))
}

func xcache(h http.Header) string {
	if h == nil {
		return ""
	}
	return h.Get("X-Cache")
}

func isHit(h http.Header) bool {
	x := strings.ToLower(xcache(h))
	return strings.Contains(x, "hit")
}

// analyze runs the checks on one URL's exchanges. A check family is marked
// as run only when it had an answer to look at, so a URL that could not be
// fetched never counts towards a pass.
func (a *analyzer) analyze(res *probeState) {
	g := res.get
	ext := strings.ToLower(path.Ext(res.t.u.Path))
	invalidate := fmt.Sprintf("aws cloudfront create-invalidation --distribution-id ID --paths '%s'", res.t.u.Path)

	if g.refused != "" {
		a.redirectRefused(res, g)
		return
	}
	if g.status != 0 {
		a.mark("http")
	}
	if g.err != nil {
		a.requestError(res, g)
		return
	}
	if g.status/100 != 2 {
		d := classifyDenial(g.status, g.header, g.body, res.t.u, false, a.hasCookie(), a.opts.Now())
		what := d.what
		if g.header.Get("Access-Control-Allow-Origin") == "" {
			what += "; the error carries no Access-Control-Allow-Origin, so a browser reports it as a CORS error, hiding the status"
		}
		a.add(res, SeverityFail, d.id, what, d.cause+a.behaviorNote(res), d.fix)
		a.out[len(a.out)-1].referenced = true
	} else {
		a.checkCORS(res, ext, invalidate)
		a.checkContentType(res, ext)
		a.checkPlaylist(res)
	}
	a.checkNoOrigin(res, ext)
	a.checkPreflight(res)
	a.checkRepeat(res, invalidate)
}

// redirectRefused reports a redirect the walker did not follow; nothing else
// about the URL was checked.
func (a *analyzer) redirectRefused(res *probeState, e *exchange) {
	a.add(res, SeverityWarn, "walk.redirect-refused",
		fmt.Sprintf("%s %s was redirected (HTTP %d) to %s, which was not requested: %s", e.method, e.name, e.status, e.location, e.refused),
		"The doctor follows redirects only to the starting URL's host and port and to --allow-hosts, never to link-local addresses or from https to http, so that a playlist or server cannot make it request other hosts. This URL's checks did not run.",
		"If the redirect target is yours, pass --allow-hosts with its host (the headers given with --header are still sent only to the starting URL's origin).")
}

func (a *analyzer) hasCookie() bool {
	return a.opts.Header != nil && a.opts.Header.Get("Cookie") != ""
}

func (a *analyzer) requestError(res *probeState, e *exchange) {
	if isTimeout(e.err) {
		what := fmt.Sprintf("%s %s got no answer within %s", e.method, e.name, a.opts.Timeout)
		if e.status != 0 {
			what = fmt.Sprintf("%s %s got HTTP %d but not its whole body within %s (a server sending it very slowly?)", e.method, e.name, e.status, a.opts.Timeout)
		}
		a.add(res, SeverityFail, "http.timeout", what,
			"The server (or CloudFront fetching from the origin) is too slow or unreachable.",
			"Retry with a larger --timeout; check the origin's health.")
		return
	}
	if errors.Is(e.err, errBodyTooLarge) {
		a.add(res, SeverityFail, "playlist.too-large",
			fmt.Sprintf("the playlist body is larger than %d bytes (after decompression); it was not parsed", a.opts.MaxPlaylistBytes),
			"A playlist this large is unusual (a mistyped URL pointing at a media file?).",
			"Check the URL.")
		return
	}
	a.add(res, SeverityFail, "http.error",
		fmt.Sprintf("%s request failed: %v", e.method, e.err),
		"The URL could not be fetched (DNS, TLS or connection error).",
		"Check the host name and that it is reachable from here.")
}

func (a *analyzer) checkCORS(res *probeState, ext, invalidate string) {
	a.mark("cors")
	h := res.get.header
	acao := h.Values("Access-Control-Allow-Origin")
	hit := isHit(h)
	if len(acao) == 0 {
		if hit {
			a.add(res, SeverityFail, "cache.hit-without-cors",
				fmt.Sprintf("GET with Origin: %s got %d from the CloudFront cache (x-cache: %s) without Access-Control-Allow-Origin", a.opts.Origin, res.get.status, xcache(h)),
				"A cached response without CORS headers: most likely stored from a request without Origin (an <img>/<video> tag, curl) while Origin is not in the cache key and no response headers policy adds CORS at the edge, so CloudFront now serves that copy to CORS requests (F4)."+a.behaviorNote(res),
				"Attach a response headers policy with a CorsConfig (OriginOverride true) and the origin request policy CORS-S3Origin to this path's behavior, then invalidate: "+invalidate)
		} else {
			a.add(res, SeverityFail, "cors.missing-acao",
				fmt.Sprintf("GET with Origin: %s got %d without Access-Control-Allow-Origin (x-cache: %s)", a.opts.Origin, res.get.status, orDash(xcache(h))),
				"The origin answered without CORS headers and nothing added them at the edge: the behavior for this path has no origin request policy forwarding Origin (CORS-S3Origin) and no response headers policy with CORS, or the bucket CORS rules do not match this origin (F2, F4)."+a.behaviorNote(res),
				"Give this behavior the origin request policy CORS-S3Origin and the response headers policy with CORS that the other media behaviors use; check the bucket CORS rules list this origin.")
		}
		return
	}
	val := strings.Join(acao, ", ")
	switch {
	case len(acao) > 1 || strings.Contains(val, ","):
		a.add(res, SeverityFail, "cors.acao-invalid",
			fmt.Sprintf("Access-Control-Allow-Origin holds several values (%s)", val),
			"Browsers accept exactly one origin or *; two layers (origin and response headers policy, or a function) each added one.",
			"Let one layer set it: a response headers policy with OriginOverride true replaces the origin's value.")
	case val == "*":
		if a.opts.Credentials {
			a.add(res, SeverityFail, "cors.credentials-wildcard",
				"Access-Control-Allow-Origin is * on a request checked with --credentials",
				"Browsers reject * for credentialed requests (cookies with withCredentials / credentials: 'include'). No managed CORS policy can serve credentials.",
				"Use a custom response headers policy listing the origins, with AccessControlAllowCredentials true.")
		}
	case val != a.opts.Origin:
		a.add(res, SeverityFail, "cors.acao-mismatch",
			fmt.Sprintf("Access-Control-Allow-Origin is %s, not %s or *", val, a.opts.Origin),
			"The response allows another origin: either this origin is not in the allowed list, or a response cached for another origin was served because Origin is not in the cache key and the response headers policy does not override the origin's header.",
			"Add the origin to the response headers policy and bucket CORS rules, with OriginOverride true.")
	default:
		a.mark("vary")
		if !httplist.VaryHas(h, "Origin") {
			a.add(res, SeverityWarn, "vary.missing",
				fmt.Sprintf("Access-Control-Allow-Origin echoes %s but Vary lacks Origin (Vary: %s)", val, orDash(strings.Join(h.Values("Vary"), ", "))),
				"A browser or shared cache may reuse this response, with this origin's header, for a request from another origin, which then fails.",
				"Send Vary: Origin with every response whose Access-Control-Allow-Origin depends on the request.")
		}
	}
	if a.opts.Credentials && !strings.EqualFold(h.Get("Access-Control-Allow-Credentials"), "true") {
		a.add(res, SeverityFail, "cors.credentials-missing",
			"Access-Control-Allow-Credentials is not true on a request checked with --credentials",
			"A credentialed request fails without it.",
			"Set AccessControlAllowCredentials true in the response headers policy (and list origins, not *).")
	}
	if segmentExts[ext] {
		a.mark("expose")
		var missing []string
		exp := strings.ToLower(strings.Join(h.Values("Access-Control-Expose-Headers"), ","))
		if !(strings.Contains(exp, "*") && !a.opts.Credentials) {
			for _, want := range []string{"Content-Range", "Accept-Ranges", "ETag"} {
				if !httplist.Has(exp, want) {
					missing = append(missing, want)
				}
			}
		}
		if len(missing) > 0 {
			a.add(res, SeverityWarn, "expose.headers-missing",
				fmt.Sprintf("Access-Control-Expose-Headers does not expose %s (got: %s)", strings.Join(missing, ", "), orDash(exp)),
				"Scripts can read only CORS-safelisted response headers (Content-Length and Content-Type are) unless the others are exposed; a player or download code reading Content-Range or ETag of a ranged request sees null.",
				"Add Content-Range, Accept-Ranges, ETag (and Content-Length for older browsers) to AccessControlExposeHeaders of the response headers policy, and to ExposeHeaders of the bucket CORS rules.")
		}
	}
}

func (a *analyzer) checkNoOrigin(res *probeState, ext string) {
	e := res.noOrigin
	if e == nil || e.err != nil || e.status/100 != 2 {
		return
	}
	a.mark("vary")
	acao := e.header.Get("Access-Control-Allow-Origin")
	if acao == "*" || httplist.VaryHas(e.header, "Origin") {
		return
	}
	sev := SeverityFail
	scope := "An image first shown by <img> (no crossorigin) and then fetched as a blob for a download button fails"
	if playlistExts[ext] || segmentExts[ext] || res.playlist || res.t.kind != "start" {
		sev = SeverityWarn
		scope = "HLS players (hls.js, crossorigin video) request every URL with Origin, so this bites when the same URL is also loaded by a tag without crossorigin, e.g. a <video src> or a download link, before the player"
	}
	what := fmt.Sprintf("GET without Origin (as an <img> or <video> tag sends it) got %d with neither Access-Control-Allow-Origin nor Vary: Origin (Vary: %s)", e.status, orDash(strings.Join(e.header.Values("Vary"), ", ")))
	a.add(res, sev, "vary.no-origin-unsafe", what,
		"The browser caches this response and may later serve it to a CORS request (fetch, XHR, canvas, crossorigin) for the same URL, which then fails with \"No 'Access-Control-Allow-Origin' header\": the \"Chrome only\" bug (Chromium 409090, 260239), which Safari shares. "+scope+" (F1).",
		"Send Vary: Origin on every response, also to requests without Origin (the mediacdn viewer-response CloudFront Function does), or put crossorigin=\"anonymous\" on every tag that loads these URLs.")
}

func (a *analyzer) checkPreflight(res *probeState) {
	e := res.pre
	if e == nil {
		return
	}
	if e.status != 0 {
		a.mark("preflight")
	}
	if e.err != nil {
		if isTimeout(e.err) {
			a.add(res, SeverityFail, "preflight.timeout", fmt.Sprintf("the OPTIONS preflight got no answer within %s", a.opts.Timeout), "", "Retry with a larger --timeout.")
		} else {
			a.add(res, SeverityFail, "preflight.error", fmt.Sprintf("the OPTIONS preflight failed: %v", e.err), "", "")
		}
		return
	}
	asked := fmt.Sprintf("Access-Control-Request-Method: %s", a.opts.PreflightMethod)
	if len(a.opts.PreflightHeaders) > 0 {
		asked += ", Access-Control-Request-Headers: " + strings.Join(a.opts.PreflightHeaders, ",")
	}
	if e.status/100 != 2 {
		d := classifyDenial(e.status, e.header, e.body, res.t.u, true, a.hasCookie(), a.opts.Now())
		if d.id == "http.status" || d.id == "http.cloudfront-error" || d.id == "http.not-found" {
			d.id = "preflight.status"
			d.cause = "Browsers require a 2xx answer to a preflight; anything else fails the request that needed it. " + d.cause
		} else if !strings.HasPrefix(d.id, "preflight.") {
			d.id = "preflight." + strings.ReplaceAll(d.id, ".", "-")
		}
		a.add(res, SeverityFail, d.id, fmt.Sprintf("%s (preflight with Origin and %s)", d.what, asked), d.cause+a.behaviorNote(res), d.fix)
		return
	}
	h := e.header
	acao := h.Get("Access-Control-Allow-Origin")
	if acao == "" || (acao != "*" && acao != a.opts.Origin) || (acao == "*" && a.opts.Credentials) {
		a.add(res, SeverityFail, "preflight.missing-acao",
			fmt.Sprintf(`the preflight got %d with Access-Control-Allow-Origin "%s"`, e.status, acao),
			"A preflight answer must allow the origin, or the browser never sends the request."+a.behaviorNote(res),
			"Forward Origin and Access-Control-Request-* to S3 (CORS-S3Origin) so the bucket CORS rules answer, and attach the response headers policy with CORS.")
		return
	}
	methods := strings.Join(h.Values("Access-Control-Allow-Methods"), ",")
	wildcard := !a.opts.Credentials
	if !httplist.Has(methods, a.opts.PreflightMethod) && !(wildcard && httplist.Has(methods, "*")) {
		sev := SeverityFail
		cause := "The preflight answer does not list the method."
		if m := a.opts.PreflightMethod; m == "GET" || m == "HEAD" || m == "POST" {
			sev = SeverityWarn
			cause = "Browsers accept a CORS-safelisted method (GET, HEAD, POST) even when it is not listed, so this works, but it shows the CORS rules do not name the method the media is read with."
		}
		a.add(res, sev, "preflight.method-not-allowed",
			fmt.Sprintf("Access-Control-Allow-Methods (%s) does not include %s", orDash(methods), a.opts.PreflightMethod), cause,
			"Allow GET and HEAD in the bucket CORS rules and the response headers policy.")
	}
	allowed := strings.Join(h.Values("Access-Control-Allow-Headers"), ",")
	var missing []string
	for _, want := range a.opts.PreflightHeaders {
		if !httplist.Has(allowed, want) && !(wildcard && httplist.Has(allowed, "*")) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		a.add(res, SeverityFail, "preflight.headers-not-allowed",
			fmt.Sprintf("Access-Control-Allow-Headers (%s) does not cover the requested %s", orDash(allowed), strings.Join(missing, ", ")),
			"A request sending these headers (a player's Range on a non-simple request, a custom header) is blocked after the preflight. S3 answers preflights from the bucket CORS rules' AllowedHeaders."+a.behaviorNote(res),
			"Add the headers to AllowedHeaders of the bucket CORS rules and AccessControlAllowHeaders of the response headers policy.")
	}
	if a.opts.Credentials && !strings.EqualFold(h.Get("Access-Control-Allow-Credentials"), "true") {
		a.add(res, SeverityFail, "preflight.credentials-missing",
			"the preflight answer lacks Access-Control-Allow-Credentials: true", "A credentialed request fails its preflight without it.",
			"Set AccessControlAllowCredentials true in the response headers policy.")
	}
}

// checkRepeat compares the first GET with Origin and the repeat, which is
// normally served from the cache.
func (a *analyzer) checkRepeat(res *probeState, invalidate string) {
	g, r, n := res.get, res.repeat, res.noOrigin
	if g.err != nil || r == nil || r.err != nil || g.status/100 != 2 || r.status/100 != 2 {
		return
	}
	a.mark("cache")
	had := g.header.Get("Access-Control-Allow-Origin")
	has := r.header.Get("Access-Control-Allow-Origin")
	switch {
	case had != "" && has == "":
		a.add(res, SeverityFail, "cache.cors-lost",
			fmt.Sprintf("the first GET with Origin had Access-Control-Allow-Origin %s (x-cache: %s) but the repeat has none (x-cache: %s)", had, orDash(xcache(g.header)), orDash(xcache(r.header))),
			"Cached response without CORS headers: the request without Origin sent in between replaced the cache entry, because Origin is not in the cache key and no response headers policy adds CORS at the edge. Which answer a browser gets depends on who asked first (F4)."+a.behaviorNote(res),
			"Attach a response headers policy with a CorsConfig and OriginOverride true to this behavior, then invalidate: "+invalidate)
	case had == "" && has != "":
		a.add(res, SeverityFail, "cache.cors-inconsistent",
			fmt.Sprintf("the first GET with Origin had no Access-Control-Allow-Origin (x-cache: %s) but the repeat has %s (x-cache: %s)", orDash(xcache(g.header)), has, orDash(xcache(r.header))),
			"CORS headers depend on what is cached, so some loads fail and others pass (F4).",
			"Attach a response headers policy with a CorsConfig and OriginOverride true to this behavior, then invalidate: "+invalidate)
	case had != "" && n != nil && n.err == nil && n.status/100 == 2 && !isHit(g.header) && isHit(n.header) && n.header.Get("Access-Control-Allow-Origin") != "":
		sev := SeverityWarn
		cause := "The request without Origin was answered from the copy cached for the request with Origin (x-cache Hit, same CORS headers): Origin is not in the cache key. That is safe only if a response headers policy with OriginOverride true sets CORS at the edge; otherwise the first request after each expiry or invalidation decides whether the cached copy has CORS headers (the CachingOptimized + CORS-S3Origin trap, F4)."
		if a.opts.Template != nil {
			if _, b := a.opts.Template.match(res.t.u); b != nil && b.EdgeCORS() != nil && b.EdgeCORS().OriginOverride {
				sev = SeverityInfo
				cause = "Origin is not in the cache key; the template's response headers policy sets CORS at the edge with OriginOverride true, so every CORS response gets its headers from the edge."
			}
		}
		a.add(res, sev, "cache.origin-not-in-key",
			fmt.Sprintf("the GET without Origin was a cache hit (x-cache: %s) on the entry the GET with Origin filled", xcache(n.header)),
			cause,
			"Make sure the behavior has a response headers policy with CorsConfig OriginOverride true (check with mediacdn doctor --template).")
	}
}

func (a *analyzer) checkContentType(res *probeState, ext string) {
	a.mark("content-type")
	ct := res.get.header.Get("Content-Type")
	if msg := checkContentType(res.t.u.Path, ct); msg != "" {
		a.add(res, SeverityWarn, "content-type.unexpected", msg,
			"Safari's native HLS player and some players check the type; a generic type also disables CloudFront compression of playlists.",
			"Upload the files with mediacdn upload DIR s3://BUCKET/PREFIX: it sets each object's Content-Type from its extension (application/vnd.apple.mpegurl for .m3u8, video/mp2t for .ts; docs/upload.md), and run again it replaces objects stored with a wrong type. Files written by MediaConvert or a packager: set the type in its output settings.")
	}
}

func (a *analyzer) checkPlaylist(res *probeState) {
	if !res.playlist {
		return
	}
	a.mark("playlist")
	if res.scanErr != nil {
		a.add(res, SeverityFail, "playlist.invalid",
			fmt.Sprintf(`the body is not an HLS playlist: %v (starts with "%s")`, res.scanErr, res.head),
			"The URL serves something else (an error page served with status 200, a wrong object).",
			"Check the object at this key.")
		return
	}
	a.out = append(a.out, res.notes...)
	if res.notesCut > 0 {
		a.add(res, SeverityInfo, "playlist.notes-unlisted",
			fmt.Sprintf("%d more parse notes on this playlist are not listed (the report lists %d per playlist and %d in all)", res.notesCut, maxNotesPerPlaylist, maxNotes), "", "")
		a.out[len(a.out)-1].distinct = true
	}
	if res.refs == 0 {
		a.add(res, SeverityWarn, "playlist.empty", "the playlist references no URI", "", "")
	}
}

func orDash(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
