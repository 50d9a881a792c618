package test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

// badTemplate is the negative control linted with the scenarios: a CloudFront
// Function whose name and runtime CloudFormation refuses.
const badTemplate = `{"Resources": {"Fn": {"Type": "AWS::CloudFront::Function", "Properties": {
	"Name": "has spaces and is far too long for a CloudFront Function name, over sixty-four characters",
	"AutoPublish": true, "FunctionCode": "function handler(e) { return e.response; }",
	"FunctionConfig": {"Comment": "x", "Runtime": "cloudfront-js-9.9"}}}}}`

// The lint runs in the background from the moment synthAll has the
// templates (cfn-lint takes seconds to start), while other tests go on.
var (
	lintDone     = make(chan struct{})
	lintStart    sync.Once
	lintFindings []cfnLintFinding
	lintErr      error
)

// startCfnLint writes every scenario's template and the negative control to
// a directory and lints them all in one cfn-lint run with the repository's
// .cfnlintrc. Called by synthAll; does nothing when cfn-lint is absent.
func startCfnLint(templates map[string]map[string]any) {
	lintStart.Do(func() {
		if _, err := exec.LookPath("cfn-lint"); err != nil {
			lintErr = err
			close(lintDone)
			return
		}
		dir, err := os.MkdirTemp("", "mediacdn-cfnlint-")
		if err != nil {
			lintErr = err
			close(lintDone)
			return
		}
		files := []string{filepath.Join(dir, "bad.template.json")}
		err = os.WriteFile(files[0], []byte(badTemplate), 0o644)
		for name, tpl := range templates {
			raw, _ := json.Marshal(tpl)
			file := filepath.Join(dir, name+".template.json")
			if err == nil {
				err = os.WriteFile(file, raw, 0o644)
			}
			files = append(files, file)
		}
		go func() {
			defer close(lintDone)
			defer os.RemoveAll(dir)
			if err != nil {
				lintErr = err
				return
			}
			lintFindings, lintErr = runCfnLint(files)
		}()
	})
}

// runCfnLint lints template files and returns the findings.
func runCfnLint(files []string) ([]cfnLintFinding, error) {
	args := append([]string{"--config-file", "../.cfnlintrc", "--format", "json", "--"}, files...)
	out, err := exec.Command("cfn-lint", args...).Output()
	// Exit codes are a bit mask of error (2), warning (4) and info (8)
	// findings; bit 1, or no exit code at all, means cfn-lint itself failed.
	if exit := (*exec.ExitError)(nil); err != nil && (!errors.As(err, &exit) || exit.ExitCode()&1 != 0) {
		return nil, errors.New("cfn-lint failed: " + err.Error() + "\n" + string(out))
	}
	var findings []cfnLintFinding
	if err := json.Unmarshal(out, &findings); err != nil {
		return nil, errors.New("cfn-lint output is not JSON: " + err.Error() + "\n" + string(out))
	}
	return findings, nil
}

// TestCfnLint: cfn-lint finds no error in any scenario's template, and does
// find the errors of the negative control in the same run. Skipped where
// cfn-lint is not installed; .ci/run requires it.
func TestCfnLint(t *testing.T) {
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		t.Skip("cfn-lint is not installed (pip install cfn-lint==1.51.0): the templates are not linted here; .ci/run requires it")
	}
	synthAll(t)
	<-lintDone
	if lintErr != nil {
		t.Fatal(lintErr)
	}
	var controlErrors []string
	for _, f := range lintFindings {
		file := filepath.Base(f.Filename)
		isError := strings.EqualFold(f.Level, "Error")
		switch {
		case file == "bad.template.json":
			if isError {
				controlErrors = append(controlErrors, f.Rule.ID)
			}
		case isError:
			t.Errorf("cfn-lint error: %s: %s %s", file, f.Rule.ID, f.Message)
		default:
			t.Logf("cfn-lint %s: %s: %s %s", strings.ToLower(f.Level), file, f.Rule.ID, f.Message)
		}
	}
	if len(controlErrors) < 2 {
		t.Errorf("cfn-lint found errors %v in the negative control (bad function name and runtime); want both: the lint is not checking", controlErrors)
	}
}
