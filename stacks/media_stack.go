// Package stacks wires the mediacdn construct into a deployable stack from
// configuration read out of CDK context.
//
//	cfg, err := stacks.ConfigFromContext(app.Node())
//	stack, err := stacks.NewMediaStack(app, &stacks.MediaStackProps{Config: cfg})
package stacks

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/mediacdn/mediacdn/constructs/mediacdn"
	"github.com/mediacdn/mediacdn/internal/nag"
)

// MediaStackProps configures NewMediaStack.
type MediaStackProps struct {
	awscdk.StackProps
	Config Config
}

// MediaStack is the deployable stack: one MediaCdn and the outputs a user
// needs next.
type MediaStack struct {
	awscdk.Stack
	Media *mediacdn.MediaCdn
}

// ConfigFromContext reads the stack configuration from CDK context.
func ConfigFromContext(node constructs.Node) (Config, error) {
	all, _ := node.GetAllContext(nil).(map[string]any)
	return ParseContext(all)
}

// NewMediaStack validates the configuration and creates the stack. On error
// nothing is left in scope.
func NewMediaStack(scope constructs.Construct, props *MediaStackProps) (*MediaStack, error) {
	cfg := props.Config
	mediaProps, err := cfg.mediaProps()
	if err != nil {
		return nil, err
	}
	stackProps := props.StackProps
	if stackProps.Description == nil {
		stackProps.Description = jsii.String("mediacdn: private images and HLS video from S3 through CloudFront, with CORS on every path")
	}
	if stackProps.Env == nil && (cfg.Account != "" || cfg.Region != "") {
		stackProps.Env = &awscdk.Environment{}
		if cfg.Account != "" {
			stackProps.Env.Account = jsii.String(cfg.Account)
		}
		if cfg.Region != "" {
			stackProps.Env.Region = jsii.String(cfg.Region)
		}
	}
	stack := awscdk.NewStack(scope, jsii.String(cfg.StackName), &stackProps)

	// Imports are created only now that the configuration is known to be valid.
	if cfg.CertificateArn != "" {
		mediaProps.Certificate = awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Certificate"), jsii.String(cfg.CertificateArn))
	}
	if cfg.ExistingBucketName != "" {
		attrs := &awss3.BucketAttributes{BucketName: jsii.String(cfg.ExistingBucketName)}
		if cfg.ExistingBucketRegion != "" {
			// The origin's regional endpoint must name the bucket's own region.
			attrs.Region = jsii.String(cfg.ExistingBucketRegion)
		}
		mediaProps.Bucket = awss3.Bucket_FromBucketAttributes(stack, jsii.String("ExistingBucket"), attrs)
	}
	importSharedPolicies(stack, cfg, mediaProps)
	media, err := mediacdn.New(stack, "Media", mediaProps)
	if err != nil {
		// Leave nothing half-created behind in the app.
		scope.Node().TryRemoveChild(jsii.String(cfg.StackName))
		return nil, err
	}
	addOutputs(stack, cfg, media)
	addSharedPolicyOutputs(stack, media)
	addNagSuppressions(cfg, media)
	return &MediaStack{Stack: stack, Media: media}, nil
}

