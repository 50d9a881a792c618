package mediacdn

import (
	_ "embed"
	"regexp"
	"sort"
	"strings"

	"github.com/mediacdn/mediacdn/internal/safetext"
)

// regionPattern matches the region names of the AWS partitions, from the
// partition metadata the AWS SDKs ship (aws-sdk-go-v2
// internal/endpoints/awsrulesfn/partitions.go, "regionRegex"): aws, aws-cn,
// aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f and aws-us-gov; lower
// case only, as aws-cdk-lib's environment parser refuses upper case.
var regionPattern = regexp.MustCompile(`^(?:(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+|cn-[a-z]+|eusc-de-[a-z]+|us-(?:iso|isob|isof|gov)-[a-z]+|eu-isoe-[a-z]+)-\d{1,2}$`)

// MaxRegionNameLength is the length of the longest region code of any
// partition (us-isof-south-1); names derived from the region leave room for
// it, so a longer made-up name would push them past CloudFront's limits.
const MaxRegionNameLength = 15

// IsRegionName reports whether s is shaped like a region name of one of the
// AWS partitions (us-east-1, cn-north-1, us-gov-west-1, ...).
func IsRegionName(s string) bool {
	return len(s) <= MaxRegionNameLength && regionPattern.MatchString(s)
}

// originShieldRegions are the regions CloudFront offers Origin Shield in, and
// nearestOriginShield the Origin Shield region CloudFront recommends for
// origins in other regions. Source: CloudFront Developer Guide, "Choosing the
// AWS Region for Origin Shield",
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/origin-shield.html#choose-origin-shield-region
var (
	originShieldRegions = map[string]bool{
		"us-east-2": true, "us-east-1": true, "us-west-2": true,
		"ap-south-1": true, "ap-northeast-2": true, "ap-southeast-1": true, "ap-southeast-2": true, "ap-northeast-1": true,
		"eu-central-1": true, "eu-west-1": true, "eu-west-2": true,
		"sa-east-1": true,
	}
	nearestOriginShield = map[string]string{
		"us-west-1": "us-west-2", "af-south-1": "eu-west-1", "ap-east-1": "ap-southeast-1", "ca-central-1": "us-east-1",
		"eu-south-1": "eu-central-1", "eu-west-3": "eu-west-2", "eu-north-1": "eu-west-2", "me-south-1": "ap-south-1",
	}
)

// OriginShieldRegionFor returns the Origin Shield region CloudFront's guide
// recommends for an origin in bucketRegion: the same region where CloudFront
// offers Origin Shield, the guide's nearest one for the regions it lists, or
// "" when the guide says only "the region with the lowest latency".
func OriginShieldRegionFor(bucketRegion string) string {
	if originShieldRegions[bucketRegion] {
		return bucketRegion
	}
	return nearestOriginShield[bucketRegion]
}

// checkOriginShieldRegion says why region cannot hold Origin Shield.
func checkOriginShieldRegion(region string) string {
	if originShieldRegions[region] {
		return ""
	}
	list := make([]string, 0, len(originShieldRegions))
	for r := range originShieldRegions {
		list = append(list, r)
	}
	sort.Strings(list)
	msg := "OriginShieldRegion " + safetext.Quote(region, 40) + " is not a region CloudFront offers Origin Shield in (" + strings.Join(list, ", ") + "): "
	if near := nearestOriginShield[region]; near != "" {
		return msg + "for an origin in " + region + " CloudFront recommends " + near
	}
	if !IsRegionName(region) {
		return msg + "give a region code such as us-east-1, not a region's name"
	}
	return msg + "choose the one with the lowest latency to the bucket's region"
}

//go:embed iso3166-1-alpha2.txt
var iso3166Text string

// countryCodes holds the officially assigned ISO 3166-1 alpha-2 codes.
var countryCodes = func() map[string]bool {
	codes := map[string]bool{}
	for _, line := range strings.Split(iso3166Text, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, code := range strings.Fields(line) {
			codes[code] = true
		}
	}
	return codes
}()

// checkCountryCode says why code is not an ISO 3166-1 alpha-2 country code.
func checkCountryCode(code string) string {
	upper := strings.ToUpper(code)
	switch {
	case countryCodes[code]:
		return ""
	case upper == "UK":
		return "is not an ISO 3166-1 alpha-2 code: the United Kingdom is GB"
	case countryCodes[upper]:
		return "is written in lower case: CloudFront takes " + upper
	case len(code) == 2:
		return "is not an officially assigned ISO 3166-1 alpha-2 country code (reserved, withdrawn or never assigned)"
	}
	return "is not an ISO 3166-1 alpha-2 country code: use two capital letters, e.g. US, KR, DE"
}
