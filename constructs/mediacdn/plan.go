package mediacdn

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"

	"github.com/mediacdn/mediacdn/cfkeys"
	"github.com/mediacdn/mediacdn/internal/safetext"
)

// MediaKind says what a cache behavior serves; it picks the cache TTL.
type MediaKind string

// The media kinds; KindDefault is the catch-all default behavior.
const (
	KindImage    MediaKind = "image"
	KindPlaylist MediaKind = "playlist"
	KindSegment  MediaKind = "segment"
	KindDefault  MediaKind = "default"
	// KindPublic is a Props.PublicPaths behavior: no signature required.
	KindPublic MediaKind = "public"
)

// maxFunctionCodeSize is CloudFront Functions' code size limit (10 KB).
const maxFunctionCodeSize = 10 * 1024

// NoLogDeliveryRegions returns the regions whose buckets CloudFront
// standard logging (legacy) does not deliver logs to, sorted. Which source
// says what:
//   - Listed by CloudFront: the Developer Guide, "Configure standard logging
//     (legacy)", "Choose an Amazon S3 bucket for standard logs"
//     (docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html)
//     names af-south-1, ap-east-1, ap-south-2, ap-southeast-3,
//     ap-southeast-4, ca-west-1, eu-central-2, eu-south-1, eu-south-2,
//     il-central-1, me-central-1 and me-south-1 (as recorded when this list was
//     written, not re-read since; the archived copy, github.com/awsdocs/amazon-cloudfront-developer-guide
//     doc_source/AccessLogs.md, names the first four of them only).
//   - Inferred, listed by no CloudFront page: ap-east-2, ap-southeast-5,
//     ap-southeast-6, ap-southeast-7 and mx-central-1. Every region above is
//     an opt-in region; the AWS Solutions guide "Dynamic Image Transformation
//     for Amazon CloudFront", "Opt-in Regions", says CloudFront does not
//     deliver access logs to buckets in opt-in regions, and the guide's
//     "Configure standard logging (v2)" offers delivery to opt-in regions as
//     a v2 feature. These five are opt-in regions the CloudFront page does
//     not name (AWS Account Management Reference, "Enable or disable AWS
//     Regions in your account": regions launched after 20 March 2019 are
//     opt-in). If CloudFront does deliver there, the cost is a refusal that
//     Props.LogBucket (a bucket in another region) avoids.
func NoLogDeliveryRegions() []string {
	return []string{
		"af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
		"ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2",
		"eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
	}
}

// MaxPublicKeys is CloudFront's quota of public keys per key group.
const MaxPublicKeys = 5

// DefaultMaxCacheBehaviors is CloudFront's default quota of cache behaviors
// per distribution; the construct counts the default behavior in it.
const DefaultMaxCacheBehaviors = 75

// behaviorPlan is one cache behavior, in distribution order.
type behaviorPlan struct {
	pattern  string
	kind     MediaKind
	compress bool
	public   bool // served without a signature (Props.PublicPaths)
}

// plan is Props after validation and defaulting: everything New needs,
// in plain Go, so it can be unit tested without synthesizing.
type plan struct {
	origins          corsOrigins
	allowCredentials bool
	allowHeaders     []string
	exposeHeaders    []string
	corsMaxAge       time.Duration

	behaviors []behaviorPlan // media behaviors, in order; the default behavior is implicit
	ttl       map[MediaKind]CacheTtl
	keys      []*cfkeys.PublicKey // the key group; empty when unsigned

	domainNames        []string
	minimumProtocol    awscloudfront.SecurityPolicyProtocol
	priceClass         awscloudfront.PriceClass
	httpVersion        awscloudfront.HttpVersion
	removalPolicy      awscdk.RemovalPolicy
	accessLogRetention time.Duration
	comment            string
}

// ValidationError lists every problem found in Props; each line names the
// prop and the fix.
type ValidationError struct {
	Problems []string
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return "mediacdn: invalid props: " + e.Problems[0]
	}
	return "mediacdn: invalid props:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// problems collects validation messages.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }
func (p *problems) addErr(err error) {
	if err != nil {
		*p = append(*p, err.Error())
	}
}

// Validate checks props without creating anything. New runs the same checks
// first (plus those that need the stack's region), so a construct is either
// complete or not created at all.
func (props *Props) Validate() error {
	_, err := props.plan("")
	return err
}

