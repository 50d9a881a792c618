package test

import (
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/mediacdn/mediacdn/internal/cffunc"
)

const corsS3OriginPolicyID = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"

// mediaBucket returns the bucket that holds the media (not the log bucket).
func mediaBucket(t *testing.T, s *synthesized) (string, map[string]any) {
	t.Helper()
	for id, b := range resourcesOf(s.tpl, "AWS::S3::Bucket") {
		if dig(b, "Properties", "CorsConfiguration") != nil || (s.embed != nil && strings.HasPrefix(id, "UserMedia")) {
			return id, b
		}
	}
	t.Fatal("no media bucket in the template")
	return "", nil
}

func TestBucketIsPrivate(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		if s.wantImported {
			if n := len(resourcesOf(s.tpl, "AWS::S3::Bucket")); n != 0 {
				t.Fatalf("an imported bucket must not be created, found %d buckets", n)
			}
			return
		}
		_, bucket := mediaBucket(t, s)
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if dig(bucket, "Properties", "PublicAccessBlockConfiguration", k) != true {
				t.Errorf("PublicAccessBlockConfiguration.%s is not true", k)
			}
		}
		if got := dig(bucket, "Properties", "BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault", "SSEAlgorithm"); got != "AES256" {
			t.Errorf("encryption at rest = %v, want AES256 (SSE-S3)", got)
		}
		if got := dig(bucket, "Properties", "OwnershipControls", "Rules", 0, "ObjectOwnership"); got != "BucketOwnerEnforced" {
			t.Errorf("ObjectOwnership = %v, want BucketOwnerEnforced (OAC needs ACLs off)", got)
		}
		if s.embed == nil { // the user's own bucket keeps the user's choice
			if bucket["DeletionPolicy"] != "Retain" || bucket["UpdateReplacePolicy"] != "Retain" {
				t.Errorf("bucket DeletionPolicy/UpdateReplacePolicy = %v/%v, want Retain", bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"])
			}
		}
		// TLS only: the bucket policy denies every request without TLS.
		var denyInsecure bool
		for _, st := range bucketPolicyStatements(t, s) {
			if st["Effect"] == "Deny" && dig(st, "Condition", "Bool", "aws:SecureTransport") == "false" {
				denyInsecure = true
			}
			if st["Effect"] == "Allow" && (st["Principal"] == "*" || dig(st, "Principal", "AWS") == "*") {
				t.Errorf("bucket policy allows a public principal: %v", st)
			}
		}
		if !denyInsecure {
			t.Error("bucket policy does not deny requests without TLS (aws:SecureTransport false)")
		}
	})
}

func bucketPolicyStatements(t *testing.T, s *synthesized) []map[string]any {
	t.Helper()
	bucketID, _ := mediaBucket(t, s)
	var out []map[string]any
	for _, p := range resourcesOf(s.tpl, "AWS::S3::BucketPolicy") {
		if !reflect.DeepEqual(dig(p, "Properties", "Bucket"), ref(bucketID)) {
			continue
		}
		for _, st := range dig(p, "Properties", "PolicyDocument", "Statement").([]any) {
			out = append(out, st.(map[string]any))
		}
	}
	return out
}

