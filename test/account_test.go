package test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/jsii-runtime-go"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
	"github.com/mediacdn/mediacdn/stacks"
)

// accountNames are the CloudFront resources whose names are unique per
// account, with where the name sits and its limit.
var accountNames = []struct {
	typ   string
	path  []any
	limit int
}{
	{"AWS::CloudFront::CachePolicy", []any{"Properties", "CachePolicyConfig", "Name"}, 128},
	{"AWS::CloudFront::ResponseHeadersPolicy", []any{"Properties", "ResponseHeadersPolicyConfig", "Name"}, 128},
	{"AWS::CloudFront::OriginAccessControl", []any{"Properties", "OriginAccessControlConfig", "Name"}, 64},
	{"AWS::CloudFront::Function", []any{"Properties", "Name"}, 64},
	{"AWS::CloudFront::KeyGroup", []any{"Properties", "KeyGroupConfig", "Name"}, 80},
	{"AWS::CloudFront::PublicKey", []any{"Properties", "PublicKeyConfig", "Name"}, 80},
}

// longestRegion stands in for AWS::Region when a name is measured.
const longestRegion = "us-isof-south-1"

// renderName spells out a name that may be an Fn::Join with AWS::Region.
func renderName(t *testing.T, v any) string {
	t.Helper()
	switch n := v.(type) {
	case string:
		return n
	case map[string]any:
		join, ok := n["Fn::Join"].([]any)
		if !ok {
			t.Fatalf("name %v is neither a string nor an Fn::Join", v)
		}
		var parts []string
		for _, p := range join[1].([]any) {
			if s, ok := p.(string); ok {
				parts = append(parts, s)
			} else if dig(p, "Ref") == "AWS::Region" {
				parts = append(parts, longestRegion)
			} else {
				t.Fatalf("name %v refers to something other than the region", v)
			}
		}
		return strings.Join(parts, join[0].(string))
	}
	t.Fatalf("name %v has an unexpected form", v)
	return ""
}

var nameChars = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// namesOf returns every account-unique name of a template, checking each is
// set, within its limit and made of allowed characters.
func namesOf(t *testing.T, tpl map[string]any) map[string]string {
	t.Helper()
	names := map[string]string{}
	for _, n := range accountNames {
		for id, r := range resourcesOf(tpl, n.typ) {
			raw := dig(r, n.path...)
			if raw == nil {
				t.Errorf("%s %s has no explicit name (CloudFormation or CDK would derive one without the stack name)", n.typ, id)
				continue
			}
			name := renderName(t, raw)
			if len(name) > n.limit {
				t.Errorf("%s %s name %q is %d characters (with the longest region), over the limit of %d", n.typ, id, name, len(name), n.limit)
			}
			if !nameChars.MatchString(name) {
				t.Errorf("%s %s name %q has characters CloudFront names do not allow", n.typ, id, name)
			}
			names[n.typ+" "+id] = name
		}
	}
	return names
}

// synthEmbedded synthesizes the construct at the same construct path
// (App/Media/Cdn) in a stack with the given stack name, the way one app is
// deployed as a dev and a prod stack.
func synthEmbedded(t *testing.T, stackName string, props *mediacdn.Props) (map[string]any, *mediacdn.MediaCdn) {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Media"), &awscdk.StackProps{StackName: jsii.String(stackName)})
	m, err := mediacdn.New(stack, "Cdn", props)
	if err != nil {
		t.Fatal(err)
	}
	// Both stacks have the artifact id Media: the stack name tells them apart.
	tpl, err := templateOf(app.Synth(nil), stack, t.Name()+"/"+stackName)
	if err != nil {
		t.Fatal(err)
	}
	return tpl, m
}

