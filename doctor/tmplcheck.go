package doctor

import (
	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/internal/glob"

	"fmt"
	"path"
	"sort"
	"strings"
)

// Check audits every distribution of the template and returns the report.
func (t *Template) Check() *Report {
	r := &Report{Mode: "template", Target: t.Source}
	var all []Finding
	ran := map[string]bool{}
	for _, d := range t.dists {
		c := &tchecker{d: d, ran: ran}
		c.run()
		all = append(all, c.out...)
		for _, b := range d.Behaviors {
			if len(r.Behaviors) == MaxBehaviorSummaries {
				r.BehaviorsNotListed++
				continue
			}
			r.Behaviors = append(r.Behaviors, summarize(d, b))
		}
	}
	all = append(all, passFindings(all, ran, templateFamilies, nil)...)
	r.Findings = merge(all)
	return r
}

// templateFamilies are the check families of template mode, in report order,
// with what a pass means.
var templateFamilies = []struct{ family, what string }{
	{"behavior", "every media behavior allows GET, HEAD and OPTIONS, and all of them share one origin request policy and one response headers policy"},
	{"cors", "every media behavior gets CORS headers (Origin forwarded to the origin, or a response headers policy with CORS)"},
	{"cache", "no behavior caches a response whose CORS headers depend on an Origin that is not in the cache key"},
	{"preflight", "preflights reach the origin with Origin and Access-Control-Request-* forwarded"},
	{"signed", "signing is consistent: no unsigned behavior shadows a signed one, and signed cache keys hold no query strings or cookies"},
	{"origin", "S3 origins are reached through Origin Access Control"},
	{"bucket", "origin buckets are not public, and their CORS rules cover the response headers policy"},
	{"vary", "a viewer-response function adds Vary: Origin, so a response to a request without Origin is safe to reuse for CORS"},
}

func summarize(d *distribution, b *behavior) BehaviorSummary {
	s := BehaviorSummary{Distribution: d.Label, Pattern: b.Label(), TargetOrigin: b.TargetOrigin,
		AllowedMethods: b.AllowedMethods, Signed: b.Signed(), ViewerProtocolPolicy: b.ViewerProtocol,
		CachePolicy: "none", OriginRequestPolicy: "none", ResponseHeadersPolicy: "none"}
	if b.CachePolicy != nil {
		s.CachePolicy = b.CachePolicy.Name
	} else if b.Legacy != nil {
		s.CachePolicy = "legacy ForwardedValues"
	}
	if b.OriginRequestPolicy != nil {
		s.OriginRequestPolicy = b.OriginRequestPolicy.Name
	}
	if b.ResponseHeadersPolicy != nil {
		s.ResponseHeadersPolicy = b.ResponseHeadersPolicy.Name
	}
	return s
}

type tchecker struct {
	d   *distribution
	ran map[string]bool
	out []Finding
}

func (c *tchecker) add(sev Severity, id string, b *behavior, what, cause, fix string) {
	f := Finding{Severity: sev, ID: id, Resource: c.d.Label, What: what, Cause: cause, Fix: fix}
	if b != nil {
		f.Pattern = b.Label()
	}
	c.out = append(c.out, f)
}

func (c *tchecker) mark(family string) { c.ran[family] = true }

// isMedia reports whether a behavior serves media: its path pattern ends in a
// media extension, or it targets an S3 origin (the default included).
func (c *tchecker) isMedia(b *behavior) bool {
	if !b.IsDefault && mediaExts[strings.ToLower(path.Ext(b.PathPattern))] {
		return true
	}
	if o := c.d.Origins[b.TargetOrigin]; o != nil && (o.S3 || o.Website) {
		return true
	}
	return false
}

func policyName(managed bool, name string) string {
	if name == "" {
		return "none"
	}
	if managed {
		return name + " (managed)"
	}
	return name
}

func orpName(b *behavior) string {
	if b.OriginRequestPolicy == nil {
		return "none"
	}
	return policyName(b.OriginRequestPolicy.Managed, b.OriginRequestPolicy.Name)
}

func rhpName(b *behavior) string {
	if b.ResponseHeadersPolicy == nil {
		return "none"
	}
	return policyName(b.ResponseHeadersPolicy.Managed, b.ResponseHeadersPolicy.Name)
}