// ValidateInRegion is Validate plus the checks New makes for a stack in
// region (access logs in regions CloudFront does not deliver them to).
func (props *Props) ValidateInRegion(region string) error {
	_, err := props.plan(region)
	return err
}

// MaxTtl is the longest cache TTL CloudFront accepts (100 years).
const MaxTtl = 100 * 365 * day

// plan validates props; region is the stack's region when known, else "".
func (props *Props) plan(region string) (*plan, error) {
	if props == nil {
		return nil, &ValidationError{Problems: []string{"props are nil: pass &mediacdn.Props{AllowedOrigins: ...}"}}
	}
	var errs problems
	p := &plan{ttl: map[MediaKind]CacheTtl{}}

	origins, originErrs := parseAllowedOrigins(props.AllowedOrigins)
	errs = append(errs, originErrs...)
	p.origins = origins
	p.allowCredentials = props.AllowCredentials
	if props.AllowCredentials && origins.all {
		errs.add(`AllowCredentials is set with AllowedOrigins ["*"]: browsers refuse Access-Control-Allow-Origin "*" on credentialed requests; list the specific origins`)
	}

	if len(originErrs) == 0 {
		if n := len(viewerResponseCode(origins, props.AllowCredentials)); n > maxFunctionCodeSize {
			errs.add("AllowedOrigins has %d origins, which makes the viewer-response function %d bytes, over CloudFront Functions' %d-byte limit: use wildcard origins (https://*.example.com) or fewer origins", len(origins.origins), n, maxFunctionCodeSize)
		}
	}

	p.allowHeaders = props.AllowedRequestHeaders
	if len(p.allowHeaders) == 0 {
		p.allowHeaders = []string{"*"}
		if props.AllowCredentials {
			p.allowHeaders = DefaultCredentialedRequestHeaders()
		}
	}
	errs.addErr(checkHeaderNames("AllowedRequestHeaders", p.allowHeaders, true))
	if props.AllowCredentials && slices.Contains(p.allowHeaders, "*") {
		errs.add(`AllowedRequestHeaders contains "*" with AllowCredentials: CloudFront and browsers do not accept "*" with credentials; list the headers (e.g. Range)`)
	}
	p.exposeHeaders = props.ExposedHeaders
	if len(p.exposeHeaders) == 0 {
		p.exposeHeaders = DefaultExposedHeaders()
	}
	errs.addErr(checkHeaderNames("ExposedHeaders", p.exposeHeaders, !props.AllowCredentials))

	p.corsMaxAge = orDefault(props.CorsMaxAge, defaultCorsMaxAge)
	errs.addErr(checkSeconds("CorsMaxAge", p.corsMaxAge))

	p.keys = errs.checkPublicKeys(props.PublicKeys)
	// Public paths come first: CloudFront takes the first matching pattern.
	// They are compressed only when the pattern names a text extension
	// ("docs/*.svg"), so binary thumbnails stay one cache entry each.
	for _, pattern := range errs.checkPublicPaths(props.PublicPaths, len(props.PublicKeys) > 0) {
		ext := pattern[strings.LastIndex(pattern, ".")+1:]
		compress := strings.Contains(pattern, ".") && compressibleExtensions[strings.ToLower(ext)]
		p.behaviors = append(p.behaviors, behaviorPlan{pattern: pattern, kind: KindPublic, compress: compress, public: true})
	}

	// Media behaviors: one per extension, in a fixed order (images,
	// playlists, segments); the same extension may not appear twice anywhere.
	seen := map[string]string{}
	for _, group := range []struct {
		prop string
		kind MediaKind
		exts []string
		def  []string
	}{
		{"ImageExtensions", KindImage, props.ImageExtensions, DefaultImageExtensions()},
		{"PlaylistExtensions", KindPlaylist, props.PlaylistExtensions, DefaultPlaylistExtensions()},
		{"SegmentExtensions", KindSegment, props.SegmentExtensions, DefaultSegmentExtensions()},
	} {
		exts := group.exts
		if exts == nil {
			exts = group.def
		}
		if len(exts) == 0 {
			errs.add("%s is an empty list: leave it nil for the defaults (%s) or list at least one extension", group.prop, strings.Join(group.def, ", "))
		}
		for i, ext := range exts {
			where := fmt.Sprintf("%s[%d] %s", group.prop, i, safetext.Quote(ext, 40))
			if err := checkExtension(ext); err != nil {
				errs.add("%s: %v", where, err)
				continue
			}
			if prev, dup := seen[ext]; dup {
				errs.add("%s is also %s: an extension can have only one behavior; remove one", where, prev)
				continue
			}
			seen[ext] = where
			compress := compressibleExtensions[strings.ToLower(ext)] || group.kind == KindPlaylist
			p.behaviors = append(p.behaviors, behaviorPlan{pattern: "*." + ext, kind: group.kind, compress: compress})
		}
	}
	if max := DefaultMaxCacheBehaviors; len(p.behaviors)+1 > max {
		errs.add("%d cache behaviors needed (one per extension and public path, plus the default) but CloudFront allows %d per distribution: list fewer ImageExtensions, PlaylistExtensions, SegmentExtensions or PublicPaths, or split the media across distributions",
			len(p.behaviors)+1, max)
	}

	for _, t := range []struct {
		prop string
		kind MediaKind
		ttl  *CacheTtl
		def  CacheTtl
	}{
		{"ImageTtl", KindImage, props.ImageTtl, DefaultMediaTtl()},
		{"SegmentTtl", KindSegment, props.SegmentTtl, DefaultMediaTtl()},
		{"PlaylistTtl", KindPlaylist, props.PlaylistTtl, DefaultPlaylistTtl()},
	} {
		ttl := t.def
		if t.ttl != nil {
			ttl = *t.ttl
		}
		errs.addErr(checkTtl(t.prop, ttl))
		p.ttl[t.kind] = ttl
	}
	// The default behavior catches other spellings (INDEX.M3U8) and unknown
	// kinds, so it gets the short TTL: nothing there can go stale for long.
	p.ttl[KindDefault] = p.ttl[KindPlaylist]
	p.ttl[KindPublic] = p.ttl[KindImage]

	errs = append(errs, p.checkDelivery(props)...)
	errs = append(errs, p.checkSharedPolicies(props)...)
	if props.AccessLogging && props.LogBucket == nil && slices.Contains(NoLogDeliveryRegions(), region) {
		errs.add("%s", logRegionProblem(region))
	}

	if len(errs) > 0 {
		return nil, &ValidationError{Problems: errs}
	}
	return p, nil
}

