// Package stacks wires the mediacdn construct into a deployable stack from
// configuration read out of CDK context.
//
//	cfg, err := stacks.ConfigFromContext(app.Node())
//	stack, err := stacks.NewMediaStack(app, &stacks.MediaStackProps{Config: cfg})
package stacks

import (
	"errors"
	"fmt"
	"net"
	"os"
	"regexp"
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
	"github.com/mediacdn/mediacdn/internal/readlimit"
	"github.com/mediacdn/mediacdn/internal/safetext"
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

// ConfigFromContext reads the stack configuration from CDK context and
// checks it with LoadConfig: the error lists every problem at once.
func ConfigFromContext(node constructs.Node) (Config, error) {
	all, _ := node.GetAllContext(nil).(map[string]any)
	return LoadConfig(all)
}

// NewMediaStack validates the configuration and creates the stack. On error
// nothing is left in scope.
func NewMediaStack(scope constructs.Construct, props *MediaStackProps) (*MediaStack, error) {
	cfg := props.Config
	r := &contextReader{failed: map[string]bool{}}
	r.checkEnvironment(&cfg)
	mediaProps, keyFiles := cfg.mediaProps(r)
	if len(r.errs) > 0 {
		return nil, &ConfigError{Problems: r.errs}
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
		var verr *mediacdn.ValidationError
		if errors.As(err, &verr) {
			cerr := &ConfigError{}
			for _, problem := range verr.Problems {
				_, text := translate(problem, keyFiles)
				cerr.Problems = append(cerr.Problems, text)
			}
			return nil, cerr
		}
		return nil, err
	}
	addOutputs(stack, cfg, media)
	addSharedPolicyOutputs(stack, media)
	addNagSuppressions(cfg, media)
	return &MediaStack{Stack: stack, Media: media}, nil
}

// mediaProps maps the configuration onto construct props, adding to r the
// problems only the stack can see (context spellings, key files, pairs of
// keys). Everything that does not need a scope is set here, so the
// construct's Validate sees the whole picture. keyFiles[i] names the
// publicKeyFiles item PublicKeys[i] was read from.
func (c Config) mediaProps(r *contextReader) (p *mediacdn.Props, keyFiles []string) {
	p = &mediacdn.Props{
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
	files := c.PublicKeyFiles
	if len(files) > mediacdn.MaxPublicKeys {
		r.fail("publicKeyFiles", "lists %d files but a CloudFront key group holds at most %d keys: remove retired keys (rotation needs only the old and the new one)", len(files), mediacdn.MaxPublicKeys)
		files = files[:mediacdn.MaxPublicKeys+1] // enough for the construct's own checks; the rest is not read
	}
	for i, file := range files {
		pemBytes, err := readPublicKeyFile(file)
		if err != nil {
			r.fail("publicKeyFiles", "item %d (%s): %v", i, safetext.Quote(file, 120), err)
			continue
		}
		p.PublicKeys = append(p.PublicKeys, string(pemBytes))
		keyFiles = append(keyFiles, fmt.Sprintf("item %d (%s)", i, safetext.Quote(file, 120)))
	}
	if c.AccessLogRetentionDays > 0 { // at most maxRetentionDays: no overflow
		p.AccessLogRetention = time.Duration(c.AccessLogRetentionDays) * 24 * time.Hour
	}
	if len(c.DomainNames) > 0 && c.CertificateArn == "" {
		r.fail("domainNames", `is set but "certificateArn" is not: give the ARN of an ACM certificate in us-east-1 covering %s`, safetext.Quote(strings.Join(c.DomainNames, ", "), 200))
	}
	if c.CertificateArn != "" && len(c.DomainNames) == 0 {
		r.fail("certificateArn", `is set but "domainNames" is empty: list the domain names it covers`)
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
		r.fail("priceClass", "%s is not one of PriceClass_100, PriceClass_200, PriceClass_All", safetext.Quote(c.PriceClass, 40))
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
		r.fail("httpVersion", "%s is not one of http1.1, http2, http2and3 (http3 alone would cut off clients without QUIC)", safetext.Quote(c.HttpVersion, 40))
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
		r.fail("minimumProtocolVersion", "%s is not one of TLSv1.2_2021, TLSv1.2_2025, TLSv1.3_2025", safetext.Quote(c.MinimumProtocolVersion, 40))
	}
	if c.CertificateArn != "" {
		if region, err := mediacdn.CertificateRegion(c.CertificateArn); err != nil {
			r.fail("certificateArn", "%s is not an ACM certificate ARN (arn:aws:acm:us-east-1:123456789012:certificate/ID)", safetext.Quote(c.CertificateArn, 120))
		} else if region != "us-east-1" {
			r.fail("certificateArn", "is in %s: CloudFront only uses ACM certificates in us-east-1; request or import the certificate there", region)
		}
	}
	if c.ExistingBucketRegion != "" && c.ExistingBucketName == "" {
		r.fail("existingBucketRegion", `is set without "existingBucketName": name the bucket, or drop the region`)
	}
	if c.ExistingBucketRegion != "" && !mediacdn.IsRegionName(c.ExistingBucketRegion) {
		r.fail("existingBucketRegion", "%s is not an AWS region name such as ap-northeast-2", safetext.Quote(c.ExistingBucketRegion, 64))
	}
	if c.ExistingBucketName != "" && !validBucketName(c.ExistingBucketName) {
		r.fail("existingBucketName", "%s is not an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, no two dots in a row, not an IP address)", safetext.Quote(c.ExistingBucketName, 80))
	}
	return p, keyFiles
}

// readPublicKeyFile reads a PEM file named in publicKeyFiles through
// readlimit, so a FIFO, a device or a huge file cannot hang or exhaust the
// synth. A private key is refused later by the construct, with a message
// that never repeats it.
func readPublicKeyFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		wd, _ := os.Getwd()
		return nil, fmt.Errorf("cannot read it (%v); paths are relative to the app directory %s; create a key pair with `mediacdn keygen --out keys`", err, wd)
	}
	if !info.Mode().IsRegular() {
		// Opening a FIFO would wait for a writer; a device never ends.
		return nil, fmt.Errorf("is not a regular file (%s): give the path of a PEM public key file", info.Mode().Type())
	}
	data, err := readlimit.File(path, readlimit.KeySize)
	if errors.Is(err, readlimit.ErrTooLarge) {
		return nil, fmt.Errorf("is larger than %d KiB, so it is not a PEM public key (those are under 1 KiB)", readlimit.KeySize>>10)
	}
	return data, err
}

// bucketNamePattern and the checks below are S3's general purpose bucket
// naming rules (S3 User Guide, "Bucket naming rules"), which aws-cdk-lib also
// enforces when importing a bucket, with a JavaScript error.
var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func validBucketName(name string) bool {
	return bucketNamePattern.MatchString(name) && !strings.Contains(name, "..") &&
		net.ParseIP(name) == nil && !strings.HasPrefix(name, "xn--") && !strings.HasPrefix(name, "sthree-") &&
		!strings.HasSuffix(name, "-s3alias") && !strings.HasSuffix(name, "--ol-s3")
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
