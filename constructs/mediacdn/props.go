package mediacdn

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
)

// Props configures a MediaCdn. The zero value of every field except
// AllowedOrigins is a working, secure default; New validates all fields in
// one place and synthesizes nothing when any is wrong.
type Props struct {
	// AllowedOrigins lists the origins of the web apps allowed to read the
	// media cross-origin, each as a browser sends it in the Origin header:
	// scheme://host[:port], no path and no trailing slash. A leftmost wildcard
	// label is allowed (https://*.example.com). ["*"] alone allows every origin.
	// Other spellings a browser accepts are stored in the form it sends
	// (http://127.1:03000 as http://127.0.0.1:3000, an internationalised name
	// in punycode, IPv6 compressed); what no browser sends is refused.
	// The bucket CORS rules, the response-headers policy and the
	// viewer-response function are all derived from this one list.
	//
	// Required.
	AllowedOrigins []string

	// AllowCredentials lets pages read responses to credentialed requests
	// (fetch with credentials: "include", hls.js with withCredentials), which
	// signed cookies on a cross-origin media domain need. It requires specific
	// AllowedOrigins (browsers refuse "*" with credentials).
	//
	// Default: false.
	AllowCredentials bool

	// AllowedRequestHeaders are the request headers the edge tells browsers
	// a request may carry (Access-Control-Allow-Headers). S3 answers
	// preflights from the bucket CORS rule, which allows every header ("*"),
	// so it never refuses what the edge allows.
	//
	// Default: ["*"]; with AllowCredentials (where "*" is not allowed):
	// Range, If-Range, If-Match, If-None-Match, If-Modified-Since.
	AllowedRequestHeaders []string

	// ExposedHeaders are the response headers page scripts may read.
	//
	// Default: Accept-Ranges, Content-Length, Content-Range, Content-Type,
	// ETag, Last-Modified (what a download button and a player need).
	ExposedHeaders []string

	// CorsMaxAge is how long a browser may reuse a preflight answer. Browsers
	// cap it (Chromium at 2 hours). Whole seconds.
	//
	// Default: 1 hour.
	CorsMaxAge time.Duration

	// Bucket is an existing bucket to serve. The construct cannot change the
	// policy or CORS rules of an imported bucket: it then emits the bucket
	// policy statement and CORS rules to apply as stack outputs, with a synth
	// warning. The bucket must use SSE-S3 (or a KMS key whose policy lets
	// CloudFront decrypt) and "Bucket owner enforced" object ownership.
	//
	// Default: a new private bucket (all public access blocked, TLS only,
	// SSE-S3, bucket owner enforced) retained when the stack is deleted.
	Bucket awss3.IBucket

	// BucketRemovalPolicy applies to the bucket the construct creates.
	//
	// Default: awscdk.RemovalPolicy_RETAIN (media outlives the stack).
	BucketRemovalPolicy awscdk.RemovalPolicy

	// ImageExtensions get one cache behavior each (*.jpg, ...), cached long.
	// nil means the defaults; an empty list is an error.
	// Extensions are case sensitive, as CloudFront path patterns are; other
	// spellings (PHOTO.JPG) fall through to the default behavior, which has the
	// same CORS and signing but the playlist TTL.
	//
	// Default: jpg, jpeg, png, gif, webp, avif, svg.
	ImageExtensions []string

	// PlaylistExtensions get one behavior each with the short PlaylistTtl, so
	// live playlists stay fresh.
	//
	// Default: m3u8, mpd.
	PlaylistExtensions []string

	// SegmentExtensions get one behavior each, cached long (segments are
	// immutable once written).
	//
	// Default: ts, m4s, mp4, vtt.
	SegmentExtensions []string

	// ImageTtl bounds how long CloudFront caches images. Min 0 means an
	// origin Cache-Control: no-store is honored.
	//
	// Default: min 0, default 1 day, max 365 days.
	ImageTtl *CacheTtl

	// SegmentTtl bounds how long CloudFront caches media segments.
	//
	// Default: min 0, default 1 day, max 365 days.
	SegmentTtl *CacheTtl

	// PlaylistTtl bounds how long CloudFront caches playlists and anything
	// the default behavior serves. Keep Default at or below half the segment
	// duration for live streams; VOD can raise it.
	//
	// Default: min 0, default 2 seconds, max 60 seconds.
	PlaylistTtl *CacheTtl

	// DomainNames are alternate domain names (CNAMEs) for the distribution.
	// They require Certificate.
	//
	// Default: none (the *.cloudfront.net name only).
	DomainNames []string

	// Certificate is an ACM certificate in us-east-1 covering DomainNames.
	//
	// Default: none.
	Certificate awscertificatemanager.ICertificate

	// MinimumProtocolVersion is the oldest TLS policy viewers may use with
	// the custom domain. TLSv1.2_2021 or newer.
	//
	// Default: awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021 (the
	// cloudfront.net certificate always allows TLSv1, which CloudFront fixes).
	MinimumProtocolVersion awscloudfront.SecurityPolicyProtocol

	// PriceClass selects the edge locations.
	//
	// Default: awscloudfront.PriceClass_PRICE_CLASS_ALL.
	PriceClass awscloudfront.PriceClass

	// HttpVersion is the highest HTTP version viewers may use. HTTP3 alone is
	// refused (it drops every client without QUIC).
	//
	// Default: awscloudfront.HttpVersion_HTTP2_AND_3.
	HttpVersion awscloudfront.HttpVersion

	// DisableIpv6 turns IPv6 off, which signed-URL IP conditions (IPv4 only)
	// need.
	//
	// Default: false (IPv6 enabled).
	DisableIpv6 bool

	// AccessLogging writes CloudFront standard access logs, and the media
	// bucket's S3 server access logs, to a log bucket.
	//
	// Default: false.
	AccessLogging bool

	// LogBucket receives the access logs when AccessLogging is on. It must
	// have ACLs enabled (CloudFront standard logging writes with an ACL).
	//
	// Default: a new bucket (public access blocked, TLS only, SSE-S3,
	// objects expire after AccessLogRetention, retained on stack deletion).
	LogBucket awss3.IBucket

	// AccessLogRetention is how long the created log bucket keeps logs.
	// Whole days.
	//
	// Default: 90 days.
	AccessLogRetention time.Duration

	// WebAclArn is the ARN of an AWS WAF web ACL (scope CLOUDFRONT, so in
	// us-east-1) to attach.
	//
	// Default: none.
	WebAclArn string

	// GeoAllowList restricts viewers to these ISO 3166-1 alpha-2 countries
	// (officially assigned codes, in capitals: GB, not UK).
	// Exclusive with GeoDenyList.
	//
	// Default: none.
	GeoAllowList []string

	// GeoDenyList blocks viewers from these ISO 3166-1 alpha-2 countries.
	//
	// Default: none.
	GeoDenyList []string

	// OriginShieldRegion enables Origin Shield, another cache layer that
	// raises the hit ratio, in this AWS region: one CloudFront offers Origin
	// Shield in, with the lowest latency to the bucket (the bucket's own
	// region when CloudFront offers it there; OriginShieldRegionFor gives
	// CloudFront's recommendation for a bucket region).
	//
	// Default: none (Origin Shield off).
	OriginShieldRegion string

	// PublicKeys are the public keys (PEM "-----BEGIN PUBLIC KEY-----", RSA
	// 2048 or ECDSA P-256: what CloudFront accepts) whose private keys sign
	// URLs and cookies; 1 to 5 (a key group's quota). They form one key group
	// trusted on every behavior, the default one included, so nothing but
	// PublicPaths is served without a valid signature. Each key's CloudFront
	// resource is named after its fingerprint, so rotating (add the new key,
	// deploy, switch signers, wait out the longest URL lifetime, remove the
	// old key, deploy) is a plain create and a later delete. Never pass a
	// private key: it is refused.
	//
	// Default: none (media is served without signatures).
	PublicKeys []string

	// PublicPaths are path patterns served without a signature (thumbnails,
	// say: "thumbs/*"). Each must start with a literal directory ("thumbs/"),
	// so it cannot match media elsewhere; they are placed before the signed
	// behaviors and cached with the ImageTtl. Requires PublicKeys.
	//
	// Default: none.
	PublicPaths []string

	// Comment describes the distribution in the console (at most 128
	// characters).
	//
	// Default: "mediacdn: private images and HLS video".
	Comment string

	// CachePolicies are existing cache policies to use instead of creating
	// new ones, by kind, so that several stacks share them: CloudFront allows
	// 20 custom cache policies per account and each MediaCdn needs 2 to 5.
	// Pass another MediaCdn's CachePolicies, or import policies with
	// awscloudfront.CachePolicy_FromCachePolicyId (any cache policy works,
	// managed ones included; the construct cannot read an imported policy,
	// so its TTLs and cache key are yours to choose: keep the key to the
	// path, and Accept-Encoding in it only for the text kinds). A kind left
	// out gets a policy of its own. A TTL prop whose behaviors all use shared
	// policies is refused, since it would be ignored.
	//
	// Default: none (the construct creates each policy it needs).
	CachePolicies map[CachePolicyKind]awscloudfront.ICachePolicy

	// ResponseHeadersPolicy is an existing response headers policy to use
	// instead of creating one, so that several stacks share it (20 per
	// account). It makes the CORS headers at the edge, so it must allow the
	// same origins, credentials, exposed headers and max age as these props,
	// and override the origin's CORS headers: share the ResponseHeadersPolicy
	// of a MediaCdn with the same CORS props. AllowedRequestHeaders, which
	// only shapes the created policy, is refused with it.
	//
	// Default: a policy created from the CORS props.
	ResponseHeadersPolicy awscloudfront.IResponseHeadersPolicy
}