// checkDelivery validates the distribution-wide options.
func (p *plan) checkDelivery(props *Props) problems {
	var errs problems
	seenDomain := map[string]int{}
	for i, d := range props.DomainNames {
		if err := checkDomainName(d); err != nil {
			errs.add("DomainNames[%d] %s: %v", i, safetext.Quote(d, 80), err)
			continue
		}
		d = strings.ToLower(d)
		if j, dup := seenDomain[d]; dup {
			errs.add("DomainNames[%d] %q repeats DomainNames[%d]: list each name once", i, d, j)
			continue
		}
		seenDomain[d] = i
		p.domainNames = append(p.domainNames, d)
	}
	if len(props.DomainNames) > 100 {
		errs.add("DomainNames has %d names but CloudFront allows 100 alternate domain names per distribution", len(props.DomainNames))
	}
	switch {
	case len(props.DomainNames) > 0 && props.Certificate == nil:
		errs.add("DomainNames is set but Certificate is not: CloudFront needs an ACM certificate in us-east-1 covering %s; create one (awscertificatemanager.NewCertificate in a us-east-1 stack) or import it with awscertificatemanager.Certificate_FromCertificateArn", strings.Join(props.DomainNames, ", "))
	case len(props.DomainNames) == 0 && props.Certificate != nil:
		errs.add("Certificate is set but DomainNames is empty: list the domain names the certificate covers, or drop the certificate")
	}
	if props.Certificate != nil {
		arn := props.Certificate.CertificateArn()
		if arn != nil && !isToken(*arn) {
			if region, err := CertificateRegion(*arn); err != nil {
				errs.add("Certificate: %v", err)
			} else if region != "us-east-1" {
				errs.add("Certificate %s is in %s: CloudFront only uses ACM certificates in us-east-1; request or import the certificate in us-east-1", *arn, region)
			}
		}
	}

	p.minimumProtocol = props.MinimumProtocolVersion
	if p.minimumProtocol == "" {
		p.minimumProtocol = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
	}
	switch p.minimumProtocol {
	case awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021, awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2025, awscloudfront.SecurityPolicyProtocol_TLS_V1_3_2025:
	default:
		errs.add("MinimumProtocolVersion %s is older than TLSv1.2_2021: use SecurityPolicyProtocol_TLS_V1_2_2021 (the default), TLS_V1_2_2025 or TLS_V1_3_2025", p.minimumProtocol)
	}
	if props.MinimumProtocolVersion != "" && len(props.DomainNames) == 0 {
		errs.add("MinimumProtocolVersion is set without DomainNames: the *.cloudfront.net certificate ignores it; set DomainNames and Certificate, or leave MinimumProtocolVersion empty")
	}

	p.priceClass = props.PriceClass
	if p.priceClass == "" {
		p.priceClass = awscloudfront.PriceClass_PRICE_CLASS_ALL
	}
	switch p.priceClass {
	case awscloudfront.PriceClass_PRICE_CLASS_100, awscloudfront.PriceClass_PRICE_CLASS_200, awscloudfront.PriceClass_PRICE_CLASS_ALL:
	default:
		errs.add("PriceClass %q is not one of PRICE_CLASS_100, PRICE_CLASS_200, PRICE_CLASS_ALL", p.priceClass)
	}

	p.httpVersion = props.HttpVersion
	if p.httpVersion == "" {
		p.httpVersion = awscloudfront.HttpVersion_HTTP2_AND_3
	}
	switch p.httpVersion {
	case awscloudfront.HttpVersion_HTTP1_1, awscloudfront.HttpVersion_HTTP2, awscloudfront.HttpVersion_HTTP2_AND_3:
	case awscloudfront.HttpVersion_HTTP3:
		errs.add("HttpVersion HTTP3 serves HTTP/3 only and cuts off every client without QUIC: use HttpVersion_HTTP2_AND_3")
	default:
		errs.add("HttpVersion %q is not one of HTTP1_1, HTTP2, HTTP2_AND_3", p.httpVersion)
	}

	p.removalPolicy = props.BucketRemovalPolicy
	if p.removalPolicy == "" {
		p.removalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	if props.Bucket != nil && props.BucketRemovalPolicy != "" {
		errs.add("BucketRemovalPolicy is set together with Bucket: it only applies to the bucket the construct creates; set the removal policy on your bucket instead")
	}

	p.accessLogRetention = orDefault(props.AccessLogRetention, defaultAccessLogRetention)
	if p.accessLogRetention < day || p.accessLogRetention%day != 0 {
		errs.add("AccessLogRetention %v is not a whole number of days (at least 1): S3 lifecycle expiration counts days, e.g. 90 * 24 * time.Hour", p.accessLogRetention)
	}
	if !props.AccessLogging && props.LogBucket != nil {
		errs.add("LogBucket is set but AccessLogging is false: set AccessLogging to true, or drop LogBucket")
	}
	if !props.AccessLogging && props.AccessLogRetention != 0 {
		errs.add("AccessLogRetention is set but AccessLogging is false: set AccessLogging to true, or drop AccessLogRetention")
	}
	if props.LogBucket != nil && props.AccessLogRetention != 0 {
		errs.add("AccessLogRetention is set together with LogBucket: it only applies to the log bucket the construct creates; set a lifecycle rule on your bucket instead")
	}

	if props.WebAclArn != "" && !isToken(props.WebAclArn) && !webAclArnPattern.MatchString(props.WebAclArn) {
		errs.add("WebAclArn %s is not a WAFv2 web ACL ARN for CloudFront: it must look like arn:aws:wafv2:us-east-1:123456789012:global/webacl/NAME/ID (scope CLOUDFRONT, created in us-east-1)", safetext.Quote(props.WebAclArn, 120))
	}

	if len(props.GeoAllowList) > 0 && len(props.GeoDenyList) > 0 {
		errs.add("GeoAllowList and GeoDenyList are both set: CloudFront takes one or the other; keep one")
	}
	for _, g := range []struct {
		prop string
		list []string
	}{{"GeoAllowList", props.GeoAllowList}, {"GeoDenyList", props.GeoDenyList}} {
		seenCountry := map[string]bool{}
		for i, c := range g.list {
			if why := checkCountryCode(c); why != "" {
				errs.add("%s[%d] %s %s", g.prop, i, safetext.Quote(c, 20), why)
			} else if seenCountry[c] {
				errs.add("%s[%d] %q is listed twice", g.prop, i, c)
			}
			seenCountry[c] = true
		}
	}

	if props.OriginShieldRegion != "" {
		if why := checkOriginShieldRegion(props.OriginShieldRegion); why != "" {
			errs.add("%s", why)
		}
	}

	p.comment = props.Comment
	if p.comment == "" {
		p.comment = defaultComment
	}
	if len(p.comment) > 128 {
		errs.add("Comment is %d characters long: CloudFront allows 128", len(p.comment))
	}
	return errs
}

// checkPublicKeys parses each PEM and refuses what CloudFront would, a
// private key above all (the message never repeats the key's content).
func (errs *problems) checkPublicKeys(pems []string) []*cfkeys.PublicKey {
	if len(pems) > MaxPublicKeys {
		errs.add("PublicKeys has %d keys but a CloudFront key group holds at most %d: remove retired keys (rotation needs only the old and the new one)", len(pems), MaxPublicKeys)
	}
	var keys []*cfkeys.PublicKey
	seen := map[string]int{}
	for i, text := range pems {
		key, err := cfkeys.ParsePublicKey([]byte(text))
		if err != nil {
			errs.add("PublicKeys[%d]: %v", i, err)
			continue
		}
		if j, dup := seen[key.Fingerprint()]; dup {
			errs.add("PublicKeys[%d] is the same key as PublicKeys[%d] (fingerprint %s): list each key once", i, j, key.Fingerprint()[:16])
			continue
		}
		seen[key.Fingerprint()] = i
		keys = append(keys, key)
	}
	return keys
}

// checkPublicPaths validates the unsigned path patterns and returns them
// normalized (no leading slash).
func (errs *problems) checkPublicPaths(paths []string, signed bool) []string {
	if len(paths) > 0 && !signed {
		errs.add("PublicPaths is set without PublicKeys: without keys nothing is signed, so there is nothing to exempt; add PublicKeys or drop PublicPaths")
	}
	var out []string
	seen := map[string]int{}
	for i, raw := range paths {
		pattern := strings.TrimPrefix(raw, "/")
		where := fmt.Sprintf("PublicPaths[%d] %s", i, safetext.Quote(raw, 80))
		slash := strings.Index(pattern, "/")
		wild := strings.IndexAny(pattern, "*?")
		switch {
		case pattern == "":
			errs.add("%s is empty: give a directory pattern such as \"thumbs/*\"", where)
		case len(pattern) > 255:
			errs.add("%s is longer than CloudFront's 255 characters", where)
		case !pathPatternPattern.MatchString(pattern):
			errs.add("%s has characters CloudFront path patterns do not allow (letters, digits and _-.*$/~\"'@:+& only)", where)
		case slash <= 0 || (wild >= 0 && wild < slash):
			errs.add("%s must start with a literal directory, like \"thumbs/*\": a pattern whose first segment has a wildcard would also serve signed media elsewhere without a signature", where)
		default:
			if j, dup := seen[pattern]; dup {
				errs.add("%s repeats PublicPaths[%d]", where, j)
				continue
			}
			seen[pattern] = i
			out = append(out, pattern)
		}
	}
	return out
}

var (
	pathPatternPattern = regexp.MustCompile(`^[A-Za-z0-9_\-.*$/~"'@:+&?]+$`)
	extensionPattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9][A-Za-z0-9_-]*)*$`)
	headerPattern      = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	webAclArnPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global/webacl/[A-Za-z0-9_-]+/[A-Za-z0-9-]+$`)
	certArnPattern     = regexp.MustCompile(`^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[A-Za-z0-9-]+$`)
	hostLabelPattern   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

