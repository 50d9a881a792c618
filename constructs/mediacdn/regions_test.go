package mediacdn

import (
	"strings"
	"testing"
)

func TestIsRegionName(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"us-east-1", true}, {"ap-northeast-2", true}, {"mx-central-1", true}, {"il-central-1", true},
		{"cn-northwest-1", true}, {"us-gov-east-1", true}, {"us-iso-east-1", true}, {"us-isob-east-1", true},
		{"eu-isoe-west-1", true}, {"us-isof-south-1", true}, {"eusc-de-east-1", true},
		// The old pattern ([a-z]{2}...) refused the aws-eusc partition and
		// accepted any two letters: xx-east-1, zz-gov-a-1.
		{"xx-east-1", false}, {"zz-gov-a-1", false},
		{"US-EAST-1", false}, {"us-east-1 ", false}, {"us-east-1; x", false}, {"us-east", false}, {"us_east_1", false},
		// Longer than any region: names derived from the region would overflow.
		{"us-east-123", false}, {"us-southeastern-1", false},
		{"Seoul", false}, {"", false}, {"us-east-1\n", false},
	} {
		if got := IsRegionName(c.name); got != c.ok {
			t.Errorf("IsRegionName(%q) = %v, want %v", c.name, got, c.ok)
		}
	}
}

// TestOriginShieldRegionFor checks the README's advice against the guide's
// table: the bucket's own region where CloudFront offers Origin Shield, the
// guide's nearest region elsewhere.
func TestOriginShieldRegionFor(t *testing.T) {
	for bucket, want := range map[string]string{
		"ap-northeast-2": "ap-northeast-2", "us-east-1": "us-east-1", "sa-east-1": "sa-east-1",
		"us-west-1": "us-west-2", "eu-north-1": "eu-west-2", "eu-west-3": "eu-west-2", "ca-central-1": "us-east-1",
		"me-south-1": "ap-south-1", "af-south-1": "eu-west-1", "ap-east-1": "ap-southeast-1", "eu-south-1": "eu-central-1",
		"ap-southeast-7": "", // not in the guide's table: "lowest latency"
	} {
		if got := OriginShieldRegionFor(bucket); got != want {
			t.Errorf("OriginShieldRegionFor(%s) = %q, want %q", bucket, got, want)
		}
		if want != "" && checkOriginShieldRegion(want) != "" {
			t.Errorf("the recommended %s is itself refused: %s", want, checkOriginShieldRegion(want))
		}
	}
}

func TestCountryCodes(t *testing.T) {
	if n := len(countryCodes); n != 249 {
		t.Errorf("%d ISO 3166-1 alpha-2 codes loaded, want the 249 officially assigned", n)
	}
	for _, c := range []struct{ code, want string }{
		{"KR", ""}, {"US", ""}, {"GB", ""}, {"AX", ""}, {"SS", ""}, {"BQ", ""}, {"ZW", ""},
		{"UK", "the United Kingdom is GB"},
		{"uk", "the United Kingdom is GB"},
		{"kr", "lower case: CloudFront takes KR"},
		{"XK", "not an officially assigned"}, // Kosovo: user-assigned, not ISO
		{"AN", "not an officially assigned"}, // Netherlands Antilles: withdrawn 2010
		{"EU", "not an officially assigned"}, // exceptionally reserved
		{"XX", "not an officially assigned"},
		{"KOR", "use two capital letters"},
		{"", "use two capital letters"},
		{"K\x00", "not an officially assigned"},
	} {
		got := checkCountryCode(c.code)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("checkCountryCode(%q) = %q, want %q", c.code, got, c.want)
		}
	}
}