func cacheName(b *behavior) string {
	if b.CachePolicy == nil {
		if b.Legacy != nil {
			return "legacy ForwardedValues"
		}
		return "none"
	}
	return policyName(b.CachePolicy.Managed, b.CachePolicy.Name)
}

func (c *tchecker) run() {
	seen := map[string]bool{}
	for _, n := range unresolvedNotes(c.d) {
		if !seen[n.What] {
			seen[n.What] = true
			c.out = append(c.out, n)
		}
	}
	if c.checkEmpty() {
		return // nothing else would be deployed: no pass may be reported
	}
	c.checkStructure()
	var media []*behavior
	for _, b := range c.d.Behaviors {
		if c.isMedia(b) {
			media = append(media, b)
		}
	}
	c.checkMethods(media)
	c.checkMismatch(media)
	for _, b := range media {
		c.checkCORS(b)
	}
	c.checkSigning()
	c.checkOrigins()
	c.checkVary(media)
}

// maxBehaviors is CloudFront's default quota of cache behaviors per
// distribution (DG cloudfront-limits.html; the default behavior not counted).
const maxBehaviors = 75

// checkStructure fails what CloudFront would reject before serving anything:
// a behavior whose target origin is not an origin of the distribution; and
// warns past the default behavior quota, which an account can have raised.
func (c *tchecker) checkStructure() {
	origins := map[string]bool{}
	for _, o := range c.d.Origins {
		origins[o.ID] = true
	}
	var unknown []string
	n := 0
	for _, b := range c.d.Behaviors {
		if !b.IsDefault {
			n++
		}
		if !origins[b.TargetOrigin] {
			unknown = append(unknown, b.Label())
		}
	}
	if len(unknown) > 0 {
		c.out = append(c.out, Finding{Severity: SeverityFail, ID: "behavior.unknown-origin", Resource: c.d.Label, Pattern: listSome(unknown, 5),
			What:  fmt.Sprintf("%d behaviors target an origin the distribution does not have", len(unknown)),
			Cause: "CloudFront rejects a behavior whose TargetOriginId names no origin of the distribution, so this configuration cannot be deployed.",
			Fix:   "Set each behavior's TargetOriginId to the Id of one of the distribution's origins."})
	}
	if n > maxBehaviors {
		c.add(SeverityWarn, "behavior.quota", nil,
			fmt.Sprintf("the distribution has %d cache behaviors besides the default one; CloudFront's default quota is %d", n, maxBehaviors),
			"Above the quota, creating or updating the distribution fails unless the account's quota was raised.",
			"Merge behaviors (one pattern per file type family), or request a higher quota in Service Quotas before deploying.")
	}
}

// listSome joins the first max items and says how many more there are.
func listSome(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}

// checkEmpty fails a distribution that cannot serve anything: no
// configuration, no origin or no default behavior, and reports whether it
// did.
func (c *tchecker) checkEmpty() bool {
	n := len(c.out)
	switch {
	case c.d.Empty:
		c.add(SeverityFail, "origin.empty-config", nil,
			"the distribution has no DistributionConfig",
			"CloudFormation rejects a distribution without a configuration, so nothing of what this audit checks would be deployed.",
			"Synthesize the template again (cdk synth) and audit the result.")
	case len(c.d.Origins) == 0:
		c.add(SeverityFail, "origin.none", nil,
			"the distribution has no origins",
			"Every behavior needs a target origin: CloudFront rejects a distribution without one, and nothing could be served.",
			"Add the S3 bucket origin (with Origin Access Control) that the behaviors target.")
	}
	if !c.d.Empty && c.d.DefaultBehavior() == nil {
		c.add(SeverityFail, "behavior.no-default", nil,
			"the distribution has no DefaultCacheBehavior",
			"CloudFront requires a default behavior; without it the configuration is rejected.",
			"Add a DefaultCacheBehavior targeting the bucket origin.")
	}
	return len(c.out) > n
}

