package mediacdn

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudfront"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/mediacdn/mediacdn/internal/nag"
)

// MediaCdn is a private S3 bucket served through CloudFront with Origin
// Access Control, per-media-kind cache behaviors that share one CORS setup,
// and a viewer-response function that keeps browser caches CORS-safe.
//
// Where a CDK function takes a construct (awscdk.Stack_Of, Aspects_Of), pass
// m.Construct: the Go struct itself is not known to the jsii runtime.
type MediaCdn struct {
	constructs.Construct

	// Bucket holds the media: the bucket the construct created, or Props.Bucket.
	Bucket awss3.IBucket
	// LogBucket receives access logs; nil unless Props.AccessLogging.
	LogBucket awss3.IBucket
	// Distribution serves the bucket.
	Distribution awscloudfront.Distribution
	// OriginAccessControl signs CloudFront's requests to the bucket (SigV4, always).
	OriginAccessControl awscloudfront.S3OriginAccessControl
	// OriginRequestPolicy is the managed CORS-S3Origin policy every behavior
	// uses: it forwards Origin and the Access-Control-Request-* headers to S3.
	OriginRequestPolicy awscloudfront.IOriginRequestPolicy
	// ResponseHeadersPolicy adds the CORS and security headers at the edge on
	// every behavior: the one created, or Props.ResponseHeadersPolicy.
	ResponseHeadersPolicy awscloudfront.IResponseHeadersPolicy
	// CachePolicies are the cache policies the behaviors use, by kind (kinds
	// no behavior uses are absent): pass them as another MediaCdn's
	// Props.CachePolicies to share them.
	CachePolicies map[CachePolicyKind]awscloudfront.ICachePolicy
	// ViewerResponseFunction adds Vary: Origin to every response.
	ViewerResponseFunction awscloudfront.Function
	// AllowedOrigins are Props.AllowedOrigins as browsers send them
	// (lowercase, default ports dropped): what the CORS setup uses.
	AllowedOrigins []string
	// Behaviors lists the cache behaviors in distribution order; the default
	// behavior is last.
	Behaviors []Behavior
	// KeyGroup holds PublicKeys and is trusted on every signed behavior; nil
	// when Props.PublicKeys is empty.
	KeyGroup awscloudfront.KeyGroup
	// PublicKeys are the key group's keys, in Props.PublicKeys order.
	PublicKeys []PublicKey
	// BucketIsImported is true when Props.Bucket could not be given a policy
	// and CORS rules by the construct (the outputs then say what to apply).
	BucketIsImported bool
}

// Behavior describes one cache behavior of the distribution.
type Behavior struct {
	// PathPattern is "*.jpg" and so on, or "*" for the default behavior.
	PathPattern string
	Kind        MediaKind
	CachePolicy awscloudfront.ICachePolicy
	Compress    bool
	// Signed is true when the behavior requires a signed URL or cookies.
	Signed bool
}

// PublicKey is one CloudFront public key of the key group.
type PublicKey struct {
	// Fingerprint is the hex SHA-256 of the key's DER form; the resource's
	// construct id is derived from it, so rotation never updates a key in place.
	Fingerprint string
	// Type is "rsa" or "ecdsa".
	Type string
	// Resource is the CloudFront public key; Resource.PublicKeyId() is the
	// Key-Pair-Id that signed URLs carry.
	Resource awscloudfront.PublicKey
}

