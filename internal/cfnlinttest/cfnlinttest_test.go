package cfnlinttest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records how a helper ended the test.
type recorder struct {
	testing.TB
	t                       *testing.T
	errors                  []string
	skipped, failed, logged string
}

func (r *recorder) Helper()         {}
func (r *recorder) TempDir() string { return r.t.TempDir() }
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Logf(format string, args ...any) { r.logged += fmt.Sprintf(format, args...) + "\n" }
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) {
	r.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

// record runs fn with a recorder in a goroutine of its own (Skipf and
// Fatalf end it as they end a test).
func record(t *testing.T, fn func(tb testing.TB)) *recorder {
	r := &recorder{t: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r
}

// TestMissingCfnLint: a skip saying how to install cfn-lint, and a failure
// instead under MEDIACDN_REQUIRE_CFNLINT=1 (as .ci/run sets).
func TestMissingCfnLint(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	var b Batch
	if err := b.Add("x", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	t.Setenv(RequireEnv, "")
	r := record(t, func(tb testing.TB) { b.Lint(tb, "/nonexistent") })
	if r.failed != "" || !strings.Contains(r.skipped, Install) {
		t.Errorf("skipped %q, failed %q; want a skip naming %q", r.skipped, r.failed, Install)
	}
	t.Setenv(RequireEnv, "1")
	r = record(t, func(tb testing.TB) { b.Lint(tb, "/nonexistent") })
	if r.skipped != "" || !strings.Contains(r.failed, RequireEnv+"=1") || !strings.Contains(r.failed, Install) {
		t.Errorf("skipped %q, failed %q; want a failure naming %s and the install", r.skipped, r.failed, RequireEnv)
	}
}

// A minimal template cfn-lint accepts, and one with the control's errors.
var (
	goodTemplate = map[string]any{"Resources": map[string]any{"Media": map[string]any{"Type": "AWS::S3::Bucket"}}}
	badTemplate  = []byte(controlTemplate)
)

// TestLintReportsEachTemplate lints a good and a bad template in one run:
// the bad one's errors are test errors naming it, the good one has none.
func TestLintReportsEachTemplate(t *testing.T) {
	if !Available(t) {
		return
	}
	var b Batch
	for name, tpl := range map[string]any{"TestGood/Media": goodTemplate, "TestBad/Media": jsonRaw(badTemplate)} {
		if err := b.Add(name, tpl); err != nil {
			t.Fatal(err)
		}
	}
	r := record(t, func(tb testing.TB) { b.Lint(tb, "../../.cfnlintrc") })
	if r.failed != "" || r.skipped != "" {
		t.Fatalf("failed %q, skipped %q", r.failed, r.skipped)
	}
	if len(r.errors) < 2 {
		t.Errorf("errors %q; want the bad template's two", r.errors)
	}
	for _, e := range r.errors {
		if !strings.Contains(e, "TestBad/Media") {
			t.Errorf("error %q does not name the bad template (or names another)", e)
		}
	}
	if !strings.Contains(r.logged, "2 templates linted in one run") {
		t.Errorf("log %q does not say both templates were linted", r.logged)
	}

	// With nothing added, Lint fails rather than passing on nothing.
	r = record(t, func(tb testing.TB) { new(Batch).Lint(tb, "../../.cfnlintrc") })
	if !strings.Contains(r.failed, "no template to lint") {
		t.Errorf("an empty batch: failed %q; want a failure", r.failed)
	}
}

// TestControlCaught: the check that the lint is checking fails on a report
// without the control's errors.
func TestControlCaught(t *testing.T) {
	errFinding := Finding{Level: "Error"}
	for _, c := range []struct {
		findings []Finding
		want     bool
	}{
		{nil, false},
		{[]Finding{errFinding}, false},
		{[]Finding{{Level: "Warning"}, {Level: "Warning"}}, false},
		{[]Finding{errFinding, errFinding}, true},
	} {
		r := Report{Findings: map[string][]Finding{controlName: c.findings, "other": {errFinding, errFinding}}}
		if got := r.ControlCaught(); got != c.want {
			t.Errorf("ControlCaught with %v = %v, want %v", c.findings, got, c.want)
		}
	}
}

type jsonRaw []byte

func (j jsonRaw) MarshalJSON() ([]byte, error) { return j, nil }