func (c *tchecker) checkMethods(media []*behavior) {
	c.mark("behavior")
	for _, b := range media {
		if !b.Allows("OPTIONS") {
			c.add(SeverityFail, "behavior.options-not-allowed", b,
				fmt.Sprintf("AllowedMethods is %s: OPTIONS is not allowed on this media behavior", strings.Join(b.AllowedMethods, ",")),
				"CloudFront answers a CORS preflight (OPTIONS) on this path with 403 \"not configured to allow the HTTP request method\", so a player or fetch() that needs a preflight fails here while other paths work (F4).",
				"Set AllowedMethods to GET, HEAD, OPTIONS and CachedMethods to GET, HEAD, OPTIONS on this behavior.")
		}
		for _, m := range b.AllowedMethods {
			if m == "PUT" || m == "POST" || m == "PATCH" || m == "DELETE" {
				c.add(SeverityWarn, "behavior.write-methods", b,
					fmt.Sprintf("AllowedMethods %s includes write methods on a media behavior", strings.Join(b.AllowedMethods, ",")),
					"Media is read-only through the CDN; allowing PUT/POST/PATCH/DELETE forwards them to the origin.",
					"Use GET, HEAD, OPTIONS.")
				break
			}
		}
		if b.ViewerProtocol == "allow-all" {
			c.add(SeverityWarn, "behavior.allow-http", b,
				"ViewerProtocolPolicy is allow-all: media and signed URLs can travel over plain HTTP",
				"allow-all is also the CDK default for a behavior.",
				"Set ViewerProtocolPolicy to redirect-to-https (or https-only).")
		}
	}
}

// checkMismatch groups media behaviors by (origin request policy, response
// headers policy) and reports every group that differs from the best one.
func (c *tchecker) checkMismatch(media []*behavior) {
	type group struct {
		orp, rhp  string
		behaviors []*behavior
		score     int
	}
	var groups []*group
	for _, b := range media {
		orp, rhp := orpName(b), rhpName(b)
		var g *group
		for _, x := range groups {
			if x.orp == orp && x.rhp == rhp {
				g = x
			}
		}
		if g == nil {
			g = &group{orp: orp, rhp: rhp}
			if b.OriginRequestPolicy.ForwardsHeader("origin") {
				g.score += 2
			}
			if b.EdgeCORS() != nil {
				g.score += 2
			}
			groups = append(groups, g)
		}
		g.behaviors = append(g.behaviors, b)
	}
	if len(groups) < 2 {
		return
	}
	// The reference is the group with CORS, then the largest, then the first.
	best := groups[0]
	for _, g := range groups[1:] {
		if g.score > best.score || g.score == best.score && len(g.behaviors) > len(best.behaviors) {
			best = g
		}
	}
	labels := func(bs []*behavior) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Label()+" (cache "+cacheName(b)+")")
		}
		return out
	}
	for _, g := range groups {
		if g == best {
			continue
		}
		var pats []string
		for _, b := range g.behaviors {
			pats = append(pats, b.Label())
		}
		c.out = append(c.out, Finding{
			Severity: SeverityFail, ID: "behavior.policy-mismatch", Resource: c.d.Label, Pattern: strings.Join(pats, ", "),
			What: fmt.Sprintf("media behaviors disagree: %s use origin request policy %s and response headers policy %s, while %s use origin request policy %s and response headers policy %s",
				strings.Join(labels(g.behaviors), ", "), g.orp, g.rhp, strings.Join(labels(best.behaviors), ", "), best.orp, best.rhp),
			Cause: "Paths of the same media get different CORS treatment, so some files (or the segments of a playlist that loads fine) fail CORS while others pass: the seed-002 case, where *.m3u8 had a CORS response headers policy and *.ts had none (F4).",
			Fix:   "Give every media behavior the same origin request policy (CORS-S3Origin) and the same response headers policy with a CorsConfig; only cache policies (TTLs) may differ between playlists and segments.",
		})
	}
}