func TestOriginAccessControlOnly(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		if n := len(resourcesOf(s.tpl, "AWS::CloudFront::CloudFrontOriginAccessIdentity")); n != 0 {
			t.Errorf("found %d legacy origin access identities; want Origin Access Control only", n)
		}
		oacID, oac := only(t, s.tpl, "AWS::CloudFront::OriginAccessControl")
		cfg := dig(oac, "Properties", "OriginAccessControlConfig")
		if dig(cfg, "OriginAccessControlOriginType") != "s3" || dig(cfg, "SigningBehavior") != "always" || dig(cfg, "SigningProtocol") != "sigv4" {
			t.Errorf("OAC config = %v, want s3 / always / sigv4", cfg)
		}
		distID, dist := distributionConfig(t, s)
		origins := dist["Origins"].([]any)
		if len(origins) != 1 {
			t.Fatalf("want one origin, got %d", len(origins))
		}
		if got := dig(origins[0], "OriginAccessControlId"); !reflect.DeepEqual(got, map[string]any{"Fn::GetAtt": []any{oacID, "Id"}}) {
			t.Errorf("origin OriginAccessControlId = %v, want the OAC %s", got, oacID)
		}
		if got := dig(origins[0], "S3OriginConfig", "OriginAccessIdentity"); got != "" {
			t.Errorf("S3OriginConfig.OriginAccessIdentity = %v, want empty (no OAI)", got)
		}
		if s.wantImported {
			if n := len(resourcesOf(s.tpl, "AWS::S3::BucketPolicy")); n != 0 {
				t.Errorf("an imported bucket's policy cannot be managed, yet %d bucket policies were synthesized", n)
			}
			return
		}
		// The only Allow is s3:GetObject for CloudFront, scoped to this distribution.
		bucketID, _ := mediaBucket(t, s)
		var allows []map[string]any
		for _, st := range bucketPolicyStatements(t, s) {
			if st["Effect"] == "Allow" && dig(st, "Principal", "Service") == "cloudfront.amazonaws.com" {
				allows = append(allows, st)
			}
		}
		if len(allows) != 1 {
			t.Fatalf("want one Allow for cloudfront.amazonaws.com, got %d", len(allows))
		}
		st := allows[0]
		if st["Action"] != "s3:GetObject" {
			t.Errorf("CloudFront may %v; want s3:GetObject only (ListBucket would let / list the bucket)", st["Action"])
		}
		wantResource := map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{bucketID, "Arn"}}, "/*"}}}
		if !reflect.DeepEqual(st["Resource"], wantResource) {
			t.Errorf("Resource = %v, want %v", st["Resource"], wantResource)
		}
		wantSource := map[string]any{"Fn::Join": []any{"", []any{
			"arn:", ref("AWS::Partition"), ":cloudfront::", ref("AWS::AccountId"), ":distribution/", ref(distID)}}}
		if got := dig(st, "Condition", "StringEquals", "AWS:SourceArn"); !reflect.DeepEqual(got, wantSource) {
			t.Errorf("AWS:SourceArn = %v,\nwant this distribution %v", got, wantSource)
		}
	})
}