// New creates the media CDN. Props are validated first: on error nothing is
// added to scope and the error lists every problem with its fix.
func New(scope constructs.Construct, id string, props *Props) (*MediaCdn, error) {
	region := ""
	if r := awscdk.Stack_Of(scope).Region(); r != nil && !isToken(*r) {
		region = *r
	}
	p, err := props.plan(region)
	if err != nil {
		return nil, err
	}
	this := constructs.NewConstruct(scope, jsii.String(id))
	m := &MediaCdn{Construct: this, AllowedOrigins: p.origins.list()}

	if props.AccessLogging {
		m.LogBucket = props.LogBucket
		if m.LogBucket == nil {
			m.LogBucket = newLogBucket(this, p)
		}
	}
	m.Bucket = props.Bucket
	switch own, isL2 := props.Bucket.(awss3.Bucket); {
	case m.Bucket == nil:
		m.Bucket = newMediaBucket(this, p, m.LogBucket)
	case isL2 && own.Node().DefaultChild() != nil:
		// A bucket of this app: CDK adds the OAC statement to its policy, and
		// the CORS rule comes from the same list as the edge's.
		own.AddCorsRule(p.bucketCorsRule())
	default:
		m.BucketIsImported = true
	}

	m.OriginAccessControl = awscloudfront.NewS3OriginAccessControl(this, jsii.String("OriginAccessControl"), &awscloudfront.S3OriginAccessControlProps{
		Description:             jsii.String("mediacdn: CloudFront signs every request to the media bucket"),
		OriginAccessControlName: accountUniqueName(this, "OAC", maxOriginAccessControlName),
		Signing:                 awscloudfront.Signing_SIGV4_ALWAYS(),
	})
	originProps := &awscloudfrontorigins.S3BucketOriginWithOACProps{
		OriginAccessControl: m.OriginAccessControl,
		OriginAccessLevels:  &[]awscloudfront.AccessLevel{awscloudfront.AccessLevel_READ},
	}
	if props.OriginShieldRegion != "" {
		originProps.OriginShieldEnabled = jsii.Bool(true)
		originProps.OriginShieldRegion = jsii.String(props.OriginShieldRegion)
	}
	origin := awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(m.Bucket, originProps)

	m.OriginRequestPolicy = awscloudfront.OriginRequestPolicy_CORS_S3_ORIGIN()
	m.ResponseHeadersPolicy = props.ResponseHeadersPolicy
	if m.ResponseHeadersPolicy == nil {
		m.ResponseHeadersPolicy = newResponseHeadersPolicy(this, p)
	}
	m.ViewerResponseFunction = awscloudfront.NewFunction(this, jsii.String("ViewerResponse"), &awscloudfront.FunctionProps{
		Code:         awscloudfront.FunctionCode_FromInline(jsii.String(viewerResponseCode(p.origins, p.allowCredentials))),
		Runtime:      awscloudfront.FunctionRuntime_JS_2_0(),
		FunctionName: accountUniqueName(this, "ViewerResponse", maxFunctionName),
		Comment:      jsii.String("mediacdn: Vary: Origin on every response, so browser caches stay CORS-safe"),
	})

	if len(p.keys) > 0 {
		m.createKeyGroup(this, p)
	}

	policies := newCachePolicies(this, p, props.CachePolicies)
	behavior := func(kind MediaKind, compress bool) *awscloudfront.AddBehaviorOptions {
		opts := &awscloudfront.AddBehaviorOptions{
			AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD_OPTIONS(),
			CachedMethods:         awscloudfront.CachedMethods_CACHE_GET_HEAD_OPTIONS(),
			CachePolicy:           policies.get(kind, compress),
			Compress:              jsii.Bool(compress),
			OriginRequestPolicy:   m.OriginRequestPolicy,
			ResponseHeadersPolicy: m.ResponseHeadersPolicy,
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
				EventType: awscloudfront.FunctionEventType_VIEWER_RESPONSE,
				Function:  m.ViewerResponseFunction,
			}},
		}
		if m.KeyGroup != nil && kind != KindPublic {
			opts.TrustedKeyGroups = &[]interfacesawscloudfront.IKeyGroupRef{m.KeyGroup}
		}
		return opts
	}

	def := behavior(KindDefault, true)
	distProps := &awscloudfront.DistributionProps{
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                origin,
			AllowedMethods:        def.AllowedMethods,
			CachedMethods:         def.CachedMethods,
			CachePolicy:           def.CachePolicy,
			Compress:              def.Compress,
			OriginRequestPolicy:   def.OriginRequestPolicy,
			ResponseHeadersPolicy: def.ResponseHeadersPolicy,
			ViewerProtocolPolicy:  def.ViewerProtocolPolicy,
			FunctionAssociations:  def.FunctionAssociations,
			TrustedKeyGroups:      def.TrustedKeyGroups,
		},
		Comment: jsii.String(p.comment),
		// Preflights are cached with a path-only key and the edge rewrites
		// the CORS headers of a cached success; an S3 refusal (403 for an
		// unlisted origin, 400 without Origin) must not be cached, or one bad
		// preflight would fail everyone's for CloudFront's default 10 s.
		ErrorResponses: &[]*awscloudfront.ErrorResponse{
			{HttpStatus: jsii.Number(400), Ttl: awscdk.Duration_Seconds(jsii.Number(0))},
			{HttpStatus: jsii.Number(403), Ttl: awscdk.Duration_Seconds(jsii.Number(0))},
		},
		PriceClass:  p.priceClass,
		HttpVersion: p.httpVersion,
		EnableIpv6:  jsii.Bool(!props.DisableIpv6),
	}
	if len(p.domainNames) > 0 {
		distProps.DomainNames = jsii.Strings(p.domainNames...)
		distProps.Certificate = props.Certificate
		distProps.MinimumProtocolVersion = p.minimumProtocol
	}
	if m.LogBucket != nil {
		distProps.EnableLogging = jsii.Bool(true)
		distProps.LogBucket = m.LogBucket
		distProps.LogFilePrefix = jsii.String("cloudfront/")
	}
	if props.WebAclArn != "" {
		distProps.WebAclId = jsii.String(props.WebAclArn)
	}
	if len(props.GeoAllowList) > 0 {
		distProps.GeoRestriction = awscloudfront.GeoRestriction_Allowlist(*jsii.Strings(props.GeoAllowList...)...)
	}
	if len(props.GeoDenyList) > 0 {
		distProps.GeoRestriction = awscloudfront.GeoRestriction_Denylist(*jsii.Strings(props.GeoDenyList...)...)
	}
	m.Distribution = awscloudfront.NewDistribution(this, jsii.String("Distribution"), distProps)
	if len(p.domainNames) == 0 {
		nag.Suppress(m.Distribution, nag.Suppression{Rule: "AwsSolutions-CFR4", Reason: "Without DomainNames the distribution uses the *.cloudfront.net certificate, whose TLS policy CloudFront fixes; set DomainNames and Certificate to enforce TLSv1.2_2021 or newer."})
	}

	// Behaviors are added one by one: CloudFront matches them in order, and a
	// Go map (DistributionProps.AdditionalBehaviors) has none.
	for _, b := range p.behaviors {
		m.Distribution.AddBehavior(jsii.String(b.pattern), origin, behavior(b.kind, b.compress))
		m.Behaviors = append(m.Behaviors, Behavior{PathPattern: b.pattern, Kind: b.kind, CachePolicy: policies.get(b.kind, b.compress),
			Compress: b.compress, Signed: m.KeyGroup != nil && !b.public})
	}
	m.Behaviors = append(m.Behaviors, Behavior{PathPattern: "*", Kind: KindDefault, CachePolicy: policies.get(KindDefault, true),
		Compress: true, Signed: m.KeyGroup != nil})
	m.CachePolicies = policies.used

	if m.LogBucket != nil && props.LogBucket == nil {
		refuseLogRegionsAtDeploy(this)
	}

	if m.BucketIsImported {
		m.explainImportedBucket(p)
	}
	return m, nil
}

