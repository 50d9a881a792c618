// Package test exercises mediacdn the way users do: the stack configured from
// CDK context, and the construct embedded in a stack of their own. Every
// scenario is synthesized once per test binary (with the cdk-nag
// AwsSolutions checks applied) and shared by all tests.
package test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
	"github.com/mediacdn/mediacdn/internal/cdkenv"
	"github.com/mediacdn/mediacdn/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/ (review the diff)")

func TestMain(m *testing.M) {
	cdkenv.ForTests() // the template validator runs in synthAll only
	os.Exit(m.Run())
}

// scenario is one configuration a user might deploy.
type scenario struct {
	name string
	// context configures the stack as cdk.json would; nil means the scenario
	// embeds the construct in its own stack with embed.
	context map[string]any
	embed   func(stack awscdk.Stack) *mediacdn.MediaCdn

	// What the scenario's template must show.
	wantOrigins  []string // bucket CORS and response-headers policy origins
	wantPatterns []string // path patterns in distribution order, default excluded
	wantLogging  bool
	wantImported bool
	// wantKeys are the public key files (relative to this directory) of a
	// key group trusted on every behavior but the public paths.
	wantKeys        []string
	wantCredentials bool // Access-Control-Allow-Credentials: true
}

// synthesized is one scenario's output.
type synthesized struct {
	scenario
	stack    awscdk.Stack
	media    *mediacdn.MediaCdn
	template assertions.Template
	tpl      map[string]any // the template as JSON
	// messages are the stack's synth annotations (cdk-nag findings, the
	// construct's warnings), read from the one assembly synthAll built.
	messages []*cxapi.SynthesisMessage
}

var defaultPatterns = []string{"*.jpg", "*.jpeg", "*.png", "*.gif", "*.webp", "*.avif", "*.svg", "*.m3u8", "*.mpd", "*.ts", "*.m4s", "*.mp4", "*.vtt"}

// cdkJSONContext returns the context of the repository's cdk.json, so the
// defaults users synthesize are the ones tested.
func cdkJSONContext() map[string]any {
	raw, err := os.ReadFile("../cdk.json")
	if err != nil {
		panic(err)
	}
	var doc struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(err)
	}
	return doc.Context
}

