package test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cfnLintFinding is one entry of `cfn-lint --format json`.
type cfnLintFinding struct {
	Level    string `json:"Level"`
	Message  string `json:"Message"`
	Filename string `json:"Filename"`
	Rule     struct {
		ID string `json:"Id"`
	} `json:"Rule"`
}

// runCfnLint lints template files with the repository's .cfnlintrc and
// returns the findings.
func runCfnLint(t *testing.T, files []string) []cfnLintFinding {
	t.Helper()
	args := append([]string{"--config-file", "../.cfnlintrc", "--format", "json", "--"}, files...)
	out, err := exec.Command("cfn-lint", args...).Output()
	// Exit codes are a bit mask of error (2), warning (4) and info (8)
	// findings; bit 1, or no exit code at all, means cfn-lint itself failed.
	if exit := (*exec.ExitError)(nil); err != nil && (!errors.As(err, &exit) || exit.ExitCode()&1 != 0) {
		t.Fatalf("cfn-lint failed: %v\n%s", err, out)
	}
	var findings []cfnLintFinding
	if err := json.Unmarshal(out, &findings); err != nil {
		t.Fatalf("cfn-lint output is not JSON: %v\n%s", err, out)
	}
	return findings
}

// TestCfnLint runs cfn-lint on every scenario's template: no error allowed.
// Skipped where cfn-lint is not installed; .ci/run requires it.
func TestCfnLint(t *testing.T) {
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Skip("cfn-lint is not installed (pip install cfn-lint==1.51.0): the templates are not linted here; .ci/run requires it")
	}
	dir := t.TempDir()
	var files []string
	for name, s := range synthAll(t) {
		raw, err := json.Marshal(s.tpl)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, name+".template.json")
		if err := os.WriteFile(file, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	for _, f := range runCfnLint(t, files) {
		msg := filepath.Base(f.Filename) + ": " + f.Rule.ID + " " + f.Message
		if strings.EqualFold(f.Level, "Error") {
			t.Errorf("cfn-lint error: %s", msg)
		} else {
			t.Logf("cfn-lint %s: %s", strings.ToLower(f.Level), msg)
		}
	}
}

// TestCfnLintCatchesErrors is the negative control: a template with a
// CloudFront mistake gets an error from the same invocation.
func TestCfnLintCatchesErrors(t *testing.T) {
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Skip("cfn-lint is not installed")
	}
	bad := `{"Resources": {"Fn": {"Type": "AWS::CloudFront::Function", "Properties": {
		"Name": "has spaces and is far too long for a CloudFront Function name, over sixty-four characters",
		"AutoPublish": true, "FunctionCode": "function handler(e) { return e.response; }",
		"FunctionConfig": {"Comment": "x", "Runtime": "cloudfront-js-9.9"}}}}}`
	file := filepath.Join(t.TempDir(), "bad.template.json")
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	var errs []string
	for _, f := range runCfnLint(t, []string{file}) {
		if strings.EqualFold(f.Level, "Error") {
			errs = append(errs, f.Rule.ID)
		}
	}
	if len(errs) < 2 {
		t.Errorf("cfn-lint found errors %v in a template with a bad function name and runtime; want both reported", errs)
	}
}
