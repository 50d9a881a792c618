package cfconfig_test

import (
	"testing"

	"github.com/mediacdn/mediacdn/cfconfig"
	"github.com/mediacdn/mediacdn/s3origin"
)

// TestCORSRuleConverts keeps the model's rule convertible to the origin's:
// the build fails here if the two types drift apart.
func TestCORSRuleConverts(t *testing.T) {
	r := cfconfig.CORSRule{AllowedOrigins: []string{"https://a.example"}, AllowedMethods: []string{"GET"}, MaxAgeSeconds: 5}
	if got := s3origin.CORSRule(r); got.MaxAgeSeconds != 5 || got.AllowedOrigins[0] != "https://a.example" {
		t.Fatalf("%+v", got)
	}
}
