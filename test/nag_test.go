package test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
)

// TestCdkNagAwsSolutions checks that the AwsSolutions rule pack, applied to
// every scenario in synthAll, leaves no unsuppressed error, and that each
// suppression carries a reason.
func TestCdkNagAwsSolutions(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		nagFinding := regexp.MustCompile(`AwsSolutions-`)
		for _, m := range messagesOf(s, cxapi.SynthesisMessageLevel_ERROR, nagFinding) {
			t.Errorf("cdk-nag error on %s", m)
		}
		for _, m := range messagesOf(s, cxapi.SynthesisMessageLevel_WARNING, nagFinding) {
			t.Logf("cdk-nag warning on %s", m)
		}
		for id, r := range s.tpl["Resources"].(map[string]any) {
			rules, _ := dig(r, "Metadata", "cdk_nag", "rules_to_suppress").([]any)
			for _, rule := range rules {
				reason, _ := dig(rule, "reason").(string)
				if len(strings.TrimSpace(reason)) < 20 {
					t.Errorf("%s suppresses %v without a real reason: %q", id, dig(rule, "id"), reason)
				}
			}
		}
	})
}