func checkExtension(ext string) error {
	switch {
	case ext == "":
		return errors.New("empty extension: remove it")
	case len(ext) > 34: // "*." and 32 characters; checked first, so no message repeats a long value
		return errors.New("longer than 32 characters")
	case strings.HasPrefix(ext, "*."):
		return fmt.Errorf("give the extension alone, without the path pattern: %q", strings.TrimPrefix(ext, "*."))
	case strings.HasPrefix(ext, "."):
		return fmt.Errorf("give the extension without the leading dot: %q", strings.TrimPrefix(ext, "."))
	case len(ext) > 32:
		return errors.New("longer than 32 characters")
	case !extensionPattern.MatchString(ext):
		return errors.New("only letters, digits, '-', '_' and inner dots are allowed (CloudFront path patterns treat * and ? as wildcards)")
	}
	return nil
}

func checkHeaderNames(prop string, names []string, allowStar bool) error {
	seen := map[string]bool{}
	for i, h := range names {
		if h == "*" {
			if !allowStar {
				return fmt.Errorf(`%s[%d] is "*", which browsers ignore on credentialed requests: list the header names`, prop, i)
			}
			if len(names) > 1 {
				return fmt.Errorf(`%s[%d] is "*" alongside other names: "*" already covers them; give ["*"] alone or only names`, prop, i)
			}
			continue
		}
		if !headerPattern.MatchString(h) {
			return fmt.Errorf("%s[%d] %s is not a valid HTTP header name", prop, i, safetext.Quote(h, 40))
		}
		if seen[strings.ToLower(h)] {
			return fmt.Errorf("%s[%d] %q is listed twice", prop, i, h)
		}
		seen[strings.ToLower(h)] = true
	}
	return nil
}