// mediaProps maps the configuration onto construct props. Everything that
// does not need a scope is set here, so Validate sees the whole picture.
func (c Config) mediaProps() (*mediacdn.Props, error) {
	var problems []string
	p := &mediacdn.Props{
		AllowedOrigins:     c.AllowedOrigins,
		AllowCredentials:   c.AllowCredentials,
		ImageExtensions:    c.ImageExtensions,
		PlaylistExtensions: c.PlaylistExtensions,
		SegmentExtensions:  c.SegmentExtensions,
		ImageTtl:           c.ImageTtl,
		SegmentTtl:         c.SegmentTtl,
		PlaylistTtl:        c.PlaylistTtl,
		DomainNames:        c.DomainNames,
		DisableIpv6:        !c.Ipv6,
		AccessLogging:      c.AccessLogging,
		WebAclArn:          c.WebAclArn,
		GeoAllowList:       c.GeoAllowList,
		GeoDenyList:        c.GeoDenyList,
		OriginShieldRegion: c.OriginShieldRegion,
		PublicPaths:        c.PublicPaths,
	}
	for i, file := range c.PublicKeyFiles {
		pemBytes, err := readPublicKeyFile(file)
		if err != nil {
			problems = append(problems, fmt.Sprintf(`context "publicKeyFiles" item %d (%s): %v`, i, file, err))
			continue
		}
		p.PublicKeys = append(p.PublicKeys, string(pemBytes))
	}
	if c.AccessLogRetentionDays > 0 {
		p.AccessLogRetention = time.Duration(c.AccessLogRetentionDays) * 24 * time.Hour
	}
	if len(c.DomainNames) > 0 && c.CertificateArn == "" {
		problems = append(problems, `context "domainNames" is set but "certificateArn" is not: give the ARN of an ACM certificate in us-east-1 covering `+strings.Join(c.DomainNames, ", "))
	}
	if c.CertificateArn != "" && len(c.DomainNames) == 0 {
		problems = append(problems, `context "certificateArn" is set but "domainNames" is empty: list the domain names it covers`)
	}
	switch c.PriceClass {
	case "":
	case "PriceClass_100":
		p.PriceClass = awscloudfront.PriceClass_PRICE_CLASS_100
	case "PriceClass_200":
		p.PriceClass = awscloudfront.PriceClass_PRICE_CLASS_200
	case "PriceClass_All":
		p.PriceClass = awscloudfront.PriceClass_PRICE_CLASS_ALL
	default:
		problems = append(problems, fmt.Sprintf(`context "priceClass" %q is not one of PriceClass_100, PriceClass_200, PriceClass_All`, c.PriceClass))
	}
	switch c.HttpVersion {
	case "":
	case "http1.1":
		p.HttpVersion = awscloudfront.HttpVersion_HTTP1_1
	case "http2":
		p.HttpVersion = awscloudfront.HttpVersion_HTTP2
	case "http2and3":
		p.HttpVersion = awscloudfront.HttpVersion_HTTP2_AND_3
	default:
		problems = append(problems, fmt.Sprintf(`context "httpVersion" %q is not one of http1.1, http2, http2and3 (http3 alone would cut off clients without QUIC)`, c.HttpVersion))
	}
	switch c.MinimumProtocolVersion {
	case "":
	case "TLSv1.2_2021":
		p.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
	case "TLSv1.2_2025":
		p.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2025
	case "TLSv1.3_2025":
		p.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_3_2025
	default:
		problems = append(problems, fmt.Sprintf(`context "minimumProtocolVersion" %q is not one of TLSv1.2_2021, TLSv1.2_2025, TLSv1.3_2025`, c.MinimumProtocolVersion))
	}
	if c.CertificateArn != "" {
		if region, err := mediacdn.CertificateRegion(c.CertificateArn); err != nil {
			problems = append(problems, fmt.Sprintf(`context "certificateArn" %q is not an ACM certificate ARN (arn:aws:acm:us-east-1:123456789012:certificate/ID)`, c.CertificateArn))
		} else if region != "us-east-1" {
			problems = append(problems, fmt.Sprintf(`context "certificateArn" is in %s: CloudFront only uses ACM certificates in us-east-1; request or import the certificate there`, region))
		}
	}
	if c.ExistingBucketRegion != "" && c.ExistingBucketName == "" {
		problems = append(problems, `context "existingBucketRegion" is set without "existingBucketName": name the bucket, or drop the region`)
	}
	if c.ExistingBucketRegion != "" && !mediacdn.IsRegionName(c.ExistingBucketRegion) {
		problems = append(problems, fmt.Sprintf(`context "existingBucketRegion" %q is not an AWS region name such as ap-northeast-2`, c.ExistingBucketRegion))
	}
	if c.ExistingBucketName != "" && !validBucketName(c.ExistingBucketName) {
		problems = append(problems, fmt.Sprintf(`context "existingBucketName" %q is not an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)`, c.ExistingBucketName))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("invalid context in cdk.json or -c:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return p, nil
}

// maxPublicKeyFileSize bounds what is read: a PEM public key is under 1 KiB.
const maxPublicKeyFileSize = 16 << 10

// readPublicKeyFile reads a PEM file named in publicKeyFiles. A private key is
// refused later by the construct, with a message that never repeats it.
func readPublicKeyFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		wd, _ := os.Getwd()
		return nil, fmt.Errorf("cannot read it (%v); paths are relative to the app directory %s; create a key pair with `mediacdn keygen --out keys`", err, wd)
	}
	if info.IsDir() || info.Size() > maxPublicKeyFileSize {
		return nil, fmt.Errorf("is not a PEM public key file (a directory, or larger than %d bytes)", maxPublicKeyFileSize)
	}
	return os.ReadFile(path)
}

