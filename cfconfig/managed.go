package cfconfig

// Managed CloudFront policies, by id, with their documented contents.
// Sources: CloudFront Developer Guide, using-managed-cache-policies.html,
// using-managed-origin-request-policies.html and
// using-managed-response-headers-policies.html; the ids are the ones
// aws-cdk-lib synthesizes (../shared/CLOUDFRONT-FACTS.md section 3).

// Managed policy ids used by name elsewhere.
const (
	CachingOptimizedID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	CachingDisabledID  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	CORSS3OriginID     = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"
)

var managedCachePolicies = map[string]CachePolicy{
	CachingOptimizedID: {Name: "CachingOptimized", MinTTL: 1, DefaultTTL: 86400, MaxTTL: 31536000,
		QueryStringBehavior: "none", CookieBehavior: "none", EnableGzip: true, EnableBrotli: true},
	"b2884449-e4de-46a7-ac36-70bc7f1ddd6d": {Name: "CachingOptimizedForUncompressedObjects", MinTTL: 1, DefaultTTL: 86400, MaxTTL: 31536000,
		QueryStringBehavior: "none", CookieBehavior: "none"},
	CachingDisabledID: {Name: "CachingDisabled", QueryStringBehavior: "none", CookieBehavior: "none"},
	"08627262-05a9-4f76-9ded-b50ca2e3a84f": {Name: "Elemental-MediaPackage", MinTTL: 0, DefaultTTL: 86400, MaxTTL: 31536000,
		Headers: []string{"origin"}, QueryStringBehavior: "whitelist", QueryStrings: []string{"aws.manifestfilter", "start", "end", "m"},
		CookieBehavior: "none", EnableGzip: true},
}

var managedOriginRequestPolicies = map[string]OriginRequestPolicy{
	CORSS3OriginID: {Name: "CORS-S3Origin", HeaderBehavior: "whitelist",
		Headers: []string{"origin", "access-control-request-headers", "access-control-request-method"}, QueryStringBehavior: "none", CookieBehavior: "none"},
	"59781a5b-3903-41f3-afcb-af62929ccde1": {Name: "CORS-CustomOrigin", HeaderBehavior: "whitelist", Headers: []string{"origin"},
		QueryStringBehavior: "none", CookieBehavior: "none"},
	"216adef6-5c7f-47e4-b989-5492eafa07d3": {Name: "AllViewer", HeaderBehavior: "allViewer", QueryStringBehavior: "all", CookieBehavior: "all"},
	"b689b0a8-53d0-40ab-baf2-68738e2966ac": {Name: "AllViewerExceptHostHeader", HeaderBehavior: "allExcept", Headers: []string{"host"},
		QueryStringBehavior: "all", CookieBehavior: "all"},
	"33f36d7e-f396-46d9-90e0-52428a34d9dc": {Name: "AllViewerAndCloudFrontHeaders-2022-06", HeaderBehavior: "allViewerAndWhitelistCloudFront",
		QueryStringBehavior: "all", CookieBehavior: "all"},
	"acba4595-bd28-49b8-b9fe-13317c0390fa": {Name: "UserAgentRefererHeaders", HeaderBehavior: "whitelist", Headers: []string{"user-agent", "referer"},
		QueryStringBehavior: "all", CookieBehavior: "none"},
	"775133bc-15f2-49f9-abea-afb2e0bf67d2": {Name: "Elemental-MediaTailor-PersonalizedManifests", Unknown: true},
}

// managedSecurityHeaders are the headers of the managed SecurityHeadersPolicy
// and of the CORS variants combined with it. Only X-Content-Type-Options
// overrides the origin's header ("CloudFront adds X-Content-Type-Options:
// nosniff to all responses"); for the others the origin's value wins.
var managedSecurityHeaders = []Header{
	{Name: "Referrer-Policy", Value: "strict-origin-when-cross-origin"},
	{Name: "Strict-Transport-Security", Value: "max-age=31536000"},
	{Name: "X-Content-Type-Options", Value: "nosniff", Override: true},
	{Name: "X-Frame-Options", Value: "SAMEORIGIN"},
	{Name: "X-XSS-Protection", Value: "1; mode=block"},
}

var preflightMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

// The managed CORS policies allow every origin with "*", set no
// Allow-Credentials, and let the origin's own CORS headers win
// (OriginOverride false). SimpleCORS (and its security variant) lists only
// Access-Control-Allow-Origin: it adds no Allow-Methods to a preflight.
// CORS-With-Preflight adds "all three" of its headers (ACAO, Allow-Methods,
// Expose-Headers) to preflights and only ACAO to simple CORS requests; its
// Allow-Headers and Max-Age are not in the AWS text: they are left unset
// (the less forgiving reading).
var managedResponseHeadersPolicies = map[string]ResponseHeadersPolicy{
	"60669652-455b-4ae9-85a4-c4c02393f86c": {Name: "SimpleCORS", CORS: simpleCORS()},
	"5cc3b908-e619-4b99-88e5-2cf7f45965bd": {Name: "CORS-With-Preflight", CORS: preflightCORS()},
	"eaab4381-ed33-4a86-88ca-d9558dc6cd63": {Name: "CORS-with-preflight-and-SecurityHeadersPolicy", CORS: preflightCORS(),
		SecurityHeaders: managedSecurityHeaders},
	"e61eb60c-9c35-4d20-a928-2b84e02af89c": {Name: "CORS-and-SecurityHeadersPolicy", CORS: simpleCORS(), SecurityHeaders: managedSecurityHeaders},
	"67f7725c-6f97-4210-82d7-5512b31e9d03": {Name: "SecurityHeadersPolicy", SecurityHeaders: managedSecurityHeaders},
}

func simpleCORS() *CORSConfig { return &CORSConfig{AllowOrigins: []string{"*"}} }

func preflightCORS() *CORSConfig {
	return &CORSConfig{AllowOrigins: []string{"*"}, AllowMethods: preflightMethods, ExposeHeaders: []string{"*"}, ExposeOnPreflightsOnly: true}
}

// copyCORS returns a copy so that callers cannot change the shared table.
func copyCORS(c *CORSConfig) *CORSConfig {
	if c == nil {
		return nil
	}
	x := *c
	x.AllowOrigins = append([]string(nil), c.AllowOrigins...)
	x.AllowMethods = append([]string(nil), c.AllowMethods...)
	x.AllowHeaders = append([]string(nil), c.AllowHeaders...)
	x.ExposeHeaders = append([]string(nil), c.ExposeHeaders...)
	return &x
}