func TestCorsComesFromOneList(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		_, rhp := only(t, s.tpl, "AWS::CloudFront::ResponseHeadersPolicy")
		cors := dig(rhp, "Properties", "ResponseHeadersPolicyConfig", "CorsConfig")
		edgeOrigins := strs(dig(cors, "AccessControlAllowOrigins", "Items"))
		if !reflect.DeepEqual(edgeOrigins, s.wantOrigins) {
			t.Errorf("response-headers policy origins = %v, want %v", edgeOrigins, s.wantOrigins)
		}
		if dig(cors, "OriginOverride") != true {
			t.Error("CorsConfig.OriginOverride is not true: a cached S3 answer would decide the CORS headers")
		}
		if got := strs(dig(cors, "AccessControlAllowMethods", "Items")); !reflect.DeepEqual(got, []string{"GET", "HEAD"}) {
			t.Errorf("AccessControlAllowMethods = %v, want GET, HEAD", got)
		}
		expose := strs(dig(cors, "AccessControlExposeHeaders", "Items"))
		for _, h := range []string{"Content-Length", "Content-Range", "Content-Type", "ETag", "Accept-Ranges", "Last-Modified"} {
			if !contains(expose, h) {
				t.Errorf("ExposeHeaders lacks %s: %v", h, expose)
			}
		}
		credentials := dig(cors, "AccessControlAllowCredentials").(bool)
		allowHeaders := strs(dig(cors, "AccessControlAllowHeaders", "Items"))
		if credentials && contains(allowHeaders, "*") {
			t.Errorf("AllowHeaders %v has * with credentials", allowHeaders)
		}
		if !credentials && !reflect.DeepEqual(allowHeaders, []string{"*"}) {
			t.Errorf("AllowHeaders = %v, want [*]", allowHeaders)
		}
		if credentials != s.wantCredentials {
			t.Errorf("AllowCredentials = %v in scenario %s", credentials, s.name)
		}
		if s.wantImported {
			return
		}
		_, bucket := mediaBucket(t, s)
		rules, _ := dig(bucket, "Properties", "CorsConfiguration", "CorsRules").([]any)
		if s.embed == nil && len(rules) != 1 {
			t.Fatalf("want one bucket CORS rule, got %d", len(rules))
		}
		var rule any
		for _, r := range rules {
			if dig(r, "Id") == "mediacdn" {
				rule = r
			}
		}
		if rule == nil {
			t.Fatalf("no mediacdn CORS rule on the bucket: %v", rules)
		}
		if got := strs(dig(rule, "AllowedOrigins")); !reflect.DeepEqual(got, edgeOrigins) {
			t.Errorf("bucket CORS origins %v differ from the edge's %v", got, edgeOrigins)
		}
		if got := strs(dig(rule, "AllowedMethods")); !reflect.DeepEqual(got, []string{"GET", "HEAD"}) {
			t.Errorf("bucket AllowedMethods = %v", got)
		}
		if got := strs(dig(rule, "AllowedHeaders")); !reflect.DeepEqual(got, []string{"*"}) {
			t.Errorf("bucket AllowedHeaders = %v, want [*] so every preflight CloudFront forwards succeeds", got)
		}
		if got := strs(dig(rule, "ExposedHeaders")); !reflect.DeepEqual(got, expose) {
			t.Errorf("bucket ExposedHeaders %v differ from the edge's %v", got, expose)
		}
		if dig(rule, "MaxAge") != dig(cors, "AccessControlMaxAgeSec") {
			t.Errorf("bucket MaxAge %v differs from the edge's %v", dig(rule, "MaxAge"), dig(cors, "AccessControlMaxAgeSec"))
		}
	})
}

func TestUsersOwnBucketKeepsItsRulesAndGetsOurs(t *testing.T) {
	s := synthAll(t)["embedded"]
	// A bucket from the same app is not imported: the OAC statement goes into
	// its policy (TestOriginAccessControlOnly) and the CORS rule is added
	// after the user's own rule, which S3 evaluates first.
	if s.media.BucketIsImported {
		t.Fatal("a bucket created in the same stack was treated as imported")
	}
	_, bucket := mediaBucket(t, s)
	rules, _ := dig(bucket, "Properties", "CorsConfiguration", "CorsRules").([]any)
	if len(rules) != 2 {
		t.Fatalf("want the user's rule and mediacdn's, got %d rules", len(rules))
	}
	if got := dig(rules[0], "Id"); got != "user-upload" {
		t.Errorf("first rule = %v, want the user's own rule kept first", got)
	}
	if got := dig(rules[1], "Id"); got != "mediacdn" {
		t.Errorf("second rule = %v, want mediacdn's", got)
	}
	if len(*s.template.FindOutputs(jsii.String("*"), nil)) != 0 {
		t.Error("no outputs expected when the construct manages the bucket policy")
	}
}