// createKeyGroup creates one CloudFront public key per key, named after its
// fingerprint: CloudFormation cannot change a public key's encoded key in
// place, so a new key is a new resource and a removed key a deleted one.
func (m *MediaCdn) createKeyGroup(scope constructs.Construct, p *plan) {
	var refs []interfacesawscloudfront.IPublicKeyRef
	for _, key := range p.keys {
		id := "PublicKey" + key.Fingerprint()[:16]
		res := awscloudfront.NewPublicKey(scope, jsii.String(id), &awscloudfront.PublicKeyProps{
			EncodedKey:    jsii.String(key.PEM),
			PublicKeyName: accountUniqueName(scope, id, maxKeyName),
			Comment:       jsii.String(fmt.Sprintf("mediacdn signing key, %s, sha256 %s", key.Type, key.Fingerprint()[:32])),
		})
		m.PublicKeys = append(m.PublicKeys, PublicKey{Fingerprint: key.Fingerprint(), Type: string(key.Type), Resource: res})
		refs = append(refs, res)
	}
	m.KeyGroup = awscloudfront.NewKeyGroup(scope, jsii.String("KeyGroup"), &awscloudfront.KeyGroupProps{
		Items:        &refs,
		KeyGroupName: accountUniqueName(scope, "KeyGroup", maxKeyName),
		Comment:      jsii.String("mediacdn: keys trusted to sign URLs and cookies for every behavior but PublicPaths"),
	})
}