// withContext returns base with the keys of extra set, as -c flags do.
func withContext(base, extra map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func scenarios() []scenario {
	return []scenario{
		{
			name:         "default",
			context:      cdkJSONContext(),
			wantOrigins:  []string{"https://app.example.com", "http://localhost:3000"},
			wantPatterns: defaultPatterns,
			wantLogging:  true,
		},
		{
			name: "all-origins",
			context: map[string]any{
				"stackName":      "AllOrigins",
				"allowedOrigins": []any{"*"},
			},
			wantOrigins:  []string{"*"},
			wantPatterns: defaultPatterns,
		},
		{
			name: "custom-domain",
			context: map[string]any{
				"stackName":              "CustomDomain",
				"allowedOrigins":         "https://*.example.com, https://APP.example.org:443",
				"allowCredentials":       "true",
				"domainNames":            []any{"media.example.com", "video.example.com"},
				"certificateArn":         "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
				"minimumProtocolVersion": "TLSv1.2_2025",
				"priceClass":             "PriceClass_100",
				"httpVersion":            "http2",
				"ipv6":                   false,
				"accessLogging":          true,
				"accessLogRetentionDays": 30,
				"webAclArn":              "arn:aws:wafv2:us-east-1:123456789012:global/webacl/media/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
				"geoAllowList":           []any{"KR", "US"},
				"originShieldRegion":     "ap-northeast-2",
				"imageExtensions":        []any{"jpg", "png"},
				"playlistExtensions":     []any{"m3u8"},
				"segmentExtensions":      []any{"ts", "aac"},
				"imageTtl":               map[string]any{"default": 3600, "max": 86400},
				"segmentTtl":             `{"min": 60, "default": 604800, "max": 31536000}`,
				"playlistTtl":            map[string]any{"default": 1, "max": 5},
			},
			wantOrigins:     []string{"https://*.example.com", "https://app.example.org"},
			wantPatterns:    []string{"*.jpg", "*.png", "*.m3u8", "*.ts", "*.aac"},
			wantLogging:     true,
			wantCredentials: true,
		},
		{
			name: "existing-bucket",
			context: map[string]any{
				"stackName":            "ExistingBucket",
				"allowedOrigins":       []any{"https://app.example.com"},
				"existingBucketName":   "legacy-media-bucket",
				"existingBucketRegion": "ap-northeast-2",
			},
			wantOrigins:  []string{"https://app.example.com"},
			wantPatterns: defaultPatterns,
			wantImported: true,
		},
		{
			name: "signed",
			context: map[string]any{
				"stackName":      "Signed",
				"allowedOrigins": []any{"https://app.example.com"},
				"publicKeyFiles": []any{"testdata/keys/rsa_a_public.pem", "testdata/keys/ecdsa_b_public.pem"},
				"publicPaths":    []any{"thumbs/*", "/posters/*.jpg"},
			},
			wantOrigins:  []string{"https://app.example.com"},
			wantPatterns: append([]string{"thumbs/*", "posters/*.jpg"}, defaultPatterns...),
			wantKeys:     []string{"testdata/keys/rsa_a_public.pem", "testdata/keys/ecdsa_b_public.pem"},
		},
		{
			// The stack the browser tests run on the local edge, as
			// test/browser/testdata/gen.sh synthesizes it with the CDK CLI;
			// TestBrowserTemplateIsCurrent keeps that copy current.
			name:            "signed-cookies",
			context:         withContext(cdkJSONContext(), browserTemplateContext),
			wantOrigins:     []string{"http://localhost:3000"},
			wantPatterns:    defaultPatterns,
			wantLogging:     true,
			wantKeys:        []string{"browser/testdata/keys/rsa_public.pem"},
			wantCredentials: true,
		},
		{
			// A user embedding the construct in their own stack, with their own
			// bucket and construct props.
			name: "embedded",
			embed: func(stack awscdk.Stack) *mediacdn.MediaCdn {
				bucket := awss3.NewBucket(stack, jsii.String("UserMedia"), &awss3.BucketProps{
					BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
					Encryption:        awss3.BucketEncryption_S3_MANAGED,
					EnforceSSL:        jsii.Bool(true),
					ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
					// The user's own rule for browser uploads stays first.
					Cors: &[]*awss3.CorsRule{{
						Id:             jsii.String("user-upload"),
						AllowedMethods: &[]awss3.HttpMethods{awss3.HttpMethods_PUT},
						AllowedOrigins: jsii.Strings("https://backoffice.example.com"),
						AllowedHeaders: jsii.Strings("Content-Type"),
					}},
				})
				cdknag.NagSuppressions_AddResourceSuppressions(bucket, &[]*cdknag.NagPackSuppression{{
					Id: jsii.String("AwsSolutions-S1"), Reason: jsii.String("The test user's bucket: access logging is the user's decision."),
				}}, nil)
				m, err := mediacdn.New(stack, "Cdn", &mediacdn.Props{
					AllowedOrigins:     []string{"https://backoffice.example.com"},
					Bucket:             bucket,
					PlaylistExtensions: []string{"m3u8"},
					SegmentExtensions:  []string{"ts"},
					ImageExtensions:    []string{"jpg", "svg"},
					PlaylistTtl:        &mediacdn.CacheTtl{Default: 5 * time.Second, Max: 30 * time.Second},
					CorsMaxAge:         10 * time.Minute,
				})
				if err != nil {
					panic(err)
				}
				cdknag.NagSuppressions_AddResourceSuppressions(m.Distribution, &[]*cdknag.NagPackSuppression{{
					Id: jsii.String("AwsSolutions-CFR3"), Reason: jsii.String("The test user's choice: no access logs for this distribution."),
				}}, nil)
				return m
			},
			wantOrigins:  []string{"https://backoffice.example.com"},
			wantPatterns: []string{"*.jpg", "*.svg", "*.m3u8", "*.ts"},
		},
	}
}

var (
	synthOnce sync.Once
	synthed   map[string]*synthesized
	assembly  cxapi.CloudAssembly
	synthErr  error
)

// synthAll synthesizes every scenario in one app, once per test binary,
// with aws-cdk-lib's template validator on (its report is checked by
// TestTemplateValidator); every other synth in the tests runs without it.
func synthAll(t *testing.T) map[string]*synthesized {
	t.Helper()
	synthOnce.Do(func() {
		start := time.Now()
		app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
		awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
		awscdk.Validations_Of(app).AddPlugins(awscdk.NewCloudFormationValidatePlugin(nil))
		synthed = map[string]*synthesized{}
		for _, sc := range scenarios() {
			s := &synthesized{scenario: sc}
			if sc.context != nil {
				cfg, err := stacks.ParseContext(sc.context)
				if err != nil {
					synthErr = err
					return
				}
				st, err := stacks.NewMediaStack(app, &stacks.MediaStackProps{Config: cfg})
				if err != nil {
					synthErr = err
					return
				}
				s.stack, s.media = st.Stack, st.Media
			} else {
				s.stack = awscdk.NewStack(app, jsii.String("Embedded"), nil)
				s.media = sc.embed(s.stack)
			}
			synthed[sc.name] = s
		}
		assembly = app.Synth(nil)
		for name, s := range synthed {
			if s.tpl, synthErr = templateOf(assembly, s.stack, "scenario/"+name); synthErr != nil {
				return
			}
			s.template = assertions.Template_FromJSON(&s.tpl, nil)
			s.messages = *assembly.GetStackArtifact(s.stack.ArtifactId()).Messages()
		}
		synthDuration = time.Since(start)
	})
	if synthErr != nil {
		t.Fatalf("synthesizing the scenarios: %v", synthErr)
	}
	return synthed
}

var synthDuration time.Duration

// eachScenario runs fn as a subtest per synthesized scenario, in a stable order.
func eachScenario(t *testing.T, fn func(t *testing.T, s *synthesized)) {
	all := synthAll(t)
	for _, sc := range scenarios() {
		s := all[sc.name]
		t.Run(sc.name, func(t *testing.T) { fn(t, s) })
	}
}

// resourcesOf returns the template's resources of one type, by logical id.
func resourcesOf(tpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tpl["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

// only returns the single resource of a type, failing otherwise.
func only(t *testing.T, tpl map[string]any, typ string) (string, map[string]any) {
	t.Helper()
	rs := resourcesOf(tpl, typ)
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, found %d", typ, len(rs))
	}
	for id, r := range rs {
		return id, r
	}
	return "", nil
}

// dig walks nested maps and slices: dig(v, "Properties", "Items", 0).
func dig(v any, path ...any) any {
	for _, p := range path {
		switch key := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[key]
		case int:
			s, ok := v.([]any)
			if !ok || key >= len(s) {
				return nil
			}
			v = s[key]
		}
	}
	return v
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func ref(id string) map[string]any { return map[string]any{"Ref": id} }

// distributionConfig returns the scenario's DistributionConfig.
func distributionConfig(t *testing.T, s *synthesized) (string, map[string]any) {
	t.Helper()
	id, dist := only(t, s.tpl, "AWS::CloudFront::Distribution")
	return id, dig(dist, "Properties", "DistributionConfig").(map[string]any)
}

// behaviors returns the cache behaviors in order, the default behavior last
// with PathPattern "*".
func behaviors(t *testing.T, s *synthesized) []map[string]any {
	t.Helper()
	_, cfg := distributionConfig(t, s)
	var out []map[string]any
	if cbs, ok := cfg["CacheBehaviors"].([]any); ok {
		for _, b := range cbs {
			out = append(out, b.(map[string]any))
		}
	}
	def := map[string]any{"PathPattern": "*"}
	for k, v := range cfg["DefaultCacheBehavior"].(map[string]any) {
		def[k] = v
	}
	return append(out, def)
}

// messagesOf returns the data of the stack's synth messages of one level
// whose text matches re.
func messagesOf(s *synthesized, level cxapi.SynthesisMessageLevel, re *regexp.Regexp) []string {
	var out []string
	for _, m := range s.messages {
		text := fmt.Sprint(m.Entry.Data)
		if m.Level == level && re.MatchString(text) {
			out = append(out, *m.Id+": "+text)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