func (c *tchecker) checkCORS(b *behavior) {
	if !b.PoliciesKnown() {
		return
	}
	c.mark("cors")
	c.mark("cache")
	c.mark("preflight")
	edge := b.EdgeCORS()
	fwdOrigin := b.Forwards("origin")
	if !fwdOrigin && edge == nil {
		c.add(SeverityFail, "cors.not-configured", b,
			fmt.Sprintf("no CORS on this media behavior: Origin is not forwarded (origin request policy %s, cache policy %s) and the response headers policy (%s) has no CORS config", orpName(b), cacheName(b), rhpName(b)),
			"S3 only adds CORS headers when the request it receives carries Origin, and nothing adds them at the edge, so every fetch()/XHR/hls.js request for this path fails with \"No 'Access-Control-Allow-Origin' header\" (F1, F2).",
			"Attach the managed origin request policy CORS-S3Origin (forwards Origin and Access-Control-Request-*) and a response headers policy with a CorsConfig (OriginOverride true), the same on every media behavior.")
	}
	if fwdOrigin && !b.InCacheKey("origin") && !b.CacheDisabled() {
		switch {
		case edge != nil && edge.OriginOverride:
			// CORS headers are set at the edge on every CORS response: safe.
		case edge != nil:
			c.add(SeverityWarn, "cache.origin-not-in-key", b,
				fmt.Sprintf("Origin is forwarded (%s) but not in the cache key (%s), and the response headers policy %s has OriginOverride false", orpName(b), cacheName(b), rhpName(b)),
				"The origin's cached CORS headers win over the policy's: an Access-Control-Allow-Origin cached for one origin is served to every other origin. The policy only fills the header in when the cached response has none.",
				"Set OriginOverride true in the response headers policy's CorsConfig (CORS headers then come from the edge for every response), or add Origin to the cache key.")
		case b.CachePolicy != nil && b.CachePolicy.ID == cfconfig.CachingOptimizedID && b.OriginRequestPolicy != nil && b.OriginRequestPolicy.ID == cfconfig.CORSS3OriginID:
			c.add(SeverityFail, "cache.optimized-cors-trap", b,
				"managed CachingOptimized with managed CORS-S3Origin and no response headers policy with CORS: Origin is forwarded but not in the cache key",
				"The first request after a cache miss decides for everyone: if it came without Origin (an <img> tag, a crawler, curl), S3 answered without CORS headers and CloudFront serves that copy to CORS requests until it expires, so CORS fails on some files and not others (F1, F4).",
				"Add a response headers policy with a CorsConfig and OriginOverride true to this behavior (or use a cache policy with Origin in the key), then invalidate the cached paths (aws cloudfront create-invalidation --paths '/*').")
		default:
			c.add(SeverityFail, "cache.origin-not-in-key", b,
				fmt.Sprintf("Origin is forwarded (%s) but neither in the cache key (%s) nor overridden at the edge (response headers policy %s)", orpName(b), cacheName(b), rhpName(b)),
				"The first cached response decides: a response stored for a request without Origin has no CORS headers and is then served to CORS requests (F1, F4).",
				"Add a response headers policy with a CorsConfig and OriginOverride true (preferred: one cache entry per object), or put Origin in the cache policy's headers; then invalidate the cached paths.")
		}
	}
	if b.Allows("OPTIONS") && (edge != nil || fwdOrigin) && !(b.Forwards("origin") && b.Forwards("access-control-request-method")) {
		c.add(SeverityWarn, "preflight.not-forwarded", b,
			fmt.Sprintf("OPTIONS is allowed but Origin and Access-Control-Request-Method are not both forwarded to the origin (origin request policy %s, cache policy %s)", orpName(b), cacheName(b)),
			"CloudFront forwards a preflight to the origin and a response headers policy only decorates the answer. S3 answers an OPTIONS without them with an error (observed 400 or 403, not documented by AWS), so requests that need a preflight (non-safelisted headers) fail on this path.",
			"Attach the managed origin request policy CORS-S3Origin, which forwards Origin, Access-Control-Request-Method and Access-Control-Request-Headers.")
	}
	if edge != nil && edge.AllowCredentials && contains(edge.AllowOrigins, "*") {
		c.add(SeverityFail, "cors.credentials-wildcard", b,
			fmt.Sprintf("response headers policy %s allows credentials with Access-Control-Allow-Origin *", rhpName(b)),
			"Browsers reject a credentialed CORS response whose Access-Control-Allow-Origin is *.",
			"List the allowed origins explicitly when AccessControlAllowCredentials is true.")
	}
	// Bucket CORS rules must allow what the edge allows: S3 answers preflights.
	o := c.d.Origins[b.TargetOrigin]
	if o == nil || o.Bucket == nil || edge == nil || !o.S3 {
		return
	}
	c.mark("bucket")
	if !o.Bucket.HasCORS {
		sev := SeverityWarn
		if b.Allows("OPTIONS") && b.Forwards("access-control-request-method") {
			sev = SeverityFail
		}
		c.add(sev, "bucket.cors-missing", b,
			fmt.Sprintf("bucket %s has no CORS rules while response headers policy %s allows origins %s", o.BucketLabel, rhpName(b), strings.Join(edge.AllowOrigins, ", ")),
			"S3 answers the preflights CloudFront forwards from the bucket CORS rules; without rules every preflight gets 403 \"CORS is not enabled for this bucket\", which the response headers policy cannot repair.",
			"Add bucket CORS rules with the same origins, GET and HEAD, and the allowed headers of the response headers policy.")
		return
	}
	var missing []string
	wantMethods := []string{}
	for _, m := range edge.AllowMethods {
		if m == "GET" || m == "HEAD" {
			wantMethods = append(wantMethods, m)
		}
	}
	if len(wantMethods) == 0 {
		wantMethods = []string{"GET"}
	}
	for _, org := range edge.AllowOrigins {
		if !bucketAllows(o.Bucket, org, wantMethods, nil) {
			missing = append(missing, "origin "+org+" with "+strings.Join(wantMethods, ","))
		}
	}
	for _, h := range edge.AllowHeaders {
		if !bucketAllows(o.Bucket, "", nil, []string{h}) {
			missing = append(missing, "header "+h)
		}
	}
	if len(missing) > 0 {
		c.add(SeverityFail, "bucket.cors-mismatch", b,
			fmt.Sprintf("bucket %s CORS rules do not cover what response headers policy %s allows: %s", o.BucketLabel, rhpName(b), strings.Join(missing, "; ")),
			"S3 answers preflights from its own rules, so the edge promises what the bucket refuses: preflights from those origins or with those headers get 403 \"This CORS request is not allowed\" (F4).",
			"Derive the bucket CORS rules and the response headers policy from the same origin list (the mediacdn construct does this).")
	}
}

