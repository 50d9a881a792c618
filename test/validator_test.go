package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTemplateValidator is the one place the tests keep aws-cdk-lib's
// template validator on (cdkenv.ForTests turns it off for every other
// synth): synthAll registers it on the app of every scenario, and this test
// reads its report.
func TestTemplateValidator(t *testing.T) {
	synthAll(t)
	raw, err := os.ReadFile(filepath.Join(*assembly.Directory(), "validation-report.json"))
	if err != nil {
		t.Fatalf("the validator wrote no report (did it run?): %v", err)
	}
	ran, violations, err := validatorViolations(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !ran {
		t.Fatal("the report has no CloudFormation Validate result: the validator did not run")
	}
	for _, v := range violations {
		t.Errorf("template validator: %s", v)
	}
}

// validatorViolations reads aws-cdk-lib's validation-report.json: whether
// the CloudFormation Validate plugin ran, and its unsuppressed violations.
func validatorViolations(report []byte) (ran bool, violations []string, err error) {
	var doc struct {
		PluginReports []struct {
			PluginName string `json:"pluginName"`
			Conclusion string `json:"conclusion"`
			Violations []struct {
				RuleName            string `json:"ruleName"`
				Description         string `json:"description"`
				Severity            string `json:"severity"`
				ViolatingConstructs []struct {
					ConstructPath string `json:"constructPath"`
				} `json:"violatingConstructs"`
			} `json:"violations"`
		} `json:"pluginReports"`
	}
	if err := json.Unmarshal(report, &doc); err != nil {
		return false, nil, fmt.Errorf("validation report is not JSON: %w", err)
	}
	for _, r := range doc.PluginReports {
		if r.PluginName != "CloudFormation Validate" {
			continue
		}
		ran = true
		for _, v := range r.Violations {
			var where []string
			for _, c := range v.ViolatingConstructs {
				where = append(where, c.ConstructPath)
			}
			violations = append(violations, fmt.Sprintf("%s %s: %s (%s)", v.Severity, v.RuleName, v.Description, strings.Join(where, ", ")))
		}
		if r.Conclusion != "success" && len(r.Violations) == 0 {
			violations = append(violations, "conclusion "+r.Conclusion+" without violations")
		}
	}
	return ran, violations, nil
}

// TestValidatorViolationsReadsFailures is the negative control of
// TestTemplateValidator: a report with a violation (the shape aws-cdk-lib
// 2.270 writes) is reported, and one from another plugin alone is "not run".
func TestValidatorViolationsReadsFailures(t *testing.T) {
	failing := []byte(`{"pluginReports": [{"pluginName": "CloudFormation Validate", "conclusion": "failure",
		"violations": [{"ruleName": "E3002", "description": "Additional properties are not allowed", "severity": "error",
		"violatingConstructs": [{"constructPath": "MediaCdn/Media/Distribution/Resource"}]}]}]}`)
	ran, violations, err := validatorViolations(failing)
	if err != nil || !ran || len(violations) != 1 || !strings.Contains(violations[0], "E3002") || !strings.Contains(violations[0], "MediaCdn/Media/Distribution") {
		t.Errorf("failing report read as ran=%v violations=%q err=%v", ran, violations, err)
	}
	ran, _, _ = validatorViolations([]byte(`{"pluginReports": [{"pluginName": "Annotations", "conclusion": "success", "violations": []}]}`))
	if ran {
		t.Error("a report without the CloudFormation Validate plugin counted as a validator run")
	}
}