func TestEveryBehaviorSharesTheCorsSetup(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		rhpID, _ := only(t, s.tpl, "AWS::CloudFront::ResponseHeadersPolicy")
		fnID, _ := only(t, s.tpl, "AWS::CloudFront::Function")
		bs := behaviors(t, s)
		var patterns []string
		for _, b := range bs[:len(bs)-1] {
			patterns = append(patterns, b["PathPattern"].(string))
		}
		if !reflect.DeepEqual(patterns, s.wantPatterns) {
			t.Errorf("path patterns = %v, want %v", patterns, s.wantPatterns)
		}
		for _, b := range bs {
			p := b["PathPattern"]
			if got := strs(b["AllowedMethods"]); !reflect.DeepEqual(got, []string{"GET", "HEAD", "OPTIONS"}) {
				t.Errorf("%s AllowedMethods = %v", p, got)
			}
			if got := strs(b["CachedMethods"]); !reflect.DeepEqual(got, []string{"GET", "HEAD", "OPTIONS"}) {
				t.Errorf("%s CachedMethods = %v", p, got)
			}
			if b["OriginRequestPolicyId"] != corsS3OriginPolicyID {
				t.Errorf("%s OriginRequestPolicyId = %v, want CORS-S3Origin", p, b["OriginRequestPolicyId"])
			}
			if !reflect.DeepEqual(b["ResponseHeadersPolicyId"], ref(rhpID)) {
				t.Errorf("%s ResponseHeadersPolicyId = %v, want the shared %s", p, b["ResponseHeadersPolicyId"], rhpID)
			}
			if b["ViewerProtocolPolicy"] != "redirect-to-https" {
				t.Errorf("%s ViewerProtocolPolicy = %v", p, b["ViewerProtocolPolicy"])
			}
			want := []any{map[string]any{"EventType": "viewer-response", "FunctionARN": map[string]any{"Fn::GetAtt": []any{fnID, "FunctionARN"}}}}
			if !reflect.DeepEqual(b["FunctionAssociations"], want) {
				t.Errorf("%s FunctionAssociations = %v, want the viewer-response function", p, b["FunctionAssociations"])
			}
			if b["ForwardedValues"] != nil {
				t.Errorf("%s uses legacy ForwardedValues", p)
			}
		}
	})
}

// ttlWant is what one behavior's cache policy must hold.
type ttlWant struct {
	min, def, max float64
	compress      bool
}

func TestCachePolicies(t *testing.T) {
	media := ttlWant{0, 86400, 31536000, false}
	mediaText := ttlWant{0, 86400, 31536000, true}
	playlist := ttlWant{0, 2, 60, true}
	want := map[string]map[string]ttlWant{
		"default": {
			"*.jpg": media, "*.jpeg": media, "*.png": media, "*.gif": media, "*.webp": media, "*.avif": media,
			"*.svg": mediaText, "*.m3u8": playlist, "*.mpd": playlist,
			// CloudFront does not compress text/vtt: vtt shares the binary policy.
			"*.ts": media, "*.m4s": media, "*.mp4": media, "*.vtt": media, "*": playlist,
		},
		"custom-domain": {
			"*.jpg": {0, 3600, 86400, false}, "*.png": {0, 3600, 86400, false},
			"*.m3u8": {0, 1, 5, true}, "*": {0, 1, 5, true},
			"*.ts": {60, 604800, 31536000, false}, "*.aac": {60, 604800, 31536000, false},
		},
		"embedded": {
			"*.jpg": media, "*.svg": mediaText, "*.m3u8": {0, 5, 30, true}, "*.ts": media, "*": {0, 5, 30, true},
		},
	}
	want["all-origins"] = want["default"]
	want["signed"] = map[string]ttlWant{"thumbs/*": media, "posters/*.jpg": media} // binary: no compression
	for k, v := range want["default"] {
		want["signed"][k] = v
	}
	want["existing-bucket"] = want["default"]
	want["signed-cookies"] = want["default"]

	eachScenario(t, func(t *testing.T, s *synthesized) {
		policies := resourcesOf(s.tpl, "AWS::CloudFront::CachePolicy")
		used := map[string]bool{}
		for _, b := range behaviors(t, s) {
			p := b["PathPattern"].(string)
			w, ok := want[s.name][p]
			if !ok {
				t.Errorf("no expectation for %s", p)
				continue
			}
			id, _ := dig(b, "CachePolicyId", "Ref").(string)
			pol, ok := policies[id]
			if !ok {
				t.Errorf("%s uses cache policy %v, which is not a policy of this stack", p, b["CachePolicyId"])
				continue
			}
			used[id] = true
			cfg := dig(pol, "Properties", "CachePolicyConfig")
			if got := []any{dig(cfg, "MinTTL"), dig(cfg, "DefaultTTL"), dig(cfg, "MaxTTL")}; !reflect.DeepEqual(got, []any{w.min, w.def, w.max}) {
				t.Errorf("%s TTL min/default/max = %v, want %v/%v/%v", p, got, w.min, w.def, w.max)
			}
			key := dig(cfg, "ParametersInCacheKeyAndForwardedToOrigin")
			if dig(key, "HeadersConfig", "HeaderBehavior") != "none" || dig(key, "CookiesConfig", "CookieBehavior") != "none" || dig(key, "QueryStringsConfig", "QueryStringBehavior") != "none" {
				t.Errorf("%s cache key holds more than the URL path: %v", p, key)
			}
			if dig(key, "EnableAcceptEncodingGzip") != w.compress || dig(key, "EnableAcceptEncodingBrotli") != w.compress || b["Compress"] != w.compress {
				t.Errorf("%s compression: gzip=%v br=%v Compress=%v, want %v", p, dig(key, "EnableAcceptEncodingGzip"), dig(key, "EnableAcceptEncodingBrotli"), b["Compress"], w.compress)
			}
		}
		if len(used) != len(policies) {
			t.Errorf("%d cache policies synthesized but %d used", len(policies), len(used))
		}
	})
}