// bucketAllows reports whether some CORS rule of b allows origin (if not
// empty) with all methods and all headers.
func bucketAllows(b *bucket, origin string, methods, headers []string) bool {
	for _, r := range b.CORS {
		ok := origin == ""
		for _, o := range r.AllowedOrigins {
			if origin != "" && (o == "*" || glob.Match(o, origin)) {
				ok = true
			}
		}
		for _, m := range methods {
			if !contains(r.AllowedMethods, m) {
				ok = false
			}
		}
		for _, h := range headers {
			hit := false
			for _, rh := range r.AllowedHeaders {
				if rh == "*" || glob.Match(strings.ToLower(rh), strings.ToLower(h)) {
					hit = true
				}
			}
			if !hit {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

var signingParams = []string{"Expires", "Signature", "Policy", "Key-Pair-Id", "Hash-Algorithm"}

func (c *tchecker) checkSigning() {
	bs := c.d.Behaviors
	anySigned := false
	for _, b := range bs {
		if b.Signed() {
			anySigned = true
		}
	}
	if !anySigned {
		return
	}
	c.mark("signed")
	def := c.d.DefaultBehavior()
	for i, b := range bs {
		if b.Signed() {
			if b.CachePolicy != nil && !b.CachePolicy.Unknown {
				qs := b.CachePolicy.QueryStringBehavior
				holds := qs == "all" || qs == "allExcept"
				if qs == "whitelist" {
					for _, n := range b.CachePolicy.QueryStrings {
						if contains(signingParams, n) {
							holds = true
						}
					}
				}
				if holds {
					c.add(SeverityWarn, "signed.cache-key-query", b,
						fmt.Sprintf("signed behavior whose cache policy %s puts query strings (%s) in the cache key", cacheName(b), qs),
						"Every signed URL carries its own Expires/Policy/Signature; CloudFront strips them before forwarding to the origin, but AWS does not document that they leave the cache key, so each freshly signed URL may be a separate cache entry (a near-zero hit ratio). An S3 origin needs no query string.",
						"Use a cache policy with QueryStringBehavior none (or a whitelist without the signing parameters) on signed behaviors.")
				}
				cb := b.CachePolicy.CookieBehavior
				if cb == "all" || cb == "allExcept" || cb == "whitelist" && anyPrefix(b.CachePolicy.Cookies, "CloudFront-") {
					c.add(SeverityWarn, "signed.cache-key-cookies", b,
						fmt.Sprintf("signed behavior whose cache policy %s puts cookies (%s) in the cache key", cacheName(b), cb),
						"With signed cookies each viewer's CloudFront-Policy/-Signature cookies would split the cache per viewer.",
						"Use CookieBehavior none on signed behaviors; CloudFront reads the signed cookies without them being in the cache key.")
				}
			}
			if b.Legacy != nil && b.Legacy.QueryString {
				c.add(SeverityWarn, "signed.forwarded-query", b,
					"signed behavior with legacy ForwardedValues QueryString true",
					"The query string (with the signature parameters) is forwarded and, with no QueryStringCacheKeys, part of the cache key: each signed URL may become its own cache entry.",
					"Set QueryString false, or move to a cache policy with no query strings.")
			}
			if b.Legacy != nil && b.Legacy.CookieForward == "all" {
				c.add(SeverityWarn, "signed.cache-key-cookies", b,
					"signed behavior with legacy ForwardedValues Cookies Forward all",
					"All cookies, the signed-cookie ones included, are forwarded and in the cache key: the cache splits per viewer.",
					"Forward no cookies.")
			}
			continue
		}
		// b is unsigned: which signed behaviors does it shadow?
		var shadowed []string
		for _, later := range bs[i+1:] {
			if later.Signed() && (later.IsDefault || patternsOverlap(b.PathPattern, later.PathPattern)) {
				shadowed = append(shadowed, later.Label())
			}
		}
		if b.IsDefault || len(shadowed) == 0 {
			continue
		}
		if startsWithWildcard(b.PathPattern) {
			c.add(SeverityFail, "signed.shadowed", b,
				fmt.Sprintf("unsigned behavior %s comes before signed behavior(s) %s and matches paths in every directory", b.Label(), strings.Join(shadowed, ", ")),
				"CloudFront uses the first behavior whose pattern matches, so every path this pattern matches is served without a signature, including files under the signed paths (F7).",
				"Sign this behavior too (TrustedKeyGroups), or narrow it to a public prefix (e.g. public/*) that no private file lives under.")
		} else {
			c.add(SeverityInfo, "signed.public-prefix", b,
				fmt.Sprintf("unsigned behavior %s comes before signed behavior(s) %s: files under this prefix are public", b.Label(), strings.Join(shadowed, ", ")),
				"A literal prefix placed first is a deliberate public path; anything uploaded under it is readable without a signature.",
				"Keep private files out of this prefix.")
		}
	}
	if def != nil && !def.Signed() {
		var signedMedia []string
		sameOrigin := false
		for _, b := range bs {
			if b.Signed() && !b.IsDefault {
				signedMedia = append(signedMedia, b.Label())
				if b.TargetOrigin == def.TargetOrigin {
					sameOrigin = true
				}
			}
		}
		sev := SeverityInfo
		if sameOrigin {
			sev = SeverityFail
		}
		c.add(sev, "signed.default-unsigned", def,
			fmt.Sprintf("the default behavior is unsigned while %s are signed", strings.Join(signedMedia, ", ")),
			"Every path no signed pattern matches falls through to the default unsigned: path patterns are case-sensitive, so PHOTO.JPG escapes *.jpg, and so do .jpeg, .m4s or any other extension not listed. With the same origin, those private files are public.",
			"Sign the default behavior as well (TrustedKeyGroups), and list public paths as literal-prefix behaviors first.")
	}
}

func anyPrefix(l []string, prefix string) bool {
	for _, s := range l {
		if strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix)) || s == "*" {
			return true
		}
	}
	return false
}

func (c *tchecker) checkOrigins() {
	var ids []string
	for id := range c.d.Origins {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	used := map[string]bool{}
	for _, b := range c.d.Behaviors {
		used[b.TargetOrigin] = true
	}
	for _, id := range ids {
		o := c.d.Origins[id]
		if !o.S3 {
			continue
		}
		c.mark("origin")
		res := c.d.Label + " origin " + o.ID
		switch {
		case o.OAI != "" && !o.HasOAC:
			c.out = append(c.out, Finding{Severity: SeverityWarn, ID: "origin.oai", Resource: res,
				What:  fmt.Sprintf("S3 origin %s uses an origin access identity (%s) instead of Origin Access Control", o.Domain, o.OAI),
				Cause: "OAI is the legacy mechanism: it cannot read SSE-KMS objects and is not available in regions opened after December 2022; AWS recommends OAC.",
				Fix:   "Create an Origin Access Control (sigv4, always), set OriginAccessControlId on the origin with an empty OriginAccessIdentity, and grant cloudfront.amazonaws.com s3:GetObject in the bucket policy with AWS:SourceArn of the distribution."})
		case o.OAI == "" && !o.HasOAC:
			c.out = append(c.out, Finding{Severity: SeverityFail, ID: "origin.no-access-control", Resource: res,
				What:  fmt.Sprintf("S3 origin %s has neither Origin Access Control nor an origin access identity", o.Domain),
				Cause: "CloudFront then reads the bucket anonymously, which only works if the bucket is public: anyone can bypass the CDN (and signed URLs) by asking S3 directly (F3).",
				Fix:   "Add an Origin Access Control and a bucket policy allowing cloudfront.amazonaws.com with AWS:SourceArn of this distribution; keep Block Public Access on."})
		}
		if o.Bucket != nil && used[o.ID] {
			c.checkBucket(o)
		}
	}
}

func (c *tchecker) checkBucket(o *origin) {
	b := o.Bucket
	c.mark("bucket")
	for _, s := range b.PolicyStatements {
		if !strings.EqualFold(cfconfig.Describe(s["Effect"]), "Allow") || !readsObjects(s["Action"]) {
			continue
		}
		if isPublicPrincipal(s["Principal"]) {
			cond, _ := s["Condition"].(map[string]any)
			if restricting(cond) {
				continue
			}
			c.out = append(c.out, Finding{Severity: SeverityFail, ID: "bucket.public-policy", Resource: o.BucketLabel,
				What:  fmt.Sprintf("the bucket policy allows %s to everyone (Principal %s) without a restricting condition", cfconfig.Describe(s["Action"]), cfconfig.Describe(s["Principal"])),
				Cause: "The media is readable straight from S3, bypassing CloudFront, its CORS handling and signed URLs (F3).",
				Fix:   "Remove the public statement; allow only cloudfront.amazonaws.com with a Condition StringEquals AWS:SourceArn of the distribution, and turn Block Public Access on."})
			continue
		}
		if servicePrincipal(s["Principal"], "cloudfront.amazonaws.com") {
			cond, _ := s["Condition"].(map[string]any)
			if !hasConditionKey(cond, "aws:SourceArn") && !hasConditionKey(cond, "aws:SourceAccount") {
				c.out = append(c.out, Finding{Severity: SeverityWarn, ID: "bucket.oac-unscoped", Resource: o.BucketLabel,
					What:  "the bucket policy allows the CloudFront service principal without an AWS:SourceArn condition",
					Cause: "Any CloudFront distribution, in any account, with an Origin Access Control pointing at this bucket can read it.",
					Fix:   "Add Condition StringEquals AWS:SourceArn arn:aws:cloudfront::ACCOUNT:distribution/ID."})
			}
		}
	}
	if !b.HasPublicAccessBlock {
		c.out = append(c.out, Finding{Severity: SeverityInfo, ID: "bucket.public-access-block", Resource: o.BucketLabel,
			What:  "the template sets no PublicAccessBlockConfiguration on the bucket",
			Cause: "S3 turns all four Block Public Access settings on for buckets created since April 2023, but an existing bucket or an account setting may differ.",
			Fix:   "Set PublicAccessBlockConfiguration with all four settings true (BlockPublicAccess.BLOCK_ALL in the CDK)."})
	} else {
		var off []string
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if !b.PublicAccessBlock[k] {
				off = append(off, k)
			}
		}
		if len(off) > 0 {
			c.out = append(c.out, Finding{Severity: SeverityWarn, ID: "bucket.public-access-block", Resource: o.BucketLabel,
				What:  "Block Public Access is not fully on: " + strings.Join(off, ", ") + " false",
				Cause: "A public ACL or bucket policy could then expose the media outside CloudFront (F3).",
				Fix:   "Set all four PublicAccessBlockConfiguration settings to true; OAC needs none of them off."})
		}
	}
}

func readsObjects(v any) bool {
	for _, a := range cfconfig.StrList(v) {
		a = strings.ToLower(a)
		if a == "*" || a == "s3:*" || a == "s3:getobject" || a == "s3:get*" || a == "s3:getobject*" {
			return true
		}
	}
	return false
}

func isPublicPrincipal(v any) bool {
	if s, ok := v.(string); ok {
		return s == "*"
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for _, p := range cfconfig.StrList(m["AWS"]) {
		if p == "*" {
			return true
		}
	}
	return false
}

func servicePrincipal(v any, svc string) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	return contains(cfconfig.StrList(m["Service"]), svc)
}

func hasConditionKey(cond map[string]any, key string) bool {
	for _, v := range cond {
		if m, ok := v.(map[string]any); ok {
			for k := range m {
				if strings.EqualFold(k, key) {
					return true
				}
			}
		}
	}
	return false
}

// restricting reports whether a condition block limits who can read: any key
// other than aws:SecureTransport counts (aws:Referer too, although it is
// spoofable).
func restricting(cond map[string]any) bool {
	for _, v := range cond {
		m, ok := v.(map[string]any)
		if !ok {
			return true
		}
		for k := range m {
			if !strings.EqualFold(k, "aws:SecureTransport") {
				return true
			}
		}
	}
	return false
}

func (c *tchecker) checkVary(media []*behavior) {
	if len(media) == 0 {
		return
	}
	var without []string
	for _, b := range media {
		ok := false
		for _, f := range b.Functions {
			if f.EventType == "viewer-response" && strings.Contains(strings.ToLower(f.Code), "vary") {
				ok = true
			}
		}
		if !ok {
			without = append(without, b.Label())
		}
	}
	if len(without) == 0 {
		c.mark("vary")
		return
	}
	c.out = append(c.out, Finding{Severity: SeverityInfo, ID: "vary.no-viewer-function", Resource: c.d.Label, Pattern: strings.Join(without, ", "),
		What:  "no viewer-response CloudFront Function adding Vary: Origin on these media behaviors",
		Cause: "A response to a request without Origin (an <img> or <video> tag) needs Vary: Origin or Access-Control-Allow-Origin, or the browser may reuse it for a later CORS request and fail (F1, seen in Chrome and Safari). S3 sends no Vary then, and whether CloudFront adds one is not documented (one third-party report says a CorsConfig makes it do so).",
		Fix:   "Check live with mediacdn doctor URL --origin ...; to be sure, associate a viewer-response CloudFront Function that sets Vary: Origin on every response (the mediacdn construct does), or put crossorigin on every tag loading these URLs."})
}

// passFindings adds one pass finding per family that ran with no warn or
// fail finding. A finding's family is the part of its ID before the first
// dot, renamed by alias.
func passFindings(all []Finding, ran map[string]bool, families []struct{ family, what string }, alias map[string]string) []Finding {
	bad := map[string]bool{}
	for _, f := range all {
		if f.Severity == SeverityFail || f.Severity == SeverityWarn {
			fam, _, _ := strings.Cut(f.ID, ".")
			if a, ok := alias[fam]; ok {
				fam = a
			}
			bad[fam] = true
		}
	}
	var out []Finding
	for _, fam := range families {
		if ran[fam.family] && !bad[fam.family] {
			out = append(out, Finding{Severity: SeverityPass, ID: fam.family + ".ok", What: fam.what})
		}
	}
	return out
}
