package test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/jsii-runtime-go"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
	"github.com/mediacdn/mediacdn/stacks"
)

func validProps() *mediacdn.Props {
	return &mediacdn.Props{AllowedOrigins: []string{"https://app.example.com"}}
}

// TestInvalidPropsFailWithoutCreatingAnything checks each invalid prop fails
// with a message naming the prop and the fix, and leaves the scope empty.
func TestInvalidPropsFailWithoutCreatingAnything(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Invalid"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}})
	euCert := awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("EuCert"),
		jsii.String("arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"))
	usCert := awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("UsCert"),
		jsii.String("arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"))
	tooMany := make([]string, 80)
	for i := range tooMany {
		tooMany[i] = "x" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}

	cases := []struct {
		name   string
		mutate func(p *mediacdn.Props)
		want   []string // every fragment must appear in the error
	}{
		{"no origins", func(p *mediacdn.Props) { p.AllowedOrigins = nil },
			[]string{"AllowedOrigins is empty", `["*"] to allow every origin`}},
		{"origin with a path (seed 002)", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"http://localhost:3010/movies/59"} },
			[]string{`AllowedOrigins[0] "http://localhost:3010/movies/59"`, `has a path`, `write http://localhost:3010`}},
		{"origin without scheme", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"app.example.com"} },
			[]string{"AllowedOrigins[0]", "has no scheme", "https://app.example.com"}},
		{"origin with a trailing slash", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"https://app.example.com/"} },
			[]string{"ends with a slash", "write https://app.example.com"}},
		{"origin with a line break (seed 002's broken shell line)", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"https://app.example.com\n"} },
			[]string{`AllowedOrigins[0] "https://app.example.com\n"`, "white space, a line break"}},
		{"ftp origin", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"ftp://files.example.com"} },
			[]string{`scheme "ftp" is not http or https`}},
		{"bad port", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"http://localhost:99999"} },
			[]string{`port "99999"`}},
		{"wildcard inside a label", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"https://app-*.example.com"} },
			[]string{"only accept a whole leftmost label, like https://*.example.com"}},
		{"wildcard too broad", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"https://*.com"} },
			[]string{"too broad"}},
		{"star mixed with origins", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"https://app.example.com", "*"} },
			[]string{`AllowedOrigins[1] is "*" but other origins are listed too`}},
		{"duplicate origins after normalization", func(p *mediacdn.Props) {
			p.AllowedOrigins = []string{"https://app.example.com", "HTTPS://App.Example.com:443"}
		}, []string{"AllowedOrigins[1]", "repeats AllowedOrigins[0]"}},
		{"credentials with star", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"*"}; p.AllowCredentials = true },
			[]string{"AllowCredentials is set with AllowedOrigins [\"*\"]", "list the specific origins"}},
		{"credentials with star headers", func(p *mediacdn.Props) { p.AllowCredentials = true; p.AllowedRequestHeaders = []string{"*"} },
			[]string{"AllowedRequestHeaders", "with credentials"}},
		{"bad header name", func(p *mediacdn.Props) { p.ExposedHeaders = []string{"Content Length"} },
			[]string{`ExposedHeaders[0] "Content Length" is not a valid HTTP header name`}},
		{"empty extension", func(p *mediacdn.Props) { p.ImageExtensions = []string{"jpg", ""} },
			[]string{`ImageExtensions[1] ""`, "empty extension"}},
		{"extension with a dot", func(p *mediacdn.Props) { p.SegmentExtensions = []string{".ts"} },
			[]string{`SegmentExtensions[0] ".ts"`, `without the leading dot: "ts"`}},
		{"extension as a pattern", func(p *mediacdn.Props) { p.ImageExtensions = []string{"*.png"} },
			[]string{`ImageExtensions[0] "*.png"`, `without the path pattern: "png"`}},
		{"wildcard in an extension", func(p *mediacdn.Props) { p.ImageExtensions = []string{"jp?"} },
			[]string{`ImageExtensions[0] "jp?"`, "wildcards"}},
		{"duplicate extension in one list", func(p *mediacdn.Props) { p.ImageExtensions = []string{"jpg", "png", "jpg"} },
			[]string{`ImageExtensions[2] "jpg" is also ImageExtensions[0] "jpg"`}},
		{"duplicate extension across lists", func(p *mediacdn.Props) { p.SegmentExtensions = []string{"mp4", "m3u8"} },
			[]string{`SegmentExtensions[1] "m3u8" is also PlaylistExtensions[0] "m3u8"`}},
		{"empty extension list", func(p *mediacdn.Props) { p.PlaylistExtensions = []string{} },
			[]string{"PlaylistExtensions is an empty list", "leave it nil for the defaults (m3u8, mpd)"}},
		{"too many behaviors", func(p *mediacdn.Props) { p.ImageExtensions = tooMany },
			[]string{"cache behaviors needed", "CloudFront allows 75 per distribution"}},
		{"negative TTL", func(p *mediacdn.Props) {
			p.ImageTtl = &mediacdn.CacheTtl{Min: -time.Second, Default: time.Hour, Max: time.Hour}
		},
			[]string{"ImageTtl.Min is negative"}},
		{"inverted TTL", func(p *mediacdn.Props) {
			p.PlaylistTtl = &mediacdn.CacheTtl{Default: time.Minute, Max: 10 * time.Second}
		},
			[]string{"PlaylistTtl.Default (60s) is greater than PlaylistTtl.Max (10s)", "Min <= Default <= Max"}},
		{"min above default", func(p *mediacdn.Props) {
			p.SegmentTtl = &mediacdn.CacheTtl{Min: time.Hour, Default: time.Minute, Max: 2 * time.Hour}
		},
			[]string{"SegmentTtl.Min (3600s) is greater than SegmentTtl.Default (60s)"}},
		{"zero max TTL", func(p *mediacdn.Props) { p.PlaylistTtl = &mediacdn.CacheTtl{} },
			[]string{"PlaylistTtl.Max is 0"}},
		{"fractional TTL", func(p *mediacdn.Props) {
			p.SegmentTtl = &mediacdn.CacheTtl{Default: 1500 * time.Millisecond, Max: time.Hour}
		},
			[]string{"SegmentTtl.Default 1.5s is not a whole number of seconds"}},
		{"negative CORS max age", func(p *mediacdn.Props) { p.CorsMaxAge = -time.Minute },
			[]string{"CorsMaxAge is negative"}},
		{"domain names without a certificate", func(p *mediacdn.Props) { p.DomainNames = []string{"media.example.com"} },
			[]string{"DomainNames is set but Certificate is not", "us-east-1"}},
		{"certificate without domain names", func(p *mediacdn.Props) { p.Certificate = usCert },
			[]string{"Certificate is set but DomainNames is empty"}},
		{"certificate outside us-east-1", func(p *mediacdn.Props) {
			p.DomainNames = []string{"media.example.com"}
			p.Certificate = euCert
		}, []string{"is in eu-west-1", "CloudFront only uses ACM certificates in us-east-1"}},
		{"domain given as a URL", func(p *mediacdn.Props) { p.DomainNames = []string{"https://media.example.com"}; p.Certificate = usCert },
			[]string{`DomainNames[0] "https://media.example.com"`, "bare host name"}},
		{"old TLS policy", func(p *mediacdn.Props) {
			p.DomainNames = []string{"media.example.com"}
			p.Certificate = usCert
			p.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2019
		}, []string{"MinimumProtocolVersion TLS_V1_2_2019 is older than TLSv1.2_2021"}},
		{"HTTP/3 only", func(p *mediacdn.Props) { p.HttpVersion = awscloudfront.HttpVersion_HTTP3 },
			[]string{"HttpVersion HTTP3", "HttpVersion_HTTP2_AND_3"}},
		{"WAF ARN of the wrong scope", func(p *mediacdn.Props) {
			p.WebAclArn = "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/media/a1b2c3d4-5678-90ab-cdef-111111111111"
		}, []string{"WebAclArn", "scope CLOUDFRONT, created in us-east-1"}},
		{"geo allow and deny", func(p *mediacdn.Props) { p.GeoAllowList = []string{"KR"}; p.GeoDenyList = []string{"US"} },
			[]string{"GeoAllowList and GeoDenyList are both set"}},
		{"bad country", func(p *mediacdn.Props) { p.GeoDenyList = []string{"Korea"} },
			[]string{`GeoDenyList[0] "Korea" is not an ISO 3166-1 alpha-2 country code`}},
		{"bad origin shield region", func(p *mediacdn.Props) { p.OriginShieldRegion = "Seoul" },
			[]string{`OriginShieldRegion "Seoul" is not a region CloudFront offers Origin Shield in`, "region code such as us-east-1"}},
		// Old behaviour: any name shaped like a region passed, and CloudFront
		// refused eu-north-1 at deploy time.
		{"origin shield where CloudFront has none", func(p *mediacdn.Props) { p.OriginShieldRegion = "eu-north-1" },
			[]string{`OriginShieldRegion "eu-north-1" is not a region CloudFront offers Origin Shield in`, "for an origin in eu-north-1 CloudFront recommends eu-west-2"}},
		{"origin shield in a region the guide has no advice for", func(p *mediacdn.Props) { p.OriginShieldRegion = "ap-southeast-7" },
			[]string{"lowest latency to the bucket's region"}},
		// Old behaviour: any two capital letters passed (UK, XX, AA).
		{"country code that is not assigned", func(p *mediacdn.Props) { p.GeoAllowList = []string{"KR", "UK", "XX", "kr"} },
			[]string{`GeoAllowList[1] "UK" is not an ISO 3166-1 alpha-2 code: the United Kingdom is GB`,
				`GeoAllowList[2] "XX" is not an officially assigned ISO 3166-1 alpha-2 country code`,
				`GeoAllowList[3] "kr" is written in lower case: CloudFront takes KR`}},
		// Old behaviour: only the first bad origin was reported, so a user
		// fixed one per synth.
		{"every bad origin at once", func(p *mediacdn.Props) {
			p.AllowedOrigins = []string{"https://ok.example.com", "app.example.com", "http://localhost:+3000", "https://a.example.com/"}
		}, []string{`AllowedOrigins[1] "app.example.com": has no scheme`, `AllowedOrigins[2] "http://localhost:+3000": port "+3000" is not a number`,
			`AllowedOrigins[3] "https://a.example.com/": ends with a slash`}},
		// Old behaviour: these pairs were two distinct origins to CloudFront
		// and S3, though a browser sends one string for both.
		{"origins equal as browsers send them", func(p *mediacdn.Props) {
			p.AllowedOrigins = []string{"http://127.0.0.1:3000", "http://127.1:03000", "https://bücher.example", "https://xn--bcher-kva.example", "http://[0:0::1]", "http://[::1]:80"}
		}, []string{`AllowedOrigins[1] "http://127.1:03000" repeats AllowedOrigins[0] (both are http://127.0.0.1:3000`,
			`AllowedOrigins[3] "https://xn--bcher-kva.example" repeats AllowedOrigins[2]`,
			`AllowedOrigins[5] "http://[::1]:80" repeats AllowedOrigins[4] (both are http://[::1]`}},
		{"log retention without logging", func(p *mediacdn.Props) { p.AccessLogRetention = 30 * 24 * time.Hour },
			[]string{"AccessLogging is false"}},
		{"log retention in hours", func(p *mediacdn.Props) { p.AccessLogging = true; p.AccessLogRetention = 36 * time.Hour },
			[]string{"AccessLogRetention 36h0m0s is not a whole number of days"}},
		{"long comment", func(p *mediacdn.Props) { p.Comment = strings.Repeat("x", 129) },
			[]string{"Comment is 129 characters long"}},
		{"too many origins for the function", func(p *mediacdn.Props) {
			p.AllowedOrigins = nil
			for i := 0; i < 400; i++ {
				p.AllowedOrigins = append(p.AllowedOrigins, "https://tenant-"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26))+".example.com")
			}
		}, []string{"AllowedOrigins has 400 origins", "over CloudFront Functions' 10240-byte limit", "wildcard origins"}},
		{"several problems at once", func(p *mediacdn.Props) { p.AllowedOrigins = nil; p.GeoDenyList = []string{"xx"} },
			[]string{"AllowedOrigins is empty", `GeoDenyList[0] "xx"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			props := validProps()
			c.mutate(props)
			id := "Cdn" + strings.NewReplacer(" ", "", "(", "", ")", "", "'", "").Replace(c.name)
			before := len(*stack.Node().Children())
			m, err := mediacdn.New(stack, id, props)
			if err == nil {
				t.Fatalf("no error; want one mentioning %q", c.want)
			}
			if m != nil {
				t.Error("a construct was returned alongside the error")
			}
			for _, frag := range c.want {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error does not mention %q:\n%v", frag, err)
				}
			}
			if after := len(*stack.Node().Children()); after != before || stack.Node().TryFindChild(jsii.String(id)) != nil {
				t.Errorf("invalid props still created constructs (%d children before, %d after)", before, after)
			}
			if props.Validate() == nil {
				t.Error("Props.Validate accepts what New refuses")
			}
		})
	}
	// The same stack still takes a valid construct.
	if _, err := mediacdn.New(stack, "Valid", validProps()); err != nil {
		t.Fatalf("valid props refused: %v", err)
	}
}

// TestInvalidContextNamesTheKey checks the configuration the way cdk.json
// and `cdk synth -c` give it, through LoadConfig: no CDK process is needed to
// validate, so these run in milliseconds.
func TestInvalidContextNamesTheKey(t *testing.T) {
	cases := []struct {
		name string
		set  map[string]any
		want []string
	}{
		{"typo in a key", map[string]any{"allowedOrigin": []any{"x"}}, []string{`context "allowedOrigin" is not a mediacdn setting (did you mean "allowedOrigins"?)`}},
		{"list given as a number", map[string]any{"domainNames": 42.0}, []string{`context "domainNames" must be a list of strings`}},
		{"list with a number", map[string]any{"imageExtensions": []any{"jpg", 7.0}}, []string{`context "imageExtensions" item 1 must be a string, got 7`}},
		{"bad JSON list on the command line", map[string]any{"allowedOrigins": `["https://a.example.com"`}, []string{`context "allowedOrigins" is not a valid JSON list`}},
		{"bool as a word", map[string]any{"accessLogging": "yes please"}, []string{`context "accessLogging" must be true or false, got "yes please"`}},
		{"negative days", map[string]any{"accessLogging": true, "accessLogRetentionDays": -3.0}, []string{`context "accessLogRetentionDays" must be a whole number of days from 1 to 36500, got -3 (too small)`}},
		// Old behaviour: 0 was accepted and the construct's 90 days used.
		{"zero days", map[string]any{"accessLogging": true, "accessLogRetentionDays": 0.0}, []string{`context "accessLogRetentionDays" must be a whole number of days from 1 to 36500, got 0`}},
		{"zero days from the command line", map[string]any{"accessLogging": "true", "accessLogRetentionDays": "0"}, []string{`context "accessLogRetentionDays" must be a whole number of days from 1 to 36500, got "0"`}},
		// Old behaviour: the construct named its prop instead of the key.
		{"retention without logging", map[string]any{"accessLogRetentionDays": 30.0}, []string{`context "accessLogRetentionDays" is set but "accessLogging" is false: set "accessLogging" to true`}},
		{"ttl field typo", map[string]any{"playlistTtl": map[string]any{"defualt": 5.0}}, []string{`context "playlistTtl" has an unknown field "defualt"`}},
		{"ttl fraction", map[string]any{"imageTtl": map[string]any{"max": 1.5}}, []string{`context "imageTtl" field "max" must be a whole number of seconds from 0 to 3153600000 (100 years), got 1.5 (not a whole number)`}},
		// Old behaviour: 1e300 seconds overflowed time.Duration and was
		// reported as "ImageTtl.Max is 0".
		{"ttl overflow", map[string]any{"imageTtl": map[string]any{"max": 1e300}}, []string{`context "imageTtl" field "max" must be a whole number of seconds`, "got 1e+300 (too large)"}},
		{"ttl order in seconds", map[string]any{"playlistTtl": map[string]any{"default": 90.0, "max": 60.0}}, []string{`context "playlistTtl" field "default" (90s) is greater than "playlistTtl" field "max" (60s)`}},
		{"price class", map[string]any{"priceClass": "cheap"}, []string{`context "priceClass" "cheap" is not one of PriceClass_100, PriceClass_200, PriceClass_All`}},
		{"http version", map[string]any{"httpVersion": "http3"}, []string{`context "httpVersion" "http3"`}},
		{"TLS version", map[string]any{"minimumProtocolVersion": "TLSv1"}, []string{`context "minimumProtocolVersion" "TLSv1"`}},
		{"certificate in another region", map[string]any{"domainNames": []any{"media.example.com"},
			"certificateArn": "arn:aws:acm:ap-northeast-2:123456789012:certificate/abc"}, []string{`context "certificateArn" is in ap-northeast-2`}},
		{"domain names without certificate", map[string]any{"domainNames": "media.example.com"}, []string{`context "domainNames" is set but "certificateArn" is not`}},
		{"not a certificate ARN", map[string]any{"domainNames": []any{"m.example.com"}, "certificateArn": "my-cert"}, []string{`context "certificateArn" "my-cert" is not an ACM certificate ARN`}},
		{"bad domain with a certificate", map[string]any{"domainNames": []any{"Media.example.com"},
			"certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}, []string{`context "domainNames" item 0 "Media.example.com": use lowercase`}},
		{"bucket name", map[string]any{"existingBucketName": "My_Bucket"}, []string{`context "existingBucketName" "My_Bucket" is not an S3 bucket name`}},
		// Old behaviour: these passed the character check and failed inside
		// aws-cdk-lib's Bucket.fromBucketAttributes.
		{"bucket name with a leading hyphen", map[string]any{"existingBucketName": "-media"}, []string{`context "existingBucketName" "-media" is not an S3 bucket name`}},
		{"bucket name with two dots", map[string]any{"existingBucketName": "media..example"}, []string{`context "existingBucketName" "media..example" is not an S3 bucket name`}},
		{"bucket name shaped like an IP address", map[string]any{"existingBucketName": "192.168.5.4"}, []string{`context "existingBucketName" "192.168.5.4" is not an S3 bucket name`}},
		{"missing key file", map[string]any{"publicKeyFiles": []any{"testdata/keys/nope.pem"}}, []string{`context "publicKeyFiles" item 0 ("testdata/keys/nope.pem"): cannot read it`, "mediacdn keygen"}},
		// Old behaviour: "PublicKeys[0]: this is a private key", the Go prop name.
		{"private key file", map[string]any{"publicKeyFiles": []any{"testdata/keys/rsa_a_public.pem", "testdata/keys/test_only_private_key_given_by_mistake.pem"}},
			[]string{`context "publicKeyFiles" item 1 ("testdata/keys/test_only_private_key_given_by_mistake.pem"): this is a private key`}},
		{"too many key files", map[string]any{"publicKeyFiles": []any{"a", "b", "c", "d", "e", "f", "g"}}, []string{`context "publicKeyFiles" lists 7 files but a CloudFront key group holds at most 5 keys`}},
		{"bucket region without bucket", map[string]any{"existingBucketRegion": "us-west-2"}, []string{`context "existingBucketRegion" is set without "existingBucketName"`}},
		{"bad bucket region", map[string]any{"existingBucketName": "media", "existingBucketRegion": "Oregon"}, []string{`context "existingBucketRegion" "Oregon" is not an AWS region name`}},
		{"logs in an opt-in region", map[string]any{"region": "af-south-1", "accessLogging": true}, []string{`context "accessLogging" is on and the stack is in af-south-1, where CloudFront does not deliver standard logs`}},
		{"construct validation comes through", map[string]any{"allowedOrigins": "http://localhost:3010/movies/59"}, []string{`context "allowedOrigins" item 0 "http://localhost:3010/movies/59": has a path`, "write http://localhost:3010"}},
		{"origin shield", map[string]any{"originShieldRegion": "us-west-1"}, []string{`context "originShieldRegion" "us-west-1" is not a region CloudFront offers Origin Shield in`, "CloudFront recommends us-west-2"}},
		{"country", map[string]any{"geoDenyList": "US,kr,uk"}, []string{`context "geoDenyList" item 1 "kr" is written in lower case: CloudFront takes KR`,
			`context "geoDenyList" item 2 "uk" is not an ISO 3166-1 alpha-2 code: the United Kingdom is GB`}},
		// Values aws-cdk-lib validates itself. Old behaviour, each one run
		// through the app: stackName "my stack" panicked in awscdk.NewStack
		// ("Stack name must match the regular expression"); region
		// "us-east-1; x" panicked in NewCachePolicy ("'cachePolicyName' can
		// only include..."); "US-EAST-1" panicked in app.Synth
		// (CloudAssemblyError: Unable to parse environment specification);
		// account "12a" and a 201-character stack name synthesized.
		{"stack name with a space", map[string]any{"stackName": "my stack"}, []string{`context "stackName" "my stack" is not a CloudFormation stack name`}},
		{"stack name too long", map[string]any{"stackName": "A" + strings.Repeat("b", 200)}, []string{`context "stackName" is 201 characters long: CloudFormation stack names have at most 128`}},
		{"stack name starting with a digit", map[string]any{"stackName": "1media"}, []string{`context "stackName" "1media" is not a CloudFormation stack name`}},
		{"region with a shell tail", map[string]any{"region": "us-east-1; x"}, []string{`context "region" "us-east-1; x" is not an AWS region name`}},
		{"region in upper case", map[string]any{"region": "US-EAST-1"}, []string{`context "region" "US-EAST-1" is not an AWS region name`, "lower case"}},
		{"region name instead of code", map[string]any{"region": "Seoul"}, []string{`context "region" "Seoul" is not an AWS region name`}},
		{"account with a letter", map[string]any{"account": "12a"}, []string{`context "account" "12a" is not an AWS account id: give the 12 digits`}},
		{"account as a number", map[string]any{"account": 123456789012.0}, []string{`context "account" must be a string, got 123456789012`}},
		// Shared policies. Old behaviour: LoadConfig passed these, and the
		// stack then reported the prop, CachePolicies["images"].
		{"cache policy id not a UUID", map[string]any{"cachePolicyIds": map[string]any{"images": "not-a-uuid"}},
			[]string{`context "cachePolicyIds" field "images" has id "not-a-uuid", which is not a CloudFront cache policy id`}},
		{"cache policy id from the command line", map[string]any{"cachePolicyIds": `{"playlists": "CachingOptimized", "segments": "658327ea-f89d-4fab-a63d-7e88639e58f6"}`},
			[]string{`context "cachePolicyIds" field "playlists" has id "CachingOptimized"`}},
		{"cache policy kind unknown", map[string]any{"cachePolicyIds": map[string]any{"video": "658327ea-f89d-4fab-a63d-7e88639e58f6"}},
			[]string{`context "cachePolicyIds" field "video" is not a cache policy kind: use one of images, textImages, segments, textSegments, playlists`}},
		{"ttl with every kind it covers shared", map[string]any{"playlistTtl": map[string]any{"max": 60.0}, "cachePolicyIds": map[string]any{"playlists": "658327ea-f89d-4fab-a63d-7e88639e58f6"}},
			[]string{`context "playlistTtl" is set but the behaviors it applies to all use "cachePolicyIds" field "playlists", whose own TTLs apply: drop "playlistTtl", or leave those kinds out of "cachePolicyIds"`}},
		{"response headers policy id not a UUID", map[string]any{"responseHeadersPolicyId": "cors-policy"},
			[]string{`context "responseHeadersPolicyId" has id "cors-policy", which is not a CloudFront response headers policy id`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := map[string]any{"allowedOrigins": []any{"https://app.example.com"}}
			for k, v := range c.set {
				ctx[k] = v
			}
			_, err := stacks.LoadConfig(ctx)
			if err == nil {
				t.Fatalf("no error; want %q", c.want)
			}
			for _, frag := range c.want {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error does not mention %q:\n%v", frag, err)
				}
			}
			if strings.Contains(err.Error(), "mediacdn:") {
				t.Errorf("the error carries a package prefix, which main adds once:\n%v", err)
			}
		})
	}
}

// TestValidRegionsAndAccounts is the control for the environment checks:
// names of every partition pass.
func TestValidRegionsAndAccounts(t *testing.T) {
	for _, region := range []string{"us-east-1", "ap-northeast-2", "eu-central-2", "il-central-1", "mx-central-1", "ca-west-1",
		"cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1"} {
		ctx := map[string]any{"allowedOrigins": "https://app.example.com", "region": region, "account": "123456789012", "stackName": "Media-dev2"}
		if _, err := stacks.LoadConfig(ctx); err != nil {
			t.Errorf("region %s refused: %v", region, err)
		}
	}
}

// TestOneRunReportsEveryProblem gives context errors (bad values for keys
// the stack reads) and construct prop errors together. Old behaviour:
// ParseContext returned at the first context error, so the construct's
// checks ran only after those were fixed, and then only the first bad
// origin was reported; this input took five synths to get through.
func TestOneRunReportsEveryProblem(t *testing.T) {
	_, err := stacks.LoadConfig(map[string]any{
		"stackName":              "my stack",
		"region":                 "US-EAST-1",
		"allowedOrigins":         []any{"https://ok.example.com", "app.example.com", "http://127.1:+80"},
		"accessLogging":          true,
		"accessLogRetentionDays": 0.0,
		"imageTtl":               `{"max": 1e400}`,
		"geoDenyList":            []any{"UK"},
		"originShieldRegion":     "eu-north-1",
		"priceClass":             "cheap",
		"segmentExtensions":      []any{".ts"},
	})
	if err == nil {
		t.Fatal("no error")
	}
	for _, frag := range []string{
		`context "stackName" "my stack"`,
		`context "region" "US-EAST-1"`,
		`context "accessLogRetentionDays" must be a whole number of days from 1 to 36500, got 0`,
		`context "imageTtl" field "max" must be a whole number of seconds from 0 to 3153600000 (100 years), got 1e400 (too large)`,
		`context "priceClass" "cheap"`,
		`context "allowedOrigins" item 1 "app.example.com": has no scheme`,
		`context "allowedOrigins" item 2 "http://127.1:+80": port "+80" is not a number`,
		`context "geoDenyList" item 0 "UK"`,
		`context "originShieldRegion" "eu-north-1"`,
		`context "segmentExtensions" item 0 ".ts": give the extension without the leading dot`,
	} {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error does not mention %q", frag)
		}
	}
	if n := strings.Count(err.Error(), "\n  - "); n != 10 {
		t.Errorf("%d problems reported, want exactly the 10 above:\n%v", n, err)
	}
}

// TestHostileContextValues feeds every key values no user means: huge and
// non-finite numbers, NaN-ish and hex strings, unicode and control
// characters, very long strings, wrong types, nested objects. Each must be a
// plain error naming the key: no panic, no JavaScript stack trace, a message
// of bounded size with control characters escaped.
func TestHostileContextValues(t *testing.T) {
	long := strings.Repeat("ä\x1b[2J", 30_000) // 210 KB with terminal escapes
	nested := map[string]any{"a": []any{map[string]any{"b": []any{1.0, "x", nil, true}}}}
	hostile := []any{
		"", " ", "\x00", "\x1b[31mFAIL\x1b[0m", "\u202egnp.exe", "NaN", "-Inf", "Infinity", "0x10", "1_000", "1e400", "-1e400",
		"9223372036854775808", "-0", "1.5", "٣", "１２", "[1,2", `{"min":`, "null", "true", "[]", "{}", "a,,b", ",", long,
		math.NaN(), math.Inf(1), math.Inf(-1), 1e400 * 0, 1e308, -1e308, 9.223372036854775807e18, 0.5, -1.0, 4294967297.0,
		true, false, []any{}, []any{nil}, []any{1.0, 2.0}, []any{long}, []any{[]any{"x"}}, map[string]any{}, nested,
		map[string]any{"min": "1e400", "default": math.NaN(), "max": map[string]any{"x": 1.0}},
		map[string]any{"max": -1.0}, map[string]any{"\x1b[2J": 1.0}, map[string]any{long: long}, map[string]any{"images": long},
	}
	keys := []string{"stackName", "account", "region", "allowedOrigins", "allowCredentials", "existingBucketName", "existingBucketRegion",
		"imageExtensions", "playlistExtensions", "segmentExtensions", "imageTtl", "segmentTtl", "playlistTtl", "domainNames",
		"certificateArn", "minimumProtocolVersion", "priceClass", "httpVersion", "ipv6", "accessLogging", "accessLogRetentionDays",
		"webAclArn", "geoAllowList", "geoDenyList", "originShieldRegion", "publicPaths", "cachePolicyIds", "responseHeadersPolicyId", "\x1b[2Jkey", long}
	for _, key := range keys {
		for i, v := range hostile {
			ctx := map[string]any{"allowedOrigins": "https://app.example.com", "accessLogging": true}
			ctx[key] = v
			_, err := stacks.LoadConfig(ctx)
			if err == nil {
				continue // some values are valid for some keys ("true" for ipv6)
			}
			msg := err.Error()
			if !strings.Contains(msg, "context ") {
				t.Errorf("%.40q = value %d: the error names no context key:\n%.400s", key, i, msg)
			}
			for _, line := range strings.Split(msg, "\n") {
				if len(line) > 2048 {
					t.Errorf("%.40q = value %d: a %d-byte line", key, i, len(line))
				}
				if strings.ContainsAny(line, "\x00\x1b\r\u202e") || !utf8.ValidString(line) {
					t.Errorf("%.40q = value %d: raw control characters in %.200q", key, i, line)
				}
			}
		}
	}
}

// TestKeyFilesAreReadWithALimit: publicKeyFiles entries that are not small
// regular files. Old behaviour: os.Stat's size was trusted, so /dev/zero
// (size 0) was read until memory ran out, and a FIFO blocked the synth
// forever waiting for a writer.
func TestKeyFilesAreReadWithALimit(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "key.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, make([]byte, 100<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, want string }{
		{"/dev/zero", "is not a regular file"},
		{fifo, "is not a regular file"},
		{dir, "is not a regular file"},
		{big, "is larger than 64 KiB"},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := stacks.LoadConfig(map[string]any{"allowedOrigins": "https://app.example.com", "publicKeyFiles": []any{c.file}})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `context "publicKeyFiles" item 0`) {
				t.Errorf("%s: %v; want %q", c.file, err, c.want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: still reading after 20 s", c.file)
		}
	}
}

// TestInvalidContextLeavesNothingBehind drives the stack itself: an
// embedding app that builds a Config by hand gets errors, never a panic,
// and its app holds no half-built stack.
func TestInvalidContextLeavesNothingBehind(t *testing.T) {
	for _, cfg := range []stacks.Config{
		// Old behaviour: a Go panic from awscdk.NewStack.
		{StackName: "my stack", AllowedOrigins: []string{"https://app.example.com"}, Ipv6: true},
		{StackName: "Media", Region: "us-east-1; x", AllowedOrigins: []string{"https://app.example.com"}, Ipv6: true},
		{StackName: "Media", AllowedOrigins: []string{"app.example.com"}, Ipv6: true},
	} {
		app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
		_, err := stacks.NewMediaStack(app, &stacks.MediaStackProps{Config: cfg})
		if err == nil {
			t.Errorf("%+v: no error", cfg)
			continue
		}
		if !strings.Contains(err.Error(), "context ") {
			t.Errorf("the error names no context key: %v", err)
		}
		if n := len(*app.Node().Children()); n != 0 {
			t.Errorf("the app kept %d constructs after a configuration error", n)
		}
	}
}

// TestContextFromCommandLine checks the string forms `cdk synth -c` passes.
func TestContextFromCommandLine(t *testing.T) {
	cfg, err := stacks.ParseContext(map[string]any{
		"allowedOrigins":               `["https://a.example.com","https://b.example.com"]`,
		"segmentExtensions":            "ts, m4s",
		"accessLogging":                "true",
		"ipv6":                         "false",
		"accessLogRetentionDays":       "30",
		"playlistTtl":                  `{"default": 4}`,
		"aws:cdk:enable-path-metadata": true, // CDK's own keys are ignored
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.AllowedOrigins, " "); got != "https://a.example.com https://b.example.com" {
		t.Errorf("allowedOrigins = %q", got)
	}
	if got := strings.Join(cfg.SegmentExtensions, " "); got != "ts m4s" {
		t.Errorf("segmentExtensions = %q", got)
	}
	if !cfg.AccessLogging || cfg.Ipv6 || cfg.AccessLogRetentionDays != 30 {
		t.Errorf("bools/numbers parsed wrong: %+v", cfg)
	}
	if cfg.PlaylistTtl == nil || cfg.PlaylistTtl.Default != 4*time.Second || cfg.PlaylistTtl.Max != 60*time.Second {
		t.Errorf("playlistTtl = %+v, want default 4s and the default max 60s", cfg.PlaylistTtl)
	}
	if cfg.StackName != "MediaCdn" {
		t.Errorf("stackName default = %q", cfg.StackName)
	}
}

// TestLongestValidNamesSynthesize synthesizes the longest stack name and
// region the checks accept, so names aws-cdk-lib derives from them (policy,
// function and key group names) fit CloudFront's limits. Old behaviour: the
// region was bounded only by its shape, and a name derived from it failed
// inside aws-cdk-lib with a Go panic.
func TestLongestValidNamesSynthesize(t *testing.T) {
	longest := "A" + strings.Repeat("b", 127)
	cfg, err := stacks.LoadConfig(map[string]any{
		"allowedOrigins": "https://app.example.com", "stackName": longest,
		"region": "us-isof-south-1", "account": "123456789012", "accessLogging": false,
		"publicKeyFiles": []any{"testdata/keys/rsa_a_public.pem"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("synth panicked: %v", r)
		}
	}()
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	st, err := stacks.NewMediaStack(app, &stacks.MediaStackProps{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	synthStacks(t, app, st.Stack)
	if _, err := stacks.LoadConfig(map[string]any{"allowedOrigins": "https://app.example.com", "stackName": longest + "c"}); err == nil {
		t.Error("a 129-character stack name passed")
	}
}