func TestAccountUniqueNamesIncludeTheStackName(t *testing.T) {
	keys := []string{readKey(t, "rsa_a_public.pem"), readKey(t, "ecdsa_b_public.pem")}
	props := func() *mediacdn.Props {
		return &mediacdn.Props{
			AllowedOrigins: []string{"https://app.example.com"},
			PublicKeys:     keys,
			// Different image and segment TTLs: every kind of cache policy.
			SegmentTtl:        &mediacdn.CacheTtl{Default: time.Hour, Max: 2 * time.Hour},
			SegmentExtensions: []string{"ts", "json"},
		}
	}
	long := strings.Repeat("x", 100) // stack names may have 128 characters
	for _, pair := range [][2]string{{"media-dev", "media-prod"}, {long + "-dev", long + "-prd"}} {
		t.Run(fmt.Sprintf("%.12s", pair[0]), func(t *testing.T) {
			tplA, _ := synthEmbedded(t, pair[0], props())
			tplB, _ := synthEmbedded(t, pair[1], props())
			a, b := namesOf(t, tplA), namesOf(t, tplB)
			for _, n := range accountNames {
				if !slices.ContainsFunc(mapKeys(a), func(k string) bool { return strings.HasPrefix(k, n.typ+" ") }) {
					t.Errorf("no %s in the test stack: the test covers too little", n.typ)
				}
			}
			seen := map[string]string{}
			for _, names := range []map[string]string{a, b} {
				for res, name := range names {
					if other, dup := seen[name]; dup {
						t.Errorf("%s and %s are both named %q: deploying both stacks in one account fails", other, res, name)
					}
					seen[name] = res
				}
			}
			if pair[0] == "media-dev" {
				for res, name := range a {
					if !strings.HasPrefix(name, "media-dev-") {
						t.Errorf("%s name %q does not start with the stack name", res, name)
					}
				}
			}
		})
	}
}

func mapKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestScenarioNamesAreAccountSafe(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		for res, name := range namesOf(t, s.tpl) {
			if !strings.HasPrefix(name, *s.stack.StackName()+"-") {
				t.Errorf("%s name %q does not start with the stack name %s", res, name, *s.stack.StackName())
			}
		}
	})
}

// TestCachePolicyCount counts the account-quota resources each scenario
// creates; the README quotes these numbers.
func TestCachePolicyCount(t *testing.T) {
	want := map[string]int{"default": 3, "all-origins": 3, "existing-bucket": 3, "signed": 3, "embedded": 3, "custom-domain": 3, "signed-cookies": 3}
	eachScenario(t, func(t *testing.T, s *synthesized) {
		got := len(resourcesOf(s.tpl, "AWS::CloudFront::CachePolicy"))
		if got != want[s.name] {
			t.Errorf("%d cache policies, want %d", got, want[s.name])
		}
		t.Logf("cache policies %d, response headers policies %d, functions %d, key groups %d, public keys %d, OACs %d",
			got, len(resourcesOf(s.tpl, "AWS::CloudFront::ResponseHeadersPolicy")), len(resourcesOf(s.tpl, "AWS::CloudFront::Function")),
			len(resourcesOf(s.tpl, "AWS::CloudFront::KeyGroup")), len(resourcesOf(s.tpl, "AWS::CloudFront::PublicKey")),
			len(resourcesOf(s.tpl, "AWS::CloudFront::OriginAccessControl")))
	})
}

const (
	sharedImages    = "11111111-2222-4333-8444-555555555555"
	sharedPlaylists = "22222222-2222-4333-8444-555555555555"
	sharedHeaders   = "33333333-2222-4333-8444-555555555555"
)

