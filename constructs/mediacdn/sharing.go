package mediacdn

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"

	"github.com/mediacdn/mediacdn/internal/safetext"
)

// CachePolicyKind names one of the cache policies a MediaCdn uses, by what
// it caches. Props.CachePolicies and MediaCdn.CachePolicies are keyed by it.
type CachePolicyKind string

// The cache policy kinds. "Text" kinds are the extensions whose media type
// CloudFront compresses (svg, for instance): their policies put the
// normalized Accept-Encoding in the cache key; binary kinds do not, so a
// JPEG is one cache entry, not one per encoding.
const (
	// CacheImages caches binary ImageExtensions and binary PublicPaths with
	// ImageTtl, uncompressed.
	CacheImages CachePolicyKind = "images"
	// CacheTextImages caches compressible ImageExtensions (svg) and
	// PublicPaths with ImageTtl, gzip and brotli.
	CacheTextImages CachePolicyKind = "textImages"
	// CacheSegments caches binary SegmentExtensions with SegmentTtl,
	// uncompressed.
	CacheSegments CachePolicyKind = "segments"
	// CacheTextSegments caches compressible SegmentExtensions with
	// SegmentTtl, gzip and brotli.
	CacheTextSegments CachePolicyKind = "textSegments"
	// CachePlaylists caches PlaylistExtensions and the default behavior with
	// PlaylistTtl, gzip and brotli.
	CachePlaylists CachePolicyKind = "playlists"
)

// CachePolicyKinds lists every CachePolicyKind.
func CachePolicyKinds() []CachePolicyKind {
	return []CachePolicyKind{CacheImages, CacheTextImages, CacheSegments, CacheTextSegments, CachePlaylists}
}

// cachePolicyKind is the kind of policy a behavior of this media kind uses.
func cachePolicyKind(kind MediaKind, compress bool) CachePolicyKind {
	switch {
	case kind == KindPlaylist || kind == KindDefault:
		return CachePlaylists
	case kind == KindSegment && compress:
		return CacheTextSegments
	case kind == KindSegment:
		return CacheSegments
	case compress:
		return CacheTextImages
	default:
		return CacheImages
	}
}

// compressibleExtensions are the extensions whose usual Content-Type is on
// CloudFront's list of types it compresses (CloudFront Developer Guide,
// "Serve compressed files", "File types that CloudFront compresses"):
// image/svg+xml, application/vnd.apple.mpegurl and application/x-mpegurl,
// application/dash+xml, application/xml and text/xml, application/json,
// text/plain. text/vtt and the other subtitle types are not on it, so a
// compressed cache policy for them would only split the cache by encoding.
var compressibleExtensions = map[string]bool{
	"svg": true, "m3u8": true, "mpd": true, "xml": true, "json": true, "txt": true,
}

// policyIDPattern is the form of CloudFront cache and response headers
// policy ids (managed ones included): a lowercase UUID.
var policyIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// checkSharedPolicies validates Props.CachePolicies and
// Props.ResponseHeadersPolicy against the planned behaviors: a shared policy
// must be usable, and a prop it makes meaningless is refused rather than
// silently ignored.
func (p *plan) checkSharedPolicies(props *Props) problems {
	var errs problems
	known := CachePolicyKinds()
	for _, kind := range sortedKinds(props.CachePolicies) {
		pol := props.CachePolicies[kind]
		where := fmt.Sprintf("CachePolicies[%s]", safetext.Quote(string(kind), 64))
		switch {
		case !slices.Contains(known, kind):
			errs.add("%s is not a cache policy kind: use one of %s", where, kindList(known))
		case pol == nil:
			errs.add("%s is nil: pass a policy (awscloudfront.CachePolicy_FromCachePolicyId, or another MediaCdn's CachePolicies), or leave the kind out to have one created", where)
		default:
			if id := pol.CachePolicyId(); id != nil && !isToken(*id) && !policyIDPattern.MatchString(*id) {
				errs.add("%s has id %s, which is not a CloudFront cache policy id (a UUID such as 658327ea-f89d-4fab-a63d-7e88639e58f6; `aws cloudfront list-cache-policies --type custom` lists yours)", where, safetext.Quote(*id, 80))
			}
		}
	}

	// A TTL prop is refused when every behavior it would apply to uses a
	// shared policy, whose own TTLs apply instead.
	used := map[CachePolicyKind]bool{CachePlaylists: true} // the default behavior
	for _, b := range p.behaviors {
		used[cachePolicyKind(b.kind, b.compress)] = true
	}
	for _, t := range []struct {
		prop  string
		set   bool
		kinds []CachePolicyKind
	}{
		{"ImageTtl", props.ImageTtl != nil, []CachePolicyKind{CacheImages, CacheTextImages}},
		{"SegmentTtl", props.SegmentTtl != nil, []CachePolicyKind{CacheSegments, CacheTextSegments}},
		{"PlaylistTtl", props.PlaylistTtl != nil, []CachePolicyKind{CachePlaylists}},
	} {
		if !t.set {
			continue
		}
		var shared []CachePolicyKind
		created := false
		for _, k := range t.kinds {
			switch {
			case !used[k]:
			case props.CachePolicies[k] != nil:
				shared = append(shared, k)
			default:
				created = true
			}
		}
		if !created && len(shared) > 0 {
			errs.add("%s is set but the behaviors it applies to all use CachePolicies[%s], whose own TTLs apply: drop %s, or leave those kinds out of CachePolicies", t.prop, kindList(shared), t.prop)
		}
	}

	if rhp := props.ResponseHeadersPolicy; rhp != nil {
		if id := rhp.ResponseHeadersPolicyId(); id != nil && !isToken(*id) && !policyIDPattern.MatchString(*id) {
			errs.add("ResponseHeadersPolicy has id %s, which is not a CloudFront response headers policy id (a UUID; `aws cloudfront list-response-headers-policies --type custom` lists yours)", safetext.Quote(*id, 80))
		}
		if len(props.AllowedRequestHeaders) > 0 {
			errs.add("AllowedRequestHeaders is set together with ResponseHeadersPolicy: it only shapes the policy the construct creates; set it on the shared policy, or drop ResponseHeadersPolicy")
		}
	}
	return errs
}

func sortedKinds(m map[CachePolicyKind]awscloudfront.ICachePolicy) []CachePolicyKind {
	var out []CachePolicyKind
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func kindList(kinds []CachePolicyKind) string {
	var s []string
	for _, k := range kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}
