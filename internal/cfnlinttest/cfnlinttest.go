// Package cfnlinttest lints the CloudFormation templates tests synthesize
// with cfn-lint, AWS's CloudFormation linter, in one cfn-lint process per
// test binary (it takes seconds to start). Every run also lints a negative
// control, a template with known errors, and fails unless cfn-lint reports
// them, so a run that checks nothing cannot pass.
//
// Where cfn-lint is not installed the lint is skipped with a message, unless
// MEDIACDN_REQUIRE_CFNLINT=1 (set by .ci/run), which makes it a failure.
//
//	var lint cfnlinttest.Batch // shared by the package's tests
//
//	func TestX(t *testing.T) { ...; lint.Add(t.Name()+"/Media", template) }
//
//	func TestCfnLint(t *testing.T) {
//		t.Parallel() // starts once every sequential test has returned
//		lint.Lint(t, "../.cfnlintrc")
//	}
package cfnlinttest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// RequireEnv names the environment variable that turns a missing cfn-lint
// into a test failure; .ci/run sets it to 1.
const RequireEnv = "MEDIACDN_REQUIRE_CFNLINT"

// Install is how cfn-lint is installed, for messages.
const Install = "pip install cfn-lint==1.51.0"

// Finding is one entry of `cfn-lint --format json`.
type Finding struct {
	Level    string `json:"Level"`
	Message  string `json:"Message"`
	Filename string `json:"Filename"`
	Rule     struct {
		ID string `json:"Id"`
	} `json:"Rule"`
}

// IsError reports whether the finding is an error (an E rule), which fails
// the lint; warnings and informational findings are printed only.
func (f Finding) IsError() bool { return strings.EqualFold(f.Level, "Error") }

// controlTemplate is the negative control linted in every run: a CloudFront
// Function whose name and runtime CloudFormation refuses.
const controlTemplate = `{"Resources": {"Fn": {"Type": "AWS::CloudFront::Function", "Properties": {
	"Name": "has spaces and is far too long for a CloudFront Function name, over sixty-four characters",
	"AutoPublish": true, "FunctionCode": "function handler(e) { return e.response; }",
	"FunctionConfig": {"Comment": "x", "Runtime": "cloudfront-js-9.9"}}}}}`

// controlName is the negative control's name in a Report.
const controlName = "negative-control"

// Report is the outcome of one cfn-lint run.
type Report struct {
	// Findings by template name; the negative control's are under
	// "negative-control".
	Findings map[string][]Finding
}

// Errors returns the error findings of the templates (not the control), one
// line each, naming the template, in a stable order.
func (r Report) Errors() []string {
	var out []string
	for name, fs := range r.Findings {
		if name == controlName {
			continue
		}
		for _, f := range fs {
			if f.IsError() {
				out = append(out, fmt.Sprintf("%s: %s %s", name, f.Rule.ID, f.Message))
			}
		}
	}
	sort.Strings(out)
	return out
}

// ControlCaught reports whether cfn-lint found both errors of the negative
// control (the bad function name and the bad runtime).
func (r Report) ControlCaught() bool {
	n := 0
	for _, f := range r.Findings[controlName] {
		if f.IsError() {
			n++
		}
	}
	return n >= 2
}