func TestSharedPolicies(t *testing.T) {
	// A stack that creates its policies, and a second stack of the same app
	// that shares them: it creates no cache or response headers policy.
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	dev := awscdk.NewStack(app, jsii.String("Dev"), nil)
	first, err := mediacdn.New(dev, "Media", &mediacdn.Props{AllowedOrigins: []string{"https://app.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	// Defaults: images and segments share one policy (equal TTLs), svg has
	// the compressed one, playlists theirs; no segment is compressible.
	var kinds []string
	for k := range first.CachePolicies {
		kinds = append(kinds, string(k))
	}
	slices.Sort(kinds)
	if want := []string{"images", "playlists", "segments", "textImages"}; !slices.Equal(kinds, want) {
		t.Errorf("CachePolicies kinds = %v, want %v", kinds, want)
	}
	if first.CachePolicies[mediacdn.CacheImages] != first.CachePolicies[mediacdn.CacheSegments] {
		t.Error("images and segments with equal TTLs do not share one policy")
	}
	prod := awscdk.NewStack(app, jsii.String("Prod"), nil)
	second, err := mediacdn.New(prod, "Media", &mediacdn.Props{
		AllowedOrigins:        []string{"https://app.example.com"},
		CachePolicies:         first.CachePolicies,
		ResponseHeadersPolicy: first.ResponseHeadersPolicy,
	})
	if err != nil {
		t.Fatal(err)
	}
	// A third stack imports them by id, as a separate app would.
	imported := awscdk.NewStack(app, jsii.String("Imported"), nil)
	_, err = mediacdn.New(imported, "Media", &mediacdn.Props{
		AllowedOrigins: []string{"https://app.example.com"},
		CachePolicies: map[mediacdn.CachePolicyKind]awscloudfront.ICachePolicy{
			mediacdn.CacheImages:    awscloudfront.CachePolicy_FromCachePolicyId(imported, jsii.String("Images"), jsii.String(sharedImages)),
			mediacdn.CachePlaylists: awscloudfront.CachePolicy_FromCachePolicyId(imported, jsii.String("Playlists"), jsii.String(sharedPlaylists)),
		},
		ResponseHeadersPolicy: awscloudfront.ResponseHeadersPolicy_FromResponseHeadersPolicyId(imported, jsii.String("Headers"), jsii.String(sharedHeaders)),
		// Segments are not shared, so their TTL is accepted and used.
		SegmentTtl: &mediacdn.CacheTtl{Default: time.Hour, Max: 2 * time.Hour},
	})
	if err != nil {
		t.Fatal(err)
	}
	tpls := synthStacks(t, app, dev, prod, imported)
	devTpl, prodTpl, importedTpl := tpls[0], tpls[1], tpls[2]

	if n := len(resourcesOf(devTpl, "AWS::CloudFront::CachePolicy")); n != 3 {
		t.Errorf("the first stack creates %d cache policies, want 3", n)
	}
	for typ, want := range map[string]int{"AWS::CloudFront::CachePolicy": 0, "AWS::CloudFront::ResponseHeadersPolicy": 0} {
		if n := len(resourcesOf(prodTpl, typ)); n != want {
			t.Errorf("the sharing stack creates %d %s, want %d", n, typ, want)
		}
	}
	// Every behavior of the sharing stack uses one of the first stack's
	// policies (imported across stacks), kind for kind.
	_, cfg := only(t, prodTpl, "AWS::CloudFront::Distribution")
	cfg = dig(cfg, "Properties", "DistributionConfig").(map[string]any)
	for _, b := range append(dig(cfg, "CacheBehaviors").([]any), dig(cfg, "DefaultCacheBehavior")) {
		if _, ok := dig(b, "CachePolicyId", "Fn::ImportValue").(string); !ok {
			t.Errorf("%v uses cache policy %v, not one shared from the first stack", dig(b, "PathPattern"), dig(b, "CachePolicyId"))
		}
		if _, ok := dig(b, "ResponseHeadersPolicyId", "Fn::ImportValue").(string); !ok {
			t.Errorf("%v uses response headers policy %v, not the shared one", dig(b, "PathPattern"), dig(b, "ResponseHeadersPolicyId"))
		}
	}
	for kind, pol := range second.CachePolicies {
		if first.CachePolicies[kind] != pol {
			t.Errorf("kind %s: the second construct reports a policy other than the shared one", kind)
		}
	}

	// The importing stack: images, playlists and headers by id; svg (text
	// images) and segments get policies of their own.
	_, cfg = only(t, importedTpl, "AWS::CloudFront::Distribution")
	cfg = dig(cfg, "Properties", "DistributionConfig").(map[string]any)
	byPattern := map[string]any{"*": dig(cfg, "DefaultCacheBehavior", "CachePolicyId")}
	for _, b := range dig(cfg, "CacheBehaviors").([]any) {
		byPattern[dig(b, "PathPattern").(string)] = dig(b, "CachePolicyId")
		if got := dig(b, "ResponseHeadersPolicyId"); got != sharedHeaders {
			t.Errorf("%v response headers policy = %v, want the imported %s", dig(b, "PathPattern"), got, sharedHeaders)
		}
	}
	for pattern, want := range map[string]any{"*.jpg": sharedImages, "*.m3u8": sharedPlaylists, "*": sharedPlaylists} {
		if byPattern[pattern] != want {
			t.Errorf("%s cache policy = %v, want the imported %v", pattern, byPattern[pattern], want)
		}
	}
	for _, pattern := range []string{"*.svg", "*.ts"} {
		if _, ok := dig(byPattern[pattern], "Ref").(string); !ok {
			t.Errorf("%s cache policy = %v, want one created in the stack", pattern, byPattern[pattern])
		}
	}
	if n := len(resourcesOf(importedTpl, "AWS::CloudFront::CachePolicy")); n != 2 {
		t.Errorf("the importing stack creates %d cache policies, want 2 (text images, segments)", n)
	}
}

func TestSharedPolicyProps(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	stack := awscdk.NewStack(app, jsii.String("Shared"), nil)
	policy := func(id, policyID string) awscloudfront.ICachePolicy {
		return awscloudfront.CachePolicy_FromCachePolicyId(stack, jsii.String(id), jsii.String(policyID))
	}
	ttl := &mediacdn.CacheTtl{Default: time.Minute, Max: 2 * time.Minute}
	cases := []struct {
		name  string
		props mediacdn.Props
		want  []string
	}{
		{"unknown kind", mediacdn.Props{CachePolicies: map[mediacdn.CachePolicyKind]awscloudfront.ICachePolicy{"video": policy("A", sharedImages)}},
			[]string{`CachePolicies["video"] is not a cache policy kind: use one of images, textImages, segments, textSegments, playlists`}},
		{"nil policy", mediacdn.Props{CachePolicies: map[mediacdn.CachePolicyKind]awscloudfront.ICachePolicy{mediacdn.CacheImages: nil}},
			[]string{`CachePolicies["images"] is nil`}},
		{"not a policy id", mediacdn.Props{CachePolicies: map[mediacdn.CachePolicyKind]awscloudfront.ICachePolicy{mediacdn.CacheImages: policy("B", "Managed-CachingOptimized")}},
			[]string{`CachePolicies["images"] has id "Managed-CachingOptimized", which is not a CloudFront cache policy id`}},
		{"playlist TTL with a shared playlist policy", mediacdn.Props{PlaylistTtl: ttl,
			CachePolicies: map[mediacdn.CachePolicyKind]awscloudfront.ICachePolicy{mediacdn.CachePlaylists: policy("C", sharedPlaylists)}},
			[]string{"PlaylistTtl is set but the behaviors it applies to all use CachePolicies[playlists], whose own TTLs apply"}},
		{"image TTL with both image kinds shared", mediacdn.Props{ImageTtl: ttl,
			CachePolicies: map[mediacdn.CachePolicyKind]awscloudfront.ICachePolicy{mediacdn.CacheImages: policy("D", sharedImages), mediacdn.CacheTextImages: policy("E", sharedPlaylists)}},
			[]string{"ImageTtl is set but the behaviors it applies to all use CachePolicies[images, textImages]"}},
		{"request headers with a shared response headers policy", mediacdn.Props{AllowedRequestHeaders: []string{"Range"},
			ResponseHeadersPolicy: awscloudfront.ResponseHeadersPolicy_FromResponseHeadersPolicyId(stack, jsii.String("F"), jsii.String(sharedHeaders))},
			[]string{"AllowedRequestHeaders is set together with ResponseHeadersPolicy"}},
		{"not a response headers policy id", mediacdn.Props{
			ResponseHeadersPolicy: awscloudfront.ResponseHeadersPolicy_FromResponseHeadersPolicyId(stack, jsii.String("G"), jsii.String("cors-policy"))},
			[]string{`ResponseHeadersPolicy has id "cors-policy", which is not a CloudFront response headers policy id`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			props := c.props
			props.AllowedOrigins = []string{"https://app.example.com"}
			err := props.Validate()
			if err == nil {
				t.Fatalf("no error; want %q", c.want)
			}
			for _, frag := range c.want {
				if !strings.Contains(err.Error(), frag) {
					t.Errorf("error does not mention %q:\n%v", frag, err)
				}
			}
		})
	}
	// A TTL is accepted while some behavior it applies to has a policy
	// created here (svg, the text images, is not shared).
	ok := mediacdn.Props{AllowedOrigins: []string{"https://app.example.com"}, ImageTtl: ttl,
		CachePolicies: map[mediacdn.CachePolicyKind]awscloudfront.ICachePolicy{mediacdn.CacheImages: policy("H", sharedImages)}}
	if err := ok.Validate(); err != nil {
		t.Errorf("ImageTtl refused although the svg policy is created with it: %v", err)
	}
}

// TestLogRegionRule evaluates the Rules assertion of an environment-agnostic
// stack with access logging (the cdk.json default) for every region: it must
// fail the deploy exactly in the regions CloudFront does not deliver logs to.
func TestLogRegionRule(t *testing.T) {
	s := synthAll(t)["default"]
	rules, _ := s.tpl["Rules"].(map[string]any)
	var assertion map[string]any
	for id, r := range rules {
		if strings.HasPrefix(id, "MediaAccessLogRegion") {
			assertion = dig(r, "Assertions", 0).(map[string]any)
		}
	}
	if assertion == nil {
		t.Fatalf("no access log region rule in %v", mapKeysAny(rules))
	}
	if got := assertion["AssertDescription"].(string); !strings.Contains(got, "where CloudFront does not deliver standard logs") {
		t.Errorf("AssertDescription = %q, want the synth check's message", got)
	}
	refused := mediacdn.NoLogDeliveryRegions()
	for _, region := range append([]string{"us-east-1", "ap-northeast-2", "eu-west-1", "sa-east-1"}, refused...) {
		holds, err := evalRuleCondition(assertion["Assert"], region)
		if err != nil {
			t.Fatal(err)
		}
		if want := !slices.Contains(refused, region); holds != want {
			t.Errorf("in %s the assertion holds = %v, want %v", region, holds, want)
		}
	}
	// The other scenarios: no logging, or (custom-domain) logging like default.
	eachScenario(t, func(t *testing.T, s *synthesized) {
		rules, _ := s.tpl["Rules"].(map[string]any)
		has := slices.ContainsFunc(mapKeysAny(rules), func(id string) bool { return strings.HasPrefix(id, "MediaAccessLogRegion") })
		if has != s.wantLogging {
			t.Errorf("access log region rule present = %v, want %v (logging %v)", has, s.wantLogging, s.wantLogging)
		}
	})
}

func mapKeysAny(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// evalRuleCondition evaluates the rule functions the construct uses
// (Fn::Not, Fn::Contains, Ref AWS::Region) the way CloudFormation does.
func evalRuleCondition(v any, region string) (bool, error) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false, fmt.Errorf("not a rule function: %v", v)
	}
	for fn, arg := range m {
		args, _ := arg.([]any)
		switch fn {
		case "Fn::Not":
			inner, err := evalRuleCondition(args[0], region)
			return !inner, err
		case "Fn::Contains":
			if !ok || len(args) != 2 || dig(args[1], "Ref") != "AWS::Region" {
				return false, fmt.Errorf("unexpected Fn::Contains %v", arg)
			}
			for _, s := range args[0].([]any) {
				if s == region {
					return true, nil
				}
			}
			return false, nil
		}
		return false, fmt.Errorf("unexpected function %s", fn)
	}
	return false, nil
}

// TestSharedPoliciesFromContext shares policies the way a second stack of
// the CDK app does: the first stack's CachePolicyIds and
// ResponseHeadersPolicyId outputs passed as context.
func TestSharedPoliciesFromContext(t *testing.T) {
	ctx := map[string]any{
		"stackName":               "Prod",
		"allowedOrigins":          []any{"https://app.example.com"},
		"cachePolicyIds":          `{"images": "` + sharedImages + `", "segments": "` + sharedImages + `", "playlists": "` + sharedPlaylists + `"}`,
		"responseHeadersPolicyId": sharedHeaders,
	}
	cfg, err := stacks.ParseContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{AnalyticsReporting: jsii.Bool(false)})
	st, err := stacks.NewMediaStack(app, &stacks.MediaStackProps{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	for kind, want := range map[mediacdn.CachePolicyKind]string{mediacdn.CacheImages: sharedImages, mediacdn.CacheSegments: sharedImages, mediacdn.CachePlaylists: sharedPlaylists} {
		if got := st.Media.CachePolicies[kind]; got == nil || *got.CachePolicyId() != want {
			t.Errorf("%s policy = %v, want the shared %s", kind, got, want)
		}
	}
	if got := *st.Media.ResponseHeadersPolicy.ResponseHeadersPolicyId(); got != sharedHeaders {
		t.Errorf("response headers policy = %s, want the shared %s", got, sharedHeaders)
	}
	if _, created := st.Media.CachePolicies[mediacdn.CacheTextImages]; !created {
		t.Error("svg (text images) got no policy although its kind was not shared")
	}
	// The template, with policy ids from context, is linted by TestCfnLint.
	synthStacks(t, app, st.Stack)

	for _, c := range []struct {
		name string
		set  map[string]any
		want string
	}{
		{"not JSON", map[string]any{"cachePolicyIds": `{"images": `}, `context "cachePolicyIds" is not valid JSON`},
		{"a number", map[string]any{"cachePolicyIds": map[string]any{"images": 7.0}}, `context "cachePolicyIds" field "images" must be a string, got 7`},
		{"not an id", map[string]any{"cachePolicyIds": map[string]any{"images": "CachingOptimized"}}, `context "cachePolicyIds" field "images" has id "CachingOptimized", which is not a CloudFront cache policy id`},
		{"unknown kind", map[string]any{"cachePolicyIds": map[string]any{"video": sharedImages}}, `context "cachePolicyIds" field "video" is not a cache policy kind`},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := map[string]any{"allowedOrigins": []any{"https://app.example.com"}}
			for k, v := range c.set {
				ctx[k] = v
			}
			cfg, err := stacks.ParseContext(ctx)
			if err == nil {
				_, err = stacks.NewMediaStack(awscdk.NewApp(nil), &stacks.MediaStackProps{Config: cfg})
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want it to mention %q", err, c.want)
			}
		})
	}
}