func checkSeconds(prop string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s is negative (%v): give a duration of zero or more", prop, d)
	}
	if d%time.Second != 0 {
		return fmt.Errorf("%s %v is not a whole number of seconds: CloudFront counts whole seconds, e.g. %v", prop, d, d.Truncate(time.Second))
	}
	return nil
}

func checkTtl(prop string, t CacheTtl) error {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"Min", t.Min}, {"Default", t.Default}, {"Max", t.Max}} {
		if err := checkSeconds(prop+"."+f.name, f.d); err != nil {
			return err
		}
	}
	switch {
	case t.Max == 0:
		return fmt.Errorf("%s.Max is 0, which turns caching and compression off for these objects: give a Max of at least 1s (Min 0 already lets the origin's Cache-Control: no-store through)", prop)
	case t.Min > t.Default:
		return fmt.Errorf("%s.Min (%ds) is greater than %s.Default (%ds): need Min <= Default <= Max", prop, t.Min/time.Second, prop, t.Default/time.Second)
	case t.Default > t.Max:
		return fmt.Errorf("%s.Default (%ds) is greater than %s.Max (%ds): need Min <= Default <= Max", prop, t.Default/time.Second, prop, t.Max/time.Second)
	case t.Max > MaxTtl:
		return fmt.Errorf("%s.Max (%ds) is longer than 100 years (%ds), which CloudFront refuses", prop, t.Max/time.Second, MaxTtl/time.Second)
	}
	return nil
}