func TestDistributionOptions(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		_, cfg := distributionConfig(t, s)
		custom := s.name == "custom-domain"
		check := func(what string, got, want any) {
			t.Helper()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s = %v, want %v", what, got, want)
			}
		}
		check("Enabled", cfg["Enabled"], true)
		// S3's refusals (a preflight from an unlisted origin, or without
		// Origin) are never cached: one bad preflight must not fail others.
		check("CustomErrorResponses", cfg["CustomErrorResponses"], []any{
			map[string]any{"ErrorCode": 400.0, "ErrorCachingMinTTL": 0.0},
			map[string]any{"ErrorCode": 403.0, "ErrorCachingMinTTL": 0.0},
		})
		if custom {
			check("Aliases", strs(cfg["Aliases"]), []string{"media.example.com", "video.example.com"})
			check("ViewerCertificate", cfg["ViewerCertificate"], map[string]any{
				"AcmCertificateArn":      "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
				"MinimumProtocolVersion": "TLSv1.2_2025",
				"SslSupportMethod":       "sni-only",
			})
			check("PriceClass", cfg["PriceClass"], "PriceClass_100")
			check("HttpVersion", cfg["HttpVersion"], "http2")
			check("IPV6Enabled", cfg["IPV6Enabled"], false)
			check("WebACLId", cfg["WebACLId"], "arn:aws:wafv2:us-east-1:123456789012:global/webacl/media/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111")
			check("GeoRestriction", dig(cfg, "Restrictions", "GeoRestriction"), map[string]any{"Locations": []any{"KR", "US"}, "RestrictionType": "whitelist"})
			check("OriginShield", dig(cfg, "Origins", 0, "OriginShield"), map[string]any{"Enabled": true, "OriginShieldRegion": "ap-northeast-2"})
		} else {
			check("Aliases", cfg["Aliases"], nil)
			check("ViewerCertificate", cfg["ViewerCertificate"], nil)
			check("PriceClass", cfg["PriceClass"], "PriceClass_All")
			check("HttpVersion", cfg["HttpVersion"], "http2and3")
			check("IPV6Enabled", cfg["IPV6Enabled"], true)
			check("WebACLId", cfg["WebACLId"], nil)
			check("Restrictions", cfg["Restrictions"], nil)
			check("OriginShield", dig(cfg, "Origins", 0, "OriginShield"), nil)
		}
		logging := cfg["Logging"]
		if s.wantLogging != (logging != nil) {
			t.Fatalf("Logging = %v, want logging %v", logging, s.wantLogging)
		}
		if s.wantLogging {
			logID := dig(logging, "Bucket", "Fn::GetAtt", 0).(string)
			logBucket := resourcesOf(s.tpl, "AWS::S3::Bucket")[logID]
			if logBucket == nil {
				t.Fatalf("the log bucket %v is not in the stack", logging)
			}
			check("log prefix", dig(logging, "Prefix"), "cloudfront/")
			check("log bucket ownership", dig(logBucket, "Properties", "OwnershipControls", "Rules", 0, "ObjectOwnership"), "BucketOwnerPreferred")
			check("log bucket public access block", dig(logBucket, "Properties", "PublicAccessBlockConfiguration", "BlockPublicPolicy"), true)
			days := 90.0
			if custom {
				days = 30
			}
			check("log expiry days", dig(logBucket, "Properties", "LifecycleConfiguration", "Rules", 0, "ExpirationInDays"), days)
			_, media := mediaBucket(t, s)
			check("S3 server access logs", dig(media, "Properties", "LoggingConfiguration"), map[string]any{
				"DestinationBucketName": ref(logID), "LogFilePrefix": "s3/"})
		}
	})
}

