// Package cfconfig models the effective configuration of a CloudFront
// distribution: its cache behaviors in order, their cache, origin request and
// response headers policies (managed ones resolved by id to their documented
// contents), CloudFront Functions with their code, trusted key groups with
// their public keys, origins, and the S3 bucket behind an origin with its CORS
// rules and policy.
//
// It reads a CloudFormation template (JSON), a cdk.out cloud assembly
// directory (nested assemblies of CDK stages included), or the JSON printed by
// aws cloudfront get-distribution-config / get-distribution. The doctor's
// template audit and the local edge (package edge) both read it.
//
//	dists, err := cfconfig.Load("cdk.out")
//	if err != nil { ... }
//	for _, b := range dists[0].Behaviors { // default behavior last
//		fmt.Println(b.Label(), b.CachePolicy.Name)
//	}
//
// Input is untrusted: files are read through size limits, cycles between
// nested assemblies are an error, and nothing in the input is executed.
package cfconfig

import (
	"errors"
	"strings"
)

// ErrNoDistribution is returned when the input holds no CloudFront
// distribution.
var ErrNoDistribution = errors.New("no CloudFront distribution found (expected AWS::CloudFront::Distribution resources, or the output of aws cloudfront get-distribution-config)")

// Distribution is one distribution's configuration.
type Distribution struct {
	// Label names it in messages: "Stack/LogicalId", or
	// "DistributionConfig (ETag X)" / "distribution ID" for AWS CLI JSON.
	Label string
	// Stack is the stack (template) name it was read from.
	Stack   string
	Aliases []string
	// Origins by origin id.
	Origins map[string]*Origin
	// Behaviors in evaluation order; the default behavior ("*") is last.
	Behaviors []*Behavior
	// ErrorResponses are the CustomErrorResponses.
	ErrorResponses []ErrorResponse
	// DefaultRootObject as configured ("" when none).
	DefaultRootObject string
	// Unresolved lists references met while reading whose target is neither
	// managed nor in the input (their contents are unknown).
	Unresolved []Unresolved
	// Empty is true when the distribution had no DistributionConfig at all.
	Empty bool
	// WebACLID is the associated AWS WAF web ACL ("" when none).
	WebACLID string
	// GeoRestriction is the RestrictionType (whitelist, blacklist) when
	// geographic restriction is on, "" otherwise.
	GeoRestriction string
	// OriginGroups counts origin groups (failover).
	OriginGroups int
}

// Unresolved is a policy reference whose contents are not in the input.
type Unresolved struct {
	Kind string // "cache policy", "origin request policy", "response headers policy"
	Ref  string // the id or reference, rendered for a message
}

// ErrorResponse is one CustomErrorResponses entry.
type ErrorResponse struct {
	ErrorCode int
	// CachingMinTTL is ErrorCachingMinTTL in seconds; HasCachingMinTTL is
	// false when unset (CloudFront then caches the error 10 seconds).
	CachingMinTTL    float64
	HasCachingMinTTL bool
	ResponseCode     int
	ResponsePagePath string
}

// DefaultBehavior returns the default behavior, or nil.
func (d *Distribution) DefaultBehavior() *Behavior {
	for _, b := range d.Behaviors {
		if b.IsDefault {
			return b
		}
	}
	return nil
}

