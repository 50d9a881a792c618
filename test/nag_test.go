package test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// TestCdkNagAwsSolutions checks that the AwsSolutions rule pack, applied to
// every scenario in synthAll, leaves no unsuppressed error, and that each
// suppression carries a reason.
func TestCdkNagAwsSolutions(t *testing.T) {
	eachScenario(t, func(t *testing.T, s *synthesized) {
		annotations := assertions.Annotations_FromStack(s.stack)
		nagFinding := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
		for _, m := range *annotations.FindError(jsii.String("*"), nagFinding) {
			t.Errorf("cdk-nag error on %s: %v", *m.Id, m.Entry.Data)
		}
		for _, m := range *annotations.FindWarning(jsii.String("*"), nagFinding) {
			t.Logf("cdk-nag warning on %s: %v", *m.Id, m.Entry.Data)
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