func checkDomainName(d string) error {
	if d != strings.ToLower(d) {
		return fmt.Errorf("use lowercase: %s", safetext.Quote(strings.ToLower(d), 80))
	}
	if strings.Contains(d, "://") || strings.ContainsAny(d, "/:") {
		return errors.New("give the bare host name (media.example.com), not a URL")
	}
	labels := strings.Split(strings.TrimPrefix(d, "*."), ".")
	if len(labels) < 2 || len(d) > 253 {
		return errors.New("not a fully qualified domain name like media.example.com")
	}
	for _, l := range labels {
		if !hostLabelPattern.MatchString(l) {
			return fmt.Errorf("label %s is not a valid DNS label (a leading *. is the only wildcard CloudFront accepts)", safetext.Quote(l, 70))
		}
	}
	return nil
}

// CertificateRegion returns the region of an ACM certificate ARN, or an error
// saying what an ACM certificate ARN looks like.
func CertificateRegion(arn string) (string, error) {
	m := certArnPattern.FindStringSubmatch(arn)
	if m == nil {
		return "", fmt.Errorf("%s is not an ACM certificate ARN (arn:aws:acm:us-east-1:123456789012:certificate/ID)", safetext.Quote(arn, 120))
	}
	return m[1], nil
}

// isToken reports whether s is an unresolved CDK token (a value known only
// at deploy time), which synth-time validation must let through.
func isToken(s string) bool { return strings.Contains(s, "${Token[") }

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