func TestViewerResponseFunctionAsSynthesized(t *testing.T) {
	// Run the function code exactly as synthesized: an <img> request (no
	// Origin) must come back with Vary: Origin, and with ACAO * when every
	// origin is allowed.
	eachScenario(t, func(t *testing.T, s *synthesized) {
		_, fn := only(t, s.tpl, "AWS::CloudFront::Function")
		if got := dig(fn, "Properties", "FunctionConfig", "Runtime"); got != "cloudfront-js-2.0" {
			t.Errorf("runtime = %v", got)
		}
		if dig(fn, "Properties", "AutoPublish") != true {
			t.Error("the function is not published")
		}
		code := dig(fn, "Properties", "FunctionCode").(string)
		allowed := strings.Replace(s.wantOrigins[0], "://*.", "://cdn.", 1)
		out, err := cffunc.RunViewerResponse(code, []cffunc.Event{
			cffunc.ViewerResponseEvent(nil, nil),
			cffunc.ViewerResponseEvent(map[string]string{"origin": "https://evil.example.net"}, map[string]any{"vary": map[string]any{"value": "Accept-Encoding"}}),
			cffunc.ViewerResponseEvent(map[string]string{"origin": allowed}, nil),
		})
		if err != nil {
			t.Fatal(err)
		}
		all := s.wantOrigins[0] == "*"
		if got := out[0]["vary"]["value"]; got != "Origin" {
			t.Errorf("no-Origin response Vary = %v, want Origin", got)
		}
		if got := out[0]["access-control-allow-origin"]["value"]; all && got != "*" || !all && got != nil {
			t.Errorf("no-Origin response ACAO = %v (all origins allowed: %v)", got, all)
		}
		if got := out[1]["vary"]["value"]; got != "Accept-Encoding, Origin" {
			t.Errorf("origin's Vary not kept: %v", got)
		}
		if got := out[1]["access-control-allow-origin"]["value"]; !all && got != nil {
			t.Errorf("unlisted origin got ACAO %v", got)
		}
		wantACAO := allowed
		if all {
			wantACAO = "*"
		}
		if got := out[2]["access-control-allow-origin"]["value"]; got != wantACAO {
			t.Errorf("allowed origin %s got ACAO %v, want %s", allowed, got, wantACAO)
		}
		credentials := s.wantCredentials
		if got := out[2]["access-control-allow-credentials"]["value"]; credentials && got != "true" || !credentials && got != nil {
			t.Errorf("Access-Control-Allow-Credentials = %v (credentials allowed: %v)", got, credentials)
		}
	})
}