func newMediaBucket(scope constructs.Construct, p *plan, logBucket awss3.IBucket) awss3.IBucket {
	props := &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		// OAC requires ACLs off; it also keeps uploads from other accounts ours.
		ObjectOwnership: awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		RemovalPolicy:   p.removalPolicy,
		Cors:            &[]*awss3.CorsRule{p.bucketCorsRule()},
	}
	if logBucket != nil {
		props.ServerAccessLogsBucket = logBucket
		props.ServerAccessLogsPrefix = jsii.String("s3/")
	}
	return awss3.NewBucket(scope, jsii.String("Bucket"), props)
}

func newLogBucket(scope constructs.Construct, p *plan) awss3.IBucket {
	b := awss3.NewBucket(scope, jsii.String("AccessLogs"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		// CloudFront standard logging writes objects with an ACL grant.
		ObjectOwnership: awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED,
		RemovalPolicy:   awscdk.RemovalPolicy_RETAIN,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:         jsii.String("expire-access-logs"),
			Expiration: awscdk.Duration_Days(jsii.Number(float64(p.accessLogRetention / day))),
		}},
	})
	nag.Suppress(b, nag.Suppression{Rule: "AwsSolutions-S1", Reason: "This is the access log bucket itself; logging its access into itself would loop."})
	return b
}

// bucketCorsRule is the S3 side of the CORS setup. S3 answers preflights (the
// edge only decorates them), so its rule allows any request header: the
// response-headers policy then narrows what browsers are told.
func (p *plan) bucketCorsRule() *awss3.CorsRule {
	return &awss3.CorsRule{
		Id:             jsii.String("mediacdn"),
		AllowedMethods: &[]awss3.HttpMethods{awss3.HttpMethods_GET, awss3.HttpMethods_HEAD},
		AllowedOrigins: jsii.Strings(p.origins.list()...),
		AllowedHeaders: jsii.Strings("*"),
		ExposedHeaders: jsii.Strings(p.exposeHeaders...),
		MaxAge:         jsii.Number(p.corsMaxAge.Seconds()),
	}
}

func newResponseHeadersPolicy(scope constructs.Construct, p *plan) awscloudfront.ResponseHeadersPolicy {
	return awscloudfront.NewResponseHeadersPolicy(scope, jsii.String("ResponseHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment:                   jsii.String("mediacdn: CORS from AllowedOrigins on every response, cached or not; security headers"),
		ResponseHeadersPolicyName: accountUniqueName(scope, "ResponseHeaders", maxPolicyName),
		CorsBehavior: &awscloudfront.ResponseHeadersCorsBehavior{
			AccessControlAllowCredentials: jsii.Bool(p.allowCredentials),
			AccessControlAllowHeaders:     jsii.Strings(p.allowHeaders...),
			AccessControlAllowMethods:     jsii.Strings("GET", "HEAD"),
			AccessControlAllowOrigins:     jsii.Strings(p.origins.list()...),
			AccessControlExposeHeaders:    jsii.Strings(p.exposeHeaders...),
			AccessControlMaxAge:           awscdk.Duration_Seconds(jsii.Number(p.corsMaxAge.Seconds())),
			// The edge decides, so a response cached from a request without
			// Origin (or from another origin) still gets the right headers.
			OriginOverride: jsii.Bool(true),
		},
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			FrameOptions:       &awscloudfront.ResponseHeadersFrameOptions{FrameOption: awscloudfront.HeadersFrameOption_DENY, Override: jsii.Bool(true)},
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_STRICT_ORIGIN_WHEN_CROSS_ORIGIN, Override: jsii.Bool(true),
			},
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(365)),
				IncludeSubdomains:   jsii.Bool(false),
				Override:            jsii.Bool(true),
			},
		},
	})
}