func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

func addOutputs(stack awscdk.Stack, cfg Config, media *mediacdn.MediaCdn) {
	out := func(id, description string, value *string) {
		awscdk.NewCfnOutput(stack, jsii.String(id), &awscdk.CfnOutputProps{Description: jsii.String(description), Value: value})
	}
	base := awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), media.Distribution.DistributionDomainName()})
	for _, d := range cfg.DomainNames {
		if !strings.HasPrefix(d, "*.") { // a wildcard name is no URL
			base = jsii.String("https://" + strings.ToLower(d))
			break
		}
	}
	out("DistributionId", "CloudFront distribution id (for invalidations: aws cloudfront create-invalidation --distribution-id ID --paths '/video/*')", media.Distribution.DistributionId())
	out("DistributionDomainName", "CloudFront domain name; point your DNS CNAME or alias here when you use domainNames", media.Distribution.DistributionDomainName())
	out("BucketName", "The private media bucket (readable only through the distribution)", media.Bucket.BucketName())
	out("MediaBaseUrl", "Base URL of the media; an object s3://BUCKET/KEY is served at MediaBaseUrl/KEY", base)
	out("UploadExample", "Upload with the right Content-Type and Cache-Control (players check the type; aws s3 cp guesses it)",
		awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("mediacdn upload ./video s3://"), media.Bucket.BucketName(), jsii.String("/video")}))
	origin := "https://app.example.com"
	if o := media.AllowedOrigins[0]; o != "*" {
		origin = strings.Replace(o, "://*.", "://www.", 1)
	}
	if media.KeyGroup != nil {
		out("KeyGroupId", "Key group trusted by every signed behavior", media.KeyGroup.KeyGroupId())
		for i, key := range media.PublicKeys {
			file := ""
			if i < len(cfg.PublicKeyFiles) {
				file = cfg.PublicKeyFiles[i]
			}
			out("PublicKeyId"+key.Fingerprint[:16], fmt.Sprintf("Key-Pair-Id for signing with the private key of %s (%s, sha256 %s)", file, key.Type, key.Fingerprint[:16]),
				key.Resource.PublicKeyId())
		}
	}
	out("DoctorCommand", "Check CORS and signing of a deployed object from your app's origin",
		awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("mediacdn doctor "), base, jsii.String("/video/index.m3u8 --origin " + origin)}))
}

// addNagSuppressions waives the cdk-nag AwsSolutions findings that are
// deliberate in this configuration, each with its reason.
func addNagSuppressions(cfg Config, media *mediacdn.MediaCdn) {
	var dist []nag.Suppression
	if cfg.WebAclArn == "" {
		dist = append(dist, nag.Suppression{Rule: "AwsSolutions-CFR2", Reason: "No WAF by default: the media is private behind Origin Access Control (and signed URLs when keys are set); set webAclArn to attach a web ACL."})
	}
	if len(cfg.GeoAllowList) == 0 && len(cfg.GeoDenyList) == 0 {
		dist = append(dist, nag.Suppression{Rule: "AwsSolutions-CFR1", Reason: "Viewers are not limited by country unless geoAllowList or geoDenyList is set."})
	}
	if !cfg.AccessLogging {
		dist = append(dist, nag.Suppression{Rule: "AwsSolutions-CFR3", Reason: "Access logging is off in this configuration (accessLogging false): it costs storage and is the deployer's choice."})
		if cfg.ExistingBucketName == "" {
			nag.Suppress(media.Bucket, nag.Suppression{Rule: "AwsSolutions-S1", Reason: "S3 server access logs are written only when accessLogging is true."})
		}
	}
	nag.Suppress(media.Distribution, dist...)
}