// CacheTtl bounds how long CloudFront keeps an object: the origin's
// Cache-Control max-age is clamped to [Min, Max]; Default applies when the
// origin sends none. All values are whole seconds, Min <= Default <= Max.
type CacheTtl struct {
	Min     time.Duration
	Default time.Duration
	Max     time.Duration
}

// DefaultImageExtensions returns the image extensions used when
// Props.ImageExtensions is nil.
func DefaultImageExtensions() []string {
	return []string{"jpg", "jpeg", "png", "gif", "webp", "avif", "svg"}
}

// DefaultPlaylistExtensions returns the playlist extensions used when
// Props.PlaylistExtensions is nil.
func DefaultPlaylistExtensions() []string { return []string{"m3u8", "mpd"} }

// DefaultSegmentExtensions returns the segment extensions used when
// Props.SegmentExtensions is nil.
func DefaultSegmentExtensions() []string { return []string{"ts", "m4s", "mp4", "vtt"} }

// DefaultExposedHeaders returns the headers exposed when
// Props.ExposedHeaders is empty: what a download button and a player read.
func DefaultExposedHeaders() []string {
	return []string{"Accept-Ranges", "Content-Length", "Content-Range", "Content-Type", "ETag", "Last-Modified"}
}

// DefaultCredentialedRequestHeaders returns the preflight request headers
// allowed when AllowCredentials is set and AllowedRequestHeaders is empty
// ("*" is not allowed with credentials): the range and conditional headers
// players and downloads send.
func DefaultCredentialedRequestHeaders() []string {
	return []string{"Range", "If-Range", "If-Match", "If-None-Match", "If-Modified-Since"}
}

const (
	day                       = 24 * time.Hour
	defaultCorsMaxAge         = time.Hour
	defaultAccessLogRetention = 90 * day
	defaultComment            = "mediacdn: private images and HLS video"
)

// DefaultMediaTtl returns the image and segment TTL used when ImageTtl or
// SegmentTtl is nil.
func DefaultMediaTtl() CacheTtl { return CacheTtl{Min: 0, Default: day, Max: 365 * day} }

// DefaultPlaylistTtl returns the playlist TTL used when PlaylistTtl is nil.
func DefaultPlaylistTtl() CacheTtl {
	return CacheTtl{Min: 0, Default: 2 * time.Second, Max: 60 * time.Second}
}