// cachePolicies hands out the cache policy of each kind: the one shared
// through Props.CachePolicies, or one created on first use. Images and
// segments cached alike (equal TTLs) share the created policy.
type cachePolicies struct {
	scope  constructs.Construct
	plan   *plan
	shared map[CachePolicyKind]awscloudfront.ICachePolicy
	byID   map[string]awscloudfront.ICachePolicy // created, by construct id
	used   map[CachePolicyKind]awscloudfront.ICachePolicy
}

func newCachePolicies(scope constructs.Construct, p *plan, shared map[CachePolicyKind]awscloudfront.ICachePolicy) *cachePolicies {
	return &cachePolicies{scope: scope, plan: p, shared: shared,
		byID: map[string]awscloudfront.ICachePolicy{}, used: map[CachePolicyKind]awscloudfront.ICachePolicy{}}
}

func (c *cachePolicies) get(kind MediaKind, compress bool) awscloudfront.ICachePolicy {
	pk := cachePolicyKind(kind, compress)
	if pol := c.shared[pk]; pol != nil {
		c.used[pk] = pol
		return pol
	}
	compress = pk == CacheTextImages || pk == CacheTextSegments || pk == CachePlaylists
	class := map[CachePolicyKind]string{CacheImages: "Image", CacheTextImages: "Image", CacheSegments: "Segment", CacheTextSegments: "Segment", CachePlaylists: "Playlist"}[pk]
	if class != "Playlist" && c.plan.ttl[KindImage] == c.plan.ttl[KindSegment] {
		class = "Media"
	}
	id := class
	if compress && class != "Playlist" {
		id += "Text"
	}
	if pol, ok := c.byID[id]; ok {
		c.used[pk] = pol
		return pol
	}
	ttl := c.plan.ttl[kind]
	what := map[string]string{"Media": "images and segments", "Image": "images", "Segment": "segments", "Playlist": "playlists and default"}[class]
	if compress && class != "Playlist" {
		what = "text " + what + ", compressed"
	}
	comment := fmt.Sprintf("mediacdn %s: TTL %d/%d/%d s; key is the path only",
		what, int64(ttl.Min.Seconds()), int64(ttl.Default.Seconds()), int64(ttl.Max.Seconds()))
	if len(comment) > 128 { // CloudFront's limit
		comment = comment[:128]
	}
	pol := awscloudfront.NewCachePolicy(c.scope, jsii.String(id+"CachePolicy"), &awscloudfront.CachePolicyProps{
		CachePolicyName: accountUniqueName(c.scope, id+"CachePolicy", maxPolicyName),
		Comment:         jsii.String(comment),
		MinTtl:          awscdk.Duration_Seconds(jsii.Number(ttl.Min.Seconds())),
		DefaultTtl:      awscdk.Duration_Seconds(jsii.Number(ttl.Default.Seconds())),
		MaxTtl:          awscdk.Duration_Seconds(jsii.Number(ttl.Max.Seconds())),
		// One cache entry per object whatever the requesting origin, signature
		// or cookies: CORS headers come from the edge, not from the cache.
		HeaderBehavior:             awscloudfront.CacheHeaderBehavior_None(),
		CookieBehavior:             awscloudfront.CacheCookieBehavior_None(),
		QueryStringBehavior:        awscloudfront.CacheQueryStringBehavior_None(),
		EnableAcceptEncodingGzip:   jsii.Bool(compress),
		EnableAcceptEncodingBrotli: jsii.Bool(compress),
	})
	c.byID[id] = pol
	c.used[pk] = pol
	return pol
}

// corsReplaceWarning is said wherever the CORS configuration of an imported
// bucket is handed out: S3 keeps one CORS configuration per bucket.
const corsReplaceWarning = "put-bucket-cors replaces ALL existing CORS rules on that bucket: first read them (aws s3api get-bucket-cors --bucket BUCKET) and add any you keep to the CORSRules list."

