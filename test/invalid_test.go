package test

import (
	"strings"
	"testing"
	"time"

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
			[]string{"white space or a line break"}},
		{"ftp origin", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"ftp://files.example.com"} },
			[]string{`scheme "ftp" is not http or https`}},
		{"bad port", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"http://localhost:99999"} },
			[]string{`port "99999"`}},
		{"wildcard inside a label", func(p *mediacdn.Props) { p.AllowedOrigins = []string{"https://app-*.example.com"} },
			[]string{"only accept forms like https://*.example.com"}},
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
			[]string{"PlaylistTtl.Default (1m0s) is greater than PlaylistTtl.Max (10s)", "Min <= Default <= Max"}},
		{"min above default", func(p *mediacdn.Props) {
			p.SegmentTtl = &mediacdn.CacheTtl{Min: time.Hour, Default: time.Minute, Max: 2 * time.Hour}
		},
			[]string{"SegmentTtl.Min (1h0m0s) is greater than SegmentTtl.Default (1m0s)"}},
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
			[]string{`OriginShieldRegion "Seoul" is not an AWS region name`}},
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

// TestInvalidContextNamesTheKey drives the stack the way cdk.json and
// `cdk synth -c` do.
func TestInvalidContextNamesTheKey(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"allowedOrigins": []any{"https://app.example.com"}}
	}
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
		{"negative days", map[string]any{"accessLogRetentionDays": -3.0}, []string{`context "accessLogRetentionDays" must be a whole number of zero or more`}},
		{"ttl field typo", map[string]any{"playlistTtl": map[string]any{"defualt": 5.0}}, []string{`context "playlistTtl" has an unknown field "defualt"`}},
		{"ttl fraction", map[string]any{"imageTtl": map[string]any{"max": 1.5}}, []string{`context "imageTtl" field "max" must be a whole number of seconds`}},
		{"price class", map[string]any{"priceClass": "cheap"}, []string{`context "priceClass" "cheap" is not one of PriceClass_100, PriceClass_200, PriceClass_All`}},
		{"http version", map[string]any{"httpVersion": "http3"}, []string{`context "httpVersion" "http3"`}},
		{"TLS version", map[string]any{"minimumProtocolVersion": "TLSv1"}, []string{`context "minimumProtocolVersion" "TLSv1"`}},
		{"certificate in another region", map[string]any{"domainNames": []any{"media.example.com"},
			"certificateArn": "arn:aws:acm:ap-northeast-2:123456789012:certificate/abc"}, []string{`context "certificateArn" is in ap-northeast-2`}},
		{"domain names without certificate", map[string]any{"domainNames": "media.example.com"}, []string{`context "domainNames" is set but "certificateArn" is not`}},
		{"not a certificate ARN", map[string]any{"domainNames": []any{"m.example.com"}, "certificateArn": "my-cert"}, []string{`context "certificateArn" "my-cert" is not an ACM certificate ARN`}},
		{"bucket name", map[string]any{"existingBucketName": "My_Bucket"}, []string{`context "existingBucketName" "My_Bucket" is not an S3 bucket name`}},
		{"missing key file", map[string]any{"publicKeyFiles": []any{"testdata/keys/nope.pem"}}, []string{`context "publicKeyFiles" item 0 (testdata/keys/nope.pem): cannot read it`, "mediacdn keygen"}},
		{"private key file", map[string]any{"publicKeyFiles": []any{"testdata/keys/test_only_private_key_given_by_mistake.pem"}}, []string{"PublicKeys[0]:", "this is a private key"}},
		{"bucket region without bucket", map[string]any{"existingBucketRegion": "us-west-2"}, []string{`context "existingBucketRegion" is set without "existingBucketName"`}},
		{"bad bucket region", map[string]any{"existingBucketName": "media", "existingBucketRegion": "Oregon"}, []string{`context "existingBucketRegion" "Oregon" is not an AWS region name`}},
		{"logs in an opt-in region", map[string]any{"region": "af-south-1", "accessLogging": true}, []string{"stack is in af-south-1, where CloudFront does not deliver standard logs"}},
		{"construct validation comes through", map[string]any{"allowedOrigins": "http://localhost:3010/movies/59"}, []string{`AllowedOrigins[0] "http://localhost:3010/movies/59": has a path`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := base()
			for k, v := range c.set {
				ctx[k] = v
			}
			app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
			cfg, err := stacks.ParseContext(ctx)
			if err == nil {
				_, err = stacks.NewMediaStack(app, &stacks.MediaStackProps{Config: cfg})
			}
			if err == nil {
				t.Fatalf("no error; want %q", c.want)
			}
			for _, frag := range c.want {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error does not mention %q:\n%v", frag, err)
				}
			}
			if n := len(*app.Node().Children()); n != 0 {
				t.Errorf("the app kept %d constructs after a configuration error", n)
			}
		})
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
