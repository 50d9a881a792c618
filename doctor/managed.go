package doctor

// Managed CloudFront policies, by ID, with the contents the checks need.
// Source: ../shared/CLOUDFRONT-FACTS.md section 3 (AWS developer guide and
// the managed IDs in aws-cdk-lib); the two extra origin request policies are
// the IDs aws-cdk-lib's own tests assert.

var managedCachePolicies = map[string]cachePolicy{
	"658327ea-f89d-4fab-a63d-7e88639e58f6": {name: "CachingOptimized", minTTL: 1, defTTL: 86400, maxTTL: 31536000, queryBehavior: "none", cookieBehavior: "none"},
	"b2884449-e4de-46a7-ac36-70bc7f1ddd6d": {name: "CachingOptimizedForUncompressedObjects", minTTL: 1, defTTL: 86400, maxTTL: 31536000, queryBehavior: "none", cookieBehavior: "none"},
	"4135ea2d-6df8-44a3-9df3-4b5a84be39ad": {name: "CachingDisabled", minTTL: 0, defTTL: 0, maxTTL: 0, queryBehavior: "none", cookieBehavior: "none"},
	"08627262-05a9-4f76-9ded-b50ca2e3a84f": {name: "Elemental-MediaPackage", minTTL: 0, defTTL: 86400, maxTTL: 31536000,
		keyHeaders: []string{"origin"}, queryBehavior: "whitelist", queryNames: []string{"aws.manifestfilter", "start", "end", "m"}, cookieBehavior: "none"},
}

var managedOriginRequestPolicies = map[string]originRequestPolicy{
	"88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": {name: "CORS-S3Origin", headerBehavior: "whitelist", headers: []string{"origin", "access-control-request-headers", "access-control-request-method"}},
	"59781a5b-3903-41f3-afcb-af62929ccde1": {name: "CORS-CustomOrigin", headerBehavior: "whitelist", headers: []string{"origin"}},
	"216adef6-5c7f-47e4-b989-5492eafa07d3": {name: "AllViewer", headerBehavior: "allViewer"},
	"b689b0a8-53d0-40ab-baf2-68738e2966ac": {name: "AllViewerExceptHostHeader", headerBehavior: "allExcept", headers: []string{"host"}},
	"33f36d7e-f396-46d9-90e0-52428a34d9dc": {name: "AllViewerAndCloudFrontHeaders-2022-06", headerBehavior: "allViewerAndWhitelistCloudFront"},
	"acba4595-bd28-49b8-b9fe-13317c0390fa": {name: "UserAgentRefererHeaders", headerBehavior: "whitelist", headers: []string{"user-agent", "referer"}},
	"775133bc-15f2-49f9-abea-afb2e0bf67d2": {name: "Elemental-MediaTailor-PersonalizedManifests", unknown: true},
}

// The managed CORS policies all allow every origin with "*", set no
// Allow-Credentials, and let the origin's own CORS headers win
// (OriginOverride false).
var managedResponseHeadersPolicies = map[string]responseHeadersPolicy{
	"60669652-455b-4ae9-85a4-c4c02393f86c": {name: "SimpleCORS", cors: &corsConfig{origins: []string{"*"}, methods: []string{"GET", "HEAD"}}},
	"5cc3b908-e619-4b99-88e5-2cf7f45965bd": {name: "CORS-With-Preflight", cors: &corsConfig{origins: []string{"*"}, methods: []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}}},
	"eaab4381-ed33-4a86-88ca-d9558dc6cd63": {name: "CORS-with-preflight-and-SecurityHeadersPolicy", cors: &corsConfig{origins: []string{"*"}, methods: []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}}},
	"e61eb60c-9c35-4d20-a928-2b84e02af89c": {name: "CORS-and-SecurityHeadersPolicy", cors: &corsConfig{origins: []string{"*"}, methods: []string{"GET", "HEAD"}}},
	"67f7725c-6f97-4210-82d7-5512b31e9d03": {name: "SecurityHeadersPolicy"},
}

const corsS3OriginID = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"
const cachingOptimizedID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