// logRegionProblem says why access logs cannot go to a bucket in region
// ("" when the region is known only at deploy time) and what to do.
func logRegionProblem(region string) string {
	where := "the stack is in " + region
	if region == "" {
		where = "the stack's region is one of " + strings.Join(NoLogDeliveryRegions(), ", ")
	}
	return "AccessLogging is on and " + where + ", where CloudFront does not deliver standard logs: pass a LogBucket in another region (e.g. one imported with awss3.Bucket_FromBucketAttributes in us-east-1), or turn AccessLogging off"
}

// refuseLogRegionsAtDeploy covers the environment-agnostic stack (the
// region is known only at deploy time, so the synth check cannot run): a
// CloudFormation rule on AWS::Region fails the deploy at once, before any
// resource is created, in a region CloudFront does not deliver logs to.
func refuseLogRegionsAtDeploy(scope constructs.Construct) {
	if !isToken(*awscdk.Stack_Of(scope).Region()) {
		return // known region: refused at synth (Props.plan)
	}
	awscdk.NewCfnRule(scope, jsii.String("AccessLogRegion"), &awscdk.CfnRuleProps{
		Assertions: &[]*awscdk.CfnRuleAssertion{{
			Assert:            awscdk.Fn_ConditionNot(awscdk.Fn_ConditionContains(jsii.Strings(NoLogDeliveryRegions()...), awscdk.Aws_REGION())),
			AssertDescription: jsii.String("mediacdn: " + logRegionProblem("")),
		}},
	})
}

// explainImportedBucket tells the user, at synth time and in stack outputs,
// exactly what to apply to a bucket the construct cannot change.
func (m *MediaCdn) explainImportedBucket(p *plan) {
	stack := awscdk.Stack_Of(m.Construct)
	statement := map[string]any{
		"Sid":       "AllowCloudFrontServicePrincipalReadOnly",
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": "cloudfront.amazonaws.com"},
		"Action":    "s3:GetObject",
		"Resource":  awscdk.Fn_Join(jsii.String(""), &[]*string{m.Bucket.BucketArn(), jsii.String("/*")}),
		"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": m.Distribution.DistributionArn()}},
	}
	rule := p.bucketCorsRule()
	cors := map[string]any{"CORSRules": []any{map[string]any{
		"AllowedMethods": []string{"GET", "HEAD"},
		"AllowedOrigins": p.origins.list(),
		"AllowedHeaders": []string{"*"},
		"ExposeHeaders":  p.exposeHeaders,
		"MaxAgeSeconds":  *rule.MaxAge,
	}}}
	awscdk.NewCfnOutput(m.Construct, jsii.String("ImportedBucketPolicyStatement"), &awscdk.CfnOutputProps{
		Description: jsii.String("Add this statement to the existing bucket's policy: the construct cannot edit an imported bucket"),
		Value:       stack.ToJsonString(statement, nil),
	})
	awscdk.NewCfnOutput(m.Construct, jsii.String("ImportedBucketCorsConfiguration"), &awscdk.CfnOutputProps{
		Description: jsii.String("Apply with: aws s3api put-bucket-cors --bucket BUCKET --cors-configuration '<this value>'. " + corsReplaceWarning),
		Value:       stack.ToJsonString(cors, nil),
	})
	awscdk.Annotations_Of(m.Construct).AddWarningV2(jsii.String("mediacdn:importedBucket"), jsii.String(strings.Join([]string{
		"The media bucket is imported, so mediacdn cannot add the Origin Access Control statement to its policy or set its CORS rules.",
		"Until you apply both, CloudFront gets 403 AccessDenied from S3 and preflights fail.",
		"After deploying, add the statement in the ImportedBucketPolicyStatement output to the bucket policy and apply the ImportedBucketCorsConfiguration output",
		"(aws s3api put-bucket-cors).", corsReplaceWarning,
		"The bucket must use Bucket owner enforced object ownership and SSE-S3 (or a KMS key that lets CloudFront decrypt).",
	}, " ")))
}