// PublicKeys returns every public key trusted by some behavior, each once,
// in behavior then key-group order.
func (d *Distribution) PublicKeys() []*PublicKey {
	seen := map[*PublicKey]bool{}
	var out []*PublicKey
	for _, b := range d.Behaviors {
		for _, g := range b.KeyGroups {
			for _, k := range g.PublicKeys {
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// Behavior is one cache behavior.
type Behavior struct {
	// PathPattern is "*" for the default behavior.
	PathPattern    string
	IsDefault      bool
	TargetOrigin   string
	AllowedMethods []string // upper case
	CachedMethods  []string // upper case
	ViewerProtocol string
	// Compress is the behavior's Compress setting (CloudFormation default false).
	Compress              bool
	CachePolicy           *CachePolicy
	OriginRequestPolicy   *OriginRequestPolicy
	ResponseHeadersPolicy *ResponseHeadersPolicy
	// Legacy holds ForwardedValues when the behavior uses them instead of a
	// cache policy.
	Legacy *ForwardedValues
	// TrustedKeyGroups are the key group references, rendered; KeyGroups the
	// ones whose contents are in the input.
	TrustedKeyGroups []string
	KeyGroups        []*KeyGroup
	// TrustedSigners is true when legacy trusted signers (key pairs of the
	// AWS account) are enabled.
	TrustedSigners bool
	// Functions are CloudFront Functions and Lambda@Edge associations.
	Functions []Function
	// FieldLevelEncryptionID is set when field-level encryption is on.
	FieldLevelEncryptionID string
}

// Label is the pattern as reports show it: "Default (*)" for the default.
func (b *Behavior) Label() string {
	if b.IsDefault {
		return "Default (*)"
	}
	return b.PathPattern
}

// Signed reports whether the behavior requires signed URLs or cookies.
func (b *Behavior) Signed() bool { return len(b.TrustedKeyGroups) > 0 || b.TrustedSigners }

// Allows reports whether method m is in AllowedMethods.
func (b *Behavior) Allows(m string) bool { return containsFold(b.AllowedMethods, m) }

// Caches reports whether responses to method m may be cached.
func (b *Behavior) Caches(m string) bool { return containsFold(b.CachedMethods, m) }

// InCacheKey reports whether header h is in the cache key (and so also
// forwarded to the origin).
func (b *Behavior) InCacheKey(h string) bool {
	if b.CachePolicy != nil && !b.CachePolicy.Unknown && containsFold(b.CachePolicy.Headers, h) {
		return true
	}
	if b.Legacy != nil && (containsFold(b.Legacy.Headers, h) || containsFold(b.Legacy.Headers, "*")) {
		return true
	}
	return false
}

// Forwards reports whether header h reaches the origin.
func (b *Behavior) Forwards(h string) bool {
	return b.InCacheKey(h) || b.OriginRequestPolicy.ForwardsHeader(h)
}

// PoliciesKnown reports whether the cache, origin request and response
// headers policies are all known (not unresolved ids).
func (b *Behavior) PoliciesKnown() bool {
	return (b.CachePolicy == nil || !b.CachePolicy.Unknown) &&
		(b.OriginRequestPolicy == nil || !b.OriginRequestPolicy.Unknown) &&
		(b.ResponseHeadersPolicy == nil || !b.ResponseHeadersPolicy.Unknown)
}

// EdgeCORS returns the response headers policy's CORS config, or nil.
func (b *Behavior) EdgeCORS() *CORSConfig {
	if b.ResponseHeadersPolicy == nil {
		return nil
	}
	return b.ResponseHeadersPolicy.CORS
}

// CacheDisabled reports whether responses are never cached (max TTL 0).
func (b *Behavior) CacheDisabled() bool {
	if b.CachePolicy == nil {
		return b.Legacy != nil && b.Legacy.MaxTTL == 0
	}
	return !b.CachePolicy.Unknown && !b.CachePolicy.TTLUnknown && b.CachePolicy.MaxTTL == 0
}

// TTLs returns the min, default and max TTL in seconds: the cache policy's,
// or the legacy behavior settings'.
func (b *Behavior) TTLs() (minTTL, defTTL, maxTTL float64) {
	switch {
	case b.CachePolicy != nil:
		return b.CachePolicy.MinTTL, b.CachePolicy.DefaultTTL, b.CachePolicy.MaxTTL
	case b.Legacy != nil:
		return b.Legacy.MinTTL, b.Legacy.DefaultTTL, b.Legacy.MaxTTL
	}
	return 0, 0, 0
}

// CachePolicy is a cache policy: TTLs and what is in the cache key.
type CachePolicy struct {
	ID, Name string
	Managed  bool
	// Unknown: referenced, but its contents are not in the input.
	Unknown    bool
	MinTTL     float64
	DefaultTTL float64
	MaxTTL     float64
	TTLUnknown bool
	// Headers in the key (lower case; HeaderBehavior whitelist).
	Headers             []string
	QueryStringBehavior string // none, whitelist, allExcept, all
	QueryStrings        []string
	CookieBehavior      string // none, whitelist, allExcept, all
	Cookies             []string
	EnableGzip          bool
	EnableBrotli        bool
}

// OriginRequestPolicy says what reaches the origin besides the cache key.
type OriginRequestPolicy struct {
	ID, Name string
	Managed  bool
	Unknown  bool
	// HeaderBehavior: none, whitelist, allViewer,
	// allViewerAndWhitelistCloudFront, allExcept.
	HeaderBehavior      string
	Headers             []string // lower case
	QueryStringBehavior string   // none, whitelist, all, allExcept
	QueryStrings        []string
	CookieBehavior      string // none, whitelist, all, allExcept
	Cookies             []string
}

// ForwardsHeader reports whether the policy forwards viewer header h. A nil
// or unknown policy forwards nothing.
func (o *OriginRequestPolicy) ForwardsHeader(h string) bool {
	if o == nil || o.Unknown {
		return false
	}
	switch o.HeaderBehavior {
	case "allViewer", "allViewerAndWhitelistCloudFront":
		return true
	case "allExcept":
		return !containsFold(o.Headers, h)
	case "whitelist":
		return containsFold(o.Headers, h)
	}
	return false
}

// ForwardsQuery reports whether the policy forwards query parameter name.
func (o *OriginRequestPolicy) ForwardsQuery(name string) bool {
	if o == nil || o.Unknown {
		return false
	}
	return selects(o.QueryStringBehavior, o.QueryStrings, name, false)
}

// ForwardsCookie reports whether the policy forwards cookie name.
func (o *OriginRequestPolicy) ForwardsCookie(name string) bool {
	if o == nil || o.Unknown {
		return false
	}
	return selects(o.CookieBehavior, o.Cookies, name, false)
}

// KeyQuery reports whether query parameter name is in the cache key.
func (c *CachePolicy) KeyQuery(name string) bool {
	return c != nil && !c.Unknown && selects(c.QueryStringBehavior, c.QueryStrings, name, false)
}

// KeyCookie reports whether cookie name is in the cache key.
func (c *CachePolicy) KeyCookie(name string) bool {
	return c != nil && !c.Unknown && selects(c.CookieBehavior, c.Cookies, name, false)
}

// selects applies a none/whitelist/allExcept/all behavior to name; query
// strings and cookie names are case sensitive in CloudFront.
func selects(behavior string, names []string, name string, fold bool) bool {
	in := func() bool {
		for _, n := range names {
			if n == name || fold && strings.EqualFold(n, name) {
				return true
			}
		}
		return false
	}
	switch behavior {
	case "all":
		return true
	case "whitelist":
		return in()
	case "allExcept":
		return !in()
	}
	return false
}

// CORSConfig is a response headers policy's CorsConfig.
type CORSConfig struct {
	AllowOrigins     []string
	AllowMethods     []string // upper case
	AllowHeaders     []string
	ExposeHeaders    []string
	AllowCredentials bool
	// MaxAgeSec is AccessControlMaxAgeSec; HasMaxAge false when unset.
	MaxAgeSec      int
	HasMaxAge      bool
	OriginOverride bool
	// ExposeOnPreflightsOnly: Expose-Headers goes on preflight responses
	// only. Set for the managed CORS-With-Preflight policies, whose page
	// says a simple CORS request gets "only the Access-Control-Allow-Origin
	// header" (a custom policy sends it on every CORS response).
	ExposeOnPreflightsOnly bool
}

// Header is a header a response headers policy sets.
type Header struct {
	Name, Value string
	// Override: replace the origin's value (true) or only fill it in.
	Override bool
}

// ResponseHeadersPolicy adds and removes response headers at the edge.
type ResponseHeadersPolicy struct {
	ID, Name string
	Managed  bool
	Unknown  bool
	CORS     *CORSConfig
	// SecurityHeaders are rendered from SecurityHeadersConfig.
	SecurityHeaders []Header
	CustomHeaders   []Header
	RemoveHeaders   []string
	// ServerTiming is true when the Server-Timing header is enabled.
	ServerTiming bool
}

// ForwardedValues is a legacy (pre-cache-policy) behavior's forwarding
// settings and TTLs.
type ForwardedValues struct {
	QueryString   bool
	QueryKeys     []string // QueryStringCacheKeys
	Headers       []string // lower case; "*" forwards all
	CookieForward string   // none, whitelist, all
	CookieNames   []string
	MinTTL        float64
	DefaultTTL    float64
	MaxTTL        float64
}

// Function is a CloudFront Function or Lambda@Edge association.
type Function struct {
	// Name is "Stack/LogicalId" for a function in the input, else the ARN.
	Name      string
	EventType string // viewer-request, viewer-response, origin-request, origin-response
	// Code is the CloudFront Function's source when it is in the input.
	Code    string
	Runtime string // cloudfront-js-1.0, cloudfront-js-2.0
	// LambdaEdge is true for a Lambda@Edge association.
	LambdaEdge bool
	// KeyValueStores lists associated KeyValueStore ARNs (rendered).
	KeyValueStores []string
}

// KeyGroup is a trusted key group.
type KeyGroup struct {
	// ID is the logical id (template) or key group id (CLI JSON).
	ID         string
	Name       string
	PublicKeys []*PublicKey
}

// PublicKey is a CloudFront public key of a key group.
type PublicKey struct {
	// LogicalID is the template's logical id of the AWS::CloudFront::PublicKey.
	LogicalID string
	Name      string
	// PEM is EncodedKey.
	PEM string
}

// Origin is one origin.
type Origin struct {
	ID         string
	Domain     string // rendered DomainName
	OriginPath string
	// S3 is a REST S3 origin; Website an S3 website endpoint; Custom any
	// other origin.
	S3, Website, Custom bool
	HasOAC              bool
	OAI                 string // non-empty: an origin access identity is set
	// CustomHeaders are OriginCustomHeaders, sent to the origin.
	CustomHeaders []Header
	Bucket        *Bucket
	BucketLabel   string
}

// CORSRule is one bucket CORS rule (CloudFormation CorsRules entry). It has
// the fields of s3origin.CORSRule in the same order, so s3origin.CORSRule(r)
// converts it; the model does not import s3origin (and the AWS SDK with it).
type CORSRule struct {
	AllowedOrigins []string
	AllowedMethods []string // upper case
	AllowedHeaders []string
	ExposeHeaders  []string
	MaxAgeSeconds  int
}

// Bucket is the S3 bucket behind an origin, when defined in the template.
type Bucket struct {
	ID   string // logical id
	Name string // BucketName, "" when generated
	CORS []CORSRule
	// HasCORS is true when the bucket has at least one CORS rule.
	HasCORS bool
	// PublicAccessBlock holds the four settings; HasPublicAccessBlock false
	// when the template sets none.
	PublicAccessBlock    map[string]bool
	HasPublicAccessBlock bool
	// PolicyStatements are the bucket policy's statements (raw JSON values).
	PolicyStatements []map[string]any
	PolicyFound      bool
}

func containsFold(l []string, s string) bool {
	for _, e := range l {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