// Run lints the templates (name -> template as JSON) and the negative
// control in one cfn-lint run with the given config file (.cfnlintrc), in
// a new directory under dir.
func Run(dir, configFile string, templates map[string][]byte) (Report, error) {
	work, err := os.MkdirTemp(dir, "cfnlint-")
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(work)
	names := make([]string, 0, len(templates))
	for name := range templates {
		names = append(names, name)
	}
	sort.Strings(names)
	byFile := map[string]string{}
	write := func(i int, name string, raw []byte) (string, error) {
		// The number keeps names unique, the name (cut to stay well within
		// file name limits) keeps cfn-lint's messages readable.
		safe := fileSafe.ReplaceAllString(name, "_")
		if len(safe) > 100 {
			safe = safe[:100]
		}
		file := filepath.Join(work, fmt.Sprintf("%03d-%s.template.json", i, safe))
		byFile[file] = name
		return file, os.WriteFile(file, raw, 0o644)
	}
	control, err := write(0, controlName, []byte(controlTemplate))
	if err != nil {
		return Report{}, err
	}
	files := []string{control}
	for i, name := range names {
		file, err := write(i+1, name, templates[name])
		if err != nil {
			return Report{}, err
		}
		files = append(files, file)
	}
	args := append([]string{"--config-file", configFile, "--format", "json", "--"}, files...)
	out, err := exec.Command("cfn-lint", args...).Output()
	// Exit codes are a bit mask of error (2), warning (4) and info (8)
	// findings; bit 1, or no exit code at all, means cfn-lint itself failed.
	if exit := (*exec.ExitError)(nil); err != nil && (!errors.As(err, &exit) || exit.ExitCode()&1 != 0) {
		stderr := ""
		if exit != nil {
			stderr = string(exit.Stderr)
		}
		return Report{}, fmt.Errorf("cfn-lint failed: %v\n%s%s", err, out, stderr)
	}
	var findings []Finding
	if err := json.Unmarshal(out, &findings); err != nil {
		return Report{}, fmt.Errorf("cfn-lint output is not JSON: %v\n%s", err, out)
	}
	r := Report{Findings: map[string][]Finding{}}
	for _, f := range findings {
		name, ok := byFile[f.Filename]
		if !ok {
			name = f.Filename
		}
		r.Findings[name] = append(r.Findings[name], f)
	}
	return r, nil
}

var fileSafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Available says whether cfn-lint is installed; when it is not, it skips tb
// with a message saying how to install it, or fails tb under RequireEnv=1.
// Tests check it before synthesizing only for the lint.
func Available(tb testing.TB) bool {
	tb.Helper()
	if _, err := exec.LookPath("cfn-lint"); err == nil {
		return true
	}
	if os.Getenv(RequireEnv) == "1" {
		tb.Fatalf("cfn-lint is required (%s=1, as .ci/run sets) but not installed: %s", RequireEnv, Install)
	}
	tb.Skipf("cfn-lint is not installed (%s): templates not linted here; .ci/run requires it", Install)
	return false
}

// Batch collects the templates the tests of one binary synthesize, to lint
// them in one cfn-lint run. Safe for concurrent use; the zero value is
// ready.
type Batch struct {
	mu        sync.Mutex
	templates map[string][]byte
}

// Add records a template (a value that marshals to the template's JSON)
// under a name that says where it comes from, e.g. the test and stack.
// Adding a name again replaces its template (as `go test -count=2` does).
func (b *Batch) Add(name string, template any) error {
	raw, err := json.Marshal(template)
	if err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.templates == nil {
		b.templates = map[string][]byte{}
	}
	b.templates[name] = raw
	return nil
}

// Names returns the names of the templates added so far, sorted.
func (b *Batch) Names() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, 0, len(b.templates))
	for name := range b.templates {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Lint lints every template added so far, and the negative control, in one
// cfn-lint run with configFile: each error finding is a test error naming
// its template, warnings are logged. It skips (or fails under RequireEnv=1)
// where cfn-lint is not installed, and fails when nothing was added.
func (b *Batch) Lint(tb testing.TB, configFile string) {
	tb.Helper()
	if !Available(tb) {
		return
	}
	b.mu.Lock()
	templates := make(map[string][]byte, len(b.templates))
	for name, raw := range b.templates {
		templates[name] = raw
	}
	b.mu.Unlock()
	if len(templates) == 0 {
		tb.Fatal("no template to lint: the tests that synthesize add theirs to the batch")
	}
	r, err := Run(tb.TempDir(), configFile, templates)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range r.Errors() {
		tb.Errorf("cfn-lint error: %s", e)
	}
	for _, name := range b.Names() {
		for _, f := range r.Findings[name] {
			if !f.IsError() {
				tb.Logf("cfn-lint %s: %s: %s %s", strings.ToLower(f.Level), name, f.Rule.ID, f.Message)
			}
		}
	}
	if !r.ControlCaught() {
		tb.Errorf("cfn-lint found %d findings in the negative control (a bad function name and runtime), want both errors: the lint is not checking", len(r.Findings[controlName]))
	}
	tb.Logf("cfn-lint: %d templates linted in one run: %s", len(templates), strings.Join(b.Names(), ", "))
}