func TestImportedBucketIsExplained(t *testing.T) {
	s := synthAll(t)["existing-bucket"]
	if !s.media.BucketIsImported {
		t.Fatal("BucketIsImported is false for an imported bucket")
	}
	distID, cfg := distributionConfig(t, s)
	// The origin must use the bucket's own regional endpoint.
	if got := dig(cfg, "Origins", 0, "DomainName"); got != "legacy-media-bucket.s3.ap-northeast-2.amazonaws.com" {
		t.Errorf("origin domain = %v, want the bucket's regional endpoint in ap-northeast-2", got)
	}
	var statement, cors map[string]any
	var corsDescription string
	for id, o := range s.tpl["Outputs"].(map[string]any) {
		switch {
		case strings.Contains(id, "ImportedBucketPolicyStatement"):
			// Render the Fn::Join with each Ref spelled out, then read the JSON.
			var b strings.Builder
			for _, part := range dig(o, "Value", "Fn::Join", 1).([]any) {
				if str, ok := part.(string); ok {
					b.WriteString(str)
				} else {
					b.WriteString("<" + dig(part, "Ref").(string) + ">")
				}
			}
			if err := json.Unmarshal([]byte(b.String()), &statement); err != nil {
				t.Fatalf("policy statement output is not JSON: %v\n%s", err, b.String())
			}
		case strings.Contains(id, "ImportedBucketCorsConfiguration"):
			if err := json.Unmarshal([]byte(dig(o, "Value").(string)), &cors); err != nil {
				t.Fatalf("CORS output is not JSON: %v", err)
			}
			corsDescription = dig(o, "Description").(string)
			if !strings.Contains(corsDescription, "aws s3api put-bucket-cors --bucket") {
				t.Errorf("CORS output does not say how to apply it: %v", corsDescription)
			}
		}
	}
	want := map[string]any{
		"Sid":       "AllowCloudFrontServicePrincipalReadOnly",
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": "cloudfront.amazonaws.com"},
		"Action":    "s3:GetObject",
		"Resource":  "arn:<AWS::Partition>:s3:::legacy-media-bucket/*",
		"Condition": map[string]any{"StringEquals": map[string]any{
			"AWS:SourceArn": "arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<" + distID + ">"}},
	}
	if !reflect.DeepEqual(statement, want) {
		t.Errorf("policy statement output =\n%v\nwant\n%v", statement, want)
	}
	if got := strs(dig(cors, "CORSRules", 0, "AllowedOrigins")); !reflect.DeepEqual(got, s.wantOrigins) {
		t.Errorf("CORS output origins = %v, want %v", got, s.wantOrigins)
	}
	if got := strs(dig(cors, "CORSRules", 0, "AllowedMethods")); !reflect.DeepEqual(got, []string{"GET", "HEAD"}) {
		t.Errorf("CORS output methods = %v", got)
	}
	warnings := messagesOf(s, cxapi.SynthesisMessageLevel_WARNING, regexp.MustCompile("mediacdn cannot add the Origin Access Control statement"))
	if len(warnings) != 1 {
		t.Fatalf("want one synth warning for the imported bucket, got %q", warnings)
	}
	// put-bucket-cors replaces every rule on the bucket: the output and the
	// warning both say so, so nobody wipes their own rules by following them.
	replaces := regexp.MustCompile(`put-bucket-cors replaces ALL existing CORS rules on that bucket.*get-bucket-cors`)
	if !replaces.MatchString(warnings[0]) {
		t.Errorf("the imported-bucket warning does not say put-bucket-cors replaces the existing rules:\n%s", warnings[0])
	}
	if !replaces.MatchString(corsDescription) {
		t.Errorf("the ImportedBucketCorsConfiguration description does not say put-bucket-cors replaces the existing rules:\n%s", corsDescription)
	}
}

func TestStackOutputs(t *testing.T) {
	s := synthAll(t)["default"]
	outputs := *s.template.FindOutputs(jsii.String("*"), nil)
	var names []string
	for id := range outputs {
		names = append(names, id)
	}
	sort.Strings(names)
	want := []string{"BucketName", "CachePolicyIds", "DistributionDomainName", "DistributionId", "DoctorCommand", "MediaBaseUrl", "ResponseHeadersPolicyId", "UploadExample"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("outputs = %v, want %v", names, want)
	}
}
